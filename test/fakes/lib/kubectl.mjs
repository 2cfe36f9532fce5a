// Fake `kubectl`: reads the kubeconfig kind writes (KUBECONFIG), answers for kind-N contexts from
// the cluster state, and uses the real wording for errors (unknown context, NotFound, refused).
// Pod operations can be provided by ./kubectl-pods.mjs (owned by the HA tests): it is consulted
// first, after --context has been validated.
import {existsSync, readFileSync} from 'node:fs';
import YAML from 'yaml';
import {
  clusterNodes, clusterOfContext, clusterRecord, contextServer, finish, loadClusters, parseArgs, readKubeconfig, recordCall, saveClusters,
  stateDir, unreachableMessage, writeKubeconfig,
} from './common.mjs';

const VERSION = () => process.env.KP_FAKE_KUBECTL_VERSION ?? '1.32.4';
const PLURAL = {deployment: 'deployments.apps', deployments: 'deployments.apps', pod: 'pods', pods: 'pods', node: 'nodes', nodes: 'nodes', namespace: 'namespaces', service: 'services'};

/** kubectl's flags that take a value (everything else is a boolean), and its short names. */
export const KUBECTL_FLAGS = {
  values: [
    '--context', '--kubeconfig', '--namespace', '--output', '--selector', '--container', '--filename', '--timeout', '--for',
    '--since', '--since-time', '--tail', '--raw', '--field-selector',
  ],
  aliases: {'-n': '--namespace', '-o': '--output', '-l': '--selector', '-c': '--container', '-f': '--filename', '-A': '--all-namespaces', '-i': '--stdin', '-t': '--tty'},
};

/** Parse kubectl's argv: the global --context may stand anywhere. */
export const parseKubectl = (argv) => parseArgs(argv, KUBECTL_FLAGS);

function readStdin() {
  try {
    return readFileSync(0);
  } catch {
    return Buffer.alloc(0);
  }
}

function configCommand(parsed) {
  const config = readKubeconfig();
  const [, sub, value] = parsed.positionals;
  if (sub === 'current-context') {
    return config['current-context'] ? finish({stdout: config['current-context']}) : finish({stderr: 'error: current-context is not set', exitCode: 1});
  }
  if (sub === 'get-contexts') return finish({stdout: config.contexts.map((c) => c.name).join('\n')});
  if (sub === 'use-context') {
    if (!config.contexts.some((c) => c.name === value)) return finish({stderr: `error: no context exists with the name: "${value}"`, exitCode: 1});
    config['current-context'] = value;
    writeKubeconfig(config);
    return finish({stdout: `Switched to context "${value}".`});
  }
  if (sub === 'unset' && value === 'current-context') {
    config['current-context'] = '';
    writeKubeconfig(config);
    return finish({stdout: 'Property "current-context" unset.'});
  }
  if (sub === 'view') return finish({stdout: parsed.value('--output') === 'json' ? JSON.stringify(config, null, 2) : YAML.stringify(config)});
  return finish({stderr: `error: unknown command "${sub}" for "kubectl config"`, exitCode: 1});
}

const ready = (status) => [{type: 'Ready', status: status ? 'True' : 'False'}];

function nodeItems(cluster) {
  return clusterNodes(cluster).map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {name: n.name, labels: {'kubernetes.io/hostname': n.name, ...(n.role === 'control-plane' ? {'node-role.kubernetes.io/control-plane': '', 'ingress-ready': 'true'} : {})}},
    status: {conditions: ready(n.state === 'running'), nodeInfo: {kubeletVersion: 'v1.33.1'}},
  }));
}

function podItems(record) {
  const pods = [];
  for (const object of Object.values(record.objects)) {
    if (object.kind !== 'Deployment') continue;
    const labels = object.spec?.template?.metadata?.labels ?? {};
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: `${object.metadata.name}-5d9f7c6b8-x2v4q`, namespace: object.metadata.namespace ?? 'default', labels},
      status: {phase: 'Running', conditions: ready(true)},
    });
  }
  for (const release of record.helmReleases) {
    for (const pod of release.pods ?? []) pods.push({apiVersion: 'v1', kind: 'Pod', metadata: {name: pod.name, namespace: release.namespace}, status: pod.status});
  }
  return pods;
}

function notFound(kind, name) {
  return finish({stderr: `Error from server (NotFound): ${PLURAL[kind] ?? kind} "${name}" not found`, exitCode: 1});
}

function get(parsed, cluster, record) {
  if (parsed.has('--raw')) return finish({stdout: 'ok'});
  const output = parsed.value('--output');
  const namespace = parsed.value('--namespace') ?? 'default';
  const all = parsed.has('--all-namespaces');
  const [, kindArg, name] = parsed.positionals;
  const kind = kindArg?.split('.')[0];
  if (kind === 'nodes' || kind === 'node') {
    const items = nodeItems(cluster);
    return finish({stdout: output === 'json' ? JSON.stringify({apiVersion: 'v1', kind: 'List', items}, null, 2) : items.map((n) => `${n.metadata.name}   Ready`).join('\n')});
  }
  if (kind === 'pods' || kind === 'pod') {
    const items = podItems(record).filter((p) => all || p.metadata.namespace === namespace);
    if (name) {
      const pod = items.find((p) => p.metadata.name === name);
      return pod ? finish({stdout: JSON.stringify(pod, null, 2)}) : notFound('pods', name);
    }
    return finish({stdout: JSON.stringify({apiVersion: 'v1', kind: 'List', items}, null, 2)});
  }
  if (kind === 'deployment' || kind === 'deployments' || kind === 'deploy') {
    if (!name) {
      const items = Object.values(record.objects).filter((o) => o.kind === 'Deployment' && (all || o.metadata.namespace === namespace));
      return finish({stdout: JSON.stringify({apiVersion: 'v1', kind: 'List', items}, null, 2)});
    }
    const object = record.objects[`Deployment/${namespace}/${name}`];
    return object ? finish({stdout: JSON.stringify(object, null, 2)}) : notFound('deployment', name);
  }
  return finish({stderr: `error: the server doesn't have a resource type "${kindArg}"`, exitCode: 1});
}

