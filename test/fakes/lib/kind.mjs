// Fake `kind`: clusters are node containers (in the state file, or real labelled containers with
// KP_FAKE_KIND_BACKEND=docker). Messages and exit codes as in shared/spec/tool-behaviour.md.
// KP_FAKE_KIND_CREATE_DELAY_MS slows `create cluster` between "nodes exist" and "kubeconfig
// written", KP_FAKE_KIND_WAIT_DELAY_MS the --wait phase after it, so a test can interrupt either; KP_FAKE_KIND_INTERRUPT_BREAKS=1 makes such an interrupted
// cluster's API never come up (only --recreate helps then).
import {existsSync, readFileSync} from 'node:fs';
import YAML from 'yaml';
import {
  clusterNames,
  clusterNodes,
  clusterRecord,
  dockerBackend,
  finish,
  loadClusters,
  nodeId,
  parseArgs,
  recordCall,
  removeKindContext,
  saveClusters,
  sleep,
  writeKindContext,
} from './common.mjs';

const VERSION = () => process.env.KP_FAKE_KIND_VERSION ?? '0.32.0';

/** kind's flags that take a value (everything else is a boolean). */
const KIND_FLAGS = {
  values: ['--name', '--config', '--wait', '--image', '--kubeconfig', '--retain', '--verbosity'],
  aliases: {'-q': '--quiet', '-v': '--verbosity'},
};

async function create(parsed) {
  const name = parsed.value('--name') ?? 'kind';
  const configFile = parsed.value('--config');
  let nodes = [{role: 'control-plane'}];
  if (configFile) {
    if (!existsSync(configFile))
      return finish({stderr: `ERROR: failed to create cluster: error reading file: open ${configFile}: no such file or directory`, exitCode: 1});
    const config = YAML.parse(readFileSync(configFile, 'utf8'));
    if (config?.kind !== 'Cluster' || config?.apiVersion !== 'kind.x-k8s.io/v1alpha4') {
      return finish({stderr: 'ERROR: failed to create cluster: unknown apiVersion or kind in config', exitCode: 1});
    }
    nodes = config.nodes ?? nodes;
  }
  if (clusterNodes(name).length > 0) {
    return finish({stderr: `ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`, exitCode: 1});
  }
  if (dockerBackend()) return finish({stderr: 'fake kind: create is not supported with the docker backend', exitCode: 1});
  process.stderr.write(`Creating cluster "${name}" ...\n ✓ Ensuring node image (kindest/node:v1.33.1) 🖼\n`);
  const createdAt = Date.now();
  const delay = Number(process.env.KP_FAKE_KIND_CREATE_DELAY_MS ?? 0);
  const breaks = process.env.KP_FAKE_KIND_INTERRUPT_BREAKS === '1';
  const counters = {};
  const clusters = loadClusters();
  const record = clusterRecord(clusters, name);
  record.nodes = nodes.map((node) => {
    const role = node.role ?? 'control-plane';
    counters[role] = (counters[role] ?? 0) + 1;
    const nodeName =
      role === 'control-plane'
        ? `${name}-control-plane${counters[role] > 1 ? counters[role] : ''}`
        : `${name}-${role}${counters[role] > 1 ? counters[role] : ''}`;
    // The host ports the node publishes, as kind maps extraPortMappings (listenAddress defaults to 0.0.0.0).
    const ports = (node.extraPortMappings ?? [])
      .filter((m) => typeof m.hostPort === 'number')
      .map((m) => `${m.listenAddress ?? '0.0.0.0'}:${m.hostPort}->${m.containerPort}/${String(m.protocol ?? 'TCP').toLowerCase()}`);
    return {id: nodeId(nodeName, createdAt), name: nodeName, role, state: 'running', image: 'kindest/node:v1.33.1', ports};
  });
  record.objects = {};
  record.helmReleases = [];
  record.apiPort = 30000 + Math.floor(Math.random() * 30000);
  // kubeadm runs inside the node: it finishes on its own unless the test says an interrupt breaks it.
  record.apiReadyAt = breaks ? null : createdAt + delay;
  record.createdAt = createdAt;
  saveClusters(clusters);
  process.stderr.write(' ✓ Preparing nodes 📦\n ✓ Writing configuration 📜\n');
  await sleep(delay);
  process.stderr.write(' ✓ Starting control-plane 🕹️\n ✓ Installing CNI 🔌\n ✓ Installing StorageClass 💾\n');
  const done = loadClusters();
  clusterRecord(done, name).apiReadyAt ??= Date.now();
  saveClusters(done);
  writeKindContext(name, record.apiPort);
  const waitDelay = Number(process.env.KP_FAKE_KIND_WAIT_DELAY_MS ?? 0);
  if (waitDelay > 0) {
    // Like real kind with --wait: the context is already written (and current) while it waits.
    process.stderr.write(' • Waiting ≤ 2m0s for control-plane = Ready ⏳\n');
    await sleep(waitDelay);
    process.stderr.write(' ✓ Waiting ≤ 2m0s for control-plane = Ready ⏳\n');
  }
  finish({
    stderr: `Set kubectl context to "kind-${name}"\nYou can now use your cluster with:\n\nkubectl cluster-info --context kind-${name}\n\nHave a nice day! 👋`,
  });
}

