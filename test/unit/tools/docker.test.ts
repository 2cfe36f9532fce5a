import {describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../src/core/errors.js';
import {Engine, isDaemonDown, parseEngineVersion, parseInspect, parseLabelString, parsePsJsonLines} from '../../../src/tools/docker.js';
import {recorded} from '../../helpers/recorded-docker.js';
import {scriptedContext} from '../../helpers/scripted-runner.js';

describe('docker output parsers (fed with recorded output)', () => {
  it('Given `docker version --format {{json .}}` from a running engine, When parsed, Then client and engine versions are read', () => {
    expect(parseEngineVersion(recorded('version.json'), '')).toEqual({client: '28.2.2', server: '20.10.24+dfsg1', daemonError: undefined});
  });

  it('Given `docker version` while the daemon is down, When parsed, Then the client version and the daemon-down message are kept', () => {
    const version = parseEngineVersion(recorded('version-daemon-down.stdout'), recorded('version-daemon-down.stderr'));
    expect(version.client).toBe('28.2.2');
    expect(version.server).toBeUndefined();
    expect(version.daemonError).toMatch(/^Cannot connect to the Docker daemon at .* Is the docker daemon running\?$/);
    expect(isDaemonDown(recorded('version-daemon-down.stderr'))).toBe(true);
  });

  it('Given `docker ps --format {{json .}}` lines of a compose v1 project, When parsed, Then each row carries its labels', () => {
    const rows = parsePsJsonLines(recorded('ps-compose-v1.jsonl'));
    expect(rows).toHaveLength(6);
    const frontend = rows.find((r) => r.labels['com.docker.compose.service'] === 'frontend');
    expect(frontend).toMatchObject({name: 'kamerplanter_frontend_1', image: 'kp-standin-frontend:e2e', state: 'running'});
    expect(frontend?.labels['com.docker.compose.project']).toBe('kamerplanter');
    expect(frontend?.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('Given `docker inspect` of a healthy backend and of celery-beat, When parsed, Then health, ports, labels and restart data are read', () => {
    const [backend] = parseInspect(recorded('inspect-backend-healthy.json'));
    expect(backend).toMatchObject({
      name: 'kamerplanter_backend_1',
      running: true,
      status: 'running',
      health: 'healthy',
      restartCount: 0,
      restartPolicy: 'unless-stopped',
    });
    expect(backend?.ports).toEqual([{containerPort: '8000/tcp', hostIp: '127.0.0.1', hostPort: 8000}]);
    expect(backend?.labels['com.docker.compose.service']).toBe('backend');
    const [beat] = parseInspect(recorded('inspect-celery-beat.json'));
    expect(beat).toMatchObject({name: 'kamerplanter_celery-beat_1'});
    expect(beat?.ports).toEqual([]);
  });

  it('Given label strings as docker ps prints them, When split, Then `=` inside values is kept and empty input gives no labels', () => {
    expect(parseLabelString('a=b,c=d=e,')).toEqual({a: 'b', c: 'd=e'});
    expect(parseLabelString('')).toEqual({});
  });
});

describe('Engine adapter (scripted, recorded output)', () => {
  it("Given a daemon that does not answer, When the daemon is required, Then a prerequisite error carries the engine's message", async () => {
    // Given
    const {runner} = scriptedContext([
      {match: ['docker', 'version'], reply: {exitCode: 1, stdout: recorded('version-daemon-down.stdout'), stderr: recorded('version-daemon-down.stderr')}},
    ]);
    // When
    const error = await new Engine(runner, 'docker').ensureDaemon().catch((e: unknown) => e);
    // Then
    expect(error).toBeInstanceOf(KpError);
    expect(error).toMatchObject({exitCode: ExitCode.Prerequisite});
    expect((error as Error).message).toMatch(/^The docker daemon is not reachable: Cannot connect to the Docker daemon at unix:\/\/\/nonexistent.sock/);
  });

  it('Given no docker on PATH, When the engine is asked anything, Then it says docker is not installed', async () => {
    const {runner} = scriptedContext([{match: ['docker'], reply: {notFound: true}}]);

    const error = await new Engine(runner, 'docker').listContainers(['a=b']).catch((e: unknown) => e);

    expect(error).toMatchObject({exitCode: ExitCode.Prerequisite, message: 'docker is not installed (not found on PATH).'});
  });

  it('Given no containers, When inspected, Then no process runs', async () => {
    const {runner} = scriptedContext([]);

    expect(await new Engine(runner, 'docker').inspect([])).toEqual([]);
    expect(runner.calls).toEqual([]);
  });

  it('Given the recorded project, When its containers are found, Then one ps (all, untruncated, label-filtered) and one inspect of every ID run', async () => {
    // Given
    const ids = parsePsJsonLines(recorded('ps-compose-v1.jsonl')).map((r) => r.id);
    const {runner} = scriptedContext([
      {match: ['docker', 'ps'], reply: {stdout: recorded('ps-compose-v1.jsonl')}},
      {match: ['docker', 'inspect'], reply: {stdout: recorded('inspect-backend-healthy.json')}},
    ]);
    // When
    const found = await new Engine(runner, 'docker').findContainers(['com.docker.compose.project=kamerplanter']);
    // Then
    expect(found.map((c) => c.name)).toEqual(['kamerplanter_backend_1']);
    expect(ids).toHaveLength(6);
    expect(runner.calls.map((c) => c.args)).toEqual([
      ['ps', '-a', '--no-trunc', '--format', '{{json .}}', '--filter', 'label=com.docker.compose.project=kamerplanter'],
      ['inspect', '--type', 'container', ...ids],
    ]);
  });
});
