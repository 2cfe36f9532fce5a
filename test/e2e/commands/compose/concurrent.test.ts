/**
 * e2e: two terminals, one project. A second `kp compose start` while the first is still starting
 * waits for the project's lock (naming the holder) instead of racing it: one container per service,
 * one set of secrets, both runs succeed.
 */
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {useOwnStacks} from '../../support/e2e.js';
import {EXPECTED_SERVICES} from '../../support/stack.js';
import {SERVICE_LABEL} from '../../support/docker.js';
import {execFileSync} from 'node:child_process';

const ownStack = useOwnStacks();

describe('Given a project that does not exist yet', () => {
  it('When two kp compose start run at once, Then the second waits for the first, both exit 0, and every service has exactly one container', async () => {
    // Given
    const stack = await ownStack('concurrent');
    stack.ensureAbsent();
    // When
    const [first, second] = await Promise.all([
      stack.kp(['compose', 'start', '--timeout', '180']),
      new Promise((resolve) => setTimeout(resolve, 300)).then(() => stack.kp(['compose', 'start', '--timeout', '180'])),
    ]);
    // Then
    expect(first.exitCode, first.stderr).toBe(0);
    expect(second.exitCode, second.stderr).toBe(0);
    expect([first.stderr, second.stderr].filter((stderr) => stderr.includes(`Waiting for another kp run on compose project ${stack.project}`))).toHaveLength(1);
    const services = execFileSync('docker', ['ps', '-a', '--filter', `label=com.docker.compose.project=${stack.project}`, '--format', `{{.Label "${SERVICE_LABEL}"}}`], {encoding: 'utf8'})
      .split('\n')
      .filter(Boolean)
      .sort();
    expect(services).toEqual([...EXPECTED_SERVICES].sort());
    // One set of secrets: the env file was written once, by the first run.
    expect(readFileSync(stack.envFile, 'utf8').match(/^JWT_SECRET_KEY=/gm)).toHaveLength(1);
  });
});
