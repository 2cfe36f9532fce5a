/**
 * Interactive confirmation for destructive steps. Without a terminal there is nobody to ask:
 * callers must then refuse unless `--yes` was given.
 */
import {createInterface} from 'node:readline/promises';
import {fail} from '../errors.js';

/** Can we ask the person at the keyboard? */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;
}

/**
 * Ask `question` (y/N) unless `yes` is set. Throws a usage error when there is no terminal
 * and no `--yes`, and when the answer is no: nothing destructive happens either way.
 */
export async function confirmOrRefuse(question: string, options: {yes: boolean; what: string}): Promise<void> {
  if (options.yes) return;
  if (!canPrompt()) {
    throw fail.usage(`Refusing to ${options.what} without confirmation (no terminal to ask).`, 'Pass --yes to confirm.');
  }
  const rl = createInterface({input: process.stdin, output: process.stderr});
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw fail.usage(`Not confirmed: did not ${options.what}.`);
  } finally {
    rl.close();
  }
}
