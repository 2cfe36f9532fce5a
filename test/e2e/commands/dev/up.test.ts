/**
 * e2e: `kp dev up` against the REAL Docker engine. kind itself is faked (no kind node image can be
 * pulled here), but the cluster's node containers are real: busybox stand-ins labelled the way
 * kind labels its nodes, stopped as after a Docker restart. kp must find them by label, see a
 * stopped cluster, start them with the real engine, and converge without recreating anything.
 */
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {writeFileSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import YAML from 'yaml';
import {createFakeWorld, FOREIGN_CONTEXT, type FakeWorld} from '../fakes/harness.js';
import {runKp} from '../helpers/cli.js';
import {buildStandinImage} from '../helpers/standin-image.js';

const IMAGE = 'kp-standin:dev-kind-node';
const NAME = `kpe2e-${randomBytes(3).toString('hex')}`;
const NODES = [`${NAME}-control-plane`, `${NAME}-worker`];
let w: FakeWorld;

function docker(...args: string[]): string {
  return execFileSync('docker', args, {encoding: 'utf8'}).trim();
}

function nodeStates(): Record<string, string> {
  const out = docker('ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${NAME}`, '--format', '{{.Names}} {{.State}}');
  return Object.fromEntries(out.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
}

beforeAll(() => {
  buildStandinImage(IMAGE, {}, {cmd: ['sleep', '86400']});
  // Given: the node containers of a kind cluster, stopped (as after a reboot; kind uses on-failure:1).
  for (const node of NODES) {
    docker(
      'run', '-d', '--name', node, '--restart', 'on-failure:1',
      '--label', `io.x-k8s.kind.cluster=${NAME}`,
      '--label', `io.x-k8s.kind.role=${node.endsWith('control-plane') ? 'control-plane' : 'worker'}`,
      IMAGE, 'sleep', '86400',
    );
  }
  docker('stop', '-t', '0', ...NODES);
  // ...and the kubeconfig entry kind wrote when it created them; the user's current context is elsewhere.
  w = createFakeWorld({fakeDocker: false, env: {KP_FAKE_KIND_BACKEND: 'docker'}});
  const config = w.kubeconfig() as any;
  config.clusters.push({name: `kind-${NAME}`, cluster: {server: 'https://127.0.0.1:41999'}});
  config.contexts.push({name: `kind-${NAME}`, context: {cluster: `kind-${NAME}`, user: `kind-${NAME}`}});
  config.users.push({name: `kind-${NAME}`, user: {}});
  writeFileSync(w.kubeconfigFile, YAML.stringify(config));
});

afterAll(() => {
  try {
    docker('rm', '-f', ...NODES);
  } catch {
    // already gone
  }
  w?.cleanup();
});

describe('kp dev up with real (stand-in) kind node containers', () => {
  it('Given stopped labelled node containers, When dev status runs, Then the real engine reports the cluster stopped', async () => {
    expect(nodeStates()).toEqual({[NODES[0]!]: 'exited', [NODES[1]!]: 'exited'});
    const result = await runKp(['dev', 'status', '--name', NAME, '--json'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).cluster).toMatchObject({name: NAME, state: 'stopped'});
  });

  it('Given the stopped cluster, When dev up --detach runs, Then kp starts the containers with docker and converges without kind create', async () => {
    const result = await runKp(['dev', 'up', '--detach', '--name', NAME, '--json', '--timeout', '60'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    const up = JSON.parse(result.stdout);
    expect(up.cluster).toMatchObject({name: NAME, context: `kind-${NAME}`, stateBefore: 'stopped', server: 'https://127.0.0.1:41999'});
    expect(up.cluster.actions).toEqual(['start-nodes', 'wait-api']);
    expect(result.stderr).toContain('PVC data is kept');
    expect(nodeStates()).toEqual({[NODES[0]!]: 'running', [NODES[1]!]: 'running'});
    expect(w.calls().filter((c) => c.tool === 'kind' && c.argv[0] !== 'version')).toEqual([]);
    expect(w.kubeconfig()['current-context']).toBe(FOREIGN_CONTEXT.name);
  });

  it('Given the now running cluster, When dev up --detach runs again, Then nothing is started, created or applied', async () => {
    w.resetLogs();
    const result = await runKp(['dev', 'up', '--detach', '--name', NAME, '--json'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).cluster).toMatchObject({stateBefore: 'healthy', actions: []});
    expect(JSON.parse(result.stdout).ingress.action).toBe('none');
    expect(w.spawns().map((s) => s.command)).toEqual(['docker', 'kubectl', 'kubectl', 'skaffold']);
  });
});
