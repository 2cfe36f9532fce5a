/**
 * The pod target through the fake kubectl (test/fakes/bin/kubectl). The fake pod is backed by a
 * real stand-in HA container, so exec/logs/restart observation run for real: that is why this
 * test lives in the e2e layer (it needs the engine), although kubectl itself is faked.
 *
 * One developer session on one pod, in order: a test's Given is the state the previous one left.
 */
import {execFileSync} from 'node:child_process';
import {appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {projectRoot, runKp} from '../../../helpers/cli.js';
// @ts-expect-error plain ESM fixture without types
import {smallFiles, writeComponent} from '../../../fixtures/ha/make-component.mjs';
// @ts-expect-error plain ESM fixture without types
import {buildHaStandin, dockerExec, removeHaStandin, startHaStandin} from '../../../fixtures/ha/standin.mjs';
// @ts-expect-error plain ESM fake without types
import {registerPod} from '../../../fakes/lib/kubectl-pods.mjs';
import {removeImages} from '../../support/docker.js';
import {runName} from '../../support/e2e.js';
import {watchSession} from '../../support/watch.js';

const backing = runName('ha-pod');
const bareBacking = runName('ha-pod-bare');
const image = `kp-ha-standin:${runName('ha-pod')}`;
const work = mkdtempSync(path.join(tmpdir(), 'kp-ha-pod-'));
const state = path.join(work, 'state');
const cwd = path.join(work, 'repo');
const kubeconfig = path.join(state, 'kubeconfig');

const env = {
  PATH: `${path.join(projectRoot, 'test/fakes/bin')}:${process.env.PATH}`,
  KP_FAKE_STATE: state,
  KUBECONFIG: kubeconfig,
};

interface Call {
  tool: string;
  argv: string[];
}
const calls = (): Call[] =>
  readFileSync(path.join(state, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Call)
    .filter((c) => c.tool === 'kubectl');

beforeAll(() => {
  mkdirSync(state, {recursive: true});
  // Two contexts; the CURRENT one is a "production" cluster that kp must never touch.
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- {name: kind-kamerplanter, cluster: {server: "https://127.0.0.1:6443"}}',
      '- {name: prod, cluster: {server: "https://prod.example.com:6443"}}',
      'contexts:',
      '- {name: kind-kamerplanter, context: {cluster: kind-kamerplanter, user: kind-kamerplanter}}',
      '- {name: prod, context: {cluster: prod, user: prod}}',
      'users: []',
      'current-context: prod',
      '',
    ].join('\n'),
  );
  buildHaStandin(image);
  // No restart policy: the fake kubectl restarts the container the way kubelet does (with its back-off).
  startHaStandin(backing, {image, restart: 'no'});
  registerPod(state, 'kind-kamerplanter', 'default', 'homeassistant-0', {backing, image});
  mkdirSync(path.join(cwd, 'custom_components'), {recursive: true});
  writeComponent(path.join(cwd, 'custom_components'), smallFiles());
});

afterAll(() => {
  removeHaStandin(backing);
  removeHaStandin(bareBacking);
  removeImages([image]);
  rmSync(work, {recursive: true, force: true});
});

