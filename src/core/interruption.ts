import {InterruptedError} from './errors.js';

/**
 * Process-wide Ctrl-C handling: the first SIGINT/SIGTERM aborts running children (they are
 * stopped cleanly and the command exits 130); a second one exits at once.
 */

const controller = new AbortController();
let installed = false;

/** The shared interruption state every long-running step listens to. */
export const interruption = {
  get signal(): AbortSignal {
    return controller.signal;
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

/** Sleep that wakes early (and rejects) when the user interrupts. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (controller.signal.aborted) {
      reject(new InterruptedError());
      return;
    }
    const timer = setTimeout(() => {
      controller.signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    controller.signal.addEventListener('abort', onAbort, {once: true});
  });
}
