/**
 * A code reload kp has sent its component for but not seen answered: one empty file per HA and
 * domain under `$XDG_STATE_HOME/kp/ha-pending-reload/`. Written before the swap of a round that
 * reloads, removed once the companion answered. A round stopped in between (Ctrl-C) leaves it, and
 * the next round into that HA reloads (or restarts) even though the files are up to date.
 */
import {lstatSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from './atomic-write.js';
import {stateDir} from './paths.js';

function pendingDir(): string {
  return path.join(stateDir(), 'ha-pending-reload');
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
}

function pendingFile(key: string, domain: string): string {
  return path.join(pendingDir(), safeName(`${key}__${domain}`) || 'ha');
}

/** Remember that `domain`'s new code in the HA of `key` waits for a reload. */
export function markReloadPending(key: string, domain: string): void {
  writeFileAtomic(pendingFile(key, domain), `${new Date().toISOString()}\n`, {mode: 0o600, dirMode: 0o700});
}

/** Does `domain`'s code in the HA of `key` still wait for a reload (a regular file kp wrote)? */
export function reloadPending(key: string, domain: string): boolean {
  try {
    return lstatSync(pendingFile(key, domain)).isFile();
  } catch {
    return false;
  }
}

/** The reload was answered (or the HA restarted): nothing waits any more. */
export function clearReloadPending(key: string, domain: string): void {
  rmSync(pendingFile(key, domain), {force: true});
}

/** The HA of `key` is gone with its config (`kp ha down --volumes`): no reload waits in it any more. */
export function clearReloadsPendingFor(key: string): void {
  const prefix = `${safeName(key)}__`;
  let names: string[];
  try {
    names = readdirSync(pendingDir());
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.startsWith(prefix))) rmSync(path.join(pendingDir(), name), {force: true});
}
