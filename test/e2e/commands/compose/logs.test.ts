/**
 * e2e: `kp compose logs` on the run's shared stack, which it brings up first.
 */
import {describe, expect, it} from 'vitest';
import {sharedStack} from '../../support/e2e.js';

describe('Given the stack is up', () => {
  it("When logs backend --tail 50 runs, Then the backend's own output is printed on stdout", async () => {
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

  it('When logs backend --json runs, Then the log lines go to stderr and stdout is the result object alone (its schema checked by runKp)', async () => {
    const stack = sharedStack();
    await stack.ensureUp();
    const result = await stack.kp(['compose', 'logs', 'backend', '--tail', '50', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/stand-in backend \(mode light\) listening on 8000/);
    expect(JSON.parse(result.stdout)).toEqual({project: stack.project, services: ['backend'], exitCode: 0, interrupted: false});
  });
});

describe('Given the stack is up and its logs followed', () => {
  it('When the user presses Ctrl-C (SIGINT), Then kp exits 130 with no error line', async () => {
    const stack = sharedStack();
    await stack.ensureUp();
    let sawOutput: () => void = () => undefined;
    const output = new Promise<void>((resolve) => (sawOutput = resolve));
    const result = await stack.kp(['compose', 'logs', '-f', 'backend', '--tail', '5'], {
      onSpawn: (child) => {
        let seen = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (/stand-in backend/.test(seen)) sawOutput();
        });
        void output.then(() => child.kill('SIGINT'));
      },
    });
    expect(result.exitCode, result.stderr).toBe(130);
    expect(result.stderr).not.toMatch(/^error:/m);
    expect(result.stdout).toMatch(/stand-in backend/);
  });
});
