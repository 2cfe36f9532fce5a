/**
 * e2e: `kp doctor` on this machine's real engine, checking the ports of the run's shared stack.
 */
import {describe, expect, it} from 'vitest';
import {sharedStack} from '../support/e2e.js';

interface DoctorReport {
  ok: boolean;
  checks: Array<{name: string; status: string; detail: string; required: boolean}>;
}

describe('Given this machine with its running engine', () => {
  it("When doctor --json runs, Then every required check passes, with the engine, Compose and the stack's ports", async () => {
    // Given
    const stack = sharedStack();
    // When
    const result = await stack.kp(['doctor', '--json']);
    // Then
    expect(result.exitCode, result.stdout).toBe(0);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.required).length).toBeGreaterThan(0);
    expect(report.checks.filter((c) => c.required && c.status === 'fail')).toEqual([]);
    expect(report.checks.find((c) => c.name === 'docker daemon')).toMatchObject({status: 'ok'});
    expect(report.checks.find((c) => c.name === 'compose')?.detail).toMatch(/\d+\.\d+\.\d+/);
    expect(report.checks.find((c) => c.name === `port ${stack.port('FRONTEND_HOST_PORT')} (frontend)`)).toMatchObject({status: 'ok'});
    // Whatever of the stack runs publishes on 127.0.0.1 only (read from the engine).
    expect(report.checks.find((c) => c.name === `${stack.project} exposure`)).toMatchObject({status: 'ok'});
  });
});

describe('Given no daemon at the engine address', () => {
  it("When doctor runs, Then the daemon check fails with the engine's reason and doctor exits 3", async () => {
    // When
    const result = await sharedStack().kp(['doctor'], {env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'}});
    // Then
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/✖ docker daemon +Cannot connect to the Docker daemon/);
  });
});
