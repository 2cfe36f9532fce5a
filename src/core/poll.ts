/**
 * The one way kp waits for something: look, pause, look again until done or the deadline passed.
 * Only a deadline that passed is a timeout (the caller says so, with how long it really waited);
 * a look's own failure keeps its cause and exit code; Ctrl-C ends the pause at once.
 */
import {InterruptedError} from './errors.js';
import {interruption, sleep} from './interruption.js';

/** One look: done with a value, or not yet (with what was seen, for the caller's timeout message). */
export type Look<T, S> = {done: true; value: T} | {done: false; seen?: S};

/** When to stop and how long to pause between looks. */
export interface PollOptions {
  /** Epoch ms after which no new look starts (the first look always happens). */
  deadline: number;
  /** The pause between looks in ms, or a function of the time left (ms) and the looks so far. */
  intervalMs: number | ((leftMs: number, looks: number) => number);
  /** What cancels the wait (default: Ctrl-C). */
  signal?: AbortSignal;
}

/** How a poll ended: done with the value, or out of time with the last thing seen; both say how long it took. */
export type PollResult<T, S> =
  {done: true; value: T; waitedMs: number; looks: number} | {done: false; lastSeen: S | undefined; waitedMs: number; looks: number};

/** Look until done or the deadline passed. */
export async function poll<T, S = undefined>(look: (n: number) => Promise<Look<T, S>>, options: PollOptions): Promise<PollResult<T, S>> {
  const started = Date.now();
  const signal = options.signal ?? interruption.signal;
  let lastSeen: S | undefined;
  for (let n = 1; ; n += 1) {
    if (signal.aborted) throw new InterruptedError();
    const seen = await look(n);
    if (seen.done) return {done: true, value: seen.value, waitedMs: Date.now() - started, looks: n};
    lastSeen = seen.seen;
    const left = options.deadline - Date.now();
    if (left <= 0) return {done: false, lastSeen, waitedMs: Date.now() - started, looks: n};
    const pause = typeof options.intervalMs === 'number' ? options.intervalMs : options.intervalMs(left, n);
    await sleep(Math.max(0, Math.min(pause, left)), signal);
  }
}
