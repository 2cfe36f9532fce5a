import {spawn} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../src/core/errors.js';
import {acquireLocalLock, currentOwner, describeOwner, formatOwner, localLockPath, ownerGone, parseOwner} from '../../../../src/workflows/shared/lock.js';
import {useSandbox} from '../../../helpers/scripted-runner.js';

useSandbox();

describe('lock owners', () => {
  it('Given this process, When its owner line is formatted and parsed back, Then every field survives', () => {
    const owner = currentOwner(new Date('2026-11-25T10:00:00.000Z'));
    expect(parseOwner(formatOwner(owner))).toEqual(owner);
    expect(owner.pid).toBe(process.pid);
    expect(describeOwner(formatOwner(owner))).toContain(`kp pid ${process.pid} on ${owner.host}`);
  });

  it('Given a line kp did not write, When parsed, Then it is no owner (nobody can prove it gone)', () => {
    expect(parseOwner('someone else')).toBeUndefined();
    expect(describeOwner('')).toBe('an unknown holder');
  });

  it('Given owners on this machine, When checked, Then only a dead pid or a reused pid (other start time) is gone', () => {
    const here = {host: 'laptop', machine: 'abc', pid: 10, start: '500', at: 'x'};
    const alive = (pid: number) => pid !== 77;
    const startOf = (pid: number) => (pid === 88 ? '999' : '123');
    expect(ownerGone({...here, pid: 77, start: '123'}, here, alive, startOf)).toBe(true);
    expect(ownerGone({...here, pid: 88, start: '123'}, here, alive, startOf)).toBe(true);
    expect(ownerGone({...here, pid: 99, start: '123'}, here, alive, startOf)).toBe(false);
    // Another machine (or the same name on another machine) can never be proven gone from here.
    expect(ownerGone({...here, host: 'other', pid: 77}, here, alive, startOf)).toBe(false);
    expect(ownerGone({...here, machine: 'def', pid: 77}, here, alive, startOf)).toBe(false);
  });

  it('Given a process that exited, When its owner is checked for real, Then it is gone', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    const owner = {...currentOwner(), pid: child.pid!, start: '1'};
    expect(ownerGone(owner)).toBe(true);
    expect(ownerGone(currentOwner())).toBe(false);
  });
});

describe('the local lock', () => {
  it('Given the lock is free, When taken twice in a row with a release between, Then both succeed and the lock lives under XDG_STATE_HOME', async () => {
    const release = await acquireLocalLock('ha-sync', 'target-a', 'container ha', {deadline: Date.now(), onWait: () => undefined});
    await release();
    const again = await acquireLocalLock('ha-sync', 'target-a', 'container ha', {deadline: Date.now(), onWait: () => undefined});
    await again();
    expect(localLockPath('ha-sync', 'target-a').startsWith(process.env.XDG_STATE_HOME!)).toBe(true);
  });

  it('Given another holder, When a second run takes the lock, Then it names the holder once, waits, and gives up at the deadline with exit 3', async () => {
    const release = await acquireLocalLock('ha-sync', 'target-b', 'container ha', {deadline: Date.now(), onWait: () => undefined});
    const waits: string[] = [];
    const started = Date.now();
    const error = await acquireLocalLock('ha-sync', 'target-b', 'container ha', {
      deadline: Date.now() + 300,
      pollMs: 50,
      onWait: (holder) => waits.push(holder),
    }).catch((e: unknown) => e);
    await release();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(waits).toEqual([expect.stringContaining(`kp pid ${process.pid}`)]);
    expect(error).toMatchObject({exitCode: ExitCode.Prerequisite, message: expect.stringContaining('holds the lock')});
  });

  it('Given a holder that releases while a second run waits, When the second run polls, Then it gets the lock', async () => {
    const release = await acquireLocalLock('ha-sync', 'target-c', 'container ha', {deadline: Date.now(), onWait: () => undefined});
    setTimeout(() => void release(), 150);
    const second = await acquireLocalLock('ha-sync', 'target-c', 'container ha', {deadline: Date.now() + 5_000, pollMs: 50, onWait: () => undefined});
    await second();
  });

  it('Given different targets, When both are locked, Then neither waits for the other', async () => {
    const a = await acquireLocalLock('ha-sync', 'target-d', 'a', {deadline: Date.now(), onWait: () => undefined});
    const b = await acquireLocalLock('ha-sync', 'target-e', 'b', {deadline: Date.now(), onWait: () => undefined});
    await a();
    await b();
  });
});
