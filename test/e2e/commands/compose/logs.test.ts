/**
 * e2e: `kp compose logs` on the run's shared stack, which it brings up first.
 */
import {describe, expect, it} from 'vitest';
import {sharedStack} from '../../support/e2e.js';

describe('Given the stack is up', () => {
  it('When logs backend --tail 50 runs, Then the backend\'s own output is printed on stdout', async () => {
    // Given
    const stack = sharedStack();
    await stack.ensureUp();
    // When
    const result = await stack.kp(['compose', 'logs', 'backend', '--tail', '50']);
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/stand-in backend \(mode light\) listening on 8000/);
    expect(result.stdout).not.toMatch(/stand-in nginx/); // only the service asked for
  });
});
