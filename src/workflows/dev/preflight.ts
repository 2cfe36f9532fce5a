/**
 * Preflight for `kp dev`: every dev tool usable (see shared/tool-versions.ts), and the Linux
 * inotify limits Skaffold's file watching needs.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fail} from '../../core/errors.js';
import type {ToolProbe} from '../shared/tool-versions.js';

/** What a missing or too old dev tool adds to the `--json` error object. */
export interface MissingToolsDetails {
  tools: Array<Pick<ToolProbe, 'tool' | 'version' | 'minimum' | 'problem'>>;
}

/** Throw one prerequisite error naming every unusable tool. */
export function requireTools(probes: readonly ToolProbe[]): void {
  const bad = probes.filter((p) => !p.ok);
  if (bad.length === 0) return;
  throw fail.prerequisite(
    `Missing prerequisites for kp dev:\n${bad.map((p) => `  - ${p.problem}`).join('\n')}`,
    bad
      .map((p) => p.hint)
      .filter(Boolean)
      .join('\n'),
    {details: {tools: bad.map(({tool, version, minimum, problem}) => ({tool, version, minimum, problem}))} satisfies MissingToolsDetails},
  );
}

/** The inotify limits Skaffold's watcher needs on Linux. */
export const INOTIFY_MINIMUMS = {max_user_watches: 524_288, max_user_instances: 512} as const;

/** Current inotify limits, undefined where unreadable (not Linux). */
export function readInotifyLimits(procDir = '/proc/sys/fs/inotify'): Partial<Record<keyof typeof INOTIFY_MINIMUMS, number>> {
  const limits: Partial<Record<keyof typeof INOTIFY_MINIMUMS, number>> = {};
  for (const key of Object.keys(INOTIFY_MINIMUMS) as Array<keyof typeof INOTIFY_MINIMUMS>) {
    try {
      const value = Number(readFileSync(path.join(procDir, key), 'utf8').trim());
      if (Number.isFinite(value)) limits[key] = value;
    } catch {
      // not Linux, or /proc not mounted
    }
  }
  return limits;
}

/** The exact sysctl lines that raise too-low inotify limits (empty when all is fine). */
export function inotifyAdvice(limits: Partial<Record<keyof typeof INOTIFY_MINIMUMS, number>>): string[] {
  const lines: string[] = [];
  for (const [key, minimum] of Object.entries(INOTIFY_MINIMUMS) as Array<[keyof typeof INOTIFY_MINIMUMS, number]>) {
    const value = limits[key];
    if (value !== undefined && value < minimum) lines.push(`sudo sysctl fs.inotify.${key}=${minimum}`);
  }
  return lines;
}
