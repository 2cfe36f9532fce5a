/**
 * `kp ha sync --watch`: one sync round now, then one round per burst of local changes
 * (debounced). A failed round is reported and the next change retries; Ctrl-C ends the session
 * (exit 130) with a summary of the rounds done, failed and cut short.
 *
 * What else happens in a working day, and what the watch does about it:
 * - the component folder is deleted, moved or renamed: said once, rounds pause, and when the folder
 *   is back (same path) the watch resumes with a full comparison;
 * - the target is re-created or restarted outside kp (`docker rm` + `run`, a StatefulSet's new pod):
 *   seen through the orchestrator's event stream (no polling), re-checked and synced;
 * - the target stops: said once with how it ended; the next edit or its start retries.
 * Idle, the watch spawns nothing: file events come from the OS, target events from one long-lived
 * `docker events` / `kubectl get --watch`, and the folder itself is stat()ed once a second.
 */
import {statSync} from 'node:fs';
import path from 'node:path';
import {watch, type FSWatcher} from 'chokidar';
import type {KpContext} from '../context.js';
import {ExitCode, InterruptedError, toKpError} from '../../core/errors.js';
import {compileIgnores, detectSource, isExcluded} from './component.js';
import type {HaSyncReport} from './report.js';
import {notRunningReason, restartObserved, type HaTarget, type TargetState} from './targets/target.js';
import {interruption, settleWithin, sleep} from '../../core/interruption.js';
import {runSyncRound, type HaSyncOptions} from './round.js';

/**
 * One watch round: its report, or the error that ended it (`interrupted` when Ctrl-C cut it short:
 * the round's swap is atomic, so the live component is then the old tree or the new one, never a mix).
 */
export type WatchRound =
  | {round: number; ok: true; report: HaSyncReport}
  | {round: number; ok: false; interrupted?: true; error: {message: string; hint: string | undefined; exitCode: number}};

/** What `--watch` returns once Ctrl-C ended it. */
export interface HaWatchResult {
  watch: true;
  rounds: WatchRound[];
  /** Rounds that failed (error or integration not loaded); an interrupted round is counted apart. */
  failedRounds: number;
  /** Rounds Ctrl-C cut short (0 or 1). */
  interruptedRounds: number;
}

/** How often the component folder itself is checked (a deleted or moved root gives no file event). */
const ROOT_CHECK_MS = 1_000;
/** Quiet time after a target event before it is looked at (a restart is a burst of events). */
const TARGET_SETTLE_MS = 300;
/** The longest kp waits for each shutdown step (watcher close, a round's children, the event stream) after Ctrl-C. */
const SHUTDOWN_STEP_MS = 6_000;

