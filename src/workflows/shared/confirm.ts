/**
 * The confirmation every destructive step goes through (compose down --volumes, dev down).
 */
import {InterruptedError, fail} from '../../core/errors.js';
import {interruption} from '../../core/interruption.js';
import {askYesNo, canPrompt} from '../../ui/confirm.js';

/**
 * Ask `question` (y/N) unless `yes` is set. Throws a usage error when there is no terminal
 * and no `--yes`, and when the answer is no: nothing destructive happens either way.
 */
export async function confirmOrRefuse(question: string, options: {yes: boolean; what: string}): Promise<void> {
  if (options.yes) return;
  if (!canPrompt()) {
    throw fail.usage(`Refusing to ${options.what} without confirmation (no terminal to ask).`, 'Pass --yes to confirm.');
  }
  const answer = await askYesNo(question, interruption.signal);
  // Ctrl-C (or Ctrl-D) at the question is an interruption: exit 130, nothing done.
  if (answer === undefined) throw new InterruptedError();
  if (!answer)
    throw fail.usage(`Not confirmed: did not ${options.what}.`, 'Nothing was changed. Answer y to go ahead, or pass --yes to confirm without the question.');
}