function apply(parsed, cluster) {
  const file = parsed.value('--filename');
  if (!file || !existsSync(file)) return finish({stderr: `error: the path "${file}" does not exist`, exitCode: 1});
  const clusters = loadClusters();
  const record = clusterRecord(clusters, cluster);
  const lines = [];
  for (const doc of YAML.parseAllDocuments(readFileSync(file, 'utf8'))) {
    const object = doc.toJS();
    if (!object?.kind) continue;
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass'].includes(object.kind);
    const ns = clusterScoped ? '' : (object.metadata?.namespace ?? 'default');
    const key = `${object.kind}/${ns}/${object.metadata?.name}`;
    if (object.kind === 'Deployment') object.status = {replicas: object.spec?.replicas ?? 1, readyReplicas: object.spec?.replicas ?? 1, updatedReplicas: object.spec?.replicas ?? 1};
    const previous = record.objects[key];
    const verb = !previous ? 'created' : JSON.stringify(previous) === JSON.stringify(object) ? 'unchanged' : 'configured';
    record.objects[key] = object;
    const group = object.apiVersion?.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
    lines.push(`${object.kind.toLowerCase()}${group}/${object.metadata?.name} ${verb}`);
  }
  saveClusters(clusters);
  return finish({stdout: lines.join('\n')});
}

function rollout(parsed, record) {
  const target = parsed.positionals[2] ?? '';
  const namespace = parsed.value('--namespace') ?? 'default';
  const name = target.split('/')[1];
  if (!record.objects[`Deployment/${namespace}/${name}`]) return notFound('deployment', name);
  return finish({stdout: `deployment "${name}" successfully rolled out`});
}

function wait(parsed, record) {
  const selector = parsed.value('--selector');
  const namespace = parsed.value('--namespace') ?? 'default';
  const pods = podItems(record).filter((p) => p.metadata.namespace === namespace);
  const matching = selector
    ? pods.filter((p) => selector.split(',').every((pair) => p.metadata.labels?.[pair.split('=')[0]] === pair.split('=')[1]))
    : pods;
  if (matching.length === 0) return finish({stderr: 'error: no matching resources found', exitCode: 1});
  return finish({stdout: matching.map((p) => `pod/${p.metadata.name} condition met`).join('\n')});
}

export async function main(argv) {
  recordCall('kubectl', argv);
  const parsed = parseKubectl(argv);
  const explicit = parsed.value('--context');
  const [verb] = parsed.positionals;
  if (verb === 'version' && parsed.has('--client')) {
    const clientVersion = {major: '1', minor: VERSION().split('.')[1], gitVersion: `v${VERSION()}`, gitCommit: '4cb5f0764b8d5f425645c6f433394fede34a8a26', gitTreeState: 'clean', buildDate: '2025-05-15T20:09:34Z', goVersion: 'go1.23.8', compiler: 'gc', platform: 'linux/amd64'};
    return parsed.value('--output') === 'json'
      ? finish({stdout: JSON.stringify({clientVersion, kustomizeVersion: 'v5.5.0'}, null, 2)})
      : finish({stdout: `Client Version: v${VERSION()}\nKustomize Version: v5.5.0`});
  }
  const config = readKubeconfig();
  const context = explicit ?? (config['current-context'] || undefined);
  if (explicit !== undefined && contextServer(explicit) === undefined) {
    return finish({stderr: `error: context "${explicit}" does not exist`, exitCode: 1});
  }
  if (verb === 'config') return configCommand(parsed);
  if (!context) return finish({stderr: 'The connection to the server localhost:8080 was refused - did you specify the right host or port?', exitCode: 1});

  const podsModule = new URL('./kubectl-pods.mjs', import.meta.url);
  if (existsSync(podsModule)) {
    const mod = await import(podsModule.href);
    const stdin = parsed.has('--stdin') ? readStdin() : Buffer.alloc(0);
    const handled = await mod.handlePodCommand({parsed, context, stateDir: stateDir(), stdin});
    if (handled) return finish(handled);
  }

  const unreachable = unreachableMessage(context);
  if (unreachable) return finish({stderr: unreachable, exitCode: 1});
  const cluster = clusterOfContext(context);
  const clusters = loadClusters();
  const record = clusterRecord(clusters, cluster);
  if (verb === 'get') return get(parsed, cluster, record);
  if (verb === 'apply') return apply(parsed, cluster);
  if (verb === 'rollout' && parsed.positionals[1] === 'status') return rollout(parsed, record);
  if (verb === 'wait') return wait(parsed, record);
  if (verb === 'cluster-info') return finish({stdout: `Kubernetes control plane is running at ${contextServer(context)}`});
  return finish({stderr: `error: unknown command "${verb}" for "kubectl"`, exitCode: 1});
}