/** The identity of a folder (device + inode): changes when it is deleted and created again, or replaced. */
function folderIdentity(dir: string): string | undefined {
  try {
    const stat = statSync(dir);
    return stat.isDirectory() ? `${stat.dev}:${stat.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/** Keep syncing until Ctrl-C. `onRound` is called after every round (for live output). */
// eslint-disable-next-line max-lines-per-function -- issue 20: still to be split into named steps
export async function runHaWatch(
  ctx: KpContext,
  target: HaTarget,
  options: HaSyncOptions,
  debounceMs: number,
  onRound: (round: WatchRound) => void,
): Promise<HaWatchResult> {
  const component = detectSource(options.cwd, options.source);
  const ignored = compileIgnores(options.ignore ?? []);
  const rounds: WatchRound[] = [];
  // What each round leaves in the target, for the next one's one-exec fast path; forgotten whenever
  // the target or the folder changed outside a round (the next round then compares everything).
  const memory: NonNullable<HaSyncOptions['memory']> = {};
  options = {...options, memory};
  /** The target as the last round left it: what an outside change is measured against. */
  let baseline: TargetState | undefined;
  /** A target event arrived while a round ran (its own container restart makes some, too). */
  let eventsDuringRound = false;
  let timer: NodeJS.Timeout | undefined;
  let targetTimer: NodeJS.Timeout | undefined;
  let running = false;
  let pending = false;
  let idle: Promise<void> = Promise.resolve();
  let rootId = folderIdentity(component.dir);
  let watcher: FSWatcher | undefined;
  let examineAfterRound = false;
  let stoppedSaid = false;

  const runRound = async (): Promise<void> => {
    let round: WatchRound;
    const number = rounds.length + 1;
    eventsDuringRound = false;
    try {
      round = {round: number, ok: true, report: await runSyncRound(ctx, target, options)};
    } catch (error) {
      if (error instanceof InterruptedError || interruption.signal.aborted) {
        round = {round: number, ok: false, interrupted: true, error: {message: 'Interrupted by Ctrl-C.', hint: undefined, exitCode: ExitCode.Interrupted}};
      } else {
        const kpError = toKpError(error as Error);
        round = {round: number, ok: false, error: {message: kpError.message, hint: kpError.hint, exitCode: kpError.exitCode}};
      }
    }
    rounds.push(round);
    onRound(round);
    if (interruption.signal.aborted) return;
    const restartedContainer = round.ok && ['kill', 'container', 'pod'].includes(round.report.restart.method);
    if (eventsDuringRound && !restartedContainer && baseline) {
      // Not this round's doing (it left the container alone): forget what it remembers and
      // compare the target with how it was before the round, once the round is over.
      memory.current = undefined;
      examineAfterRound = true;
      return;
    }
    baseline = await target.state().catch(() => undefined);
  };

  const loop = async () => {
    running = true;
    do {
      pending = false;
      await runRound();
    } while (pending && !interruption.signal.aborted && rootId !== undefined);
    running = false;
    if (examineAfterRound) {
      examineAfterRound = false;
      void examineTarget();
    }
  };
  const startRound = () => {
    checkRoot(); // a burst of deletions ends with the folder itself gone: say so, run nothing
    if (interruption.signal.aborted || rootId === undefined) return;
    if (running)
      pending = true; // a burst during a round: one more round afterwards
    else idle = loop();
  };
  const trigger = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      startRound();
    }, debounceMs);
  };

  // File events: caches, editor droppings and --ignore globs never trigger a round.
  const startWatcher = (): FSWatcher => {
    const created = watch(component.dir, {
      ignoreInitial: true,
      ignored: (file, stats) => {
        if (file === component.dir) return false;
        const relative = path.relative(component.dir, file).split(path.sep).join('/');
        return isExcluded(path.basename(file), stats?.isDirectory() ?? false) || ignored(relative);
      },
    });
    // A watcher error (the folder vanished under it) is handled by the folder check below.
    created.on('error', () => undefined);
    created.on('all', trigger);
    return created;
  };

  // The folder itself: chokidar reports nothing useful when the watched root is deleted or moved.
  const checkRoot = () => {
    const now = folderIdentity(component.dir);
    if (now === rootId) return;
    const wasGone = rootId === undefined;
    rootId = now;
    memory.current = undefined;
    if (now === undefined) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      void watcher?.close();
      watcher = undefined;
      ctx.out.warn(
        `The component folder ${component.dir} is gone (deleted, moved or renamed). Still watching: the sync resumes when it is back at that path (Ctrl-C stops).`,
      );
      return;
    }
    void watcher?.close();
    watcher = startWatcher();
    ctx.out.info(
      wasGone
        ? `${component.dir} is back: comparing everything with ${target.label}.`
        : `${component.dir} was replaced: comparing everything with ${target.label}.`,
    );
    trigger();
  };

  // The target: one long-lived event stream, looked at only when it says something.
  const onTargetChange = () => {
    // Whatever happened to the target, the next round looks at it afresh.
    if (running) eventsDuringRound = true;
    else memory.current = undefined;
    if (targetTimer) clearTimeout(targetTimer);
    targetTimer = setTimeout(() => {
      targetTimer = undefined;
      void examineTarget();
    }, TARGET_SETTLE_MS);
  };
  const examineTarget = async (): Promise<void> => {
    // A round observes the target itself (and its own restart makes events): look again once it ended.
    if (running) {
      examineAfterRound = true;
      return;
    }
    if (interruption.signal.aborted || !baseline) return;
    const now = await target.state().catch(() => undefined);
    if (!now || running) return;
    if (!now.running) {
      if (!stoppedSaid) ctx.out.warn(`${target.label} is not running: ${notRunningReason(now)}. Still watching: the next edit or its start syncs again.`);
      stoppedSaid = true;
      return;
    }
    stoppedSaid = false;
    if (!restartObserved(baseline, now)) return;
    ctx.out.info(
      now.instance === baseline.instance
        ? `${target.label} was restarted outside kp (restarts ${baseline.restartCount} -> ${now.restartCount}): re-checking the component.`
        : `${target.label} was re-created outside kp: re-checking the component (an init step may have replaced it).`,
    );
    baseline = now;
    memory.current = undefined;
    startRound();
  };

  await runRound();
  if (interruption.signal.aborted) return result(rounds);

  watcher = startWatcher();
  // "Watching" only once the OS watches are in place: a save before that would be missed.
  const ready = watcher;
  await new Promise<void>((resolve) => {
    ready.once('ready', () => resolve());
    interruption.signal.addEventListener('abort', () => resolve(), {once: true});
  });
  ctx.out.info(`Watching ${component.dir} (Ctrl-C to stop).`);
  const rootTimer = setInterval(checkRoot, ROOT_CHECK_MS);

  const stopFollowing = new AbortController();
  const following = (async () => {
    let quickEnds = 0;
    while (!stopFollowing.signal.aborted && !interruption.signal.aborted) {
      const started = Date.now();
      await target.followChanges(onTargetChange, stopFollowing.signal).catch(() => undefined);
      if (stopFollowing.signal.aborted || interruption.signal.aborted) return;
      // A watch the server closed (kubectl's ends after a while) is simply resumed; one that keeps
      // failing at once is retried slowly, never in a loop of processes.
      quickEnds = Date.now() - started < 5_000 ? quickEnds + 1 : 0;
      await sleep(quickEnds > 2 ? 30_000 : 1_000).catch(() => undefined);
      onTargetChange(); // anything may have happened while no stream was open
    }
  })();

  await new Promise<void>((resolve) => {
    if (interruption.signal.aborted) resolve();
    else interruption.signal.addEventListener('abort', () => resolve(), {once: true});
  });
  if (timer) clearTimeout(timer);
  if (targetTimer) clearTimeout(targetTimer);
  clearInterval(rootTimer);
  stopFollowing.abort();
  // Every step of the shutdown is bounded: Ctrl-C ends the watch even if one of them never settles.
  await settleWithin(SHUTDOWN_STEP_MS, watcher?.close() ?? Promise.resolve());
  await settleWithin(SHUTDOWN_STEP_MS, idle);
  await settleWithin(SHUTDOWN_STEP_MS, following);
  return result(rounds);
}

function result(rounds: WatchRound[]): HaWatchResult {
  return {
    watch: true,
    rounds,
    failedRounds: rounds.filter((r) => (r.ok ? r.report.exitCode !== ExitCode.Ok : !r.interrupted)).length,
    interruptedRounds: rounds.filter((r) => !r.ok && r.interrupted).length,
  };
}
