/**
 * Asking the person at the keyboard. Without a terminal there is nobody to ask: callers must
 * then refuse unless `--yes` was given (workflows/shared/confirm.ts decides that).
 */
import {createInterface} from 'node:readline/promises';

/** Can we ask the person at the keyboard? */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;
}

/**
 * Ask a y/N question on stderr: true only for an explicit yes, undefined when the person cancelled
 * (Ctrl-C at the prompt, which readline reads as a key in a terminal so no SIGINT arrives; Ctrl-D;
 * or `signal` aborting). The caller decides what a cancel means.
 */
export async function askYesNo(question: string, signal?: AbortSignal): Promise<boolean | undefined> {
  const rl = createInterface({input: process.stdin, output: process.stderr});
  let answered = false;
  const closed = new Promise<undefined>((resolve) => rl.once('close', () => resolve(undefined)));
  try {
    const answer = await Promise.race([rl.question(`${question} [y/N] `, signal ? {signal} : {}).then((text) => ((answered = true), text)), closed]);
    if (answer === undefined || !answered) return cancelled();
    const normalised = answer.trim().toLowerCase();
    return normalised === 'y' || normalised === 'yes';
  } catch (error) {
    // readline's own Ctrl-C, and `signal` aborting the question, are AbortErrors.
    if ((error as {code?: string}).code === 'ABORT_ERR') return cancelled();
    throw error;
  } finally {
    rl.close();
  }
}

/** End the prompt's line, so what follows starts on a line of its own. */
function cancelled(): undefined {
  process.stderr.write('\n');
  return undefined;
}
