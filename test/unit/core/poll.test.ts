/**
 * The one poll loop: done as soon as a look says so, a timeout only when the deadline passed (with
 * the last thing seen and the real time waited), a look's failure as itself, Ctrl-C at once.
 */
import {describe, expect, it} from 'vitest';
import {InterruptedError, fail} from '../../../src/core/errors.js';
import {poll} from '../../../src/core/poll.js';

describe('poll', () => {
  it('Given a look that is done on its third try, When polled, Then the value comes back after three looks', async () => {
    const outcome = await poll(async (n) => (n === 3 ? {done: true, value: 'ready'} : {done: false, seen: n}), {deadline: Date.now() + 5_000, intervalMs: 1});
    expect(outcome).toMatchObject({done: true, value: 'ready', looks: 3});
  });

  it('Given a look that is never done, When the deadline passes, Then it ends not done, with the last thing seen and how long it really waited', async () => {
    const started = Date.now();
    const outcome = await poll(async (n) => ({done: false, seen: `look ${n}`}), {deadline: started + 120, intervalMs: 20});
    expect(outcome.done).toBe(false);
    if (outcome.done) return;
    expect(outcome.lastSeen).toBe(`look ${outcome.looks}`);
    expect(outcome.looks).toBeGreaterThanOrEqual(2);
    expect(outcome.waitedMs).toBeGreaterThanOrEqual(100);
  });

  it('Given a deadline already passed, When polled, Then one look still happens', async () => {
    const outcome = await poll(async () => ({done: true, value: 1}), {deadline: Date.now() - 1, intervalMs: 10});
    expect(outcome).toMatchObject({done: true, looks: 1});
  });

  it('Given a look that fails, When polled, Then the failure comes out as itself (never a timeout)', async () => {
    const failure = fail.toolFailed('kubectl failed');
    await expect(poll(() => Promise.reject(failure), {deadline: Date.now() + 5_000, intervalMs: 10})).rejects.toBe(failure);
  });

  it('Given a long pause, When the wait is cancelled (Ctrl-C), Then it ends at once with InterruptedError and looks no more', async () => {
    const cancel = new AbortController();
    let looks = 0;
    const waiting = poll(
      async () => {
        looks += 1;
        return {done: false};
      },
      {deadline: Date.now() + 60_000, intervalMs: 30_000, signal: cancel.signal},
    );
    setTimeout(() => cancel.abort(), 20);
    const started = Date.now();
    await expect(waiting).rejects.toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(looks).toBe(1);
  });

  it('Given an interval that depends on the time left, When polled, Then it is asked with the time left and the looks so far', async () => {
    const asked: number[] = [];
    await poll(async (n) => (n === 3 ? {done: true, value: n} : {done: false}), {
      deadline: Date.now() + 5_000,
      intervalMs: (left, looks) => {
        asked.push(looks);
        expect(left).toBeGreaterThan(0);
        return 1;
      },
    });
    expect(asked).toEqual([1, 2]);
  });
});
