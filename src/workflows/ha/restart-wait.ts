/**
 * After the swap: waiting for HA to restart (its own process in place, or the container) and to
 * answer, and reading its log for the verdict.
 */
import type {KpContext} from '../context.js';
import {unlessInterrupted} from '../../core/errors.js';
import {scriptCommand, SCRIPTS} from './remote.js';
import {formatMs} from './report.js';
import {notRunningReason, restartObserved, type HaTarget, type TargetState} from './targets/target.js';
import {parseLogVerdict, type LogVerdict} from './verdict.js';
import {poll} from '../../core/poll.js';

/** How a restart wait ended. */
export interface RestartWait {
  observed: boolean;
  observedAfterMs?: number;
  ready: boolean;
  readyAfterMs?: number;
  state: TargetState;
  /** The container stopped (and stays stopped) instead of restarting: what was seen. */
  stopped?: string;
  /** The HA process that answers after an in-place restart. */
  haPid?: number;
  /** When that process started (epoch ms, from its age when first seen): its log lines come after. */
  haStartedAt?: number;
}

/** A stop is final when the container stays down this long without a back-off that will restart it. */
const STOPPED_AFTER_MS = 3_000;

/**
 * After a container restart (kill 1, docker restart, pod deletion): wait for the restart to be
 * observed, then for readiness, polling the engine at most twice a second. A back-off (kubelet's
 * CrashLoopBackOff, Docker's restart delay) is said once with its reason and remaining wait; a
 * container that stays down without one has stopped: the wait ends within seconds, naming what
 * was seen (exited, OOM-killed), instead of running into --timeout.
 */
export async function waitForRestart(
  ctx: KpContext,
  target: HaTarget,
  before: TargetState,
  since: number,
  deadline: number,
  pollMs: number,
): Promise<RestartWait> {
  let downSince: number | undefined;
  let backoffSaid = false;
  const watchDown = (now: TargetState): string | undefined => {
    if (now.running) {
      downSince = undefined;
      return undefined;
    }
    if (now.backoff) {
      downSince = undefined;
      if (!backoffSaid) ctx.out.warn(`${target.label} is not running: ${notRunningReason(now)}.`);
      backoffSaid = true;
      return undefined;
    }
    // On its way back (a pod terminating or being created, a container restarting): not a stop.
    if (now.transitional) {
      downSince = undefined;
      return undefined;
    }
    downSince ??= Date.now();
    return Date.now() - downSince >= STOPPED_AFTER_MS ? notRunningReason(now) : undefined;
  };
  // Right after `kill 1` the old instance may still look ready: only a new instance counts.
  const restarted = await poll<{state: TargetState; stopped?: string}, TargetState>(
    async () => {
      const now = await target.state();
      if (restartObserved(before, now)) return {done: true, value: {state: now}};
      const stopped = watchDown(now);
      return stopped ? {done: true, value: {state: now, stopped}} : {done: false, seen: now};
    },
    {deadline, intervalMs: pollMs},
  );
  if (!restarted.done) return {observed: false, ready: false, state: restarted.lastSeen ?? before};
  let state = restarted.value.state;
  if (restarted.value.stopped) return {observed: false, ready: false, state, stopped: restarted.value.stopped};
  const observedAfterMs = Date.now() - since;
  ctx.out.step(`restart observed after ${formatMs(observedAfterMs)} (restarts ${before.restartCount} -> ${state.restartCount}); waiting for HA to answer`);
  const answered = await poll<{ready: boolean; stopped?: string}, undefined>(
    async (n) => {
      if (n > 1) {
        state = await target.state();
        const stopped = watchDown(state);
        if (stopped) return {done: true, value: {ready: false, stopped}};
      }
      // One probe exec may wait up to 4 s inside the container: no exec per poll, no poll-sized overshoot.
      const ready = state.running && (await target.isReady(state, Math.max(0, Math.min(4_000, deadline - Date.now()))));
      return ready ? {done: true, value: {ready: true}} : {done: false};
    },
    {deadline, intervalMs: pollMs},
  );
  if (answered.done && answered.value.ready) {
    const readyAfterMs = Date.now() - since;
    ctx.out.step(`HA answers after ${formatMs(readyAfterMs)}`);
    return {observed: true, observedAfterMs, ready: true, readyAfterMs, state};
  }
  return {observed: true, observedAfterMs, ready: false, state, ...(answered.done ? {stopped: answered.value.stopped} : {})};
}

/**
 * After SIGHUP to HA's process: one exec (up to 4 s inside the target, sh/inplace-wait.sh) sees
 * the new HA process and then HA answering; the container itself does not restart. An exec that
 * fails means the container went away: its state says whether it stopped (HA exited with another
 * code than 100, or was killed) or is being restarted from outside.
 */
