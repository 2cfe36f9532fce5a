/**
 * e2e: `kp dev up` against the REAL Docker engine. kind itself is faked (no kind node image can be
 * pulled here), but the cluster's node containers are real: busybox stand-ins labelled the way
 * kind labels its nodes, stopped as after a Docker restart. kp must find them by label, see a
 * stopped cluster, start them with the real engine, and converge without recreating anything.
 */
import {writeFileSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import YAML from 'yaml';
import {createFakeWorld, FOREIGN_CONTEXT, type FakeWorld} from '../../../fakes/harness.js';
import {runKp} from '../../../helpers/cli.js';
import {buildStandinImage} from '../../../helpers/standin-image.js';
import {docker, freePorts, removeContainers, removeImages} from '../../support/docker.js';
import {runName} from '../../support/e2e.js';

const NAME = runName('kind');
const IMAGE = `kp-standin-kind-node:${NAME}`;
const NODES = [`${NAME}-control-plane`, `${NAME}-worker`];
let w: FakeWorld;

function nodeStates(): Record<string, string> {
  const out = docker('ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${NAME}`, '--format', '{{.Names}} {{.State}}');
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
}

/** The nodes stopped, as after a Docker restart (kind runs them with on-failure:1). */
function stopNodes(): void {
  docker('stop', '-t', '0', ...NODES);
  expect(nodeStates()).toEqual({[NODES[0]!]: 'exited', [NODES[1]!]: 'exited'});
}

beforeAll(() => {
  buildStandinImage(IMAGE, {}, {cmd: ['sleep', '86400']});
  // The node containers of a kind cluster...
  for (const node of NODES) {
    docker(
      'run',
      '-d',
      '--name',
      node,
      '--restart',
      'on-failure:1',
      '--label',
      `io.x-k8s.kind.cluster=${NAME}`,
      '--label',
      `io.x-k8s.kind.role=${node.endsWith('control-plane') ? 'control-plane' : 'worker'}`,
      IMAGE,
      'sleep',
      '86400',
    );
  }
  // ...and the kubeconfig entry kind wrote when it created them; the user's current context is elsewhere.
  w = createFakeWorld({fakeDocker: false, env: {KP_FAKE_KIND_BACKEND: 'docker'}});
  const config = w.kubeconfig() as any;
  config.clusters.push({name: `kind-${NAME}`, cluster: {server: 'https://127.0.0.1:41999'}});
  config.contexts.push({name: `kind-${NAME}`, context: {cluster: `kind-${NAME}`, user: `kind-${NAME}`}});
  config.users.push({name: `kind-${NAME}`, user: {}});
  writeFileSync(w.kubeconfigFile, YAML.stringify(config));
});

afterAll(() => {
  removeContainers(NODES.filter((node) => docker('ps', '-aq', '--filter', `name=^${node}$`) !== ''));
  removeImages([IMAGE]);
  w?.cleanup();
});

describe('kp dev up with real (stand-in) kind node containers', () => {
  it('Given stopped labelled node containers, When dev status runs, Then the real engine reports the cluster stopped', async () => {
    // Given
    stopNodes();
    // When
    const result = await runKp(['dev', 'status', '--name', NAME, '--json'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).cluster).toMatchObject({name: NAME, state: 'stopped'});
  });

  it('Given the stopped cluster, When dev up --detach runs, Then kp starts the containers with docker and converges without kind create', async () => {
    // Given
    stopNodes();
    w.resetLogs();
    // When
    const result = await runKp(['dev', 'up', '--detach', '--name', NAME, '--json', '--timeout', '60'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const up = JSON.parse(result.stdout);
    expect(up.cluster).toMatchObject({name: NAME, context: `kind-${NAME}`, stateBefore: 'stopped', server: 'https://127.0.0.1:41999'});
    expect(up.cluster.actions).toEqual(['start-nodes', 'wait-api']);
    expect(result.stderr).toContain('PVC data is kept');
    expect(nodeStates()).toEqual({[NODES[0]!]: 'running', [NODES[1]!]: 'running'});
    expect(w.spawns().filter((s) => s.command === 'docker' && s.args[0] === 'start')).toHaveLength(1);
    expect(w.calls().filter((c) => c.tool === 'kind' && c.argv[0] !== 'version')).toEqual([]);
    expect(w.kubeconfig()['current-context']).toBe(FOREIGN_CONTEXT.name);
  });

  it('Given a running cluster that dev up already converged, When dev up --detach runs again, Then nothing is started, created or applied', async () => {
    // Given
    const converged = await runKp(['dev', 'up', '--detach', '--name', NAME, '--json', '--timeout', '60'], {env: w.env, cwd: w.workspace});
    expect(converged.exitCode, converged.stderr).toBe(0);
    expect(nodeStates()).toEqual({[NODES[0]!]: 'running', [NODES[1]!]: 'running'});
    w.resetLogs();
    // When
    const result = await runKp(['dev', 'up', '--detach', '--name', NAME, '--json'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).cluster).toMatchObject({stateBefore: 'healthy', actions: []});
    expect(JSON.parse(result.stdout).ingress.action).toBe('none');
    expect(w.spawns().map((s) => s.command)).toEqual(['docker', 'kubectl', 'kubectl', 'skaffold']);
  });

  it('Given a node container publishing a port on every interface and one on 127.0.0.1 (read back from the real engine), When dev status runs, Then only the first is reported exposed, naming the port, what it leads to and the node', async () => {
    // Given: a second cluster of this run whose control plane publishes the ingress on 0.0.0.0 (as kind does without listenAddress)
    const exposed = `${NAME}-open`;
    const [open, closed] = await freePorts(2);
    docker(
      'run',
      '-d',
      '--name',
      `${exposed}-control-plane`,
      '-p',
      `0.0.0.0:${open}:80`,
      '-p',
      `127.0.0.1:${closed}:443`,
      '--label',
      `io.x-k8s.kind.cluster=${exposed}`,
      '--label',
      'io.x-k8s.kind.role=control-plane',
      IMAGE,
      'sleep',
      '86400',
    );
    try {
      // When
      const result = await runKp(['dev', 'status', '--name', exposed, '--json'], {env: w.env, cwd: w.workspace});
      // Then
      expect(result.exitCode, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).exposedPorts).toEqual([{port: open, address: '0.0.0.0', node: `${exposed}-control-plane`, service: 'ingress (http)'}]);
    } finally {
      removeContainers([`${exposed}-control-plane`]);
    }
  });
});
