/**
 * e2e: `kp compose status` on the run's shared stack, which it brings up first.
 */
import {describe, expect, it} from 'vitest';
import {e2eRun, sharedStack} from '../../support/e2e.js';
import {EXPECTED_SERVICES} from '../../support/stack.js';

describe('Given the stack is up and healthy', () => {
  it('When status --json runs, Then it reports every service, its state, health, image and ports as documented', async () => {
    // Given
    const stack = sharedStack();
    await stack.ensureUp();
    // When
    const result = await stack.kp(['compose', 'status', '--json']);
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as {
      project: string;
      state: string;
      envFile: string;
      envFileExists: boolean;
      services: Array<Record<string, unknown>>;
    };
    expect(status).toMatchObject({project: stack.project, state: 'up', envFile: stack.envFile, envFileExists: true});
    expect(status.services.map((s) => s.service).sort()).toEqual(EXPECTED_SERVICES);
    const backend = status.services.find((s) => s.service === 'backend');
    expect(backend).toMatchObject({state: 'running', health: 'healthy', image: `kp-standin-backend:${e2eRun().standinTag}`});
    expect(backend?.ports).toEqual([{hostIp: '127.0.0.1', hostPort: stack.port('BACKEND_HOST_PORT'), containerPort: 8000, protocol: 'tcp'}]);
  });
});
