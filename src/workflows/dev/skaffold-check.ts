/**
 * Skaffold's own validation of the selected configs (`skaffold diagnose --yaml-only`), before
 * anything is created: a schema error (say `artifacts: 5`) stops `kp dev up` with exit 2 and
 * Skaffold's reason. A passing check is remembered by the file's hash, the selection and the
 * Skaffold version, so the no-op path spends no process on it.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../../config/atomic-write.js';
import {cacheDir} from '../../config/paths.js';
import {fail} from '../../core/errors.js';
import {Skaffold, type SkaffoldTarget} from '../../tools/skaffold.js';
import type {KpContext} from '../context.js';

const MAX_ENTRIES = 32;

function cacheFile(): string {
  return path.join(cacheDir(), 'skaffold-validated.json');
}

/** The key of one validation: file content, selection, Skaffold version. */
export function validationKey(target: Pick<SkaffoldTarget, 'file' | 'modules' | 'profiles'>, skaffoldVersion: string): string {
  return createHash('sha256')
    .update(readFileSync(target.file))
    .update(`\0${[...target.modules].sort().join(',')}\0${[...target.profiles].sort().join(',')}\0${skaffoldVersion}`)
    .digest('hex');
}

function readKeys(): string[] {
  try {
    const parsed = JSON.parse(readFileSync(cacheFile(), 'utf8')) as {valid?: unknown};
    return Array.isArray(parsed.valid) ? parsed.valid.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

function remember(key: string): void {
  const file = cacheFile();
  const keys = [key, ...readKeys().filter((k) => k !== key)].slice(0, MAX_ENTRIES);
  try {
    writeFileAtomic(file, `${JSON.stringify({valid: keys}, null, 2)}\n`);
  } catch {
    // a cache that cannot be written costs one process next time
  }
}

/** Validate with Skaffold unless this exact file and selection passed before; returns whether Skaffold ran. */
export async function validateWithSkaffold(
  ctx: KpContext,
  target: Omit<SkaffoldTarget, 'kubeContext' | 'extraArgs'>,
  skaffoldVersion: string,
): Promise<{ran: boolean}> {
  const key = validationKey(target, skaffoldVersion);
  if (readKeys().includes(key)) return {ran: false};
  const result = await new Skaffold(ctx.runner).diagnose(target);
  if (result.exitCode !== 0) {
    const reason = `${result.stderr}\n${result.stdout}`
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-4)
      .join('\n');
    throw fail.usage(
      `Skaffold rejects ${target.file}${target.modules.length ? ` (module ${target.modules.join(', ')})` : ''}:\n${reason}`,
      `Fix the file; \`skaffold diagnose --yaml-only -f ${target.file}\` in ${target.cwd} shows the same. Nothing was created.`,
    );
  }
  remember(key);
  return {ran: true};
}
