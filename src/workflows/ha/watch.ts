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
import {ExitCode, InterruptedError, toKpError, unlessInterrupted} from '../../core/errors.js';
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

/** The last NDJSON line of `kp ha sync --watch --json`: the counts once Ctrl-C ended the watch. */
export interface HaWatchSummaryLine extends Omit<HaWatchResult, 'rounds'> {
  summary: true;
  /** How many rounds ran. */
  rounds: number;
  /** kp's exit code: a watch ends only with Ctrl-C. */
  exitCode: typeof ExitCode.Interrupted;
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
export async function runHaWatch(
  ctx: KpContext,
  target: HaTarget,
  options: HaSyncOptions,
  debounceMs: number,
  onRound: (round: WatchRound) => void,
): Promise<HaWatchResult> {
  return new WatchSession(ctx, target, options, debounceMs, onRound).run();
}

/**
 * Where a watch session is: waiting for a change (`idle`), syncing (`round`), waiting for its
 * component folder to come back (`paused-source`), or shutting down after Ctrl-C (`stopping`).
 */
export type WatchState = 'idle' | 'round' | 'paused-source' | 'stopping';

/** One `--watch` session: its rounds, the folder and target it follows, and how it reacts to each event. */
class WatchSession {
  private readonly component: ReturnType<typeof detectSource>;
  private readonly ignored: ReturnType<typeof compileIgnores>;
  private readonly options: HaSyncOptions;
  private readonly rounds: WatchRound[] = [];
  /**
   * What each round leaves in the target, for the next one's one-exec fast path; forgotten whenever
   * the target or the folder changed outside a round (the next round then compares everything).
   */
  private readonly memory: NonNullable<HaSyncOptions['memory']> = {};
  /** The target as the last round left it: what an outside change is measured against. */
  private baseline: TargetState | undefined;
  /** A target event arrived while a round ran (its own container restart makes some, too). */
  private eventsDuringRound = false;
  private running = false;
  /** A change arrived during a round: one more round afterwards. */
  private pending = false;
  private examineAfterRound = false;
  private stoppedSaid = false;
  /** The folder's identity (device + inode); undefined while it is gone. */
  private rootId: string | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private targetTimer: NodeJS.Timeout | undefined;
  /** The rounds in flight, awaited at shutdown. */
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: KpContext,
    private readonly target: HaTarget,
    options: HaSyncOptions,
    private readonly debounceMs: number,
    private readonly onRound: (round: WatchRound) => void,
  ) {
    this.component = detectSource(options.cwd, options.source);
    this.ignored = compileIgnores(options.ignore ?? []);
    this.options = {...options, memory: this.memory};
    this.rootId = folderIdentity(this.component.dir);
  }

  /** Where the session is now. */
  get state(): WatchState {
    if (this.stopping()) return 'stopping';
    if (this.rootId === undefined) return 'paused-source';
    return this.running ? 'round' : 'idle';
  }

  /** Ctrl-C came: nothing more starts, and the shutdown in run() takes over. */
  private stopping(): boolean {
    return interruption.signal.aborted;
  }

  /** The first round, then watch the folder and the target until Ctrl-C; then shut down, each step bounded. */
  async run(): Promise<HaWatchResult> {
    await this.runRound().catch(endsOnInterrupt);
    if (this.stopping()) return result(this.rounds);
    await this.startWatching();
    this.ctx.out.info(`Watching ${this.component.dir} (Ctrl-C to stop).`);
    const rootTimer = setInterval(() => this.checkRoot(), ROOT_CHECK_MS);
    const stopFollowing = new AbortController();
    const following = this.followTarget(stopFollowing.signal);
    await untilInterrupted();
    if (this.timer) clearTimeout(this.timer);
    if (this.targetTimer) clearTimeout(this.targetTimer);
    clearInterval(rootTimer);
    stopFollowing.abort();
    // Every step of the shutdown is bounded: Ctrl-C ends the watch even if one of them never settles.
    await settleWithin(SHUTDOWN_STEP_MS, this.watcher?.close() ?? Promise.resolve());
    await settleWithin(SHUTDOWN_STEP_MS, this.idle);
    await settleWithin(SHUTDOWN_STEP_MS, following);
    return result(this.rounds);
  }