export async function waitForInPlace(
  ctx: KpContext,
  target: HaTarget,
  before: TargetState,
  signalled: {pid: number; start: string},
  since: number,
  deadline: number,
  pollMs: number,
): Promise<RestartWait> {
  let observedAfterMs: number | undefined;
  let haPid: number | undefined;
  let seenProcess: {pid: number; start: string} | undefined;
  let haStartedAt: number | undefined;
  // An exec that ran to its end waited inside the target already: the next one follows at once.
  let pause = 0;
  const waited = await poll<RestartWait, undefined>(
    async () => {
      const tries = Math.max(0, Math.min(40, Math.floor((deadline - Date.now()) / 100)));
      const result = await target.exec(scriptCommand(SCRIPTS.inplaceWait, {signalled, tries, known: seenProcess})).catch(unlessInterrupted(undefined));
      const outcome = result ? SCRIPTS.inplaceWait.parse(result.stdout) : {newProcess: undefined, ready: false, finished: false};
      // The process to wait on: a later one (HA crashed and its supervisor started it again) replaces it.
      if (outcome.newProcess) {
        if (outcome.newProcess.pid !== seenProcess?.pid || outcome.newProcess.start !== seenProcess.start) {
          // Its age, read in the target, dates its start (minus the exec's return trip: 250 ms spare).
          haStartedAt = outcome.newProcess.ageMs === undefined ? undefined : Date.now() - outcome.newProcess.ageMs - 250;
        }
        seenProcess = outcome.newProcess;
        haPid = outcome.newProcess.pid;
      }
      if (outcome.newProcess && observedAfterMs === undefined) {
        observedAfterMs = Date.now() - since;
        ctx.out.step(
          `HA restarted in place after ${formatMs(observedAfterMs)} (pid ${signalled.pid} -> ${haPid}, container untouched); waiting for HA to answer`,
        );
      }
      if (outcome.ready) {
        const readyAfterMs = Date.now() - since;
        ctx.out.step(`HA answers after ${formatMs(readyAfterMs)}`);
        return {done: true, value: {observed: true, observedAfterMs, ready: true, readyAfterMs, state: await target.state(), haPid, haStartedAt}};
      }
      pause = 0;
      if (outcome.finished) return {done: false};
      // The exec did not run to its end: the container stopped or restarted under it.
      const state = await target.state();
      if (!state.running)
        return {done: true, value: {observed: observedAfterMs !== undefined, observedAfterMs, ready: false, state, stopped: notRunningReason(state), haPid}};
      // Someone (or a liveness probe) restarted the whole container: wait for that instead.
      if (restartObserved(before, state)) return {done: true, value: await waitForRestart(ctx, target, before, since, deadline, pollMs)};
      pause = pollMs;
      return {done: false};
    },
    {deadline, intervalMs: () => pause},
  );
  return waited.done ? waited.value : {observed: observedAfterMs !== undefined, observedAfterMs, ready: false, state: await target.state(), haPid};
}

/** Read the log since the restart until it says loaded or failed (or time runs out). */
export async function readVerdict(
  target: HaTarget,
  domain: string,
  startedAt: string | undefined,
  deadline: number,
  settleMs: number,
  pollMs: number,
): Promise<LogVerdict> {
  const read = async () => parseLogVerdict(await target.logsSince(startedAt), domain);
  const seen = await poll<LogVerdict, LogVerdict>(
    async () => {
      const verdict = await read();
      return verdict.status === 'not-seen' ? {done: false, seen: verdict} : {done: true, value: verdict};
    },
    {deadline, intervalMs: Math.max(pollMs, 500)},
  );
  const verdict = seen.done ? seen.value : seen.lastSeen!;
  if (verdict.status !== 'found') return verdict;
  // HA answers, and prints the loader line, before it sets up custom integrations: read on for up
  // to `settleMs` (twice a second), and stop at the first failure, which is certain.
  const settled = await poll<LogVerdict, LogVerdict>(
    async (n) => {
      const now = n === 1 ? verdict : await read();
      return now.status === 'found' ? {done: false, seen: now} : {done: true, value: now};
    },
    {deadline: Date.now() + settleMs, intervalMs: 500},
  );
  return settled.done ? settled.value : settled.lastSeen!;
}

/**
 * A real HA dies of SIGHUP while it boots (Python's default action, before HA installs its own
 * handler; seen with HA 2026.3: the supervisor saw a non-100 exit and the container restarted), so an
 * in-place restart waits until HA answers, within the round's time. A stand-in never showed it.
 */
export async function untilHaAnswers(ctx: KpContext, target: HaTarget, observed: TargetState, roundDeadline: number): Promise<void> {
  if (await target.isReady(observed, 0)) return;
  // Bounded: an HA that never answers is restarted anyway (it is broken, not booting).
  const deadline = Math.min(roundDeadline, Date.now() + 90_000);
  ctx.out.step(`HA in ${target.label} is still starting: waiting for it to answer before restarting it in place`);
  await poll(
    async () => {
      const state = await target.state();
      return (await target.isReady(state, Math.max(0, Math.min(4_000, deadline - Date.now())))) ? {done: true, value: undefined} : {done: false};
    },
    {deadline, intervalMs: 250},
  );
}
