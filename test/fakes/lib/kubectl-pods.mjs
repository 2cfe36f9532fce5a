// Pod commands for the fake `kubectl` (consulted by kubectl.mjs after --context is validated).
// A pod registered in $KP_FAKE_STATE/ha-pods.json is backed by a REAL stand-in Docker container:
// `exec` forwards to `docker exec` (stdin included), `logs` to `docker logs`, and restartCount /
// startedAt / Ready come from `docker inspect` and a port-8123 probe, so the pod target's whole
// sync loop runs for real. Wording and exit codes follow shared/spec/tool-behaviour.md.
//
// ha-pods.json: {"<context>": {"<namespace>/<pod>": {backing, container, labels?, spec?, uid?, restartBase?}}}
import {randomUUID} from 'node:crypto';
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';

const registryFile = (stateDir) => path.join(stateDir, 'ha-pods.json');

function loadRegistry(stateDir) {
  const file = registryFile(stateDir);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

function saveRegistry(stateDir, registry) {
  const file = registryFile(stateDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(registry, null, 2));
  renameSync(`${file}.tmp`, file);
}

/** Register a pod backed by docker container `backing` (used by tests). */
export function registerPod(stateDir, context, namespace, name, entry) {
  const registry = loadRegistry(stateDir);
  registry[context] ??= {};
  registry[context][`${namespace}/${name}`] = {uid: randomUUID(), restartBase: 0, container: 'homeassistant', ...entry};
  saveRegistry(stateDir, registry);
}

const notFound = (name) => ({exitCode: 1, stdout: '', stderr: `Error from server (NotFound): pods "${name}" not found\n`});

function docker(args, input) {
  const result = spawnSync('docker', args, {input, maxBuffer: 512 * 1024 * 1024});
  return {exitCode: result.status ?? 1, stdout: result.stdout ?? Buffer.alloc(0), stderr: result.stderr ?? Buffer.alloc(0)};
}

function inspect(backing) {
  const result = docker(['inspect', '--type', 'container', backing]);
  if (result.exitCode !== 0) return undefined;
  return JSON.parse(result.stdout.toString())[0];
}

// What the readiness probe (tcpSocket 8123 in the real StatefulSet) would see.
function probe(backing) {
  const script = `case "$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 127.0.0.1 8123 2>/dev/null | head -n 1)" in HTTP/*) exit 0 ;; esac; exit 1`;
  return docker(['exec', backing, 'sh', '-c', script]).exitCode === 0;
}

function podJson(namespace, name, entry) {
  const details = inspect(entry.backing);
  const running = Boolean(details?.State?.Running) && !details?.State?.Restarting;
  const ready = running && probe(entry.backing);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name, namespace, uid: entry.uid, labels: entry.labels ?? {'app.kubernetes.io/name': 'homeassistant'}},
    spec: entry.spec ?? {
      initContainers: [{name: 'copy-config'}, {name: 'copy-ha-integration'}],
      containers: [{name: entry.container, image: 'ghcr.io/home-assistant/home-assistant:2026.3.0', volumeMounts: [{name: 'config', mountPath: '/config'}]}],
      volumes: [{name: 'config', persistentVolumeClaim: {claimName: `config-${name}`}}],
    },
    status: {
      phase: running ? 'Running' : 'Pending',
      conditions: [{type: 'Ready', status: ready ? 'True' : 'False'}],
      containerStatuses: [
        {
          name: entry.container,
          ready,
          restartCount: Math.max(0, (details?.RestartCount ?? 0) - (entry.restartBase ?? 0)),
          state: running ? {running: {startedAt: details.State.StartedAt}} : {waiting: {reason: 'ContainerCreating'}},
        },
      ],
    },
  };
}

function matchesSelector(labels, selector) {
  return selector.split(',').every((pair) => {
    const [key, value] = pair.split('=');
    return value === undefined ? key in labels : labels[key] === value;
  });
}

/**
 * Handle a pod command for a registered context; undefined lets the main fake answer.
 * `parsed` is kubectl's argv as parsed by parseKubectl (common.mjs's parseArgs).
 */
export function handlePodCommand({parsed, context, stateDir, stdin}) {
  const registry = loadRegistry(stateDir);
  const pods = registry[context];
  if (!pods) return undefined;
  const [verb, ...words] = parsed.positionals;
  const namespace = parsed.value('--namespace') ?? 'default';

  if (verb === 'get' && ['pod', 'pods', 'po'].includes(words[0])) {
    const name = words[1];
    if (name) {
      const entry = pods[`${namespace}/${name}`];
      return entry ? {exitCode: 0, stdout: `${JSON.stringify(podJson(namespace, name, entry), null, 2)}\n`, stderr: ''} : notFound(name);
    }
    const selector = parsed.value('--selector');
    const items = Object.entries(pods)
      .filter(([key]) => key.startsWith(`${namespace}/`))
      .map(([key, entry]) => podJson(namespace, key.slice(namespace.length + 1), entry))
      .filter((pod) => !selector || matchesSelector(pod.metadata.labels, selector));
    return {exitCode: 0, stdout: `${JSON.stringify({apiVersion: 'v1', kind: 'List', items}, null, 2)}\n`, stderr: ''};
  }

  if (verb === 'exec') {
    if (!parsed.hasRest || parsed.rest.length === 0) return {exitCode: 1, stdout: '', stderr: 'error: you must specify at least one command for the container\n'};
    const name = words[0];
    const entry = pods[`${namespace}/${name}`];
    if (!entry) return notFound(name);
    const container = parsed.value('--container') ?? entry.container;
    if (container !== entry.container) {
      return {exitCode: 1, stdout: '', stderr: `Error from server (BadRequest): container ${container} is not valid for pod ${name}\n`};
    }
    const interactive = parsed.has('--stdin');
    const result = docker(['exec', ...(interactive ? ['-i'] : []), entry.backing, ...parsed.rest], interactive ? stdin : undefined);
    const stderr = result.stderr.toString() + (result.exitCode !== 0 ? `command terminated with exit code ${result.exitCode}\n` : '');
    return {exitCode: result.exitCode, stdout: result.stdout.toString(), stderr};
  }

  if (verb === 'logs') {
    const name = words[0];
    const entry = pods[`${namespace}/${name}`];
    if (!entry) return notFound(name);
    const container = parsed.value('--container') ?? entry.container;
    if (container !== entry.container) {
      return {exitCode: 1, stdout: '', stderr: `error: container ${container} is not valid for pod ${name}\n`};
    }
    const since = parsed.value('--since-time', '--since');
    const result = docker(['logs', ...(since ? ['--since', since] : []), entry.backing]);
    return {exitCode: result.exitCode, stdout: result.stdout.toString() + result.stderr.toString(), stderr: ''};
  }

  if (verb === 'delete' && ['pod', 'pods', 'po'].includes(words[0])) {
    const name = words[1];
    const key = `${namespace}/${name}`;
    const entry = pods[key];
    if (!entry) return notFound(name);
    // The StatefulSet recreates the pod under the same name: new UID, restart count from zero.
    docker(['restart', entry.backing]);
    const details = inspect(entry.backing);
    pods[key] = {...entry, uid: randomUUID(), restartBase: details?.RestartCount ?? 0};
    saveRegistry(stateDir, registry);
    return {exitCode: 0, stdout: `pod "${name}" deleted\n`, stderr: ''};
  }
  return undefined;
}
