/**
 * `kp ha sync` / `kp ha status` against a pod in kubelet's crash back-off, through the real CLI
 * and the stateful kubectl fake (no engine: the pod is simulated, state only). The fake models
 * kubelet (test/fakes/lib/kubectl-pods.mjs): a stopped container waits in CrashLoopBackOff with
 * kubelet's message and is restarted when the back-off has passed.
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {pointKindContextAt, useFakeWorlds, type FakeWorld} from '../../../fakes/harness.js';
// @ts-expect-error plain ESM fake without types
import {registerPod} from '../../../fakes/lib/kubectl-pods.mjs';
// @ts-expect-error plain ESM fixture without types
import {smallFiles, writeComponent} from '../../../fixtures/ha/make-component.mjs';
import {projectRoot, runKp} from '../../../helpers/cli.js';

const world = useFakeWorlds();

/** A pod whose HA container was OOM-killed `agoMs` ago after its 3rd crash: kubelet waits 40 s (unscaled). */
function crashLoopingPod(w: FakeWorld, agoMs: number, delayMs: number): void {
  const finishedAt = new Date(Date.now() - agoMs).toISOString();
  const startedAt = new Date(Date.now() - agoMs - 2_000).toISOString();
  // The dev cluster's context, its API server on this machine (kp's fence allows it).
  pointKindContextAt(w, 'https://127.0.0.1:6443');
  registerPod(w.stateDir, 'kind-kamerplanter', 'default', 'homeassistant-0', {
    sim: {running: false, startedAt, finishedAt, exitCode: 137, oomKilled: true},
    restarts: 3,
    crashes: 3,
    pending: {finishedAt, delayMs},
    lastTerminated: {exitCode: 137, reason: 'OOMKilled', startedAt, finishedAt},
  });
  mkdirSync(path.join(w.workspace, 'custom_components'), {recursive: true});
  writeComponent(path.join(w.workspace, 'custom_components'), smallFiles());
}

describe('kp ha sync on a pod in CrashLoopBackOff', () => {
  it("Given HA's container OOM-killed and kubelet waiting 40 s before the next restart, When kp ha sync runs, Then it fails at once (exit 3) naming the OOM kill, the back-off and the remaining wait, and nothing is sent", async () => {
    // Given
    const w = world();
    crashLoopingPod(w, 5_000, 40_000);
    // When
    const started = Date.now();
    const result = await runKp(['ha', 'sync', '--context', 'kind-kamerplanter', '--pod', 'homeassistant-0'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(3);
    const [error, hint] = result.stderr.split('\n').filter((line) => /^(error|hint):/.test(line));
    expect(error).toMatch(
      /^error: pod default\/homeassistant-0 .* is not running: OOM-killed \(exit 137\), in CrashLoopBackOff \(back-off 40 s\): kubelet restarts it in about 3[0-9] s; every further crash doubles the wait, up to 5 min/,
    );
    expect(hint).toMatch(/^hint: /);
    expect(Date.now() - started).toBeLessThan(20_000); // no silent wait until --timeout
    expect(w.calls().filter((c) => c.tool === 'kubectl' && c.argv.includes('exec'))).toEqual([]);
  });

  it('Given the same pod, When kp ha status runs, Then it shows the back-off and how the last run ended; once the back-off has passed, the kubelet model has restarted it (restart count 4)', async () => {
    // Given: a back-off of 1.5 s that began just now
    const w = world();
    crashLoopingPod(w, 0, 1_500);
    // When
    const during = await runKp(['ha', 'status', '--context', 'kind-kamerplanter', '--pod', 'homeassistant-0', '--json'], {env: w.env, cwd: w.workspace});
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // (a simulated pod has no processes to list: read kubelet's side of it as kubectl shows it)
    const after = JSON.parse(
      execFileSync(
        path.join(projectRoot, 'test', 'fakes', 'bin', 'kubectl'),
        ['--context', 'kind-kamerplanter', 'get', 'pod', 'homeassistant-0', '-n', 'default', '-o', 'json'],
        {env: w.env as NodeJS.ProcessEnv, encoding: 'utf8'},
      ),
    );
    // Then
    expect(during.exitCode, during.stderr).toBe(0);
    const waiting = JSON.parse(during.stdout);
    expect(waiting.state).toMatchObject({running: false, status: 'Running (CrashLoopBackOff)', restartCount: 3});
    expect(waiting.notes.join('\n')).toMatch(/OOM-killed \(exit 137\), in CrashLoopBackOff \(back-off 2 s\)/);
    expect(after.status.containerStatuses[0]).toMatchObject({restartCount: 4, state: {running: {}}, lastState: {terminated: {reason: 'OOMKilled'}}});
  });
});
