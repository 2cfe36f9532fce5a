/**
 * Asking the person at the keyboard. Without a terminal there is nobody to ask: callers must
 * then refuse unless `--yes` was given (workflows/shared/confirm.ts decides that).
 */
import {createInterface} from 'node:readline/promises';

/** Can we ask the person at the keyboard? */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;
}

/** Ask a y/N question on stderr; true only for an explicit yes. */
export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({input: process.stdin, output: process.stderr});
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    return answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}
