/**
 * `kp dev down` through the real CLI against the fakes.
 */
import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../src/core/errors.js';
import {FOREIGN_CONTEXT, pointKindContextAt, useFakeWorlds, type FakeWorld} from '../../../fakes/harness.js';
import {runKp} from '../../../helpers/cli.js';

const world = useFakeWorlds();

async function upDetached(w: FakeWorld): Promise<void> {
  const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
  expect(result.exitCode, result.stderr).toBe(0);
}

describe('kp dev down', () => {
  it('Given a cluster and no terminal, When down runs without --yes, Then it refuses with exit 2 and deletes nothing', async () => {
    // Given
    const w = world();
    await upDetached(w);
    w.resetLogs();
    // When
    const result = await runKp(['dev', 'down'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode).toBe(ExitCode.Usage);
    expect(result.stderr).toContain('--yes');
    expect(result.stderr).toContain('persistent volumes');
    expect(w.calls().filter((c) => c.tool === 'kind')).toEqual([]);
    expect(w.clusters().kamerplanter!.nodes.length).toBe(3);
  });

  it('Given a cluster, When down --yes runs twice, Then the first deletes it and the second finds nothing, both exit 0', async () => {
    // Given
    const w = world();
    await upDetached(w);
    // When
    const first = await runKp(['dev', 'down', '--yes', '--json'], {env: w.env, cwd: w.workspace});
    // Then
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({name: 'kamerplanter', deleted: true, cleaned: false});
    expect(
      w
        .calls()
        .filter((c) => c.tool === 'kind' && c.argv[0] === 'delete')
        .map((c) => c.argv),
    ).toEqual([['delete', 'cluster', '--name', 'kamerplanter']]);
    expect(w.clusters().kamerplanter).toBeUndefined();
    expect(w.kubeconfig().contexts.map((c) => c.name)).toEqual([FOREIGN_CONTEXT.name]);
    expect(w.kubeconfig()['current-context']).toBe(FOREIGN_CONTEXT.name);

    // When it runs again
    w.resetLogs();
    const second = await runKp(['dev', 'down', '--yes', '--json'], {env: w.env, cwd: w.workspace});
    // Then it looked (docker ps), found nothing, and deleted nothing
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({deleted: false, nodes: []});
    expect(w.calls().some((c) => c.tool === 'docker' && c.argv[0] === 'ps')).toBe(true);
    expect(w.calls().filter((c) => c.tool === 'kind')).toEqual([]);
  });

  it('Given nothing at all and no --yes, When down --clean runs, Then it is fine (nothing to confirm) and prunes by label', async () => {
    const w = world();
    const result = await runKp(['dev', 'down', '--clean'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    const docker = w
      .calls()
      .filter((c) => c.tool === 'docker')
      .map((c) => c.argv.join(' '));
    expect(docker).toContain('volume ls -q --filter label=io.x-k8s.kind.cluster=kamerplanter');
    expect(docker).toContain('network ls -q --filter label=io.x-k8s.kind.cluster=kamerplanter');
  });

  it('Given the kind context pointing at an API server off this machine, When down --yes runs, Then exit 3, and neither the context nor anything else is deleted', async () => {
    // Given
    const w = world();
    pointKindContextAt(w, 'https://10.20.30.40:6443');
    // When
    const result = await runKp(['dev', 'down', '--yes'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode).toBe(ExitCode.Prerequisite);
    expect(result.stderr).toContain('points at https://10.20.30.40:6443, which is not on this machine');
    expect(w.kubeconfig().contexts.map((c) => c.name)).toContain('kind-kamerplanter');
    expect(w.calls()).toEqual([]);
  });

  it.each([['../x'], ['two words'], ['x'.repeat(200)]])(
    'Given --name %j, When down runs, Then exit 2 with the naming rule and nothing is called',
    async (name) => {
      const w = world();
      const result = await runKp(['dev', 'down', '--yes', '--name', name], {env: w.env, cwd: w.workspace});
      expect(result.exitCode).toBe(ExitCode.Usage);
      expect(result.stderr).toMatch(/hint: Use lower-case letters, digits, "-" and "."/);
      expect(w.calls()).toEqual([]);
    },
  );
});
