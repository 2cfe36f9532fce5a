import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {KpContext} from '../../src/workflows/context.js';
import {ExitCode, type KpError} from '../../src/core/errors.js';
import {Runner} from '../../src/tools/runner.js';
import {createOutput} from '../../src/ui/output.js';
import {devInit} from '../../src/workflows/dev/init.js';
import {KP_HOME, resolveDevWorkspace, resolveWorkspaceRoot, SHIPPED_FILES} from '../../src/workflows/dev/workspace.js';
import {projectRoot} from '../helpers/cli.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'kp-dev-ws-'));
}

function checkout(dir: string, files: {skaffold?: boolean; kind?: boolean} = {}): string {
  mkdirSync(path.join(dir, 'helm', 'kamerplanter'), {recursive: true});
  if (files.skaffold) writeFileSync(path.join(dir, 'skaffold.yaml'), '# own\n');
  if (files.kind) writeFileSync(path.join(dir, 'kind-config.yaml'), '# own\n');
  return dir;
}

const ctx = (dryRun = false): KpContext => ({
  runner: new Runner({dryRun, verbose: false, log: () => {}}),
  out: createOutput({json: true, verbose: false}),
  dryRun,
  json: true,
  verbose: false,
});

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
  });

  it('Given no checkout anywhere above, When resolved, Then a usage error says how to point at one', () => {
    let error: KpError | undefined;
    try {
      resolveWorkspaceRoot({cwd: tempDir()});
    } catch (e) {
      error = e as KpError;
    }
    expect(error?.exitCode).toBe(ExitCode.Usage);
    expect(error?.hint).toContain('--workspace');
  });

  it('Given a checkout without its own files, When resolved, Then kp\'s shipped files are used (from kp\'s install dir, not the cwd)', () => {
    const ws = resolveDevWorkspace({flag: checkout(tempDir()), cwd: tempDir()});
    expect(KP_HOME).toBe(projectRoot);
    expect(ws.skaffoldFile).toBe(SHIPPED_FILES.skaffold);
    expect(ws.kindConfigFile).toBe(path.join(projectRoot, 'kind-config.yaml'));
    expect(ws.skaffoldFromCheckout).toBe(false);
  });

  it('Given a checkout with its own files, When resolved, Then those are used', () => {
    const root = checkout(tempDir(), {skaffold: true, kind: true});
    const ws = resolveDevWorkspace({flag: root, cwd: '/'});
    expect(ws.skaffoldFile).toBe(path.join(root, 'skaffold.yaml'));
    expect(ws.kindConfigFile).toBe(path.join(root, 'kind-config.yaml'));
  });
});

describe('kp dev init', () => {
  it('Given a checkout lacking both files, When init runs, Then both are written with the shipped content', () => {
    const root = checkout(tempDir());
    const result = devInit(ctx(), {workspace: root});
    expect(result.written.map((f) => path.basename(f))).toEqual(['skaffold.yaml', 'kind-config.yaml']);
    expect(readFileSync(path.join(root, 'skaffold.yaml'), 'utf8')).toBe(readFileSync(SHIPPED_FILES.skaffold, 'utf8'));
  });

  it('Given a checkout with its own skaffold.yaml, When init runs twice, Then it is never overwritten', () => {
    const root = checkout(tempDir(), {skaffold: true});
    const first = devInit(ctx(), {workspace: root});
    expect(first.kept).toEqual([path.join(root, 'skaffold.yaml')]);
    expect(first.written).toEqual([path.join(root, 'kind-config.yaml')]);
    expect(readFileSync(path.join(root, 'skaffold.yaml'), 'utf8')).toBe('# own\n');
    const second = devInit(ctx(), {workspace: root});
    expect(second.written).toEqual([]);
    expect(second.kept.length).toBe(2);
  });

  it('Given --dry-run, When init runs, Then nothing is written', () => {
    const root = checkout(tempDir());
    expect(devInit(ctx(true), {workspace: root}).written).toEqual([]);
  });
});
