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
    const services = execFileSync(
      'docker',
      ['ps', '-a', '--filter', `label=com.docker.compose.project=${stack.project}`, '--format', `{{.Label "${SERVICE_LABEL}"}}`],
      {encoding: 'utf8'},
    )
      .split('\n')
      .filter(Boolean)
      .sort();
    expect(services).toEqual([...EXPECTED_SERVICES].sort());
    // One set of secrets: the env file was written once, by the first run.
    expect(readFileSync(stack.envFile, 'utf8').match(/^JWT_SECRET_KEY=/gm)).toHaveLength(1);
  });
});

describe('Given a stack still starting', () => {
  it('When the user presses Ctrl-C while kp waits for health, Then kp exits 130, the services still waited on end interrupted (not done), and no HTTP probe runs after it', async () => {
    const stack = await ownStack('interrupted');
    stack.ensureAbsent();
    let stderrSoFar = '';
    const result = await stack.kp(['compose', 'start', '--timeout', '180'], {
      onSpawn: (child) => {
        child.stderr?.on('data', (chunk: Buffer) => {
          const before = stderrSoFar;
          stderrSoFar += chunk.toString();
          // A service still in its start period: kp is waiting for health.
          const waiting = /: running, starting$/m;
          if (!waiting.test(before) && waiting.test(stderrSoFar)) setTimeout(() => child.kill('SIGINT'), 100);
        });
      },
    });
    expect(result.exitCode, result.stderr).toBe(130);
    const afterInterrupt = result.stderr.slice(result.stderr.indexOf('Interrupted'));
    // (the simple renderer prints `✖ <title> [FAILED: <message>]`, the terminal one the message alone)
    expect(result.stderr).toMatch(/^✖ .*\b\S+: running, starting: interrupted\]?$/m);
    expect(afterInterrupt).not.toMatch(/-> 200|✔ (backend API|frontend):/);
    expect(afterInterrupt).toMatch(/^✖ backend API answers.*interrupted/m);
    expect(result.stderr).toMatch(/^error: /m);
  });
});

describe('Given a running stack with a second celery-beat container (left by an earlier race)', () => {
  it('When status runs, Then it is degraded and names the duplicate; When start runs, Then it converges to one container per service', async () => {
    // Given
    const stack = await ownStack('duplicate');
    await stack.ensureUp();
    const beat = stack.serviceContainer('celery-beat');
    const image = execFileSync('docker', ['inspect', '-f', '{{.Config.Image}}', beat], {encoding: 'utf8'}).trim();
    const duplicate = `${stack.project}_celery-beat_2`;
    // Labelled as Compose labels its own second container of a service (as `--scale celery-beat=2` leaves it).
    const original = JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .Config.Labels}}', beat], {encoding: 'utf8'})) as Record<string, string>;
    const labels = {...original, 'com.docker.compose.container-number': '2'};
    execFileSync('docker', [
      'run',
      '-d',
      '--name',
      duplicate,
      ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      image,
      'sh',
      '-c',
      'while :; do sleep 1; done',
    ]);
    // When: status
    const status = await stack.kp(['compose', 'status', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as {state: string; services: Array<{service: string; duplicates: string[]}>};
    expect(report.state).toBe('degraded');
    expect(report.services.find((s) => s.service === 'celery-beat')!.duplicates).toHaveLength(1);
    // When: start
    const start = await stack.kp(['compose', 'start', '--json', '--timeout', '180']);
    expect(start.exitCode, start.stderr).toBe(0);
    expect(JSON.parse(start.stdout).reason).toContain('more than one container for celery-beat');
    const beats = execFileSync(
      'docker',
      ['ps', '-a', '--filter', `label=com.docker.compose.project=${stack.project}`, '--filter', 'label=com.docker.compose.service=celery-beat', '-q'],
      {encoding: 'utf8'},
    )
      .split('\n')
      .filter(Boolean);
    expect(beats).toHaveLength(1);
  });
});
