/**
 * The fake tools themselves (test/fakes): their argv is read by one parser (common.mjs parseArgs),
 * and their answers follow ../shared/spec/tool-behaviour.md. A fake that drifted from the real
 * tool would make every test built on it worthless, so the documented behaviours are pinned here.
 */
import {spawnSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {FAKE_DOCKER, useFakeWorlds, type FakeWorld} from '../../fakes/harness.js';
import {DEFAULT_HA_IMAGE, HA_MANIFEST_NAMES, haManifest, parseApplyOutput} from '../../../src/workflows/ha/manifest.js';
// @ts-expect-error plain ESM helper without types
import {FAKES_BIN} from '../../fakes/lib/env.mjs';
// @ts-expect-error plain ESM helper without types
import {parseArgs} from '../../fakes/lib/common.mjs';

const world = useFakeWorlds();

/** Run a fake by path in world `w`: exit code, stdout, stderr. */
function fake(w: FakeWorld, tool: string, ...args: string[]) {
  const bin = tool === 'docker' ? FAKE_DOCKER : path.join(FAKES_BIN as string, tool);
  const result = spawnSync(bin, args, {env: {...process.env, ...w.env} as NodeJS.ProcessEnv, encoding: 'utf8'});
  return {exitCode: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim()};
}

describe('Given the one argv parser of the fakes (pflag rules)', () => {
  const kubectl = {values: ['--context', '--namespace', '--container'], aliases: {'-n': '--namespace', '-c': '--container', '-i': '--stdin', '-t': '--tty'}};

  it('When flags stand before, between and after the words, Then words, values and booleans are told apart', () => {
    const parsed = parseArgs(['--context', 'kind-x', 'exec', '-it', '-n=default', 'pod-0', '-chomeassistant', '--', 'sh', '-c', 'echo -n'], kubectl);
    expect(parsed.positionals).toEqual(['exec', 'pod-0']);
    expect(parsed.rest).toEqual(['sh', '-c', 'echo -n']);
    expect([parsed.value('--context'), parsed.value('-n'), parsed.value('--container')]).toEqual(['kind-x', 'default', 'homeassistant']);
    expect([parsed.has('--stdin'), parsed.has('--tty'), parsed.has('--follow')]).toEqual([true, true, false]);
  });

  it('When a value flag repeats or lists values, Then every value is kept in order and the last one wins', () => {
    const parsed = parseArgs(['dev', '-p', 'a,b', '--profile=c', '--auto-build=false', '--port-forward'], {
      values: ['--profile'],
      aliases: {'-p': '--profile'},
    });
    expect(parsed.list('--profile')).toEqual(['a', 'b', 'c']);
    expect(parsed.value('-p')).toBe('c');
    expect([parsed.has('--auto-build'), parsed.has('--port-forward')]).toEqual([false, true]);
    expect(parsed.positionals).toEqual(['dev']);
  });
});

describe('Given a world with no cluster', () => {
  it('When kind get clusters runs, Then it says so on stderr and exits 0; delete of a missing cluster exits 0 too', () => {
    const w = world();
    expect(fake(w, 'kind', 'get', 'clusters')).toEqual({exitCode: 0, stdout: '', stderr: 'No kind clusters found.'});
    const deleted = fake(w, 'kind', 'delete', 'cluster', '--name', 'nope');
    expect([deleted.exitCode, deleted.stderr]).toEqual([0, 'Deleting cluster "nope" ...']);
  });

  it("When kubectl names a context that does not exist, Then it fails with kubectl's wording wherever --context stands", () => {
    const w = world();
    for (const args of [
      ['--context', 'kind-nope', 'get', 'pods'],
      ['get', 'pods', '--context=kind-nope'],
    ]) {
      expect(fake(w, 'kubectl', ...args)).toMatchObject({exitCode: 1, stderr: 'error: context "kind-nope" does not exist'});
    }
  });

  it('When a tool is asked for its version, Then it answers as the real one does', () => {
    const w = world();
    expect(fake(w, 'kind', 'version', '-q').stdout).toBe('0.32.0');
    expect(fake(w, 'skaffold', 'version').stdout).toBe('v2.16.1');
    expect(fake(w, 'helm', 'version', '--short').stdout).toMatch(/^v3\.\d+\.\d+\+g[0-9a-f]{7}$/);
    expect(JSON.parse(fake(w, 'kubectl', 'version', '--client', '-o', 'json').stdout).clientVersion.gitVersion).toBe('v1.32.4');
  });
});

describe('Given a cluster created by the fake kind', () => {
  function withCluster(): FakeWorld {
    const w = world();
    const created = fake(w, 'kind', 'create', 'cluster', '--name', 'demo', '--config', path.join(w.workspace, '..', 'no-such.yaml'));
    expect(created.exitCode).toBe(1); // a missing --config file is kind's error, not a default
    expect(fake(w, 'kind', 'create', 'cluster', '--name=demo').exitCode).toBe(0);
    return w;
  }

  it('When it is created again, Then kind refuses: node(s) already exist', () => {
    const w = withCluster();
    expect(fake(w, 'kind', 'create', 'cluster', '--name', 'demo')).toMatchObject({
      exitCode: 1,
      stderr: 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "demo"',
    });
    expect(fake(w, 'kind', 'get', 'clusters').stdout).toBe('demo');
  });

  it('When docker stop -t 0 stops its node, Then the timeout is not taken for a container and ps -a shows it exited', () => {
    const w = withCluster();
    const id = w.clusters().demo!.nodes[0]!.id;
    expect(fake(w, 'docker', 'stop', '-t', '0', id)).toMatchObject({exitCode: 0, stdout: id});
    const rows = fake(w, 'docker', 'ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster=demo', '--format', '{{json .}}').stdout.split('\n');
    expect(rows.map((row) => JSON.parse(row).State)).toEqual(['exited']);
    expect(fake(w, 'docker', 'ps', '--filter', 'label=io.x-k8s.kind.cluster=demo').stdout).toBe('');
  });

  it("When skaffold selects a module or profile that does not exist, Then it fails with Skaffold's wording", () => {
    const w = withCluster();
    const base = ['run', '--kube-context', 'kind-demo', '--filename', path.join(w.workspace, 'skaffold.yaml')];
    expect(fake(w, 'skaffold', ...base, '-m', 'kp,nope')).toMatchObject({exitCode: 1, stderr: 'did not find any configs matching selection [nope]'});
    expect(fake(w, 'skaffold', ...base, '--profile=nope')).toMatchObject({exitCode: 1, stderr: "couldn't find profile nope"});
    expect(fake(w, 'skaffold', 'bogus')).toMatchObject({exitCode: 127});
  });
});

describe("Given kp's dev Home Assistant manifest and a cluster created by the fake kind", () => {
  /** A world with cluster `demo` and the manifest written to a file; `kubectl --context kind-demo ...`. */
  function haWorld(env: Record<string, string> = {}) {
    const w = world({env});
    expect(fake(w, 'kind', 'create', 'cluster', '--name', 'demo').exitCode).toBe(0);
    const file = path.join(w.root, 'homeassistant.yaml');
    writeFileSync(file, haManifest({image: DEFAULT_HA_IMAGE, timeZone: 'Europe/Berlin', podCidr: '10.244.0.0/16'}));
    const kubectl = (...args: string[]) => fake(w, 'kubectl', '--context', 'kind-demo', ...args);
    return {w, file, kubectl};
  }

  it("When it is applied twice, Then the first apply creates every object (kubectl's kind.group wording) and the second changes nothing", () => {
    const {file, kubectl} = haWorld();
    const first = kubectl('apply', '-f', file);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout.split('\n')).toEqual([
      'configmap/homeassistant-seed created',
      'statefulset.apps/homeassistant created',
      'service/homeassistant created',
      'ingress.networking.k8s.io/homeassistant created',
    ]);
    expect(parseApplyOutput(first.stdout).changed).toBe(true);
    const second = kubectl('apply', '-f', file);
    expect(second.stdout.split('\n').map((line) => line.split(' ')[1])).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(parseApplyOutput(second.stdout).changed).toBe(false);
  });

  it('When a changed manifest is applied, Then the StatefulSet is configured and its pod is replaced (new uid, new revision)', () => {
    const {w, file, kubectl} = haWorld();
    kubectl('apply', '-f', file);
    const before = JSON.parse(kubectl('get', 'pod', HA_MANIFEST_NAMES.pod, '-o', 'json').stdout);
    writeFileSync(file, haManifest({image: 'ghcr.io/home-assistant/home-assistant:2026.4.0', timeZone: 'Europe/Berlin', podCidr: '10.244.0.0/16'}));
    const applied = kubectl('apply', '-f', file);
    expect(applied.stdout).toContain('statefulset.apps/homeassistant configured');
    expect(applied.stdout).toContain('service/homeassistant unchanged');
    const after = JSON.parse(kubectl('get', 'pod', HA_MANIFEST_NAMES.pod, '-o', 'json').stdout);
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.metadata.labels['controller-revision-hash']).not.toBe(before.metadata.labels['controller-revision-hash']);
    expect(after.spec.containers[0].image).toBe('ghcr.io/home-assistant/home-assistant:2026.4.0');
    expect(w.clusters().demo!.objects['StatefulSet/default/homeassistant']).toMatchObject({metadata: {generation: 2}});
  });

  it('When the StatefulSet exists, Then pod homeassistant-0 is listed Running and Ready with the template labels, containers and a PVC config-homeassistant-0 Bound', () => {
    const {kubectl, file} = haWorld();
    kubectl('apply', '-f', file);
    const list = JSON.parse(kubectl('get', 'pods', '-n', 'default', '-l', HA_MANIFEST_NAMES.labelSelector, '-o', 'json').stdout);
    expect(list.items.map((p: {metadata: {name: string}}) => p.metadata.name)).toEqual([HA_MANIFEST_NAMES.pod]);
    const pod = JSON.parse(kubectl('get', 'pod', HA_MANIFEST_NAMES.pod, '-n', 'default', '-o', 'json').stdout);
    expect(pod.metadata.labels).toMatchObject({'app.kubernetes.io/name': 'homeassistant', 'app.kubernetes.io/managed-by': 'kp'});
    expect(pod.status.phase).toBe('Running');
    expect(pod.status.conditions).toContainEqual({type: 'Ready', status: 'True'});
    expect(pod.spec.initContainers.map((c: {name: string}) => c.name)).toEqual(['seed-config']);
    expect(pod.status.containerStatuses).toHaveLength(1);
    expect(pod.status.containerStatuses[0]).toMatchObject({name: 'homeassistant', ready: true, restartCount: 0});
    expect(Date.parse(pod.status.containerStatuses[0].state.running.startedAt)).not.toBeNaN();
    expect(pod.spec.volumes).toContainEqual({name: 'config', persistentVolumeClaim: {claimName: HA_MANIFEST_NAMES.pvc}});
    const pvc = JSON.parse(kubectl('get', 'persistentvolumeclaim', HA_MANIFEST_NAMES.pvc, '-o', 'json').stdout);
    expect(pvc.status).toMatchObject({phase: 'Bound', capacity: {storage: '1Gi'}});
    expect(kubectl('get', 'pvc').stdout).toMatch(/^config-homeassistant-0\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+standard/m);
    expect(kubectl('get', 'pod', 'homeassistant-1')).toMatchObject({exitCode: 1, stderr: 'Error from server (NotFound): pods "homeassistant-1" not found'});
  });

  it('When the other objects are read, Then get statefulset/configmap -o json and get ingress answer like the API (status filled in)', () => {
    const {kubectl, file} = haWorld();
    kubectl('apply', '-f', file);
    const sts = JSON.parse(kubectl('get', 'statefulset', 'homeassistant', '-o', 'json').stdout);
    expect(sts.status).toMatchObject({replicas: 1, readyReplicas: 1, updatedReplicas: 1});
    expect(sts.spec.updateStrategy).toEqual({type: 'RollingUpdate', rollingUpdate: {partition: 0}});
    const configMap = JSON.parse(kubectl('get', 'configmap', HA_MANIFEST_NAMES.configMap, '-o', 'json').stdout);
    expect(configMap.data['configuration.yaml']).toContain('10.244.0.0/16');
    const ingress = kubectl('get', 'ingress');
    expect(ingress.stdout.split('\n')[0]).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/);
    expect(ingress.stdout.split('\n')[1]).toMatch(/^homeassistant\s+nginx\s+homeassistant\.localhost\s+80\s+\d+s$/);
    expect(kubectl('get', 'statefulsets.apps', 'nope', '-o', 'json')).toMatchObject({
      exitCode: 1,
      stderr: 'Error from server (NotFound): statefulsets.apps "nope" not found',
    });
  });

  it('When rollout status runs, Then it reports the defaulted partitioned rolling update complete; unknown set is NotFound', () => {
    const {kubectl, file} = haWorld();
    kubectl('apply', '-f', file);
    expect(kubectl('rollout', 'status', 'statefulset/homeassistant', '-n', 'default', '--timeout=120s')).toEqual({
      exitCode: 0,
      stdout: 'partitioned roll out complete: 1 new pods have been updated...',
      stderr: '',
    });
    expect(kubectl('rollout', 'status', 'sts/nope')).toMatchObject({exitCode: 1, stderr: 'Error from server (NotFound): statefulsets.apps "nope" not found'});
  });

  it("When its pods never turn Ready, Then rollout status and wait time out with kubectl's words", () => {
    const {kubectl, file} = haWorld({KP_FAKE_KUBECTL_NOT_READY: 'homeassistant'});
    kubectl('apply', '-f', file);
    expect(kubectl('rollout', 'status', 'statefulset/homeassistant', '--timeout=1s')).toEqual({
      exitCode: 1,
      stdout: 'Waiting for 1 pods to be ready...',
      stderr: 'error: timed out waiting for the condition',
    });
    expect(kubectl('wait', '--for=condition=ready', 'pod/homeassistant-0', '--timeout=1s')).toMatchObject({
      exitCode: 1,
      stderr: 'error: timed out waiting for the condition on pods/homeassistant-0',
    });
  });

  it('When the pod is deleted, Then the StatefulSet brings it back under the same name with a new uid and start', () => {
    const {kubectl, file} = haWorld();
    kubectl('apply', '-f', file);
    const before = JSON.parse(kubectl('get', 'pod', HA_MANIFEST_NAMES.pod, '-o', 'json').stdout);
    expect(kubectl('delete', 'pod', HA_MANIFEST_NAMES.pod)).toMatchObject({exitCode: 0, stdout: 'pod "homeassistant-0" deleted'});
    const after = JSON.parse(kubectl('get', 'pod', HA_MANIFEST_NAMES.pod, '-o', 'json').stdout);
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
  });

  it('When the manifest is deleted, Then every object is deleted, the PVC is kept (Retain), a second delete is NotFound and --ignore-not-found exits 0', () => {
    const {kubectl, file} = haWorld();
    kubectl('apply', '-f', file);
    const deleted = kubectl('delete', '-f', file);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(deleted.stdout.split('\n')).toEqual([
      'configmap "homeassistant-seed" deleted',
      'statefulset.apps "homeassistant" deleted',
      'service "homeassistant" deleted',
      'ingress.networking.k8s.io "homeassistant" deleted',
    ]);
    expect(JSON.parse(kubectl('get', 'pods', '-o', 'json').stdout).items).toEqual([]);
    expect(kubectl('get', 'pvc', '-o', 'name').stdout).toBe('persistentvolumeclaim/config-homeassistant-0');
    const again = kubectl('delete', '-f', file);
    expect(again.exitCode).toBe(1);
    expect(again.stderr.split('\n')).toContain(`Error from server (NotFound): error when deleting "${file}": statefulsets.apps "homeassistant" not found`);
    expect(kubectl('delete', '-f', file, '--ignore-not-found')).toEqual({exitCode: 0, stdout: '', stderr: ''});
  });

  it("When objects are deleted by kind and name, Then kubectl's wording; a missing one is NotFound unless --ignore-not-found", () => {
    const {kubectl, file} = haWorld();
    kubectl('apply', '-f', file);
    expect(kubectl('delete', 'statefulset', 'homeassistant')).toMatchObject({exitCode: 0, stdout: 'statefulset.apps "homeassistant" deleted'});
    expect(kubectl('delete', 'statefulset', 'homeassistant')).toMatchObject({
      exitCode: 1,
      stderr: 'Error from server (NotFound): statefulsets.apps "homeassistant" not found',
    });
    expect(kubectl('delete', 'statefulset', 'homeassistant', '--ignore-not-found')).toEqual({exitCode: 0, stdout: '', stderr: ''});
    expect(kubectl('delete', 'pvc', HA_MANIFEST_NAMES.pvc)).toMatchObject({exitCode: 0, stdout: 'persistentvolumeclaim "config-homeassistant-0" deleted'});
    expect(kubectl('delete', 'ingress', 'homeassistant', '-n', 'default').stdout).toBe('ingress.networking.k8s.io "homeassistant" deleted');
    expect(kubectl('delete', 'configmap/homeassistant-seed', 'service/homeassistant').stdout.split('\n')).toEqual([
      'configmap "homeassistant-seed" deleted',
      'service "homeassistant" deleted',
    ]);
  });

  it('When the manifest comes on stdin (apply -f -) and is removed as KIND/NAME list with --ignore-not-found, Then both answer as kubectl does', () => {
    const {w} = haWorld();
    const manifest = haManifest({image: DEFAULT_HA_IMAGE, timeZone: 'UTC', podCidr: '10.244.0.0/16'});
    const env = {...process.env, ...w.env} as NodeJS.ProcessEnv;
    const applied = spawnSync(path.join(FAKES_BIN as string, 'kubectl'), ['--context', 'kind-demo', 'apply', '-f', '-'], {
      env,
      input: manifest,
      encoding: 'utf8',
    });
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('statefulset.apps/homeassistant created');
    const resources = [
      'statefulset/homeassistant',
      'service/homeassistant',
      'ingress/homeassistant',
      'configmap/homeassistant-seed',
      `persistentvolumeclaim/${HA_MANIFEST_NAMES.pvc}`,
    ];
    const removed = fake(w, 'kubectl', '--context', 'kind-demo', 'delete', ...resources, '-n', 'default', '--ignore-not-found');
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout.split('\n')).toEqual([
      'statefulset.apps "homeassistant" deleted',
      'service "homeassistant" deleted',
      'ingress.networking.k8s.io "homeassistant" deleted',
      'configmap "homeassistant-seed" deleted',
      'persistentvolumeclaim "config-homeassistant-0" deleted',
    ]);
    expect(fake(w, 'kubectl', '--context', 'kind-demo', 'delete', ...resources, '-n', 'default', '--ignore-not-found')).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
    const stdinDelete = spawnSync(path.join(FAKES_BIN as string, 'kubectl'), ['--context', 'kind-demo', 'delete', '-f', '-'], {
      env,
      input: manifest,
      encoding: 'utf8',
    });
    expect(stdinDelete.status).toBe(1);
    expect(stdinDelete.stderr).toContain('Error from server (NotFound): error when deleting "STDIN": configmaps "homeassistant-seed" not found');
  });
});