  /** "Watching" only once the OS watches are in place: a save before that would be missed. */
  private async startWatching(): Promise<void> {
    const ready = (this.watcher = this.startWatcher());
    await new Promise<void>((resolve) => {
      ready.once('ready', () => resolve());
      interruption.signal.addEventListener('abort', () => resolve(), {once: true});
    });
  }

  /** One round, recorded and reported; afterwards the target as it was left becomes the baseline. */
  private async runRound(): Promise<void> {
    const number = this.rounds.length + 1;
    this.eventsDuringRound = false;
    let round: WatchRound;
    try {
      round = {round: number, ok: true, report: await runSyncRound(this.ctx, this.target, this.options)};
    } catch (error) {
      round = failedRound(number, error);
    }
    this.rounds.push(round);
    this.onRound(round);
    if (this.stopping()) return;
    const restartedContainer = round.ok && ['kill', 'container', 'pod'].includes(round.report.restart.method);
    if (this.eventsDuringRound && !restartedContainer && this.baseline) {
      // Not this round's doing (it left the container alone): forget what it remembers and
      // compare the target with how it was before the round, once the round is over.
      this.memory.current = undefined;
      this.examineAfterRound = true;
      return;
    }
    this.baseline = await this.target.state().catch(unlessInterrupted(undefined));
  }

  /** Rounds until no change is pending (or the session stops, or the folder is gone). */
  private async loop(): Promise<void> {
    this.running = true;
    try {
      do {
        this.pending = false;
        await this.runRound();
      } while (this.pending && !this.stopping() && this.rootId !== undefined);
    } catch (error) {
      endsOnInterrupt(error);
    } finally {
      this.running = false;
    }
    if (this.examineAfterRound) {
      this.examineAfterRound = false;
      this.examineInBackground();
    }
  }

  private startRound(): void {
    this.checkRoot(); // a burst of deletions ends with the folder itself gone: say so, run nothing
    if (this.stopping() || this.state === 'paused-source') return;
    if (this.running) this.pending = true;
    else this.idle = this.loop();
  }

