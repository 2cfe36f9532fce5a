/**
 * What kp remembers of a project's last successful start (in the state dir), so the second
 * `kp compose start` on an unchanged, healthy stack runs no Compose at all.
 */
import {createHash} from 'node:crypto';
import {existsSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../../config/atomic-write.js';
import type {ComposeModel} from '../../config/compose-file.js';
import {stateDir} from '../../config/paths.js';
import type {Stack} from './stack.js';

/** The record of one successful start. */
export interface StartRecord {
  project: string;
  fingerprint: string;
  containerIds: Record<string, string>;
  at: string;
}

function recordFile(project: string): string {
  return path.join(stateDir(), `compose-${project}.json`);
}

/** Read the project's last start record (undefined when none or unreadable). */
export function readStartRecord(project: string): StartRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(project), 'utf8')) as StartRecord;
  } catch {
    return undefined;
  }
}

/** Remember a successful start. */
export function writeStartRecord(record: StartRecord): void {
  writeFileAtomic(recordFile(record.project), `${JSON.stringify(record, null, 2)}\n`);
}

/** Forget the project's last start (after down). */
export function clearStartRecord(project: string): void {
  rmSync(recordFile(project), {force: true});
}

/**
 * A digest of everything that decides what `up` would create: compose file, env file,
 * profiles, and every interpolated variable's value from the process environment.
 */
export function stackFingerprint(stack: Stack, model: ComposeModel): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(stack.composeFile));
  hash.update('\0');
  if (existsSync(stack.envFile)) hash.update(readFileSync(stack.envFile));
  hash.update('\0');
  hash.update(JSON.stringify(stack.profiles));
  for (const name of model.variables) hash.update(`\0${name}=${process.env[name] ?? '\u0001unset'}`);
  return hash.digest('hex');
}
