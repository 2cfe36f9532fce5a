/**
 * e2e: `kp compose` against a real Docker engine, running the SHIPPED compose file with the
 * images swapped for local busybox stand-ins (see compose-standins.ts). Tests run in order
 * and share one stack, as an evaluator's machine would.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runKp, projectRoot, type CliOptions} from '../helpers/cli.js';
import {buildComposeStandins, STANDIN_ENV} from './compose-standins.js';

const home = mkdtempSync(path.join(tmpdir(), 'kp-e2e-compose-'));
const ports = {FRONTEND_HOST_PORT: '18080', BACKEND_HOST_PORT: '18000', ARANGODB_HOST_PORT: '18529', VALKEY_HOST_PORT: '16379'};
const baseEnv = {
  ...STANDIN_ENV,
  ...ports,
  XDG_CONFIG_HOME: path.join(home, 'config'),
  XDG_STATE_HOME: path.join(home, 'state'),
};
const envFile = path.join(home, 'config', 'kp', 'compose.env');
const PROJECT_LABEL = 'label=com.docker.compose.project=kamerplanter';

function kp(args: string[], options: CliOptions = {}) {
  return runKp(args, {...options, env: {...baseEnv, ...options.env}});
}

function docker(...args: string[]): string {
  return execFileSync('docker', args, {encoding: 'utf8'}).trim();
}

function projectContainerIds(): string[] {
  return docker('ps', '-aq', '--no-trunc', '--filter', PROJECT_LABEL).split('\n').filter(Boolean).sort();
}

function arangodbContainer(): string {
  return docker('ps', '-q', '--filter', PROJECT_LABEL, '--filter', 'label=com.docker.compose.service=arangodb');
}

function removeStack(): void {
  execFileSync('docker-compose', ['-p', 'kamerplanter', '-f', path.join(projectRoot, 'compose/docker-compose.yml'), '--env-file', envFileForTeardown(), 'down', '--volumes', '--remove-orphans'], {
    stdio: 'ignore',
    env: {...process.env, ...baseEnv},
  });
}

function envFileForTeardown(): string {
  const file = path.join(home, 'teardown.env');
  writeFileSync(file, 'ARANGO_ROOT_PASSWORD=x\nARANGODB_PASSWORD=x\nJWT_SECRET_KEY=x\nTIMESCALEDB_PASSWORD=x\n');
  return file;
}

async function httpStatus(url: string): Promise<number> {
  const response = await fetch(url, {signal: AbortSignal.timeout(5000)});
  return response.status;
}

beforeAll(() => {
  // Given: a reachable engine (CI starts dockerd; a missing engine fails here, it never skips)
  expect(docker('version', '--format', '{{.Server.Version}}')).not.toBe('');
  buildComposeStandins();
  removeStack();
});

afterAll(() => {
  removeStack();
  rmSync(home, {recursive: true, force: true});
});

describe('kp compose on a real engine', () => {
  it('validates the shipped compose file with the real Compose (config)', () => {
    // Given the shipped file and a complete env file, When Compose renders it, Then it accepts it
    const out = execFileSync('docker-compose', ['-f', path.join(projectRoot, 'compose/docker-compose.yml'), '--env-file', envFileForTeardown(), 'config', '-q'], {
      encoding: 'utf8',
      env: {...process.env, ...baseEnv},
    });
    expect(out).toBe('');
  });

  it('doctor passes on this machine and fails (exit 3) with a hint when the daemon is unreachable', async () => {
    // Given the running engine, When doctor runs, Then every required check passes
    const healthy = await kp(['doctor', '--json']);
    expect(healthy.exitCode, healthy.stdout).toBe(0);
    const report = JSON.parse(healthy.stdout) as {ok: boolean; checks: Array<{name: string; status: string; detail: string}>};
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'docker daemon')).toMatchObject({status: 'ok'});
    expect(report.checks.find((c) => c.name === 'compose')?.detail).toMatch(/\d+\.\d+\.\d+/);
    expect(report.checks.find((c) => c.name === 'port 18080 (frontend)')).toMatchObject({status: 'ok'});
    // Given no daemon, Then the daemon check fails with a hint and doctor exits 3
    const down = await kp(['doctor'], {env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'}});
    expect(down.exitCode).toBe(3);
    expect(down.stdout).toMatch(/✖ docker daemon +Cannot connect to the Docker daemon/);
  });

  it('--dry-run prints the planned up and creates nothing: no container, no env file', async () => {
    const dryHome = mkdtempSync(path.join(tmpdir(), 'kp-e2e-dry-'));
    const result = await kp(['compose', 'start', '--dry-run', '--json'], {env: {XDG_CONFIG_HOME: dryHome, XDG_STATE_HOME: dryHome}});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({action: 'dry-run', envFile: {created: true}});
    expect(result.stderr).toMatch(/\[dry-run\] .*compose.* up -d/);
    expect(projectContainerIds()).toEqual([]);
    expect(() => statSync(path.join(dryHome, 'kp', 'compose.env'))).toThrow();
    rmSync(dryHome, {recursive: true, force: true});
  });

  it('refuses to start when the daemon is unreachable, with a clear error', async () => {
    // Given DOCKER_HOST pointing at no daemon, When starting, Then exit 3 and the engine's reason
    const result = await kp(['compose', 'start'], {env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'}});
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/daemon is not reachable/);
    expect(result.stderr).toMatch(/Cannot connect to the Docker daemon/);
  });

  it('refuses to start when a published port is held by another process, naming port and service, creating nothing', async () => {
    // Given another process listening on the frontend's host port
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(ports.FRONTEND_HOST_PORT), '127.0.0.1', resolve));
    try {
      // When starting
      const result = await kp(['compose', 'start', '--json']);
      // Then it stops before anything is created and says which port and service
      expect(result.exitCode).toBe(3);
      const payload = JSON.parse(result.stdout) as {error: {message: string; conflicts: Array<{port: number; service: string; holder?: string}>}};
      expect(payload.error.message).toMatch(/port 18080 \(frontend\) is in use by pid \d+/);
      expect(payload.error.conflicts[0]).toMatchObject({port: 18080, service: 'frontend'});
      expect(projectContainerIds()).toEqual([]);
      // (the env file is prepared before the preflight: creating it is safe and the next start reuses it)
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('starts the whole stack: all healthy, URLs answer, env file private and complete', async () => {
    // When starting on a machine with no stack
    const result = await kp(['compose', 'start', '--json', '--timeout', '180']);
    // Then every service is healthy and the URLs answer
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      action: string;
      envFile: {path: string; created: boolean};
      services: Array<{service: string; state: string; health: string}>;
      urls: {frontend: string; apiDocs: string; arangodb: string};
    };
    expect(report.action).toBe('created');
    expect(report.envFile).toMatchObject({path: envFile, addedKeys: []});
    expect(report.services.map((s) => s.service).sort()).toEqual(['arangodb', 'backend', 'celery-beat', 'celery-worker', 'frontend', 'valkey']);
    for (const service of report.services) expect([service.service, service.state, service.health]).toEqual([service.service, 'running', 'healthy']);
    expect(report.urls.frontend).toBe('http://localhost:18080/');
    expect(await httpStatus(report.urls.frontend)).toBe(200);
    expect(await httpStatus(report.urls.apiDocs)).toBe(200);
    expect(await httpStatus('http://localhost:18000/api/v1/health/ready')).toBe(200);

    // And the env file is 0600, generated, with no placeholder
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(envFile, 'utf8');
    const assignments = text.split('\n').filter((line) => !line.startsWith('#')).join('\n');
    expect(assignments).not.toMatch(/changeme|change-me/i);
    const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? '';
    expect(value('JWT_SECRET_KEY')).toMatch(/^[0-9a-f]{64}$/);
    expect(value('ARANGO_ROOT_PASSWORD').length).toBeGreaterThanOrEqual(43);
    expect(value('ARANGODB_PASSWORD')).toBe(value('ARANGO_ROOT_PASSWORD'));
  });

  it('a second start recreates nothing, runs no compose up, and leaves the env file untouched', async () => {
    // Given the running stack and its container IDs
    const before = projectContainerIds();
    const envBefore = {text: readFileSync(envFile, 'utf8'), mtime: statSync(envFile).mtimeMs};
    const spawnLog = path.join(home, 'spawns.jsonl');
    // When starting again
    const result = await kp(['compose', 'start', '--json'], {env: {KP_SPAWN_LOG: spawnLog}});
    // Then nothing changed: same containers, no `up`, says it was already up
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({action: 'already-up'});
    expect(result.stderr).toMatch(/already up/);
    expect(projectContainerIds()).toEqual(before);
    const spawned = readFileSync(spawnLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {command: string; args: string[]});
    expect(spawned.some((s) => s.args.includes('up'))).toBe(false);
    expect(readFileSync(envFile, 'utf8')).toBe(envBefore.text);
    expect(statSync(envFile).mtimeMs).toBe(envBefore.mtime);
  });

  it('reports per-service status as documented JSON', async () => {
    const result = await kp(['compose', 'status', '--json']);
    expect(result.exitCode).toBe(0);
    const status = JSON.parse(result.stdout) as {state: string; services: Array<Record<string, unknown>>};
    expect(status.state).toBe('up');
    const backend = status.services.find((s) => s.service === 'backend');
    expect(backend).toMatchObject({state: 'running', health: 'healthy', image: 'kp-standin-backend:e2e'});
    expect(backend?.ports).toEqual([{hostIp: '127.0.0.1', hostPort: 18000, containerPort: 8000, protocol: 'tcp'}]);
  });

  it('shows service logs', async () => {
    const result = await kp(['compose', 'logs', 'backend', '--tail', '50']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/stand-in backend \(mode light\) listening on 8000/);
  });

  it('keeps ArangoDB data across stop/start and down/start; down --volumes --yes deletes it', async () => {
    // Given a record written into the ArangoDB data volume
    docker('exec', arangodbContainer(), 'sh', '-c', 'echo plant-42 > /var/lib/arangodb3/marker');

    // When stopped and started again, Then the record is there
    expect((await kp(['compose', 'stop'])).exitCode).toBe(0);
    expect(docker('ps', '-q', '--filter', PROJECT_LABEL)).toBe('');
    expect((await kp(['compose', 'start', '--timeout', '180'])).exitCode).toBe(0);
    expect(docker('exec', arangodbContainer(), 'cat', '/var/lib/arangodb3/marker')).toBe('plant-42');

    // When taken down (containers removed) and started again, Then the record is still there
    const down = await kp(['compose', 'down']);
    expect(down.exitCode).toBe(0);
    expect(projectContainerIds()).toEqual([]);
    expect((await kp(['compose', 'start', '--timeout', '180'])).exitCode).toBe(0);
    expect(docker('exec', arangodbContainer(), 'cat', '/var/lib/arangodb3/marker')).toBe('plant-42');

    // When down --volumes runs without --yes and without a terminal, Then it refuses and deletes nothing
    const refused = await kp(['compose', 'down', '--volumes']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/Pass --yes/);
    expect(docker('volume', 'ls', '-q', '--filter', 'name=kamerplanter_arangodb-data')).toBe('kamerplanter_arangodb-data');

    // When down --volumes --yes, Then the data is gone after the next start
    expect((await kp(['compose', 'down', '--volumes', '--yes'])).exitCode).toBe(0);
    expect(docker('volume', 'ls', '-q', '--filter', 'name=kamerplanter_arangodb-data')).toBe('');
    expect((await kp(['compose', 'start', '--timeout', '180'])).exitCode).toBe(0);
    expect(() => docker('exec', arangodbContainer(), 'cat', '/var/lib/arangodb3/marker')).toThrow();
  });

  it('Ctrl-C during start leaves a state the next start converges from', async () => {
    // Given no stack
    expect((await kp(['compose', 'down'])).exitCode).toBe(0);
    // When the user presses Ctrl-C while Compose is creating containers
    const interrupted = await kp(['compose', 'start'], {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (projectContainerIds().length > 0) {
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
    const next = await kp(['compose', 'start', '--json', '--timeout', '180']);
    expect(next.exitCode, next.stderr).toBe(0);
    const report = JSON.parse(next.stdout) as {services: Array<{health: string}>};
    expect(report.services.every((s) => s.health === 'healthy')).toBe(true);
  });

  it('refuses a placeholder secret, naming the key, the position and the fix', async () => {
    // Given an env file someone edited by hand with the upstream placeholder
    const edited = path.join(home, 'edited.env');
    writeFileSync(edited, 'ARANGO_ROOT_PASSWORD=changeme\n', {mode: 0o600});
    // When starting with it, Then exit 2 with file:line:col and nothing changed
    const result = await kp(['compose', 'start', '--env-file', edited]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${edited}:1:1: ARANGO_ROOT_PASSWORD is the placeholder "changeme"`);
    expect(readFileSync(edited, 'utf8')).toBe('ARANGO_ROOT_PASSWORD=changeme\n');
  });
});
