// Fake `docker` for the integration layer only (the e2e layer uses the real engine): answers
// `ps` for kind node containers from the fake kind state, `start`/`stop` them, and the label
// prune listings. KP_FAKE_DOCKER_DOWN=1 answers like a stopped daemon.
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {KIND_LABEL, finish, loadClusters, parseArgs, recordCall, saveClusters} from './common.mjs';

const DAEMON_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

/** docker's flags that take a value (everything else is a boolean), and its short names. */
const DOCKER_FLAGS = {
  values: ['--filter', '--format', '--time', '--host'],
  aliases: {'-f': '--filter', '-t': '--time', '-H': '--host', '-a': '--all', '-q': '--quiet'},
};

function allNodes() {
  return Object.entries(loadClusters()).flatMap(([cluster, record]) => (record.nodes ?? []).map((n) => ({...n, cluster})));
}

function labelsOf(node) {
  return {[KIND_LABEL]: node.cluster, 'io.x-k8s.kind.role': node.role};
}

function matches(node, filter) {
  if (!filter.startsWith('label=')) return filter.startsWith('name=') ? node.name.includes(filter.slice(5)) : false;
  const [key, value] = filter.slice('label='.length).split('=');
  const labels = labelsOf(node);
  return value === undefined ? key in labels : labels[key] === value;
}

function psRow(node) {
  const running = node.state === 'running';
  return JSON.stringify({
    Command: '"/usr/local/bin/entrypoint /sbin/init"',
    CreatedAt: '2026-01-01 10:00:00 +0000 UTC',
    ID: node.id,
    Image: node.image ?? 'kindest/node:v1.33.1',
    Labels: Object.entries(labelsOf(node))
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    LocalVolumes: '1',
    Mounts: '/lib/modules',
    Names: node.name,
    Networks: 'kind',
    // A stopped container publishes nothing; nodes created before ports were recorded publish the ingress ports.
    Ports: running ? (node.ports ?? (node.role === 'control-plane' ? ['127.0.0.1:80->80/tcp', '127.0.0.1:443->443/tcp'] : [])).join(', ') : '',
    RunningFor: '2 hours ago',
    Size: '0B',
    State: node.state,
    Status: running ? 'Up 2 hours' : 'Exited (137) 5 minutes ago',
  });
}

function setState(ids, state) {
  const clusters = loadClusters();
  const touched = [];
  for (const id of ids) {
    let found = false;
    for (const record of Object.values(clusters)) {
      for (const node of record.nodes ?? []) {
        if (node.id === id || node.id.startsWith(id) || node.name === id) {
          node.state = state;
          found = true;
          if (state === 'running' && (node.role === 'control-plane' || node.name.endsWith('-control-plane')) && record.apiReadyAt !== null) {
            record.apiReadyAt = Date.now() + Number(process.env.KP_FAKE_NODE_START_DELAY_MS ?? 300);
          }
        }
      }
    }
    if (!found) return {error: `Error response from daemon: No such container: ${id}`};
    touched.push(id);
  }
  saveClusters(clusters);
  return {touched};
}

export async function main(args) {
  recordCall('docker', args);
  const parsed = parseArgs(args, DOCKER_FLAGS);
  const [verb, sub, ...words] = parsed.positionals;
  if (process.env.KP_FAKE_DOCKER_DOWN === '1') return finish({stderr: DAEMON_DOWN, exitCode: 1});
  if (verb === 'version') {
    const fixture = new URL('../../fixtures/recorded/docker/version.json', import.meta.url);
    return finish({stdout: readFileSync(fileURLToPath(fixture), 'utf8').trim()});
  }
  if (verb === 'ps') {
    const all = parsed.has('--all');
    const rows = allNodes().filter((n) => (all || n.state === 'running') && parsed.values('--filter').every((f) => matches(n, f)));
    return finish({stdout: rows.map(psRow).join('\n')});
  }
  if (verb === 'start' || verb === 'stop') {
    const ids = parsed.positionals.slice(1);
    const result = setState(ids, verb === 'start' ? 'running' : 'exited');
    return result.error ? finish({stderr: result.error, exitCode: 1}) : finish({stdout: result.touched.join('\n')});
  }
  if ((verb === 'volume' || verb === 'network') && sub === 'ls') return finish({stdout: ''});
  if ((verb === 'volume' || verb === 'network') && sub === 'rm') return finish({stdout: words.join('\n')});
  return finish({stderr: `docker: unknown command: docker ${verb}\n\nRun 'docker --help' for more information`, exitCode: 1});
}
