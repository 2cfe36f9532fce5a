import {Chalk} from 'chalk';
import {describe, expect, it} from 'vitest';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {renderDevStatus, renderDevUp} from '../../../../src/cli/render/dev.js';
import type {DevUpResult} from '../../../../src/workflows/dev/up.js';
import {projectRoot} from '../../../helpers/cli.js';
import type {DevStatusResult} from '../../../../src/workflows/dev/status.js';

const plain = new Chalk({level: 0});
const absent: DevStatusResult = {
  cluster: {name: 'kamerplanter', state: 'absent', nodes: []},
  context: {name: 'kind-kamerplanter', exists: false, server: undefined, local: undefined, isCurrent: false},
  api: 'not-probed',
  nodesReady: undefined,
  ingress: undefined,
  helmReleases: [],
  podsNotReady: [],
  endpoints: [{name: 'kamerplanter-timescaledb', url: 'tcp://127.0.0.1:5432', probe: 'tcp', ok: false, detail: 'closed'}],
  portCollisions: [],
  exposedPorts: [],
  ready: false,
};

describe('kp dev status for a human', () => {
  it('Given no cluster, When rendered, Then pods are not claimed "all ready" (nothing was asked)', () => {
    const text = renderDevStatus(absent, plain);
    expect(text).toMatch(/^pods +-$/m);
    expect(text).not.toContain('all ready');
  });

  it('Given a cluster whose node publishes 8000, When rendered, Then the collision line names the port, the node, the forward and where Skaffold listens instead', () => {
    const text = renderDevStatus(
      {
        ...absent,
        cluster: {name: 'kamerplanter', state: 'running', nodes: []},
        api: 'ready',
        portCollisions: [
          {port: 8000, heldBy: 'kind node container kamerplanter-control-plane', forward: 'service/kamerplanter-backend', skaffoldListensOn: [8001]},
        ],
      },
      plain,
    );
    expect(text).toContain(
      'collision  port 8000 is published by kind node container kamerplanter-control-plane, so Skaffold cannot forward service/kamerplanter-backend there (Skaffold listens on 8001 instead)',
    );
    expect(text).toMatch(/^pods +all ready$/m);
  });

  it('Given a node port published on every interface, When rendered, Then an exposed line names the port, what it leads to, the node and the address', () => {
    const text = renderDevStatus(
      {...absent, exposedPorts: [{port: 80, address: '0.0.0.0', node: 'kamerplanter-control-plane', service: 'ingress (http)'}]},
      plain,
    );
    expect(text).toContain('exposed    port 80 (ingress (http)) of kamerplanter-control-plane is published on 0.0.0.0: reachable from other machines');
  });
});

describe('kp dev up for a person', () => {
  const recorded = JSON.parse(readFileSync(path.join(projectRoot, 'test', 'fixtures', 'recorded', 'kp', 'dev-up-detach.json'), 'utf8')) as DevUpResult;

  it('Given a recorded kp dev up --detach on a ready cluster (fake tools), When rendered, Then each line says what the result says: unchanged, known, skaffold run exited 0', () => {
    expect(renderDevUp(recorded).split('\n')).toEqual([
      `cluster  kamerplanter (kind-kamerplanter -> ${recorded.cluster.server}): unchanged`,
      'ingress  ingress-nginx 1.15.1: unchanged',
      'helm     repositories already known',
      'skaffold run -m kp exited 0',
    ]);
  });

  it('Given Skaffold failed, When rendered, Then the skaffold line carries its exit code (never a success)', () => {
    expect(renderDevUp({...recorded, skaffold: {...recorded.skaffold, exitCode: 1}})).toMatch(/^skaffold run -m kp exited 1$/m);
  });
});
