/**
 * `kp dev up` against the fake kind/kubectl/skaffold/helm/docker (test/fakes): the real CLI
 * process, stateful fakes, assertions on what was called.
 */
import {existsSync, readFileSync, rmSync, symlinkSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../src/core/errors.js';
import {FOREIGN_CONTEXT, fakeDocker, pointKindContextAt, useFakeWorlds, type FakeCall, type FakeWorld} from '../../../fakes/harness.js';
import {projectRoot, runKp} from '../../../helpers/cli.js';

const world = useFakeWorlds();

const line = (c: FakeCall) => `${c.tool} ${c.argv.join(' ')}`;
const mutations = (calls: FakeCall[]) =>
  calls.filter(
    (c) =>
      (c.tool === 'kind' && ['create', 'delete', 'export'].includes(c.argv[0]!)) ||
      (c.tool === 'kubectl' && c.argv.includes('apply')) ||
      (c.tool === 'docker' && c.argv[0] === 'start'),
  );
const skaffoldRuns = (calls: FakeCall[]) => calls.filter((c) => c.tool === 'skaffold' && c.argv[0] === 'run');

/** Every cluster-facing call names the kind context explicitly; none mentions the foreign one. */
function expectFenced(calls: FakeCall[], context = 'kind-kamerplanter'): void {
  // A run that called nothing would pass the loop below: it must have called each cluster tool.
  for (const tool of ['kind', 'kubectl', 'skaffold'])
    expect(
      calls.some((c) => c.tool === tool),
      `${tool} was called`,
    ).toBe(true);
  for (const call of calls) {
    expect(line(call)).not.toContain(`--context ${FOREIGN_CONTEXT.name}`);
    if (call.tool === 'kubectl' && call.argv[0] !== 'version') expect(call.argv.slice(0, 2), line(call)).toEqual(['--context', context]);
    // Commands that talk to no cluster need no context: versions, Helm's local repo config, Skaffold's file validation.
    if (call.tool === 'helm' && !['version', 'repo'].includes(call.argv[0]!)) expect(call.argv).toEqual(expect.arrayContaining(['--kube-context', context]));
    if (call.tool === 'skaffold' && !['version', 'diagnose'].includes(call.argv[0]!))
      expect(call.argv).toEqual(expect.arrayContaining(['--kube-context', context]));
  }
}

/** `kp dev up --detach`, sent Ctrl-C as soon as kind has created the node containers. */
function upInterruptedOnceNodesExist(w: FakeWorld) {
  return runKp(['dev', 'up', '--detach'], {
    env: w.env,
    cwd: w.workspace,
    onSpawn: (child) => {
      void waitFor(() => (w.clusters().kamerplanter?.nodes.length ?? 0) > 0).then(() => child.kill('SIGINT'));
    },
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('kp dev up --detach (idempotence)', () => {
  it('Given no cluster, When run twice, Then the first creates and applies, the second neither, within 6 processes', async () => {
    // Given
    const w = world();
    // When
    const first = await runKp(['dev', 'up', '--detach', '--json'], {env: w.env, cwd: w.workspace});
    // Then
    expect(first.exitCode, first.stderr).toBe(0);
    const firstResult = JSON.parse(first.stdout);
    expect(firstResult.cluster).toMatchObject({
      name: 'kamerplanter',
      context: 'kind-kamerplanter',
      stateBefore: 'missing',
      actions: ['check-host-ports', 'create-cluster'],
    });
    expect(firstResult.ingress).toEqual({controller: 'ingress-nginx', version: '1.15.1', action: 'apply', manifest: 'cache'});
    const firstCalls = w.calls().map(line);
    expect(firstCalls).toContain(`kind create cluster --name kamerplanter --config ${projectRoot}/kind-config.yaml --wait 300s`);
    expect(firstCalls).toContain(`kubectl --context kind-kamerplanter apply -f ${w.env.XDG_CACHE_HOME}/kp/ingress-nginx-controller-v1.15.1-kind.yaml`);
    expect(firstCalls.some((c) => c.startsWith('skaffold run --kube-context kind-kamerplanter'))).toBe(true);
    expect(Object.keys(w.clusters().kamerplanter!.objects)).toContain('Deployment/ingress-nginx/ingress-nginx-controller');

    // When it runs a second time
    w.resetLogs();
    const second = await runKp(['dev', 'up', '--detach', '--json'], {env: w.env, cwd: w.workspace});
    // Then it observed, deployed, and changed nothing else
    expect(second.exitCode, second.stderr).toBe(0);
    const secondResult = JSON.parse(second.stdout);
    expect(secondResult.cluster).toMatchObject({stateBefore: 'healthy', actions: []});
    expect(secondResult.ingress.action).toBe('none');
    expect(skaffoldRuns(w.calls())).toHaveLength(1);
    expect(mutations(w.calls())).toEqual([]);
    expect(w.calls().filter((c) => c.tool === 'kind')).toEqual([]);
    expect(w.spawns().length).toBeGreaterThan(0);
    expect(w.spawns().length, JSON.stringify(w.spawns())).toBeLessThanOrEqual(6);
    expect(second.stdout.trim().startsWith('{')).toBe(true); // --json: only the result on stdout
  });

  it('Given a foreign current context, When dev up runs, Then it is never used and still current afterwards', async () => {
    // Given
    const w = world();
    // When
    const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(w.kubeconfig()['current-context']).toBe(FOREIGN_CONTEXT.name);
    expect(w.kubeconfig().contexts.map((c) => c.name)).toEqual(expect.arrayContaining(['prod', 'kind-kamerplanter']));
    expectFenced(w.calls());
    // kind switched the context during create; kp put it back with an explicit --context call.
    expect(w.calls().map(line)).toContain('kubectl --context kind-kamerplanter config use-context prod');
  });

  it('Given a kind-N context pointing at a remote server, When dev up runs, Then it refuses before any cluster call', async () => {
    // Given
    const w = world();
    pointKindContextAt(w, 'https://10.20.30.40:6443');
    // When
    const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode).toBe(ExitCode.Prerequisite);
    expect(result.stderr).toContain('https://10.20.30.40:6443');
    expect(result.stderr).toContain('not on this machine');
    expect(w.calls().filter((c) => c.tool === 'kubectl' && c.argv[0] !== 'version')).toEqual([]);
    expect(w.calls().filter((c) => c.tool === 'kind' && c.argv[0] === 'create')).toEqual([]);
  });
});

describe('kp dev up: a kind-config.yaml that links nowhere', () => {
  it("Given the checkout's kind-config.yaml a dangling symlink, When dev up runs, Then exit 2 names the link (one error line, one hint line) and no cluster is created with kp's own file", async () => {
    // Given
    const w = world();
    const link = path.join(w.workspace, 'kind-config.yaml');
    rmSync(link, {force: true});
    symlinkSync(path.join(w.workspace, 'configs', 'kind.yaml'), link);
    // When
    const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode).toBe(ExitCode.Usage);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: ${link} is a symlink to ${path.join(w.workspace, 'configs', 'kind.yaml')}, which does not exist.`,
      expect.stringMatching(/^hint: Fix or remove the link/),
    ]);
    expect(w.calls().filter((c) => c.tool === 'kind' && c.argv[0] === 'create')).toEqual([]);
  });
});

describe('kp dev up: names are checked before anything starts', () => {
  it.each([
    [['-m', 'kamerplanter'], 'Unknown module "kamerplanter"', 'Did you mean "kp"?', 'Valid modules: kp, ki'],
    [['-p', 'backend'], 'Unknown profile "backend"', 'Did you mean "backend-only"?', 'Valid profiles: backend-only, frontend-only, debug'],
    [['-m', 'ki', '-p', 'backend-only'], 'Unknown profile "backend-only"', 'Valid profiles: (none)', '(module ki)'],
  ])('Given %j, When dev up runs, Then exit 2 with the valid names and a suggestion, and nothing is called', async (args, what, suggestion, valid) => {
    const w = world();
    const result = await runKp(['dev', 'up', '--detach', ...args], {env: w.env, cwd: w.workspace});
    expect(result.exitCode).toBe(ExitCode.Usage);
    expect(result.stderr).toContain(what);
    expect(result.stderr).toContain(suggestion);
    expect(result.stderr).toContain(valid);
    expect(w.calls()).toEqual([]);
    expect(w.clusters()).toEqual({});
  });

  it('Given Skaffold v1 on PATH, When dev up runs, Then it is refused with the reason and no cluster is created', async () => {
    const w = world({env: {KP_FAKE_SKAFFOLD_VERSION: '1.39.2'}});
    const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode).toBe(ExitCode.Prerequisite);
    expect(result.stderr).toMatch(/Skaffold 1\.39\.2 is v1: it cannot read skaffold\/v4beta configs/);
    expect(w.calls().filter((c) => c.tool === 'kind' && c.argv[0] === 'create')).toEqual([]);
    expect(w.clusters()).toEqual({});
  });

  it('Given the docker daemon is down, When dev up runs, Then it is a prerequisite error', async () => {
    const w = world({env: {KP_FAKE_DOCKER_DOWN: '1'}});
    const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode).toBe(ExitCode.Prerequisite);
    expect(result.stderr).toContain('daemon is not reachable');
  });
});

describe('kp dev up: interrupted and stopped clusters converge', () => {
  it('Given Ctrl-C during kind create, When dev up runs again, Then it says so, repairs the cluster and converges', async () => {
    // Given a create interrupted after the nodes exist, before the context is written
    const w = world({env: {KP_FAKE_KIND_CREATE_DELAY_MS: '2500'}});
    const interrupted = await upInterruptedOnceNodesExist(w);
    expect(interrupted.exitCode).toBe(ExitCode.Interrupted);
    expect(w.clusters().kamerplanter!.nodes.length).toBe(3); // half-created: nodes, no context
    expect(w.kubeconfig().contexts.map((c) => c.name)).not.toContain('kind-kamerplanter');

    // When dev up runs again
    const again = await runKp(['dev', 'up', '--detach', '--json'], {env: w.env, cwd: w.workspace});
    // Then it repairs the cluster instead of recreating it, and the user's context stays current
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('exists but is not usable');
    expect(JSON.parse(again.stdout).cluster).toMatchObject({stateBefore: 'unusable', actions: ['export-kubeconfig', 'wait-api']});
    expect(w.calls().map(line)).toContain('kind export kubeconfig --name kamerplanter');
    expect(w.kubeconfig()['current-context']).toBe('prod');

    // And a third run changes nothing
    w.resetLogs();
    const third = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
    expect(third.exitCode).toBe(0);
    expect(skaffoldRuns(w.calls())).toHaveLength(1);
    expect(mutations(w.calls())).toEqual([]);
  });

  it("Given Ctrl-C while kind waits (context already written and made current), When dev up runs again, Then the user's context is put back", async () => {
    // Given
    const w = world({env: {KP_FAKE_KIND_WAIT_DELAY_MS: '2500'}});
    const interrupted = await runKp(['dev', 'up', '--detach'], {
      env: w.env,
      cwd: w.workspace,
      onSpawn: (child) => {
        void waitFor(() => w.kubeconfig()['current-context'] === 'kind-kamerplanter').then(() => child.kill('SIGINT'));
      },
    });
    expect(interrupted.exitCode).toBe(ExitCode.Interrupted);
    expect(w.kubeconfig()['current-context']).toBe('kind-kamerplanter'); // kind switched it; kp could not switch back yet
    // When
    const again = await runKp(['dev', 'up', '--detach', '--json'], {env: {...w.env, KP_FAKE_KIND_WAIT_DELAY_MS: '0'}, cwd: w.workspace});
    // Then
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('Put back your current kube context prod');
    expect(w.kubeconfig()['current-context']).toBe('prod');
    expect(JSON.parse(again.stdout).cluster.stateBefore).toBe('healthy');
  });

  it('Given an interrupted create that left a broken API, When dev up runs, Then it times out pointing at --recreate, which converges', async () => {
    // Given
    const w = world({env: {KP_FAKE_KIND_CREATE_DELAY_MS: '2500', KP_FAKE_KIND_INTERRUPT_BREAKS: '1'}});
    const interrupted = await upInterruptedOnceNodesExist(w);
    expect(interrupted.exitCode).toBe(ExitCode.Interrupted);
    // When
    const env = {...w.env, KP_FAKE_KIND_CREATE_DELAY_MS: '0'};
    const repair = await runKp(['dev', 'up', '--detach', '--timeout', '2'], {env, cwd: w.workspace});
    // Then
    expect(repair.exitCode).toBe(ExitCode.Timeout);
    expect(repair.stderr).toContain('--recreate');
    // When
    const recreate = await runKp(['dev', 'up', '--detach', '--recreate', '--json'], {env, cwd: w.workspace});
    // Then
    expect(recreate.exitCode, recreate.stderr).toBe(0);
    expect(JSON.parse(recreate.stdout).cluster.actions).toEqual(['delete-cluster', 'check-host-ports', 'create-cluster']);
    expect(recreate.stderr).toContain('Data in its PVCs is lost'); // said before deleting
    expect(w.kubeconfig()['current-context']).toBe('prod');
  });

  it('Given node containers stopped by a Docker restart, When dev up runs, Then they are started (not recreated)', async () => {
    // Given
    const w = world();
    expect((await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace})).exitCode).toBe(0);
    const ids = w.clusters().kamerplanter!.nodes.map((n) => n.id);
    expect(ids).toHaveLength(3);
    fakeDocker(w, 'stop', ...ids);
    w.resetLogs();
    // When
    const result = await runKp(['dev', 'up', '--detach', '--json'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).cluster).toMatchObject({stateBefore: 'stopped', actions: ['start-nodes', 'wait-api']});
    expect(w.calls().filter((c) => c.tool === 'docker' && c.argv[0] === 'start').length).toBe(1);
    expect(w.calls().filter((c) => c.tool === 'kind')).toEqual([]);
    expect(w.clusters().kamerplanter!.nodes.map((n) => [n.id, n.state])).toEqual(ids.map((id) => [id, 'running']));
  });
});

describe('kp dev up: workspace files', () => {
  it("Given a checkout without skaffold.yaml, When dev up runs, Then kp's shipped file is used with the checkout as cwd", async () => {
    const w = world({workspace: 'helm-only'});
    const result = await runKp(['dev', 'up', '--detach', '--json'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).workspace).toMatchObject({skaffoldFromCheckout: false, skaffoldFile: `${projectRoot}/skaffold.yaml`});
    expect(w.calls().map(line)).toContain(`skaffold run --kube-context kind-kamerplanter --filename ${projectRoot}/skaffold.yaml --module kp`);
  });
});

describe('kp dev up (foreground skaffold dev)', () => {
  it('Given skaffold dev ends by itself with code 3, When dev up runs, Then kp exits 3 and used the dev flags', async () => {
    const w = world({env: {KP_FAKE_SKAFFOLD_DEV_EXIT_AFTER_MS: '300', KP_FAKE_SKAFFOLD_DEV_EXIT_CODE: '3'}});
    const result = await runKp(['dev', 'up', '-m', 'kp', '-p', 'backend-only'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(3);
    const dev = w.calls().filter((c) => c.tool === 'skaffold' && c.argv[0] === 'dev');
    expect(dev.map((c) => c.argv)).toEqual([
      [
        'dev',
        '--kube-context',
        'kind-kamerplanter',
        '--filename',
        `${w.workspace}/skaffold.yaml`,
        '--profile',
        'backend-only',
        '--module',
        'kp',
        '--port-forward=user',
        '--auto-build=false',
        '--auto-deploy=false',
      ],
    ]);
  });

  it("Given skaffold dev running, When kp gets Ctrl-C, Then Skaffold gets it, cleans up, and its exit code is kp's", async () => {
    // Given
    const w = world();
    const devState = path.join(w.stateDir, 'skaffold-dev.json');
    // When
    const result = await runKp(['dev', 'up', '--auto-build'], {
      env: w.env,
      cwd: w.workspace,
      onSpawn: (child) => {
        void waitFor(() => w.calls().some((c) => c.tool === 'skaffold' && c.argv[0] === 'dev'), 30_000)
          .then(() => new Promise((r) => setTimeout(r, 400)))
          .then(() => child.kill('SIGINT'));
      },
    });
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Cleaning up...');
    expect(existsSync(devState)).toBe(true);
    // module kp by default: only its release was deployed and cleaned up
    expect(JSON.parse(readFileSync(devState, 'utf8'))).toEqual({signal: 'SIGINT', cleanedUp: ['kamerplanter']});
    const dev = w.calls().filter((c) => c.tool === 'skaffold' && c.argv[0] === 'dev');
    expect(dev).toHaveLength(1);
    expect(dev[0]!.argv).toContain('--auto-build=true');
  });
});
