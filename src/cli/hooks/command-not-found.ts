/**
 * oclif's `command_not_found` hook: an unknown command or topic gets kp's own answer (one `error:`
 * line, one `hint:` line with "did you mean", exit 2; with `--json` the JSON error object on stdout)
 * instead of oclif's bare `command x not found`.
 */
import type {Hook} from '@oclif/core';
import {distance} from 'fastest-levenshtein';
import {ExitCode} from '../../core/errors.js';
import {createOutput} from '../../ui/output.js';
import {suggestName} from '../../workflows/shared/suggest.js';
import type {JsonError} from '../json-contract.js';

/** The closest command to `wanted`, when it is close enough to be what was meant. */
export function suggestCommand(wanted: string, commands: readonly string[]): string | undefined {
  const suggestion = suggestName(wanted, commands);
  if (!suggestion) return undefined;
  const close = distance(suggestion, wanted) / Math.max(suggestion.length, wanted.length) <= 0.5;
  return close || suggestion.startsWith(wanted) || wanted.startsWith(suggestion) ? suggestion : undefined;
}

/**
 * What an unknown command is compared with: the commands, and for a single word the topics too
 * (`kp comp` means the compose topic, not whichever compose verb is nearest; `kp ha snyc` means
 * `ha sync`, not the `ha` topic it contains).
 */
export function commandCandidates(wanted: string, commands: readonly string[], topics: readonly string[]): string[] {
  return wanted.includes(' ') ? [...commands] : [...new Set([...commands, ...topics])];
}

const hook: Hook.CommandNotFound = async function (options) {
  const bin = options.config.bin;
  const wanted = options.id.replaceAll(':', ' ');
  const visible = options.config.commands.filter((command) => !command.hidden).map((command) => command.id.replaceAll(':', ' '));
  const topics = options.config.topics.filter((topic) => !topic.hidden).map((topic) => topic.name.replaceAll(':', ' '));
  const suggestion = suggestCommand(wanted, commandCandidates(wanted, visible, topics));
  const message = `Unknown command "${bin} ${wanted}".`;
  const hint = `${suggestion ? `Did you mean "${bin} ${suggestion}"? ` : ''}\`${bin} --help\` lists every command.`;
  if ((options.argv ?? []).includes('--json')) {
    const payload: JsonError = {error: {message, hint, exitCode: ExitCode.Usage}};
    process.stdout.write(`${JSON.stringify(payload, null, 2)}\n`);
  } else {
    const out = createOutput({json: false, verbose: false});
    out.info(`${out.color.red('error:')} ${message}`);
    out.info(`${out.color.dim('hint:')} ${hint}`);
  }
  process.exitCode = ExitCode.Usage;
};

export default hook;
