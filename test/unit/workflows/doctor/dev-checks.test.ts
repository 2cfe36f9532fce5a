import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {collisionCheck, exposureCheck, inotifyCheck, toolCheck} from '../../../../src/workflows/doctor/dev-checks.js';
import {exposedNodePorts} from '../../../../src/workflows/dev/cluster.js';
import {parsePublishedPorts} from '../../../../src/tools/docker.js';
import {judgeToolVersion} from '../../../../src/workflows/shared/tool-versions.js';
import {UPSTREAM_KIND_CONFIG} from '../../../helpers/kind-configs.js';
import {loadKindConfig} from '../../../../src/config/kind-config.js';
import {loadSkaffoldConfig} from '../../../../src/config/skaffold-config.js';
import {findPortCollisions} from '../../../../src/workflows/dev/port-collisions.js';
import {projectRoot} from '../../../helpers/cli.js';

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
  const inConfig = [{port: 8000, kindWhere: 'kind-config.yaml:21:9', skaffold: 'module kp: service/kamerplanter-backend'}];
  const inCluster = [{port: 8000, heldBy: 'kind node container kamerplanter-control-plane', forward: 'service/kamerplanter-backend', skaffoldListensOn: []}];
  const base = {where: '/ws', kindFile: '/ws/kind-config.yaml', skaffoldFile: '/ws/skaffold.yaml'};

  it('Given a running cluster whose node publishes 8000, When checked, Then it is a failed REQUIRED check (doctor exits 3) naming port, node and the fix', () => {
    const check = collisionCheck({...base, inConfig, inCluster});
    expect(check).toMatchObject({status: 'fail', required: true});
    expect(check.detail).toContain('port 8000 is published by kind node container kamerplanter-control-plane');
    expect(check.hint).toContain('kp dev up --recreate');
  });

  it('Given the collision only in the kind config (no cluster yet), When checked, Then it warns: kp leaves those ports out when it creates the cluster', () => {
    const check = collisionCheck({...base, inConfig, inCluster: []});
    expect(check).toMatchObject({status: 'warn', required: false});
    expect(check.detail).toContain('host port 8000');
    expect(check.detail).toContain('kp dev up leaves these out');
  });

  it('Given no collision anywhere, When checked, Then it is ok and names where it looked', () => {
    expect(collisionCheck({...base, inConfig: [], inCluster: []})).toMatchObject({status: 'ok', detail: expect.stringContaining('/ws')});
  });

  it('Given the upstream kind config file, When its collisions are found, Then 8000, 3000 and 8529 are the ones (fed to the check above)', () => {
    const ws = path.join(work, 'upstream');
    mkdirSync(ws, {recursive: true});
    writeFileSync(path.join(ws, 'kind-config.yaml'), UPSTREAM_KIND_CONFIG);
    const found = findPortCollisions(loadKindConfig(path.join(ws, 'kind-config.yaml')), loadSkaffoldConfig(path.join(projectRoot, 'skaffold.yaml')));
    expect(found.map((c) => c.port)).toEqual([8000, 3000, 8529]);
  });
});

describe('doctor: dev tools', () => {
  it('Given tool probes, When turned into doctor lines, Then absent warns, too old fails, current is ok, and none is required', () => {
    expect(toolCheck({...judgeToolVersion('kind', undefined, false), cached: false})).toMatchObject({status: 'warn', required: false});
    expect(toolCheck({...judgeToolVersion('skaffold', '1.39.2'), cached: false})).toMatchObject({status: 'fail', required: false});
    expect(toolCheck({...judgeToolVersion('helm', '3.16.2'), cached: false})).toMatchObject({status: 'ok', required: false});
  });
});

describe('dev cluster exposure', () => {
  // What `docker ps` shows for kind nodes: the upstream config as kind creates it (every interface), and kp's effective one.
  const node = (ports: string) => ({
    id: 'n1',
    name: 'kamerplanter-control-plane',
    state: 'running',
    role: 'control-plane',
    hostPorts: [],
    published: parsePublishedPorts(ports),
  });

  it('Given a node created from the upstream kind-config.yaml as is, When judged, Then each port on 0.0.0.0 is a failed required check naming the port and what it leads to', () => {
    const exposed = exposedNodePorts([node('0.0.0.0:80->80/tcp, :::80->80/tcp, 0.0.0.0:8000->30800/tcp, 127.0.0.1:41234->6443/tcp')]);
    expect(exposed.map((e) => `${e.address}:${e.port} ${e.service}`)).toEqual([
      '0.0.0.0:80 ingress (http)',
      ':::80 ingress (http)',
      '0.0.0.0:8000 container port 30800',
    ]);
    const check = exposureCheck(exposed);
    expect(check).toMatchObject({name: 'dev cluster exposure', status: 'fail', required: true});
    expect(check.detail).toContain('port 80 (ingress (http)) of kamerplanter-control-plane is published on 0.0.0.0');
  });

  it('Given a node whose ports are all on 127.0.0.1, When judged, Then the check is ok', () => {
    expect(exposureCheck(exposedNodePorts([node('127.0.0.1:80->80/tcp, 127.0.0.1:443->443/tcp, 127.0.0.1:41234->6443/tcp')]))).toMatchObject({status: 'ok'});
  });
});
