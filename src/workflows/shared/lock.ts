/**
 * One kp run per target at a time: the lock owners (who, on which machine, which process) and the
 * local lock file. `kp compose` holds one per project for start/stop/down; `kp ha sync` holds one
 * per HA target for a whole round, beside its lock inside the target (ha/remote.ts, ha/round.ts).
 * A lock is waited for up to `--lock-timeout`, naming its holder; a holder is pushed aside only when
 * it is provably gone: it ran on this machine and its process no longer exists.
 */
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {writeFileAtomic} from '../../config/atomic-write.js';
import {locksDir} from '../../config/paths.js';
import {fail, unlessInterrupted} from '../../core/errors.js';
import {poll} from '../../core/poll.js';

/** Who holds a lock: enough to tell, on this machine, whether that process still exists. */
export interface LockOwner {
  host: string;
  /** First 12 characters of /etc/machine-id (`-` when unknown): two machines may share a host name. */
  machine: string;
  pid: number;
  /** The process's start time in clock ticks since boot (`/proc/PID/stat`), `-` when unknown: a reused pid is not the owner. */
  start: string;
  /** When the lock was taken (RFC 3339). */
  at: string;
}

function readMachineId(): string {
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{12,}$/i.test(id)) return id.slice(0, 12).toLowerCase();
    } catch {
      // next candidate
    }
  }
  return '-';
}

/** The start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), undefined off Linux or when gone. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** This process as a lock owner. */
export function currentOwner(now = new Date()): LockOwner {
  return {
    host: os.hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'unknown',
    machine: readMachineId(),
    pid: process.pid,
    start: processStartTicks(process.pid) ?? '-',
    at: now.toISOString(),
  };
}

/** The one-line form stored in a lock (also what the target's lock file holds). */
export function formatOwner(owner: LockOwner): string {
  return `kp host=${owner.host} machine=${owner.machine} pid=${owner.pid} start=${owner.start} at=${owner.at}`;
}

/** Parse a lock's owner line; undefined when it is not one kp wrote (then nobody can prove it gone). */
export function parseOwner(line: string): LockOwner | undefined {
  const match = /^kp host=(\S+) machine=(\S+) pid=(\d+) start=(\S+) at=(\S+)$/.exec(line.trim());
  if (!match) return undefined;
  return {host: match[1]!, machine: match[2]!, pid: Number(match[3]), start: match[4]!, at: match[5]!};
}

/** A person-readable holder: `pid 4242 on laptop since 12:03:01`. */
export function describeOwner(line: string): string {
  const owner = parseOwner(line);
  if (!owner) return line.trim() ? `an unknown holder (${line.trim()})` : 'an unknown holder';
  const since = Number.isNaN(Date.parse(owner.at)) ? owner.at : new Date(owner.at).toLocaleTimeString();
  return `kp pid ${owner.pid} on ${owner.host} since ${since}`;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Is the holder provably gone? Only a holder on this machine can be checked: its pid no longer
 * exists, or it exists with another start time (the pid was reused). Anything else is alive.
 */
export function ownerGone(owner: LockOwner, here: LockOwner = currentOwner(), exists = processExists, startOf = processStartTicks): boolean {
  if (owner.host !== here.host || owner.machine !== here.machine) return false;
  if (owner.pid === here.pid && owner.start === here.start) return false;
  if (!exists(owner.pid)) return true;
  const start = startOf(owner.pid);
  return owner.start !== '-' && start !== undefined && start !== owner.start;
}

/** Release function of a held lock. */
export type ReleaseLock = () => Promise<void>;

/** The local lock file of `kind` (`ha-sync`, `compose`) for `key` (any string naming the target). */
export function localLockPath(kind: string, key: string): string {
  return path.join(locksDir(), `${kind}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`);
}

/**
 * Take the local lock for `key`, waiting up to `deadline` (ms since epoch); `onWait` is called
 * once with the holder. proper-lockfile does the atomic part (mkdir, a stale lock's takeover
 * without a race, noticing a lock taken away); the owner line beside it says who holds it.
 */
export async function acquireLocalLock(
  kind: string,
  key: string,
  label: string,
  options: {deadline: number; onWait: (holder: string) => void; pollMs?: number},
): Promise<ReleaseLock> {
  const lockfile = await import('proper-lockfile');
  const file = localLockPath(kind, key);
  mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
  const ownerFile = `${file}.owner`;
  let announced = false;
  const waited = await poll<ReleaseLock, string>(
    async () => {
      try {
        // A holder that dies stops refreshing the lock's mtime: after `stale` ms it is gone.
        const release = await lockfile.lock(file, {realpath: false, stale: 15_000, update: 5_000, retries: 0, onCompromised: () => undefined});
        writeFileAtomic(ownerFile, `${formatOwner(currentOwner())}\n`);
        return {done: true, value: releaseWith(release, ownerFile)};
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      }
      const holder = existsSync(ownerFile) ? readFileSync(ownerFile, 'utf8').trim() : '';
      if (!announced) options.onWait(describeOwner(holder));
      announced = true;
      return {done: false, seen: holder};
    },
    {deadline: options.deadline, intervalMs: options.pollMs ?? 500},
  );
  if (!waited.done) throw lockTimeout(label, waited.lastSeen ?? '', 'on this machine');
  return waited.value;
}

/**
 * Giving the lock back: the owner line goes first (a waiter that sees no owner file retries rather
 * than name a gone holder), then the lock. A lock proper-lockfile already lost (compromised) is gone.
 */
function releaseWith(release: () => Promise<void>, ownerFile: string): ReleaseLock {
  return async () => {
    rmSync(ownerFile, {force: true});
    await release().catch(unlessInterrupted(undefined));
  };
}

/** The error when a lock stayed held past --lock-timeout. */
export function lockTimeout(label: string, holder: string, where: string, lockPath?: string): Error {
  const owner = parseOwner(holder);
  return fail.prerequisite(
    `Another kp run on ${label} holds the lock (${describeOwner(holder)}, ${where}); gave up waiting.`,
    owner
      ? `Wait for it to finish, or raise --lock-timeout.${lockPath ? ` If that run is gone (another machine cannot be checked from here), remove ${lockPath} in the target.` : ''}`
      : `Wait, or raise --lock-timeout.${lockPath ? ` If nothing is syncing, remove ${lockPath} in the target.` : ''}`,
  );
}
