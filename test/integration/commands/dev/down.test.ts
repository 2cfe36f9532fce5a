/**
 * `kp dev down`, `kp dev status` and `kp dev init` through the real CLI against the fakes.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../src/core/errors.js';
import {FOREIGN_CONTEXT, useFakeWorlds, type FakeWorld} from '../fakes/harness.js';
import {projectRoot, runKp} from '../helpers/cli.js';

const world = useFakeWorlds();

async function upDetached(w: FakeWorld): Promise<void> {
  const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
  expect(result.exitCode, result.stderr).toBe(0);
}

describe('kp dev down', () => {
  it('Given a cluster and no terminal, When down runs without --yes, Then it refuses with exit 2 and deletes nothing', async () => {
    const w = world();
    await upDetached(w);
    w.resetLogs();
    const result = await runKp(['dev', 'down'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode).toBe(ExitCode.Usage);
    expect(result.stderr).toContain('--yes');
    expect(result.stderr).toContain('persistent volumes');
    expect(w.calls().filter((c) => c.tool === 'kind')).toEqual([]);
    expect(w.clusters().kamerplanter!.nodes.length).toBe(3);
  });

  it('Given a cluster, When down --yes runs twice, Then the first deletes it and the second finds nothing, both exit 0', async () => {
    const w = world();
    await upDetached(w);
    const first = await runKp(['dev', 'down', '--yes', '--json'], {env: w.env, cwd: w.workspace});
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({name: 'kamerplanter', deleted: true, cleaned: false});
    expect(w.clusters().kamerplanter).toBeUndefined();
    expect(w.kubeconfig().contexts.map((c) => c.name)).toEqual([FOREIGN_CONTEXT.name]);
    expect(w.kubeconfig()['current-context']).toBe(FOREIGN_CONTEXT.name);

    w.resetLogs();
    const second = await runKp(['dev', 'down', '--yes', '--json'], {env: w.env, cwd: w.workspace});
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({deleted: false, nodes: []});
    expect(w.calls().filter((c) => c.tool === 'kind')).toEqual([]);
  });

  it('Given nothing at all and no --yes, When down --clean runs, Then it is fine (nothing to confirm) and prunes by label', async () => {
    const w = world();
    const result = await runKp(['dev', 'down', '--clean'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    const docker = w.calls().filter((c) => c.tool === 'docker').map((c) => c.argv.join(' '));
    expect(docker).toContain('volume ls -q --filter label=io.x-k8s.kind.cluster=kamerplanter');
    expect(docker).toContain('network ls -q --filter label=io.x-k8s.kind.cluster=kamerplanter');
  });
});

describe('kp dev status', () => {
  it('Given no cluster, When status --json runs, Then it reports absent without asking any API', async () => {
    const w = world();
    const result = await runKp(['dev', 'status', '--json'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.cluster).toEqual({name: 'kamerplanter', state: 'absent', nodes: []});
    expect(status.context).toMatchObject({name: 'kind-kamerplanter', exists: false, isCurrent: false});
    expect(status.ready).toBe(false);
    expect(w.calls().filter((c) => c.tool === 'kubectl' || c.tool === 'helm')).toEqual([]);
  });

  it('Given a cluster deployed by dev up, When status --json runs, Then nodes, ingress, releases and endpoints are reported', async () => {
    const w = world();
    await upDetached(w);
    w.resetLogs();
    const result = await runKp(['dev', 'status', '--json'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.cluster.state).toBe('running');
    expect(status.cluster.nodes.map((n: {name: string}) => n.name)).toEqual(['kamerplanter-control-plane', 'kamerplanter-worker', 'kamerplanter-worker2']);
    expect(status.context).toMatchObject({exists: true, local: true, isCurrent: false});
    expect(status.api).toBe('ready');
    expect(status.nodesReady).toBe('3/3');
    expect(status.ingress).toMatchObject({installed: true, version: '1.12.1', ready: true, pinned: '1.12.1'});
    expect(status.helmReleases.map((r: {name: string}) => r.name)).toEqual(['kamerplanter', 'kamerplanter-ki']);
    expect(status.podsNotReady).toEqual([]);
    expect(status.endpoints[0].url).toBe('http://127.0.0.1:8000/api/v1/health/ready');
    for (const call of w.calls().filter((c) => c.tool === 'kubectl')) expect(call.argv.slice(0, 2)).toEqual(['--context', 'kind-kamerplanter']);
    expect(w.calls().find((c) => c.tool === 'helm')!.argv).toEqual(['list', '--kube-context', 'kind-kamerplanter', '--all-namespaces', '-o', 'json']);
  });

  it('Given stopped nodes, When status runs, Then it says stopped and does not query the API', async () => {
    const w = world();
    await upDetached(w);
    const {execFileSync} = await import('node:child_process');
    execFileSync('docker', ['stop', ...w.clusters().kamerplanter!.nodes.map((n) => n.id)], {env: {...process.env, ...w.env} as NodeJS.ProcessEnv});
    w.resetLogs();
    const result = await runKp(['dev', 'status'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('kamerplanter: stopped');
    expect(w.calls().filter((c) => c.tool === 'kubectl')).toEqual([]);
  });
});

describe('kp dev init', () => {
  it('Given a checkout with only helm/kamerplanter, When init runs twice, Then files are written once and never overwritten', async () => {
    const w = world({workspace: 'helm-only'});
    const first = await runKp(['dev', 'init', '--json'], {env: w.env, cwd: path.join(w.workspace, 'src', 'backend')});
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).written).toEqual([path.join(w.workspace, 'skaffold.yaml'), path.join(w.workspace, 'kind-config.yaml')]);
    expect(readFileSync(path.join(w.workspace, 'kind-config.yaml'), 'utf8')).toBe(readFileSync(path.join(projectRoot, 'kind-config.yaml'), 'utf8'));
    writeFileSync(path.join(w.workspace, 'skaffold.yaml'), '# edited by the developer\n');
    const second = await runKp(['dev', 'init', '--json'], {env: w.env, cwd: w.workspace});
    expect(JSON.parse(second.stdout)).toMatchObject({written: [], kept: [path.join(w.workspace, 'skaffold.yaml'), path.join(w.workspace, 'kind-config.yaml')]});
    expect(readFileSync(path.join(w.workspace, 'skaffold.yaml'), 'utf8')).toBe('# edited by the developer\n');
    expect(existsSync(path.join(w.workspace, 'kind-config.yaml'))).toBe(true);
  });
});
