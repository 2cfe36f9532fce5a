// Pod commands for the fake `kubectl` (consulted by kubectl.mjs after --context is validated).
// A pod registered in $KP_FAKE_STATE/ha-pods.json is backed by a REAL stand-in Docker container:
// `exec` forwards to `docker exec` (stdin included), `logs` to `docker logs`, and Ready comes from
// `docker inspect` and a port-8123 probe, so the pod target's whole sync loop runs for real. Or it
// is simulated (`sim`: no container, state only) for tests without an engine.
//
// kubelet's part is modelled, not Docker's: the backing container runs without a restart policy
// and this fake restarts it the way kubelet restarts a container of a `restartPolicy: Always` pod
// (shared/spec/kamerplanter-workflow.md, "What `kill 1` costs"): the first crash is restarted at
// once, then after 10 s, 20 s, 40 s ... up to 5 min; a container that ran 10 minutes resets it.
// While it waits, the container shows `waiting: CrashLoopBackOff` with kubelet's message
// (`back-off 20s restarting failed container=NAME pod=POD_NS(UID)`, kuberuntime_manager.go) and
// `lastState.terminated`. KP_FAKE_TIME_SCALE (e.g. 0.1) scales every delay so tests stay fast. The
// fake acts when it is called (kp polls, `get --watch` polls): a lazy kubelet, the same answers.
//
// ha-pods.json: {"<context>": {"<namespace>/<pod>": {backing | sim, container, labels?, spec?, uid, restarts, crashes, pending?}}}
import {randomUUID} from 'node:crypto';
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

const scale = () => Number(process.env.KP_FAKE_TIME_SCALE ?? '1') || 1;
const BACKOFF_START_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
const BACKOFF_RESET_MS = 600_000;

/** Go's time.Duration.String() for whole seconds and milliseconds (what kubelet prints). */
export function goDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const total = ms / 1000;
  const minutes = Math.floor(total / 60);
  const seconds = Math.round((total - minutes * 60) * 1000) / 1000;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** kubelet's delay before restarting after crash number `crashes` (1-based) since the last reset. */
export function kubeletDelayMs(crashes) {
  if (crashes <= 1) return 0;
  return Math.min(BACKOFF_START_MS * 2 ** (crashes - 2), BACKOFF_MAX_MS) * scale();
}

const registryFile = (stateDir) => path.join(stateDir, 'ha-pods.json');

/**
 * Run `fn` holding the registry lock (kp's calls and an open `get --watch` both run kubelet's
 * model: one at a time, so a crash is counted once and a restart made once).
 */
function withRegistryLock(stateDir, fn) {
  const lock = path.join(stateDir, 'ha-pods.lock');
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > until) rmSync(lock, {recursive: true, force: true});
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, {recursive: true, force: true});
  }
}

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
  registry[context][`${namespace}/${name}`] = {uid: randomUUID(), restarts: 0, crashes: 0, container: 'homeassistant', ...entry};
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

/** The container as it is now: from the engine (backed) or the entry (simulated). */
function observeContainer(entry) {
  if (entry.sim) return entry.sim;
  const details = inspect(entry.backing);
  if (!details) return undefined;
  return {
    running: Boolean(details.State?.Running),
    startedAt: details.State?.StartedAt,
    finishedAt: details.State?.FinishedAt,
    exitCode: details.State?.ExitCode,
    oomKilled: Boolean(details.State?.OOMKilled),
  };
}

/**
 * kubelet's sync for one pod: a container found stopped is a crash; it is restarted after the
 * back-off (at once for the first crash). Mutates `entry`; returns what is observed afterwards.
 */
function reconcile(entry) {
  let seen = observeContainer(entry);
  if (!seen || seen.running) return seen;
  if (!entry.pending || entry.pending.finishedAt !== seen.finishedAt) {
    const ran = Date.parse(seen.finishedAt) - Date.parse(seen.startedAt);
    if (ran >= BACKOFF_RESET_MS * scale()) entry.crashes = 0;
    entry.crashes = (entry.crashes ?? 0) + 1;
    entry.pending = {finishedAt: seen.finishedAt, delayMs: kubeletDelayMs(entry.crashes)};
    entry.lastTerminated = {
      exitCode: seen.exitCode,
      reason: seen.oomKilled ? 'OOMKilled' : seen.exitCode === 0 ? 'Completed' : 'Error',
      startedAt: seen.startedAt,
      finishedAt: seen.finishedAt,
    };
  }
  if (Date.now() >= Date.parse(entry.pending.finishedAt) + entry.pending.delayMs) {
    if (entry.sim) entry.sim = {...entry.sim, running: true, startedAt: new Date().toISOString()};
    else docker(['start', entry.backing]);
    entry.restarts = (entry.restarts ?? 0) + 1;
    entry.pending = undefined;
    seen = observeContainer(entry);
  }
  return seen;
}

