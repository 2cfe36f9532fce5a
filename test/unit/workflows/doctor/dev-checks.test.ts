import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {collisionCheck, inotifyCheck, toolCheck} from '../../../../src/workflows/doctor/dev-checks.js';
import {judgeToolVersion} from '../../../../src/workflows/shared/tool-versions.js';
import {UPSTREAM_KIND_CONFIG} from '../../../helpers/kind-configs.js';

const work = mkdtempSync(path.join(tmpdir(), 'kp-dev-doctor-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

describe('doctor: inotify limits', () => {
  it('Given low limits on Linux, When checked, Then it warns and is not required', () => {
    expect(inotifyCheck({max_user_watches: 8192, max_user_instances: 8192}, 'linux')).toMatchObject({status: 'warn', required: false});
  });

  it('Given another OS, When checked, Then it is skipped', () => {
    expect(inotifyCheck({}, 'darwin').status).toBe('skip');
  });
});

describe('doctor: dev port collisions', () => {
  it('Given a workspace with the upstream kind config, When checked, Then it fails naming the colliding host port', () => {
    // Given
    const ws = path.join(work, 'upstream');
    mkdirSync(path.join(ws, 'helm', 'kamerplanter'), {recursive: true});
    writeFileSync(path.join(ws, 'kind-config.yaml'), UPSTREAM_KIND_CONFIG);
    // When
    const check = collisionCheck({workspace: ws});
    // Then
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('host port 8000');
  });

  it('Given a workspace without its own kind config, When checked, Then kp\'s shipped files are used and nothing collides', () => {
    const ws = path.join(work, 'own');
    mkdirSync(path.join(ws, 'helm', 'kamerplanter'), {recursive: true});
    expect(collisionCheck({workspace: ws})).toMatchObject({status: 'ok', detail: expect.stringContaining(ws)});
  });
});

describe('doctor: dev tools', () => {
  it('Given tool probes, When turned into doctor lines, Then absent warns, too old fails, current is ok, and none is required', () => {
    expect(toolCheck({...judgeToolVersion('kind', undefined, false), cached: false})).toMatchObject({status: 'warn', required: false});
    expect(toolCheck({...judgeToolVersion('skaffold', '1.39.2'), cached: false})).toMatchObject({status: 'fail', required: false});
    expect(toolCheck({...judgeToolVersion('helm', '3.16.2'), cached: false})).toMatchObject({status: 'ok', required: false});
  });
});
