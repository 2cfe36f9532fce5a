import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {describe, expect, it} from 'vitest';
import {loadKindConfig, parseKindFile} from '../../src/config/kind-config.js';
import {loadSkaffoldConfig} from '../../src/config/skaffold-config.js';
import {parseYamlText} from '../../src/config/yaml-file.js';
import {nodeReadiness, planCluster, type ClusterObservation} from '../../src/workflows/dev/cluster.js';
import {collisionCheck, inotifyCheck, toolCheck} from '../../src/workflows/doctor/dev-checks.js';
import {planDown} from '../../src/workflows/dev/down.js';
import {ingressFromDeployment, INGRESS_NGINX, planIngress} from '../../src/workflows/dev/ingress.js';
import {findPortCollisions} from '../../src/workflows/dev/port-collisions.js';
import {inotifyAdvice} from '../../src/workflows/dev/preflight.js';
import {judgeToolVersion} from '../../src/workflows/shared/tool-versions.js';
import {clusterStateOf, forwardedEndpoints, podsNotReady} from '../../src/workflows/dev/status.js';
import {projectRoot} from '../helpers/cli.js';

const node = (name: string, state = 'running', role = name.includes('control-plane') ? 'control-plane' : 'worker') => ({id: `id-${name}`, name, state, role});
const healthy: ClusterObservation = {
  name: 'kamerplanter',
  context: 'kind-kamerplanter',
  nodes: [node('kamerplanter-control-plane'), node('kamerplanter-worker')],
  server: 'https://127.0.0.1:40000',
  serverIsLocal: true,
  currentContext: 'prod',
  api: {status: 'ready', nodes: 2},
};
const kinds = (plan: ReturnType<typeof planCluster>) => plan.steps.map((s) => s.kind);

describe('cluster planner (state machine)', () => {
  it('Given a healthy cluster, When planned, Then nothing is done', () => {
    const plan = planCluster(healthy, {recreate: false});
    expect(plan.state).toBe('healthy');
    expect(plan.steps).toEqual([]);
  });

  it('Given no node containers, When planned, Then the host ports are checked and the cluster created', () => {
    const plan = planCluster({...healthy, nodes: [], server: undefined, serverIsLocal: undefined, api: {status: 'not-probed'}}, {recreate: false});
    expect(plan.state).toBe('missing');
    expect(kinds(plan)).toEqual(['check-host-ports', 'create-cluster']);
  });

  it('Given stopped node containers (after a reboot), When planned, Then exactly those are started and the API awaited', () => {
    const plan = planCluster(
      {...healthy, nodes: [node('kamerplanter-control-plane', 'exited'), node('kamerplanter-worker', 'running')], api: {status: 'not-probed'}},
      {recreate: false},
    );
    expect(plan.state).toBe('stopped');
    expect(plan.steps).toEqual([{kind: 'start-nodes', ids: ['id-kamerplanter-control-plane'], names: ['kamerplanter-control-plane']}, {kind: 'wait-api'}]);
  });

  it('Given running nodes but no context (an interrupted create), When planned, Then it is repaired, not recreated', () => {
    const plan = planCluster({...healthy, server: undefined, serverIsLocal: undefined, api: {status: 'not-probed'}}, {recreate: false});
    expect(plan.state).toBe('unusable');
    expect(kinds(plan)).toEqual(['export-kubeconfig', 'wait-api']);
    expect(plan.reasons.join()).toContain('interrupted');
  });

  it('Given an API that does not answer, When planned with and without --recreate, Then only --recreate deletes', () => {
    const broken = {...healthy, api: {status: 'unreachable' as const, message: 'The connection to the server 127.0.0.1:40000 was refused'}};
    expect(kinds(planCluster(broken, {recreate: false}))).toEqual(['wait-api']);
    expect(kinds(planCluster(broken, {recreate: true}))).toEqual(['delete-cluster', 'check-host-ports', 'create-cluster']);
  });

  it('Given a kind-N context that points off this machine, When planned, Then kp refuses and plans nothing', () => {
    const plan = planCluster({...healthy, server: 'https://prod.example.com:6443', serverIsLocal: false}, {recreate: true});
    expect(plan.steps).toEqual([]);
    expect(plan.refusal).toContain('https://prod.example.com:6443');
  });

  it('Given node JSON, When readiness is counted, Then only Ready=True counts', () => {
    expect(
      nodeReadiness([
        {status: {conditions: [{type: 'Ready', status: 'True'}]}},
        {status: {conditions: [{type: 'Ready', status: 'False'}]}},
      ]),
    ).toEqual({ready: 1, nodes: 2});
  });
});

