/**
 * kp's shell scripts (./sh/*.sh, checked by shellcheck in the tests) as the target runs them. The
 * build and the tests import them as text; a script sources the shared files of ./sh/lib, which
 * `sh -c` cannot, so they are put in place here.
 */
import applyBody from './sh/lib/apply-body.sh';
import applyHead from './sh/lib/apply-head.sh';
import haProcess from './sh/lib/ha-process.sh';
import lockLib from './sh/lib/lock.sh';
import probeOnce from './sh/lib/probe-once.sh';
import procLib from './sh/lib/proc.sh';
import recoverLib from './sh/lib/recover.sh';
import restartInplace from './sh/lib/restart-inplace.sh';

/** The files a script may source (`. ./lib/NAME.sh`), by that path. */
export const SCRIPT_LIBRARY: Readonly<Record<string, string>> = {
  'lib/apply-body.sh': applyBody,
  'lib/apply-head.sh': applyHead,
  'lib/ha-process.sh': haProcess,
  'lib/lock.sh': lockLib,
  'lib/probe-once.sh': probeOnce,
  'lib/proc.sh': procLib,
  'lib/recover.sh': recoverLib,
  'lib/restart-inplace.sh': restartInplace,
};

const SOURCE_LINE = /^\. \.\/(lib\/[a-z0-9-]+\.sh)$/;

/**
 * A script as it runs in the target (`sh -c TEXT`, where no file can be sourced): each `. ./lib/X.sh`
 * line replaced by that file, and comment-only and blank lines dropped (they would only lengthen
 * every exec and the --verbose echo). Throws on a library file that does not exist.
 */
export function assembleScript(text: string, library: Readonly<Record<string, string>> = SCRIPT_LIBRARY): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const source = SOURCE_LINE.exec(line.trim());
    if (source) {
      const included = library[source[1]!];
      if (included === undefined) throw new Error(`shell script sources ${source[1]}, which is not in SCRIPT_LIBRARY`);
      lines.push(assembleScript(included, library).trimEnd());
      continue;
    }
    if (/^\s*(#|$)/.test(line)) continue;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
