import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../../src/core/errors.js';
import {findCheckoutUpwards, KP_HOME, resolveDevWorkspace, resolveWorkspaceRoot, SHIPPED_FILES} from '../../../../src/workflows/dev/workspace.js';
import {projectRoot} from '../../../helpers/cli.js';

const work = mkdtempSync(path.join(tmpdir(), 'kp-dev-ws-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

function tempDir(): string {
  return mkdtempSync(path.join(work, 'dir-'));
}

function checkout(dir: string, files: {skaffold?: boolean; kind?: boolean} = {}): string {
  mkdirSync(path.join(dir, 'helm', 'kamerplanter'), {recursive: true});
  if (files.skaffold) writeFileSync(path.join(dir, 'skaffold.yaml'), '# own\n');
  if (files.kind) writeFileSync(path.join(dir, 'kind-config.yaml'), '# own\n');
  return dir;
}

describe('workspace resolution', () => {
  it('Given --workspace and KP_WORKSPACE, When resolved, Then the flag wins, then the env', () => {
    const a = checkout(tempDir());
    const b = checkout(tempDir());
    expect(resolveWorkspaceRoot({flag: a, env: b, cwd: '/'})).toEqual({root: a, source: 'flag'});
    expect(resolveWorkspaceRoot({env: b, cwd: '/'})).toEqual({root: b, source: 'env'});
  });

  it('Given a cwd deep inside a checkout, When resolved, Then the nearest parent with helm/kamerplanter is used', () => {
    const root = checkout(tempDir());
    const deep = path.join(root, 'src', 'backend', 'app');
    mkdirSync(deep, {recursive: true});
    expect(resolveWorkspaceRoot({cwd: deep})).toEqual({root, source: 'search'});
    expect(findCheckoutUpwards(deep)).toBe(root);
  });

  it('Given no checkout anywhere above, When resolved, Then a usage error says how to point at one', () => {
    // Given
    const cwd = tempDir();
    // When
    let error: unknown;
    try {
      resolveWorkspaceRoot({cwd});
    } catch (e) {
      error = e;
    }
    // Then
    expect(error).toBeInstanceOf(KpError);
    expect((error as KpError).exitCode).toBe(ExitCode.Usage);
    expect((error as KpError).message).toContain(cwd);
    expect((error as KpError).hint).toContain('--workspace');
  });

  it('Given a --workspace that does not exist, When resolved, Then it is a usage error naming it', () => {
    expect(() => resolveWorkspaceRoot({flag: path.join(work, 'nope'), cwd: '/'})).toThrowError(/--workspace .*nope: no such directory/);
  });

  it("Given a checkout without its own files, When resolved, Then kp's shipped files are used (from kp's install dir, not the cwd)", () => {
    const ws = resolveDevWorkspace({flag: checkout(tempDir()), cwd: tempDir()});
    expect(KP_HOME).toBe(projectRoot);
    expect(ws.skaffoldFile).toBe(SHIPPED_FILES.skaffold);
    expect(ws.kindConfigFile).toBe(path.join(projectRoot, 'kind-config.yaml'));
    expect(ws.skaffoldFromCheckout).toBe(false);
    expect(ws.kindConfigFromCheckout).toBe(false);
  });

  it('Given a checkout with its own files, When resolved, Then those are used', () => {
    const root = checkout(tempDir(), {skaffold: true, kind: true});
    const ws = resolveDevWorkspace({flag: root, cwd: '/'});
    expect(ws.skaffoldFile).toBe(path.join(root, 'skaffold.yaml'));
    expect(ws.kindConfigFile).toBe(path.join(root, 'kind-config.yaml'));
    expect(ws.skaffoldFromCheckout).toBe(true);
  });

  it("Given a kind-config.yaml that is a dangling symlink, When resolved, Then exit 2 naming the link and its target, never kp's own file in its place", () => {
    const root = checkout(tempDir(), {skaffold: true});
    symlinkSync(path.join(root, 'configs', 'kind.yaml'), path.join(root, 'kind-config.yaml'));
    const error = captureError(() => resolveDevWorkspace({flag: root, cwd: '/'}));
    expect(error).toBeInstanceOf(KpError);
    expect(error).toMatchObject({exitCode: ExitCode.Usage});
    expect((error as KpError).message).toBe(
      `${path.join(root, 'kind-config.yaml')} is a symlink to ${path.join(root, 'configs', 'kind.yaml')}, which does not exist.`,
    );
    expect((error as KpError).hint).toMatch(/Fix or remove the link/);
  });

  it('Given a kind-config.yaml symlink to a file that exists, When resolved, Then the checkout has it', () => {
    const root = checkout(tempDir());
    mkdirSync(path.join(root, 'configs'));
    writeFileSync(path.join(root, 'configs', 'kind.yaml'), 'kind: Cluster\n');
    symlinkSync(path.join(root, 'configs', 'kind.yaml'), path.join(root, 'kind-config.yaml'));
    expect(resolveDevWorkspace({flag: root, cwd: '/'})).toMatchObject({kindConfigFromCheckout: true, kindConfigFile: path.join(root, 'kind-config.yaml')});
  });
});

function captureError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
