/**
 * `kp ha sync --watch`: one sync round now, then one round per burst of local changes
 * (debounced). A failed round is reported and the next change retries; Ctrl-C ends the session
 * (exit 130) with a summary of the rounds done, failed and cut short.
 */
import path from 'node:path';
import {watch} from 'chokidar';
import type {KpContext} from '../context.js';
import {ExitCode, InterruptedError, toKpError} from '../../core/errors.js';
import {detectSource, isExcluded} from './component.js';
import type {HaSyncReport} from './report.js';
import type {HaTarget} from './targets/target.js';
import {interruption} from '../../core/interruption.js';
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

/** Keep syncing until Ctrl-C. `onRound` is called after every round (for live output). */
export async function runHaWatch(
  ctx: KpContext,
  target: HaTarget,
  options: HaSyncOptions,
  debounceMs: number,
  onRound: (round: WatchRound) => void,
): Promise<HaWatchResult> {
  const component = detectSource(options.cwd, options.source);
  const rounds: WatchRound[] = [];
  const runRound = async (): Promise<void> => {
    let round: WatchRound;
    const number = rounds.length + 1;
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
  };

  await runRound();
  if (interruption.signal.aborted) return result(rounds);
  ctx.out.info(`Watching ${component.dir} (Ctrl-C to stop).`);

  const watcher = watch(component.dir, {
    ignoreInitial: true,
    // Caches and editor droppings never trigger a round (HA's own __pycache__ is remote anyway).
    ignored: (file, stats) => {
      const name = path.basename(file);
      return file !== component.dir && isExcluded(name, stats?.isDirectory() ?? false);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let pending = false;
  let idle: Promise<void> = Promise.resolve();
  const trigger = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (running) {
        pending = true; // a burst during a round: one more round afterwards
        return;
      }
      idle = loop();
    }, debounceMs);
  };
  const loop = async () => {
    running = true;
    do {
      pending = false;
      await runRound();
    } while (pending && !interruption.signal.aborted);
    running = false;
  };
  watcher.on('all', trigger);

  await new Promise<void>((resolve) => {
    if (interruption.signal.aborted) resolve();
    else interruption.signal.addEventListener('abort', () => resolve(), {once: true});
  });
  if (timer) clearTimeout(timer);
  await watcher.close();
  await idle;
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