describe('ingress planner', () => {
  const pinned = INGRESS_NGINX.version;
  it.each([
    [{installed: false, version: undefined, ready: false}, 'apply'],
    [{installed: true, version: '1.9.4', ready: true}, 'apply'],
    [{installed: true, version: pinned, ready: false}, 'wait'],
    [{installed: true, version: pinned, ready: true}, 'none'],
  ] as const)('Given %j, When planned, Then the action is %s', (observed, action) => {
    expect(planIngress({...observed}).action).toBe(action);
  });

  it('Given the controller Deployment, When read, Then the version comes from its label (else the image tag)', () => {
    expect(ingressFromDeployment({metadata: {labels: {'app.kubernetes.io/version': '1.12.1'}}, spec: {replicas: 1}, status: {readyReplicas: 1}})).toEqual({
      installed: true,
      version: '1.12.1',
      ready: true,
    });
    expect(ingressFromDeployment({spec: {template: {spec: {containers: [{image: 'registry.k8s.io/ingress-nginx/controller:v1.11.3@sha256:abc'}]}}}}).version).toBe('1.11.3');
    expect(ingressFromDeployment(undefined).installed).toBe(false);
  });

  it('Given the vendored manifest, When read, Then its controller carries the pinned version and component label', () => {
    const docs = parseAllDocuments(readFileSync(INGRESS_NGINX.manifest, 'utf8')).map((d) => d.toJS());
    expect(docs.find((d) => d.kind === 'Namespace').metadata.name).toBe('ingress-nginx');
    const deployment = docs.find((d) => d.kind === 'Deployment');
    expect(deployment.metadata.name).toBe(INGRESS_NGINX.deployment);
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe(pinned);
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('controller');
    expect(deployment.spec.template.spec.containers[0].image).toBe(`registry.k8s.io/ingress-nginx/controller:v${pinned}`);
    expect(deployment.spec.template.spec.nodeSelector['ingress-ready']).toBe('true');
    expect(path.basename(INGRESS_NGINX.manifest)).toBe(`controller-v${pinned}-kind.yaml`);
  });
});

describe('down planner', () => {
  it('Given nothing, When planned, Then nothing is deleted and nothing asked', () => {
    expect(planDown({nodes: [], contextExists: false}, false)).toEqual({deleteCluster: false, needsConfirmation: false, prune: false});
  });
  it('Given node containers, When planned, Then deletion needs confirmation', () => {
    expect(planDown({nodes: ['kamerplanter-control-plane'], contextExists: true}, true)).toEqual({deleteCluster: true, needsConfirmation: true, prune: true});
  });
  it('Given only a stale context, When planned, Then it is removed without asking (no data)', () => {
    expect(planDown({nodes: [], contextExists: true}, false)).toMatchObject({deleteCluster: true, needsConfirmation: false});
  });
});

describe('inotify advice', () => {
  it('Given low limits, When advised, Then the exact sysctl lines are given', () => {
    expect(inotifyAdvice({max_user_watches: 8192, max_user_instances: 128})).toEqual([
      'sudo sysctl fs.inotify.max_user_watches=524288',
      'sudo sysctl fs.inotify.max_user_instances=512',
    ]);
    expect(inotifyAdvice({max_user_watches: 1048576, max_user_instances: 512})).toEqual([]);
    expect(inotifyAdvice({})).toEqual([]);
  });
  it('Given doctor, When limits are low or the OS is not Linux, Then it warns or skips', () => {
    expect(inotifyCheck({max_user_watches: 8192, max_user_instances: 8192}, 'linux')).toMatchObject({status: 'warn', required: false});
    expect(inotifyCheck({}, 'darwin').status).toBe('skip');
  });
});