function remove(parsed) {
  const name = parsed.value('--name') ?? 'kind';
  process.stderr.write(`Deleting cluster "${name}" ...\n`);
  if (!dockerBackend()) {
    const clusters = loadClusters();
    delete clusters[name];
    saveClusters(clusters);
  }
  removeKindContext(name);
  finish({stderr: clusterNodes(name).length === 0 ? '' : `Deleted nodes: ${JSON.stringify(clusterNodes(name).map((n) => n.name))}`});
}

function exportKubeconfig(parsed) {
  const name = parsed.value('--name') ?? 'kind';
  const nodes = clusterNodes(name);
  if (!nodes.some((n) => n.role === 'control-plane' || n.name.endsWith('-control-plane'))) {
    return finish({
      stderr: `ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`,
      exitCode: 1,
    });
  }
  const clusters = loadClusters();
  const record = clusterRecord(clusters, name);
  record.apiPort ??= 30000 + Math.floor(Math.random() * 30000);
  saveClusters(clusters);
  writeKindContext(name, record.apiPort);
  finish({stderr: `Set kubectl context to "kind-${name}"`});
}

export async function main(args) {
  recordCall('kind', args);
  const parsed = parseArgs(args, KIND_FLAGS);
  const [verb, noun, image] = parsed.positionals;
  const name = parsed.value('--name') ?? 'kind';
  if (verb === 'version') return finish({stdout: parsed.has('--quiet') ? VERSION() : `kind v${VERSION()} go1.24.2 linux/amd64`});
  if (verb === 'get' && noun === 'clusters') {
    const names = clusterNames();
    return names.length === 0 ? finish({stderr: 'No kind clusters found.'}) : finish({stdout: names.join('\n')});
  }
  if (verb === 'get' && noun === 'nodes') {
    const nodes = clusterNodes(name);
    return nodes.length === 0 ? finish({stderr: `No kind nodes found for cluster "${name}".`}) : finish({stdout: nodes.map((n) => n.name).join('\n')});
  }
  if (verb === 'get' && noun === 'kubeconfig') return finish({stdout: readFileSync(process.env.KUBECONFIG ?? '', 'utf8')});
  if (verb === 'create' && noun === 'cluster') return create(parsed);
  if (verb === 'delete' && noun === 'cluster') return remove(parsed);
  if (verb === 'export' && noun === 'kubeconfig') return exportKubeconfig(parsed);
  if (verb === 'load' && noun === 'docker-image')
    return finish({stderr: `Image: "${image}" with ID "sha256:0" not yet present on node "${name}-control-plane", loading...`});
  return finish({stderr: `ERROR: unknown command "${verb}" for "kind"`, exitCode: 1});
}
