/**
 * e2e: `kp compose start` against a real Docker engine, running the SHIPPED compose file with the
 * images swapped for local busybox stand-ins (support/compose-standins.ts). Every test sets up the
 * state it needs: the run's shared stack brought up (ensureUp) or made absent (ensureAbsent), or a
 * project of its own that never starts. No test names a user's `kamerplanter` project.
 */
import {readFileSync, statSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:net';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {useTempDirs} from '../../../helpers/temp-dirs.js';
import {sharedStack, useOwnStacks} from '../../support/e2e.js';
import {EXPECTED_SERVICES} from '../../support/stack.js';

const tempDir = useTempDirs();
const ownStack = useOwnStacks();

interface StartReport {
  project: string;
  action: string;
  envFile: {path: string; created: boolean; addedKeys: string[]};
  services: Array<{service: string; state: string; health: string}>;
  urls: {frontend: string; apiDocs: string; arangodb: string};
}

async function httpStatus(url: string): Promise<number> {
  const response = await fetch(url, {signal: AbortSignal.timeout(5000)});
  return response.status;
}

describe('Given a project that was never started', () => {
  it('When start --dry-run runs, Then it prints the planned up and creates nothing: no container, no env file', async () => {
    // Given
    const stack = await ownStack('start-dry-run', {home: tempDir('kp-e2e-dry-')});
    // When
    const result = await stack.kp(['compose', 'start', '--dry-run', '--json']);
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({project: stack.project, action: 'dry-run', envFile: {path: stack.envFile, created: true}});
    expect(result.stderr).toMatch(/\[dry-run\] .*compose.* up -d/);
    expect(result.stderr).toContain(stack.project);
    expect(stack.containerIds()).toEqual([]);
    expect(() => statSync(stack.envFile)).toThrow();
  });

  it("When start runs while the daemon is unreachable, Then it exits 3 with the engine's reason", async () => {
    // Given DOCKER_HOST pointing at no daemon
    const stack = await ownStack('start-no-daemon', {home: tempDir('kp-e2e-no-daemon-')});
    // When
    const result = await stack.kp(['compose', 'start'], {env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'}});
    // Then
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/daemon is not reachable/);
    expect(result.stderr).toMatch(/Cannot connect to the Docker daemon/);
  });

  it('When start runs while a published port is held by another process, Then it names port and service and creates nothing', async () => {
    // Given another process listening on the frontend's host port
    const stack = await ownStack('start-port-busy', {home: tempDir('kp-e2e-port-busy-')});
    const port = stack.port('FRONTEND_HOST_PORT');
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      // When
      const result = await stack.kp(['compose', 'start', '--json']);
      // Then it stops before anything is created and says which port and service
      expect(result.exitCode).toBe(3);
      const payload = JSON.parse(result.stdout) as {error: {message: string; conflicts: Array<{port: number; service: string; holder?: string}>}};
      expect(payload.error.message).toMatch(new RegExp(`port ${port} \\(frontend\\) is in use by pid \\d+`));
      expect(payload.error.conflicts[0]).toMatchObject({port, service: 'frontend'});
      expect(stack.containerIds()).toEqual([]);
      // (the env file is prepared before the preflight: creating it is safe and the next start reuses it)
      expect(statSync(stack.envFile).mode & 0o777).toBe(0o600);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('When start runs with an env file holding a placeholder secret, Then it refuses (exit 2) naming the key, the position and the fix', async () => {
    // Given an env file someone edited by hand with the upstream placeholder
    const stack = await ownStack('start-placeholder', {home: tempDir('kp-e2e-placeholder-')});
    const edited = path.join(stack.spec.home, 'edited.env');
    writeFileSync(edited, 'ARANGO_ROOT_PASSWORD=changeme\n', {mode: 0o600});
    // When
    const result = await stack.kp(['compose', 'start', '--env-path', edited]);
    // Then exit 2 with file:line:col, the file unchanged and nothing created
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${edited}:1:1: ARANGO_ROOT_PASSWORD is the placeholder "changeme"`);
    expect(readFileSync(edited, 'utf8')).toBe('ARANGO_ROOT_PASSWORD=changeme\n');
    expect(stack.containerIds()).toEqual([]);
  });
});

describe('Given no stack and no env file (the shared stack made absent)', () => {
  it('When start runs, Then the whole stack is created: all healthy, URLs answer, env file private and complete', async () => {
    // Given
    const stack = sharedStack();
    stack.ensureAbsent();
    // When
    const result = await stack.kp(['compose', 'start', '--json', '--timeout', '180']);
    // Then every service is healthy and the URLs answer
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as StartReport;
    expect(report.project).toBe(stack.project);
    expect(report.action).toBe('created');
    expect(report.envFile).toMatchObject({path: stack.envFile, created: true, addedKeys: []});
    expect(report.services.map((s) => s.service).sort()).toEqual(EXPECTED_SERVICES);
    for (const service of report.services) expect([service.service, service.state, service.health]).toEqual([service.service, 'running', 'healthy']);
    expect(report.urls.frontend).toBe(`http://localhost:${stack.port('FRONTEND_HOST_PORT')}/`);
    expect(await httpStatus(report.urls.frontend)).toBe(200);
    expect(await httpStatus(report.urls.apiDocs)).toBe(200);
    expect(await httpStatus(`http://localhost:${stack.port('BACKEND_HOST_PORT')}/api/v1/health/ready`)).toBe(200);

    // And the env file is 0600, generated, with no placeholder
    expect(statSync(stack.envFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(stack.envFile, 'utf8');
    const assignments = text
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    expect(assignments).not.toMatch(/changeme|change-me/i);
    const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? '';
    expect(value('JWT_SECRET_KEY')).toMatch(/^[0-9a-f]{64}$/);
    expect(value('ARANGO_ROOT_PASSWORD').length).toBeGreaterThanOrEqual(43);
    expect(value('ARANGODB_PASSWORD')).toBe(value('ARANGO_ROOT_PASSWORD'));
  });

  it('When the user presses Ctrl-C while Compose creates containers, Then kp exits 130 and the next start converges to a healthy stack', async () => {
    // Given
    const stack = sharedStack();
    stack.ensureAbsent();
    // When the user presses Ctrl-C as soon as the first container exists
    const interrupted = await stack.kp(['compose', 'start'], {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (stack.containerIds().length > 0) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 200);
        child.on('close', () => clearInterval(poll));
      },
    });
    // Then kp exits with 130 and says how to continue
    expect(interrupted.exitCode).toBe(130);
    expect(interrupted.stderr).toMatch(/Interrupted/);
    // And the next start converges to a healthy stack
    const next = await stack.kp(['compose', 'start', '--json', '--timeout', '180']);
    expect(next.exitCode, next.stderr).toBe(0);
    const report = JSON.parse(next.stdout) as StartReport;
    expect(report.services.map((s) => [s.service, s.health]).sort()).toEqual(EXPECTED_SERVICES.map((service) => [service, 'healthy']));
  });
});

describe('Given the stack is up and healthy', () => {
  it('When start runs again, Then it recreates nothing, runs no compose up, and leaves the env file untouched', async () => {
    // Given the running stack, its container IDs and its env file
    const stack = sharedStack();
    await stack.ensureUp();
    const before = stack.containerIds();
    expect(before).toHaveLength(EXPECTED_SERVICES.length);
    const envBefore = {text: readFileSync(stack.envFile, 'utf8'), mtime: statSync(stack.envFile).mtimeMs};
    const spawnLog = path.join(tempDir('kp-e2e-spawns-'), 'spawns.jsonl');
    // When
    const result = await stack.kp(['compose', 'start', '--json'], {env: {KP_SPAWN_LOG: spawnLog}});
    // Then nothing changed: same containers, no `up`, says it was already up
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({action: 'already-up'});
    expect(result.stderr).toMatch(/already up/);
    expect(stack.containerIds()).toEqual(before);
    const spawned = readFileSync(spawnLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {command: string; args: string[]});
    expect(spawned.some((s) => s.command === 'docker')).toBe(true); // it observed the engine...
    expect(spawned.filter((s) => s.args.includes('up'))).toEqual([]); // ...and ran no `up`
    expect(readFileSync(stack.envFile, 'utf8')).toBe(envBefore.text);
    expect(statSync(stack.envFile).mtimeMs).toBe(envBefore.mtime);
  });
});
