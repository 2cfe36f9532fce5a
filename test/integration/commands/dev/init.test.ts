/**
 * `kp dev init` through the real CLI (no tool is called).
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {useFakeWorlds} from '../../../fakes/harness.js';
import {projectRoot, runKp} from '../../../helpers/cli.js';

const world = useFakeWorlds();

describe('kp dev init', () => {
  it('Given a checkout with only helm/kamerplanter, When init runs twice, Then files are written once and never overwritten', async () => {
    // Given
    const w = world({workspace: 'helm-only'});
    const skaffold = path.join(w.workspace, 'skaffold.yaml');
    const kindConfig = path.join(w.workspace, 'kind-config.yaml');
    // When (from a sub-folder of the checkout)
    const first = await runKp(['dev', 'init', '--json'], {env: w.env, cwd: path.join(w.workspace, 'src', 'backend')});
    // Then
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).written).toEqual([skaffold, kindConfig]);
    expect(readFileSync(kindConfig, 'utf8')).toBe(readFileSync(path.join(projectRoot, 'kind-config.yaml'), 'utf8'));

    // Given the developer edited one of them, When init runs again
    writeFileSync(skaffold, '# edited by the developer\n');
    const second = await runKp(['dev', 'init', '--json'], {env: w.env, cwd: w.workspace});
    // Then both are kept as they are
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({written: [], kept: [skaffold, kindConfig]});
    expect(readFileSync(skaffold, 'utf8')).toBe('# edited by the developer\n');
    expect(existsSync(kindConfig)).toBe(true);
  });
});
