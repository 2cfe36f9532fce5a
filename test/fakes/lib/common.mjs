// Shared state for the fake kind/kubectl/skaffold/helm/docker executables. State lives in
// $KP_FAKE_STATE as JSON files, so the fakes are stateful across processes; every invocation is
// appended to $KP_FAKE_STATE/calls.jsonl. Behaviour follows shared/spec/tool-behaviour.md.
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const KIND_LABEL = 'io.x-k8s.kind.cluster';

/** The state directory (required: a fake must never fall back to real user files). */
export function stateDir() {
  const dir = process.env.KP_FAKE_STATE;
  if (!dir) {
    process.stderr.write('fake tool: KP_FAKE_STATE is not set\n');
    process.exit(97);
  }
  mkdirSync(dir, {recursive: true});
  return dir;
}

/** Append one call to calls.jsonl. */
export function recordCall(tool, argv) {
  appendFileSync(path.join(stateDir(), 'calls.jsonl'), `${JSON.stringify({tool, argv, pid: process.pid, at: Date.now()})}\n`);
}

export function readJson(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

/** Write atomically (tmp + rename), so a concurrent reader never sees half a file. */
export function writeJson(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Print and exit. */
export function finish({stdout = '', stderr = '', exitCode = 0} = {}) {
  if (stdout) process.stdout.write(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
  if (stderr) process.stderr.write(stderr.endsWith('\n') ? stderr : `${stderr}\n`);
  process.exitCode = exitCode;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- kubeconfig

/** The kubeconfig file kind writes and kubectl reads: $KUBECONFIG's first entry, else the state dir. */
export function kubeconfigPath() {
  const list = process.env.KUBECONFIG;
  return list ? list.split(path.delimiter)[0] : path.join(stateDir(), 'kubeconfig');
}

export function readKubeconfig() {
  const file = kubeconfigPath();
  const empty = {apiVersion: 'v1', kind: 'Config', clusters: [], contexts: [], users: [], 'current-context': '', preferences: {}};
  if (!existsSync(file)) return empty;
  const parsed = YAML.parse(readFileSync(file, 'utf8')) ?? {};
  return {...empty, ...parsed, clusters: parsed.clusters ?? [], contexts: parsed.contexts ?? [], users: parsed.users ?? []};
}

export function writeKubeconfig(config) {
  const file = kubeconfigPath();
  mkdirSync(path.dirname(file), {recursive: true});
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, YAML.stringify(config));
  renameSync(tmp, file);
}

/** Add or replace the kind-N entries, and make kind-N current (as real kind does). */
export function writeKindContext(name, port) {
  const config = readKubeconfig();
  const id = `kind-${name}`;
  config.clusters = config.clusters
    .filter((c) => c.name !== id)
    .concat({
      cluster: {'certificate-authority-data': 'LS0tLS1CRUdJTi1GQUtFLUNBLS0tLS0K', server: `https://127.0.0.1:${port}`},
      name: id,
    });
  config.contexts = config.contexts.filter((c) => c.name !== id).concat({context: {cluster: id, user: id}, name: id});
  config.users = config.users
    .filter((u) => u.name !== id)
    .concat({
      name: id,
      user: {'client-certificate-data': 'LS0tLS1GQUtFLUNFUlQtLS0tLQo=', 'client-key-data': 'LS0tLS1GQUtFLUtFWS0tLS0tCg=='},
    });
  config['current-context'] = id;
  writeKubeconfig(config);
}

/** Remove the kind-N entries (and unset current-context if it was kind-N), as `kind delete` does. */
export function removeKindContext(name) {
  const config = readKubeconfig();
  const id = `kind-${name}`;
  config.clusters = config.clusters.filter((c) => c.name !== id);
  config.contexts = config.contexts.filter((c) => c.name !== id);
  config.users = config.users.filter((u) => u.name !== id);
  if (config['current-context'] === id) config['current-context'] = '';
  writeKubeconfig(config);
}

/** The server URL a context points at, or undefined when the context does not exist. */
export function contextServer(context) {
  const config = readKubeconfig();
  const entry = config.contexts.find((c) => c.name === context);
  if (!entry) return undefined;
  return config.clusters.find((c) => c.name === entry.context?.cluster)?.cluster?.server ?? '';
}

// ---------------------------------------------------------------- clusters

const clustersFile = () => path.join(stateDir(), 'clusters.json');
export const loadClusters = () => readJson(clustersFile(), {});
export const saveClusters = (clusters) => writeJson(clustersFile(), clusters);

/** Where node containers live: in the state file, or (KP_FAKE_KIND_BACKEND=docker) in the real engine. */
export const dockerBackend = () => process.env.KP_FAKE_KIND_BACKEND === 'docker';

export function nodeId(name, createdAt) {
  return createHash('sha256').update(`${name}@${createdAt}`).digest('hex');
}

function realDockerNodes(filterValue) {
  const out = execFileSync('docker', ['ps', '-a', '--no-trunc', '--filter', `label=${filterValue}`, '--format', '{{json .}}'], {encoding: 'utf8'});
  return out
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l))
    .map((row) => {
      const labels = Object.fromEntries(
        String(row.Labels ?? '')
          .split(',')
          .filter(Boolean)
          .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
      );
      return {id: row.ID, name: row.Names, role: labels['io.x-k8s.kind.role'], state: String(row.State).toLowerCase(), cluster: labels[KIND_LABEL]};
    });
}

/** Node containers of cluster `name`: [{id, name, role, state}]. */
export function clusterNodes(name) {
  if (dockerBackend()) return realDockerNodes(`${KIND_LABEL}=${name}`);
  return (loadClusters()[name]?.nodes ?? []).map((n) => ({...n}));
}

/** Names of clusters that have node containers. */
export function clusterNames() {
  if (dockerBackend()) return [...new Set(realDockerNodes(KIND_LABEL).map((n) => n.cluster))].sort();
  return Object.entries(loadClusters())
    .filter(([, c]) => (c.nodes ?? []).length > 0)
    .map(([n]) => n)
    .sort();
}

/** The per-cluster record (objects, API readiness), created on demand. */
export function clusterRecord(clusters, name) {
  clusters[name] ??= {nodes: [], objects: {}, helmReleases: [], apiReadyAt: Date.now()};
  clusters[name].objects ??= {};
  clusters[name].helmReleases ??= [];
  return clusters[name];
}

/**
 * Can the API of cluster `name` answer now? Needs a running control-plane container and, in the
 * state backend, a finished kubeadm (apiReadyAt reached; null means it never finishes).
 */
export function apiReachable(name) {
  const nodes = clusterNodes(name);
  const controlPlane = nodes.find((n) => n.role === 'control-plane' || n.name.endsWith('-control-plane'));
  if (!controlPlane || controlPlane.state !== 'running') return false;
  const record = loadClusters()[name];
  if (dockerBackend()) return !(record && record.apiReadyAt === null);
  return Boolean(record && record.apiReadyAt !== null && Date.now() >= record.apiReadyAt);
}

/** The cluster name behind a kube context (`kind-N` -> `N`), undefined for anything else. */
export function clusterOfContext(context) {
  return context?.startsWith('kind-') ? context.slice('kind-'.length) : undefined;
}

/** Why the API of `context` cannot be reached (kubectl's real wording), or undefined when it can. */
export function unreachableMessage(context) {
  const server = contextServer(context) ?? '';
  let host;
  try {
    host = new URL(server).host;
  } catch {
    host = server;
  }
  const cluster = clusterOfContext(context);
  if (!/^(127\.|localhost|\[::1\])/.test(host)) {
    return `Unable to connect to the server: dial tcp: lookup ${host.split(':')[0]} on 127.0.0.53:53: no such host`;
  }
  if (!cluster || !apiReachable(cluster)) {
    return `The connection to the server ${host} was refused - did you specify the right host or port?`;
  }
  return undefined;
}

// ---------------------------------------------------------------- argv

/**
 * The one argv parser of the fakes. kind, kubectl, skaffold, helm and docker all parse flags with
 * Go's pflag (cobra), so one set of rules serves them all:
 * - `--name value` and `--name=value` for value flags, `-n value`, `-nvalue` and `-n=value` for short ones;
 * - any other flag is a boolean (`--flag`, or `--flag=false` to turn it off), short booleans combine (`-it`);
 * - flags may appear anywhere, before or after the words (`kubectl --context X get pods`);
 * - `--` ends the flags: what follows is `rest` (the command `kubectl exec` runs), not parsed.
 * A tool declares which flags take a value (`values`) and which short names stand for long ones
 * (`aliases`, e.g. {'-n': '--namespace'}), so `value('--namespace')` also finds `-n ns`.
 * Repeated value flags keep every value in order (`values()`); `value()` is the last, as pflag does.
 */
export function parseArgs(argv, {values = [], aliases = {}} = {}) {
  const canonical = (name) => aliases[name] ?? name;
  const valueFlags = new Set(values.map(canonical));
  const flags = new Map();
  const positionals = [];
  let rest;
  const add = (name, value) => {
    const key = canonical(name);
    if (!flags.has(key)) flags.set(key, []);
    flags.get(key).push(value);
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (!arg.startsWith('--') && name.length > 2) {
      // -nvalue (a short value flag with its value attached) or -it (short booleans combined)
      const short = name.slice(0, 2);
      if (valueFlags.has(canonical(short))) add(short, arg.slice(2).replace(/^=/, ''));
      else for (const letter of name.slice(1)) add(`-${letter}`, 'true');
      continue;
    }
    if (inline !== undefined) add(name, inline);
    else if (valueFlags.has(canonical(name))) add(name, argv[++i]);
    else add(name, 'true');
  }
  const all = (names) => [...new Set(names.map(canonical))].flatMap((key) => flags.get(key) ?? []);
  return {
    /** The words that are not flags or flag values, in order (up to `--`). */
    positionals,
    /** What followed `--` (empty when there was none). */
    rest: rest ?? [],
    /** Whether `--` was given. */
    hasRest: rest !== undefined,
    /** Was any of these flags given (booleans: and not `=false`)? */
    has: (...names) => all(names).some((v) => v !== 'false'),
    /** The flag's last value (pflag: the last one wins); of several names, the first one given. Undefined when absent. */
    value: (...names) =>
      names
        .map((n) => flags.get(canonical(n)))
        .find(Boolean)
        ?.at(-1),
    /** Every value of a repeated flag, in order. */
    values: (...names) => all(names),
    /** Every value of a repeated flag, comma-separated lists split (`-p a,b -p c`). */
    list: (...names) =>
      all(names)
        .flatMap((v) => v.split(','))
        .filter(Boolean),
  };
}
