import {describe, expect, it} from 'vitest';
import {InterruptedError, fail, unlessInterrupted} from '../../../src/core/errors.js';
import {settleWithin} from '../../../src/core/interruption.js';

describe('settleWithin (a shutdown step that cannot hang)', () => {
  it('Given work that never settles, When it is bounded to 50 ms, Then it gives up with timed-out', async () => {
    // Given
    const never = new Promise(() => undefined);
    // When
    const started = Date.now();
    const outcome = await settleWithin(50, never);
    // Then
    expect(outcome).toBe('timed-out');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('Given work that fails at once, When it is bounded, Then it counts as settled and never throws', async () => {
    // Given / When
    const outcome = await settleWithin(5_000, Promise.reject(new Error('closed twice')));
    // Then
    expect(outcome).toBe('settled');
  });
});

describe('unlessInterrupted (the one way kp ignores a failure)', () => {
  it('Given a probe that fails, When its failure is ignored, Then the fallback stands in for it', async () => {
    expect(await Promise.reject(fail.toolFailed('no answer')).catch(unlessInterrupted(false))).toBe(false);
  });

  it('Given Ctrl-C during the probe, When its failure would be ignored, Then the interruption comes through', async () => {
    await expect(Promise.reject(new InterruptedError()).catch(unlessInterrupted(undefined))).rejects.toBeInstanceOf(InterruptedError);
  });
});
