import {InterruptedError} from './errors.js';

/**
 * Process-wide Ctrl-C handling: the first SIGINT/SIGTERM aborts running children (they are
 * stopped cleanly and the command exits 130); a second one exits at once.
 */

const controller = new AbortController();
let installed = false;
let foregroundChild: string | undefined;

/** The shared interruption state every long-running step listens to. */
export const interruption = {
  get signal(): AbortSignal {
    return controller.signal;
  },
  /** The foreground child that owns Ctrl-C right now (it cleans up itself), if any. */
  get foreground(): string | undefined {
    return foregroundChild;
  },
  /** Name the foreground child that owns Ctrl-C while it runs (undefined when it has ended). */
  setForeground(name: string | undefined): void {
    foregroundChild = name;
  },
  /** Install the signal handlers once per process. */
  install(onFirst?: () => void): void {
    if (installed) return;
    installed = true;
    const handle = () => {
      if (controller.signal.aborted) process.exit(130);
      onFirst?.();
      controller.abort();
    };
    process.on('SIGINT', handle);
    process.on('SIGTERM', handle);
  },
};

/** Sleep that wakes early (and rejects with InterruptedError) when the user interrupts, or `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal = controller.signal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new InterruptedError());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, {once: true});
  });
}

/** Resolve when `work` settles or after `ms`, whichever is first (never rejects): a shutdown step that cannot hang. */
export async function settleWithin(ms: number, work: Promise<unknown>): Promise<'settled' | 'timed-out'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => 'settled' as const,
        () => 'settled' as const,
      ),
      limit,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A long-running command that has returned its result must end: if anything (a library's leaked
 * watch handle, a child holding a pipe) still keeps the process alive after `ms`, exit with the
 * exit code already set. The timer is unref'd, so a clean process exits at once without it.
 */
export function exitWhenDone(ms: number, onForced?: () => void): void {
  setTimeout(() => {
    onForced?.();
    process.exit();
  }, ms).unref();
}
