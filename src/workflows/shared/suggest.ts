/**
 * "Did you mean ...?": one way to name the closest valid choice for every unknown name kp is
 * given (compose profiles and services, Skaffold modules and profiles).
 */
import {distance} from 'fastest-levenshtein';
import {fail, type KpError} from '../../core/errors.js';

function isSubsequence(needle: string, haystack: string): boolean {
  let index = 0;
  for (const char of haystack) if (char === needle[index]) index += 1;
  return index === needle.length;
}

/**
 * The closest valid name to `wanted`: an abbreviation wins ("kamerplanter" -> "kp": its letters
 * appear in order and it starts alike), then containment, then edit distance.
 */
export function suggestName(wanted: string, valid: readonly string[]): string | undefined {
  if (valid.length === 0) return undefined;
  const lower = wanted.toLowerCase();
  const score = (candidate: string): number => {
    const c = candidate.toLowerCase();
    if (c === lower) return 0;
    if (lower.includes(c) || c.includes(lower)) return 1;
    if (c[0] === lower[0] && (isSubsequence(c, lower) || isSubsequence(lower, c))) return 2;
    return 3 + distance(c, lower) / Math.max(c.length, lower.length);
  };
  return [...valid].sort((a, b) => score(a) - score(b) || distance(a, wanted) - distance(b, wanted))[0];
}

/**
 * The usage error for an unknown name: what was asked, where the valid names come from, the valid
 * names, and the closest one.
 */
export function unknownNameError(kind: string, wanted: string, valid: readonly string[], where: string, hint?: string): KpError {
  const suggestion = suggestName(wanted, valid);
  const list = valid.length > 0 ? valid.join(', ') : '(none)';
  return fail.usage(`Unknown ${kind} "${wanted}" in ${where}. Valid ${kind}s: ${list}.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`, hint);
}
