/**
 * `kp dev status` through the real CLI against the fakes.
 */
import {describe, expect, it} from 'vitest';
import {fakeDocker, useFakeWorlds, type FakeWorld} from '../../../fakes/harness.js';
import {runKp} from '../../../helpers/cli.js';

const world = useFakeWorlds();

async function upDetached(w: FakeWorld): Promise<void> {
  const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
  expect(result.exitCode, result.stderr).toBe(0);
}

describe('kp dev status', () => {
  it('Given no cluster, When status --json runs, Then it reports absent without asking any API', async () => {
    // Given
    const w = world();
    // When
    const result = await runKp(['dev', 'status', '--json'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.cluster).toEqual({name: 'kamerplanter', state: 'absent', nodes: []});
    expect(status.context).toMatchObject({name: 'kind-kamerplanter', exists: false, isCurrent: false});
    expect(status.ready).toBe(false);
    expect(w.calls().some((c) => c.tool === 'docker' && c.argv[0] === 'ps')).toBe(true);
    expect(w.calls().filter((c) => c.tool === 'kubectl' || c.tool === 'helm')).toEqual([]);
  });

  it('Given a cluster deployed by dev up, When status --json runs, Then nodes, ingress, releases and endpoints are reported', async () => {
    // Given
    const w = world();
    await upDetached(w);
    w.resetLogs();
    // When
    const result = await runKp(['dev', 'status', '--json'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.cluster.state).toBe('running');
    expect(status.cluster.nodes.map((n: {name: string}) => n.name)).toEqual(['kamerplanter-control-plane', 'kamerplanter-worker', 'kamerplanter-worker2']);
    expect(status.context).toMatchObject({exists: true, local: true, isCurrent: false});
    expect(status.api).toBe('ready');
    expect(status.nodesReady).toBe('3/3');
    expect(status.ingress).toMatchObject({installed: true, version: '1.15.1', ready: true, pinned: '1.15.1'});
    expect(status.helmReleases.map((r: {name: string}) => r.name)).toEqual(['kamerplanter']);
    expect(status.podsNotReady).toEqual([]);
    expect(status.endpoints[0].url).toBe('http://127.0.0.1:8000/api/v1/health/ready');
    // And every cluster call named the kind context explicitly
    const kubectl = w.calls().filter((c) => c.tool === 'kubectl');
    expect(kubectl.length).toBeGreaterThan(0);
    for (const call of kubectl) expect(call.argv.slice(0, 2)).toEqual(['--context', 'kind-kamerplanter']);
    expect(
      w
        .calls()
        .filter((c) => c.tool === 'helm')
        .map((c) => c.argv),
    ).toEqual([['list', '--kube-context', 'kind-kamerplanter', '--all-namespaces', '-o', 'json']]);
  });

  it('Given stopped nodes, When status runs, Then it says stopped and does not query the API', async () => {
    // Given
    const w = world();
    await upDetached(w);
    const ids = w.clusters().kamerplanter!.nodes.map((n) => n.id);
    expect(ids).toHaveLength(3);
    fakeDocker(w, 'stop', ...ids);
    w.resetLogs();
    // When
    const result = await runKp(['dev', 'status'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('kamerplanter: stopped');
    expect(w.calls().some((c) => c.tool === 'docker' && c.argv[0] === 'ps')).toBe(true);
    expect(w.calls().filter((c) => c.tool === 'kubectl')).toEqual([]);
  });
});