  /** A change: debounced, so a burst of saves is one round. */
  private trigger(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startRound();
    }, this.debounceMs);
  }

  /** File events: caches, editor droppings and --ignore globs never trigger a round. */
  private startWatcher(): FSWatcher {
    const dir = this.component.dir;
    const created = watch(dir, {
      ignoreInitial: true,
      ignored: (file, stats) => {
        if (file === dir) return false;
        const relative = path.relative(dir, file).split(path.sep).join('/');
        return isExcluded(path.basename(file), stats?.isDirectory() ?? false) || this.ignored(relative);
      },
    });
    // A watcher error (the folder vanished under it) is handled by the folder check.
    created.on('error', () => undefined);
    created.on('all', () => this.trigger());
    return created;
  }

  /** The folder itself: chokidar reports nothing useful when the watched root is deleted or moved. */
  private checkRoot(): void {
    const now = folderIdentity(this.component.dir);
    if (now === this.rootId) return;
    const wasGone = this.rootId === undefined;
    this.rootId = now;
    this.memory.current = undefined;
    void this.watcher?.close();
    this.watcher = undefined;
    if (now === undefined) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.ctx.out.warn(
        `The component folder ${this.component.dir} is gone (deleted, moved or renamed). Still watching: the sync resumes when it is back at that path (Ctrl-C stops).`,
      );
      return;
    }
    this.watcher = this.startWatcher();
    this.ctx.out.info(
      wasGone
        ? `${this.component.dir} is back: comparing everything with ${this.target.label}.`
        : `${this.component.dir} was replaced: comparing everything with ${this.target.label}.`,
    );
    this.trigger();
  }

  /** The target said something: whatever happened, the next round looks at it afresh; looked at once the burst settles. */
  private onTargetChange(): void {
    if (this.running) this.eventsDuringRound = true;
    else this.memory.current = undefined;
    if (this.targetTimer) clearTimeout(this.targetTimer);
    this.targetTimer = setTimeout(() => {
      this.targetTimer = undefined;
      this.examineInBackground();
    }, TARGET_SETTLE_MS);
  }

  /** examineTarget, started from a timer or after a round: Ctrl-C during it ends it, the session's shutdown takes over. */
  private examineInBackground(): void {
    this.examineTarget().catch(endsOnInterrupt);
  }

  /** The target changed outside kp: stopped (said once), or restarted or re-created (synced again). */
  private async examineTarget(): Promise<void> {
    // A round observes the target itself (and its own restart makes events): look again once it ended.
    if (this.running) {
      this.examineAfterRound = true;
      return;
    }
    if (this.stopping() || !this.baseline) return;
    const now = await this.target.state().catch(unlessInterrupted(undefined));
    // Read after the look: a round that ended meanwhile has set the baseline its own restart made.
    const baseline = this.baseline;
    if (!now || this.running || !baseline) return;
    if (!now.running) {
      if (!this.stoppedSaid)
        this.ctx.out.warn(`${this.target.label} is not running: ${notRunningReason(now)}. Still watching: the next edit or its start syncs again.`);
      this.stoppedSaid = true;
      return;
    }
    this.stoppedSaid = false;
    if (!restartObserved(baseline, now)) return;
    this.ctx.out.info(
      now.instance === baseline.instance
        ? `${this.target.label} was restarted outside kp (restarts ${baseline.restartCount} -> ${now.restartCount}): re-checking the component.`
        : `${this.target.label} was re-created outside kp: re-checking the component (an init step may have replaced it).`,
    );
    this.baseline = now;
    this.memory.current = undefined;
    this.startRound();
  }

  /**
   * The target: one long-lived event stream, looked at only when it says something. A stream the
   * server closed (kubectl's ends after a while) is simply resumed; one that keeps failing at once
   * is retried slowly, never in a loop of processes.
   */
  private async followTarget(stop: AbortSignal): Promise<void> {
    let quickEnds = 0;
    while (!stop.aborted && !this.stopping()) {
      const started = Date.now();
      try {
        await this.target.followChanges(() => this.onTargetChange(), stop);
      } catch (error) {
        if (error instanceof InterruptedError) return; // Ctrl-C: the session's shutdown takes over
        // Otherwise the stream failed: it is opened again below.
      }
      if (stop.aborted || this.stopping()) return;
      quickEnds = Date.now() - started < 5_000 ? quickEnds + 1 : 0;
      try {
        await sleep(quickEnds > 2 ? 30_000 : 1_000);
      } catch {
        return; // Ctrl-C: the session's shutdown takes over
      }
      this.onTargetChange(); // anything may have happened while no stream was open
    }
  }
}

/** A round that ended in an error: Ctrl-C's (the live component is the old tree or the new one) or kp's. */
function failedRound(number: number, error: unknown): WatchRound {
  if (error instanceof InterruptedError || interruption.signal.aborted) {
    return {round: number, ok: false, interrupted: true, error: {message: 'Interrupted by Ctrl-C.', hint: undefined, exitCode: ExitCode.Interrupted}};
  }
  const kpError = toKpError(error as Error);
  return {round: number, ok: false, error: {message: kpError.message, hint: kpError.hint, exitCode: kpError.exitCode}};
}

/** Ctrl-C ended what was running: the session's shutdown takes over. Anything else is a failure. */
function endsOnInterrupt(error: unknown): void {
  if (!(error instanceof InterruptedError)) throw error;
}

/** Resolves on Ctrl-C (at once when it already came). */
function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (interruption.signal.aborted) resolve();
    else interruption.signal.addEventListener('abort', () => resolve(), {once: true});
  });
}

function result(rounds: WatchRound[]): HaWatchResult {
  return {
    watch: true,
    rounds,
    failedRounds: rounds.filter((r) => (r.ok ? r.report.exitCode !== ExitCode.Ok : !r.interrupted)).length,
    interruptedRounds: rounds.filter((r) => !r.ok && r.interrupted).length,
  };
}