describe('kind config and port collisions', () => {
  const upstreamKind = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
    extraPortMappings:
      - {containerPort: 80, hostPort: 80}
      - {containerPort: 443, hostPort: 443}
      - {containerPort: 30800, hostPort: 8000}
      - {containerPort: 30300, hostPort: 3000}
      - {containerPort: 30529, hostPort: 8529}
  - role: worker
  - role: worker
`;
  const skaffold = loadSkaffoldConfig(path.join(projectRoot, 'skaffold.yaml'));

  it('Given the upstream kind config, When compared with skaffold.yaml, Then 8000, 3000 and 8529 collide with file:line:col', () => {
    const collisions = findPortCollisions(parseKindFile(parseYamlText(upstreamKind, 'kind-config.yaml')), skaffold);
    expect(collisions.map((c) => c.port)).toEqual([8000, 3000, 8529]);
    expect(collisions[0]!.kindWhere).toBe('kind-config.yaml:8:9');
    expect(collisions[1]!.skaffold).toContain('service/kamerplanter-frontend');
  });

  it('Given the shipped kind config, When read, Then only 80/443 are published, nothing collides, and the ingress label is patched in', () => {
    const file = path.join(projectRoot, 'kind-config.yaml');
    const kind = loadKindConfig(file);
    expect(kind.hostPorts.map((p) => p.hostPort)).toEqual([80, 443]);
    expect(kind.roles).toEqual(['control-plane', 'worker', 'worker']);
    expect(findPortCollisions(kind, skaffold)).toEqual([]);
    const raw = parseAllDocuments(readFileSync(file, 'utf8'))[0]!.toJS();
    expect(raw.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    const patch = raw.nodes[0].kubeadmConfigPatches[0] as string;
    expect(patch).toContain('kind: InitConfiguration');
    expect(patch).toMatch(/node-labels: "ingress-ready=true"/);
  });

  it('Given a workspace with the upstream kind config, When doctor checks it, Then it fails the collision check', () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'kp-dev-doctor-'));
    mkdirSync(path.join(ws, 'helm', 'kamerplanter'), {recursive: true});
    writeFileSync(path.join(ws, 'kind-config.yaml'), upstreamKind);
    const check = collisionCheck({workspace: ws});
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('host port 8000');
    expect(collisionCheck({workspace: path.join(ws, 'helm')}).status).toBe('ok'); // no kind-config there: shipped files
  });

  it('Given tool probes, When turned into doctor lines, Then absent is a warning and never required', () => {
    expect(toolCheck({...judgeToolVersion('kind', undefined, false), cached: false})).toMatchObject({status: 'warn', required: false});
    expect(toolCheck({...judgeToolVersion('skaffold', '1.39.2'), cached: false})).toMatchObject({status: 'fail', required: false});
    expect(toolCheck({...judgeToolVersion('helm', '3.16.2'), cached: false})).toMatchObject({status: 'ok', required: false});
  });
});

describe('status helpers', () => {
  it('Given node states, When classified, Then absent/running/stopped/partial', () => {
    expect(clusterStateOf([])).toBe('absent');
    expect(clusterStateOf([node('a'), node('b')])).toBe('running');
    expect(clusterStateOf([node('a', 'exited')])).toBe('stopped');
    expect(clusterStateOf([node('a'), node('b', 'exited')])).toBe('partial');
  });
  it('Given pods, When filtered, Then Ready and Succeeded ones are not reported', () => {
    const pods = podsNotReady([
      {metadata: {name: 'ok', namespace: 'default'}, status: {phase: 'Running', conditions: [{type: 'Ready', status: 'True'}]}},
      {metadata: {name: 'job', namespace: 'default'}, status: {phase: 'Succeeded'}},
      {metadata: {name: 'bad', namespace: 'default'}, status: {phase: 'Pending', containerStatuses: [{state: {waiting: {reason: 'ImagePullBackOff'}}}]}},
    ]);
    expect(pods).toEqual([{namespace: 'default', name: 'bad', phase: 'Pending', reason: 'ImagePullBackOff'}]);
  });
  it('Given the shipped skaffold.yaml, When endpoints are derived, Then the backend is probed on its readiness path', () => {
    const endpoints = forwardedEndpoints(loadSkaffoldConfig(path.join(projectRoot, 'skaffold.yaml')));
    expect(endpoints[0]).toEqual({name: 'kamerplanter-backend', url: 'http://127.0.0.1:8000/api/v1/health/ready'});
    expect(endpoints.map((e) => e.url)).toContain('http://127.0.0.1:3000/');
  });
});
