import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {devInit} from '../../../../src/workflows/dev/init.js';
import {SHIPPED_FILES} from '../../../../src/workflows/dev/workspace.js';
import {useSandbox} from '../../../helpers/scripted-runner.js';

const sandbox = useSandbox();

function checkout(files: {skaffold?: boolean} = {}): string {
  const dir = sandbox.dir('checkout');
  mkdirSync(path.join(dir, 'helm', 'kamerplanter'), {recursive: true});
  if (files.skaffold) writeFileSync(path.join(dir, 'skaffold.yaml'), '# own\n');
  return dir;
}

describe('kp dev init', () => {
  it('Given a checkout lacking both files, When init runs, Then both are written with the shipped content and no process runs', () => {
    // Given
    const root = checkout();
    const {ctx, runner} = sandbox.context();
    // When
    const result = devInit(ctx, {workspace: root});
    // Then
    expect(result.written).toEqual([path.join(root, 'skaffold.yaml'), path.join(root, 'kind-config.yaml')]);
    expect(readFileSync(path.join(root, 'skaffold.yaml'), 'utf8')).toBe(readFileSync(SHIPPED_FILES.skaffold, 'utf8'));
    expect(readFileSync(path.join(root, 'kind-config.yaml'), 'utf8')).toBe(readFileSync(SHIPPED_FILES.kindConfig, 'utf8'));
    expect(runner.calls).toEqual([]);
  });

  it('Given a checkout with its own skaffold.yaml, When init runs twice, Then it is never overwritten', () => {
    // Given
    const root = checkout({skaffold: true});
    const {ctx} = sandbox.context();
    // When
    const first = devInit(ctx, {workspace: root});
    const second = devInit(ctx, {workspace: root});
    // Then
    expect(first.kept).toEqual([path.join(root, 'skaffold.yaml')]);
    expect(first.written).toEqual([path.join(root, 'kind-config.yaml')]);
    expect(readFileSync(path.join(root, 'skaffold.yaml'), 'utf8')).toBe('# own\n');
    expect(second.written).toEqual([]);
    expect(second.kept).toEqual([path.join(root, 'skaffold.yaml'), path.join(root, 'kind-config.yaml')]);
  });

  it('Given --dry-run, When init runs, Then nothing is written and both files are announced', () => {
    // Given
    const root = checkout();
    const {ctx} = sandbox.context([], {dryRun: true});
    // When
    const result = devInit(ctx, {workspace: root});
    // Then
    expect(result.written).toEqual([]);
    expect(existsSync(path.join(root, 'skaffold.yaml'))).toBe(false);
    expect(existsSync(path.join(root, 'kind-config.yaml'))).toBe(false);
    expect(ctx.out.lines.map((l) => l.text)).toEqual([
      `[dry-run] would write ${path.join(root, 'skaffold.yaml')}`,
      `[dry-run] would write ${path.join(root, 'kind-config.yaml')}`,
    ]);
  });
});
