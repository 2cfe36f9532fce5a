/**
 * The login kp created for a dev Home Assistant it onboarded, and its refresh token: one JSON file
 * per HA under `$XDG_STATE_HOME/kp/ha-credentials/`, mode 0600 in a 0700 folder, never in the
 * checkout. Written before the owner is created (state `creating-owner`), so an interruption never
 * leaves an HA owned by a password nobody knows.
 */
import {lstatSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from './atomic-write.js';
import {stateDir} from './paths.js';

/** What kp keeps for one HA it onboarded. */
export interface HaCredentials {
  /** HA's base URL when kp onboarded it. */
  url: string;
  name: string;
  username: string;
  password: string;
  /** Absent until the owner's auth code was exchanged. */
  refreshToken?: string;
  /** The OAuth client id the refresh token was issued to (HA refreshes it for that id only). */
  clientId?: string;
  /** `creating-owner` (written before the request), `owner` (account created), `onboarded` (every step done). */
  state: 'creating-owner' | 'owner' | 'onboarded';
  /** When kp created the owner (RFC 3339). */
  createdAt: string;
}

/** The folder of every credentials file. */
export function credentialsDir(): string {
  return path.join(stateDir(), 'ha-credentials');
}

/** The file of one HA's credentials (`key`: the target's credentials key). */
export function credentialsFile(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return path.join(credentialsDir(), `${safe || 'ha'}.json`);
}

/** The credentials kept for `key`, or undefined (none, a symlink kp did not create, or unreadable). */
export function readCredentials(key: string): HaCredentials | undefined {
  const file = credentialsFile(key);
  try {
    if (!lstatSync(file).isFile()) return undefined;
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<HaCredentials>;
    if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string' || typeof parsed.url !== 'string') return undefined;
    return parsed as HaCredentials;
  } catch {
    return undefined;
  }
}

/** Keep `credentials` for `key` (atomic; mode 0600; replaces a planted symlink rather than writing through it). */
export function writeCredentials(key: string, credentials: HaCredentials): void {
  writeFileAtomic(credentialsFile(key), `${JSON.stringify(credentials, null, 2)}\n`, {mode: 0o600, dirMode: 0o700});
}

/** Forget the credentials of `key` (its HA and config volume are gone). */
export function removeCredentials(key: string): void {
  rmSync(credentialsFile(key), {force: true});
}

/** The keys of every login kp keeps (one per HA it onboarded). */
export function keptCredentialKeys(): string[] {
  try {
    return readdirSync(credentialsDir())
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .map((name) => name.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}
