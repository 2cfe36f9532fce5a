import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseComposeVersion} from '../../src/tools/compose.js';
import {parseEngineVersion, parseInspect, parseLabelString, parsePsJsonLines} from '../../src/tools/docker.js';
import {projectRoot} from '../helpers/cli.js';

const recorded = (name: string) => readFileSync(path.join(projectRoot, 'test/fixtures/recorded/docker', name), 'utf8');

describe('docker output parsers (fed with recorded output)', () => {
  it('reads client and engine versions from `docker version --format {{json .}}`', () => {
    expect(parseEngineVersion(recorded('version.json'), '')).toEqual({client: '28.2.2', server: '20.10.24+dfsg1', daemonError: undefined});
  });

  it('reports the daemon-down message when the engine does not answer', () => {
    const version = parseEngineVersion(recorded('version-daemon-down.stdout'), recorded('version-daemon-down.stderr'));
    expect(version.client).toBe('28.2.2');
    expect(version.server).toBeUndefined();
    expect(version.daemonError).toMatch(/^Cannot connect to the Docker daemon at .* Is the docker daemon running\?$/);
  });

  it('parses compose versions of v1, v2 and prefixed forms; rejects usage errors', () => {
    expect(parseComposeVersion(recorded('compose-v1-version.txt'))).toBe('1.29.2');
    expect(parseComposeVersion('2.29.7\n')).toBe('2.29.7');
    expect(parseComposeVersion('v2.31.0')).toBe('2.31.0');
    expect(parseComposeVersion('podman-compose version 1.0.6')).toBe('1.0.6');
    expect(parseComposeVersion(recorded('compose-v2-missing.stdout'))).toBeUndefined();
  });

  it('parses `docker ps --format {{json .}}` lines of a compose v1 project with their labels', () => {
    const rows = parsePsJsonLines(recorded('ps-compose-v1.jsonl'));
    expect(rows).toHaveLength(6);
    const frontend = rows.find((r) => r.labels['com.docker.compose.service'] === 'frontend');
    expect(frontend).toMatchObject({name: 'kamerplanter_frontend_1', image: 'kp-standin-frontend:e2e', state: 'running'});
    expect(frontend?.labels['com.docker.compose.project']).toBe('kamerplanter');
    expect(frontend?.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('parses `docker inspect`: health, ports, labels, restart count', () => {
    const [backend] = parseInspect(recorded('inspect-backend-healthy.json'));
    expect(backend).toMatchObject({name: 'kamerplanter_backend_1', running: true, status: 'running', health: 'healthy', restartCount: 0});
    expect(backend?.ports).toEqual([{containerPort: '8000/tcp', hostIp: '127.0.0.1', hostPort: 8000}]);
    expect(backend?.labels['com.docker.compose.service']).toBe('backend');
    const [beat] = parseInspect(recorded('inspect-celery-beat.json'));
    expect(beat?.ports).toEqual([]);
  });

  it('splits label strings', () => {
    expect(parseLabelString('a=b,c=d=e,')).toEqual({a: 'b', c: 'd=e'});
    expect(parseLabelString('')).toEqual({});
  });
});