function podJson(namespace, name, entry) {
  const seen = reconcile(entry);
  const running = Boolean(seen?.running);
  const ready = running && (entry.sim ? entry.sim.ready !== false : probe(entry.backing));
  const waiting = entry.pending
    ? {
        reason: 'CrashLoopBackOff',
        message: `back-off ${goDuration(entry.pending.delayMs)} restarting failed container=${entry.container} pod=${name}_${namespace}(${entry.uid})`,
      }
    : {reason: 'ContainerCreating'};
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
      // A pod whose container waits in CrashLoopBackOff is still phase Running.
      phase: running || entry.pending ? 'Running' : 'Pending',
      conditions: [{type: 'Ready', status: ready ? 'True' : 'False'}],
      containerStatuses: [
        {
          name: entry.container,
          ready,
          restartCount: entry.restarts ?? 0,
          state: running ? {running: {startedAt: seen.startedAt}} : {waiting},
          ...(entry.lastTerminated ? {lastState: {terminated: entry.lastTerminated}} : {}),
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
export function handlePodCommand(request) {
  const {parsed} = request;
  const [verb, kind, name] = parsed.positionals;
  if (verb === 'get' && ['pod', 'pods', 'po'].includes(kind) && name && parsed.has('--watch')) {
    if (!loadRegistry(request.stateDir)[request.context]) return undefined;
    return watchPod(request.stateDir, request.context, parsed.value('--namespace') ?? 'default', name);
  }
  // exec and logs may run long (a whole upload): the lock covers the model, not the command.
  if (verb === 'exec' || verb === 'logs') return handleUnlocked(request);
  return withRegistryLock(request.stateDir, () => handleUnlocked(request));
}

function handleUnlocked({parsed, context, stateDir, stdin}) {
  const registry = loadRegistry(stateDir);
  const pods = registry[context];
  if (!pods) return undefined;
  const [verb, ...words] = parsed.positionals;
  const namespace = parsed.value('--namespace') ?? 'default';

  if (verb === 'get' && ['pod', 'pods', 'po'].includes(words[0])) {
    const name = words[1];
    if (name) {
      const entry = pods[`${namespace}/${name}`];
      if (!entry) return notFound(name);
      const pod = podJson(namespace, name, entry);
      saveRegistry(stateDir, registry);
      return {exitCode: 0, stdout: `${JSON.stringify(pod, null, 2)}\n`, stderr: ''};
    }
    const selector = parsed.value('--selector');
    const items = Object.entries(pods)
      .filter(([key]) => key.startsWith(`${namespace}/`))
      .map(([key, entry]) => podJson(namespace, key.slice(namespace.length + 1), entry))
      .filter((pod) => !selector || matchesSelector(pod.metadata.labels, selector));
    saveRegistry(stateDir, registry);
    return {exitCode: 0, stdout: `${JSON.stringify({apiVersion: 'v1', kind: 'List', items}, null, 2)}\n`, stderr: ''};
  }

  if (verb === 'exec') {
    if (!parsed.hasRest || parsed.rest.length === 0)
      return {exitCode: 1, stdout: '', stderr: 'error: you must specify at least one command for the container\n'};
    const name = words[0];
    const entry = pods[`${namespace}/${name}`];
    if (!entry) return notFound(name);
    const container = parsed.value('--container') ?? entry.container;
    if (container !== entry.container) {
      return {exitCode: 1, stdout: '', stderr: `Error from server (BadRequest): container ${container} is not valid for pod ${name}\n`};
    }
    if (entry.sim) return {exitCode: 1, stdout: '', stderr: 'error: unable to upgrade connection: container not found ("homeassistant")\n'};
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
    // The StatefulSet recreates the pod under the same name: new UID, restart count and back-off
    // from zero, and its initContainers run again (`initScript`: what they do to /config).
    if (entry.backing) {
      docker(['stop', '-t', '1', entry.backing]);
      if (entry.initScript)
        docker(['run', '--rm', '--volumes-from', entry.backing, '--entrypoint', '/bin/sh', entry.image ?? 'kp-ha-standin:test', '-c', entry.initScript]);
      docker(['start', entry.backing]);
    }
    pods[key] = {...entry, uid: randomUUID(), restarts: 0, crashes: 0, pending: undefined, lastTerminated: undefined};
    saveRegistry(stateDir, registry);
    return {exitCode: 0, stdout: `pod "${name}" deleted\n`, stderr: ''};
  }
  return undefined;
}

/**
 * `get pod NAME --watch -o name`: the pod now, then one line per change, as long as kp keeps the
 * watch open (the real one ends when the API server closes it). Runs kubelet's model meanwhile.
 */
async function watchPod(stateDir, context, namespace, name) {
  const key = `${namespace}/${name}`;
  const signature = (pod) =>
    pod
      ? JSON.stringify([pod.metadata.uid, pod.status.containerStatuses[0].restartCount, pod.status.containerStatuses[0].state, pod.status.conditions])
      : 'gone';
  let last;
  for (;;) {
    const pod = withRegistryLock(stateDir, () => {
      const registry = loadRegistry(stateDir);
      const entry = registry[context]?.[key];
      if (!entry) return undefined;
      const json = podJson(namespace, name, entry);
      saveRegistry(stateDir, registry);
      return json;
    });
    const now = signature(pod);
    if (now !== last) {
      if (last === undefined && !pod) return notFound(name);
      process.stdout.write(`pod/${name}\n`);
      last = now;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