describe('kp ha sync against a pod (fake kubectl)', () => {
  it('Given HA pod homeassistant-0 in kind-kamerplanter and a different current context, When kp ha sync runs, Then every kubectl call carries --context kind-kamerplanter and exec/logs carry -n and -c', async () => {
    // When
    const result = await runKp(['ha', 'sync', '--json', '--settle', '0', '--timeout', '40'], {cwd, env});
    // Then
    expect(result.stderr).not.toMatch(/error:/);
    const report = JSON.parse(result.stdout);
    expect(result.exitCode).toBe(0);
    expect(report).toMatchObject({outcome: 'synced', verdict: {status: 'found'}, restart: {method: 'in-place', observed: true}, ready: {ready: true}});
    expect(report.restart.after.restartCount).toBe(report.restart.before.restartCount);
    expect(report.target).toMatchObject({kind: 'pod', context: 'kind-kamerplanter', namespace: 'default', pod: 'homeassistant-0', container: 'homeassistant'});
    const all = calls();
    expect(all.length).toBeGreaterThan(3);
    for (const call of all) expect(call.argv.slice(0, 2)).toEqual(['--context', 'kind-kamerplanter']);
    expect(all.some((c) => c.argv.includes('current-context'))).toBe(false);
    const execAndLogs = all.filter((c) => c.argv[2] === 'exec' || c.argv[2] === 'logs');
    expect(execAndLogs.map((c) => c.argv[2])).toEqual(expect.arrayContaining(['exec', 'logs']));
    for (const call of execAndLogs) expect(call.argv).toEqual(expect.arrayContaining(['-n', 'default', '-c', 'homeassistant']));
    // the upload is one `exec -i` (stdin streamed into the pod)
    expect(all.filter((c) => c.argv[2] === 'exec' && c.argv.includes('-i')).length).toBeGreaterThanOrEqual(1);
  });

  it('Given the synced pod, When kp ha status --json runs, Then installed and local match and the log verdict is loaded', async () => {
    const result = await runKp(['ha', 'status', '--json'], {cwd, env});
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      state: {running: true, ready: true},
      installed: {present: true, version: '0.4.2'},
      filesMatch: true,
      verdict: {status: 'found'},
    });
  });

  it('Given no pod of that name, When kp ha sync --pod nope runs, Then it exits 3 with a clear NotFound message', async () => {
    const result = await runKp(['ha', 'sync', '--pod', 'nope'], {cwd, env});
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('Pod default/nope not found in context kind-kamerplanter');
    const last = calls().at(-1)!;
    expect(last.argv).toEqual(['--context', 'kind-kamerplanter', 'get', 'pod', 'nope', '-n', 'default', '-o', 'json']);
  });

  it('Given a wrong container name, When kp ha sync -c wrong runs, Then the refusal names the container', async () => {
    const result = await runKp(['ha', 'sync', '-c', 'wrong'], {cwd, env});
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('has no container wrong');
  });

  it('Given a changed file, When kp ha sync --restart pod runs, Then the initContainer warning is printed before the pod is deleted and the files are re-checked', async () => {
    // Given
    appendFileSync(path.join(cwd, 'custom_components/kamerplanter/sensor.py'), '\n\n# pod restart\n');
    const before = calls().length;
    // When
    const result = await runKp(['ha', 'sync', '--restart', 'pod', '--settle', '0', '--timeout', '40'], {cwd, env});
    // Then
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/re-runs its initContainers \(copy-config, copy-ha-integration\)/);
    const mine = calls().slice(before);
    expect(mine.filter((c) => c.argv.slice(2, 4).join(' ') === 'delete pod')).toHaveLength(1);
    expect(result.stdout).toMatch(/pod deleted; observed/);
  });

  it("Given HA as PID 1 in the pod (no supervisor), When two syncs restart it in quick succession, Then the first is restarted at once, the second waits in kubelet's CrashLoopBackOff, and kp says so with the remaining wait instead of waiting silently", async () => {
    // Given: kubelet's delays scaled down 5x (10 s -> 2 s)
    startHaStandin(bareBacking, {image, restart: 'no', supervisor: false});
    registerPod(state, 'kind-kamerplanter', 'default', 'homeassistant-bare-0', {backing: bareBacking, image});
    const fast = {...env, KP_FAKE_TIME_SCALE: '0.2'};
    const sync = () => runKp(['ha', 'sync', '--pod', 'homeassistant-bare-0', '--force', '--json', '--timeout', '60'], {cwd, env: fast});
    // When
    const first = await sync();
    const second = await sync();
    // Then
    expect(first.exitCode, first.stderr).toBe(0);
    const one = JSON.parse(first.stdout);
    expect(one.restart).toMatchObject({method: 'kill', observed: true, fallback: expect.stringContaining("kubelet's crash back-off")});
    expect(first.stderr).toMatch(
      /warning: HA cannot be restarted in place \(no Home Assistant process apart from PID 1\): restarting the pod; kubelet's crash back-off/,
    );
    expect(second.exitCode, second.stderr).toBe(0);
    const two = JSON.parse(second.stdout);
    expect(two.restart.after.restartCount).toBe(one.restart.after.restartCount + 1);
    expect(second.stderr).toMatch(/is not running: exited with code 0, in CrashLoopBackOff \(back-off 2 s\): kubelet restarts it in about [12] s/);
    expect(two.verdict.status).toBe('found');
  });

  it('Given a watch on the pod, When the pod is deleted and its StatefulSet re-creates it (an initContainer puts a stale copy back), Then the watch sees the new pod through kubectl --watch, re-checks, and syncs the local files again', async () => {
    // Given: the re-created pod's initContainer overwrites sensor.py with a stale copy
    const local = readFileSync(path.join(cwd, 'custom_components/kamerplanter/sensor.py'), 'utf8');
    registerPod(state, 'kind-kamerplanter', 'default', 'homeassistant-0', {
      backing,
      image,
      initScript: 'echo "# stale copy from the image" > /config/custom_components/kamerplanter/sensor.py',
    });
    // When
    const session = await watchSession(['--pod', 'homeassistant-0', '--debounce', '200'], {cwd, env}, async (watch) => {
      execFileSync(path.join(projectRoot, 'test/fakes/bin/kubectl'), ['--context', 'kind-kamerplanter', 'delete', 'pod', 'homeassistant-0', '-n', 'default'], {
        env: {...process.env, ...env},
      });
      await watch.waitFor((text) => text.includes('was re-created outside kp'));
      await watch.waitFor((text) => text.split('round synced').length - 1 >= 1 && text.lastIndexOf('round synced') > text.indexOf('was re-created outside kp'));
    });
    // Then
    expect(session.scriptError).toBeUndefined();
    expect(session.exitCode, session.stderr).toBe(130);
    const resync = session.rounds.at(-1)!;
    expect(resync.report.changes.modified).toEqual(['sensor.py']);
    expect(dockerExec(backing, ['cat', '/config/custom_components/kamerplanter/sensor.py'])).toBe(local);
    // Every kubectl call of the session, the long-lived watch included, named the context.
    expect(calls().some((c) => c.argv.includes('--watch'))).toBe(true);
    for (const call of calls()) expect(call.argv.slice(0, 2)).toEqual(['--context', 'kind-kamerplanter']);
  });
});
