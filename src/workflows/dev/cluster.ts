/**
 * The kind cluster of `kp dev up`, as a small state machine: observe (node containers, kubeconfig
 * context, API), plan the steps as a pure function of that observation, then apply them.
 * missing -> create; stopped -> start the nodes and wait; unusable -> repair (recreate only when
 * asked); healthy -> nothing. A `kind-N` context whose API server is not on this machine is a
 * refusal in the plan (the fence, see kube-context.ts).
 */
import type {KindConfig} from '../../config/kind-config.js';
import {InterruptedError, fail} from '../../core/errors.js';
import {Engine, parsePublishedPorts} from '../../tools/docker.js';
import {Kind, KIND_CLUSTER_LABEL, kindContextName} from '../../tools/kind.js';
import {isUnreachable, Kubectl} from '../../tools/kubectl.js';
import type {KpContext} from '../context.js';
import {busyPorts, describePortHolder, isLoopbackAddress} from '../shared/host-ports.js';
import {enforceFence, observeContext, withCurrentContextKept, type ContextView} from './kube-context.js';
import {poll} from '../../core/poll.js';

/** One kind node container as the engine reports it. */
export interface NodeObservation {
  id: string;
  name: string;
  /** Engine state: `running`, `exited`, `created`, `paused`, ... */
  state: string;
  role: string | undefined;
  /** Host ports the node container publishes (kind's extraPortMappings plus the API server's). */
  hostPorts: number[];
  /** The same, with the host address each is published on (0.0.0.0: every interface). */
  published?: Array<{hostIp: string; hostPort: number; containerPort: number}>;
}

/** A host port of a node container that other machines can reach. */
export interface ExposedPort {
  port: number;
  address: string;
  /** The node container that publishes it. */
  node: string;
  /** What it leads to (`ingress (http)`, `Kubernetes API`, `container port 30800`). */
  service: string;
}

/** Node host ports published beyond loopback (pure). */
export function exposedNodePorts(nodes: readonly NodeObservation[]): ExposedPort[] {
  const service = (containerPort: number) =>
    containerPort === 80
      ? 'ingress (http)'
      : containerPort === 443
        ? 'ingress (https)'
        : containerPort === 6443
          ? 'Kubernetes API'
          : `container port ${containerPort}`;
  return nodes.flatMap((node) =>
    (node.published ?? [])
      .filter((p) => !isLoopbackAddress(p.hostIp))
      .map((p) => ({port: p.hostPort, address: p.hostIp, node: node.name, service: service(p.containerPort)})),
  );
}

/** What the API said about the cluster's nodes. */
export type ApiObservation =
  | {status: 'ready'; nodes: number}
  | {status: 'nodes-not-ready'; ready: number; nodes: number}
  | {status: 'unreachable'; message: string}
  | {status: 'not-probed'};

/** Everything kp looks at before deciding what to do with the cluster. */
export interface ClusterObservation extends ContextView {
  name: string;
  context: string;
  nodes: NodeObservation[];
  api: ApiObservation;
}

/** The cluster's condition, as the state machine sees it. */
export type ClusterState = 'missing' | 'stopped' | 'unusable' | 'healthy';

/** One thing kp does to the cluster. */
export type ClusterStep =
  | {kind: 'check-host-ports'}
  | {kind: 'delete-cluster'; why: string}
  | {kind: 'create-cluster'}
  | {kind: 'start-nodes'; ids: string[]; names: string[]}
  | {kind: 'export-kubeconfig'}
  | {kind: 'wait-api'};

/** The plan for the cluster: its state, why, and the steps (empty when healthy). */
export interface ClusterPlan {
  state: ClusterState;
  reasons: string[];
  steps: ClusterStep[];
  /** Set when kp must not act at all (the context fence). */
  refusal: string | undefined;
}

/** Decide what to do with the cluster (pure). */
export function planCluster(observed: ClusterObservation, options: {recreate: boolean}): ClusterPlan {
  if (observed.server !== undefined && observed.serverIsLocal === false) {
    return {
      state: 'unusable',
      reasons: [],
      steps: [],
      refusal:
        `The kube context ${observed.context} points at ${observed.server}, which is not on this machine. ` +
        'kp only acts on a local kind cluster and will not touch it.',
    };
  }
  const create: ClusterStep[] = [{kind: 'check-host-ports'}, {kind: 'create-cluster'}];
  if (observed.nodes.length === 0) {
    const reasons = [`no node containers labelled ${KIND_CLUSTER_LABEL}=${observed.name}`];
    if (observed.server) reasons.push(`a stale context ${observed.context} is left over; kind create rewrites it`);
    return {state: 'missing', reasons, steps: create, refusal: undefined};
  }

  const stopped = observed.nodes.filter((n) => n.state !== 'running');
  const state: ClusterState = stopped.length > 0 ? 'stopped' : observed.server === undefined || observed.api.status !== 'ready' ? 'unusable' : 'healthy';
  const reasons: string[] = [];
  if (stopped.length > 0) reasons.push(`node container(s) not running: ${stopped.map((n) => `${n.name} (${n.state})`).join(', ')}`);
  if (observed.server === undefined) reasons.push(`kube context ${observed.context} is missing (an interrupted create?)`);
  if (observed.api.status === 'unreachable') reasons.push(`the API server does not answer: ${observed.api.message}`);
  if (observed.api.status === 'nodes-not-ready') reasons.push(`${observed.api.ready}/${observed.api.nodes} nodes Ready`);
  if (!observed.nodes.some((n) => n.role === 'control-plane' || n.name.endsWith('-control-plane'))) {
    reasons.push('no control-plane node container');
  }

  if (options.recreate) {
    return {
      state,
      reasons,
      steps: [{kind: 'delete-cluster', why: state === 'healthy' ? '--recreate was given' : `--recreate was given; ${reasons.join('; ')}`}, ...create],
      refusal: undefined,
    };
  }
  if (state === 'healthy') return {state, reasons, steps: [], refusal: undefined};
  const steps: ClusterStep[] = [];
  if (stopped.length > 0) steps.push({kind: 'start-nodes', ids: stopped.map((n) => n.id), names: stopped.map((n) => n.name)});
  if (observed.server === undefined) steps.push({kind: 'export-kubeconfig'});
  steps.push({kind: 'wait-api'});
  return {state, reasons, steps, refusal: undefined};
}

/** Parse `kubectl get nodes -o json` items into a readiness count. */
export function nodeReadiness(items: ReadonlyArray<{status?: {conditions?: Array<{type?: string; status?: string}>}}>): {ready: number; nodes: number} {
  const ready = items.filter((item) => item.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  return {ready, nodes: items.length};
}

/** List the cluster's node containers (the engine adapter turns a missing CLI or daemon into prerequisite errors). */
export async function observeNodes(engine: Engine, name: string, signal?: AbortSignal): Promise<NodeObservation[]> {
  const rows = await engine.listContainers([`${KIND_CLUSTER_LABEL}=${name}`], {signal});
  return rows
    .filter((row) => row.labels[KIND_CLUSTER_LABEL] === name)
    .map((row) => ({
      id: row.id,
      name: row.name,
      state: row.state,
      role: row.labels['io.x-k8s.kind.role'],
      hostPorts: [...new Set(parsePublishedPorts(row.ports).map((p) => p.hostPort))],
      published: parsePublishedPorts(row.ports),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The API's view of the nodes (one kubectl call). */
export async function probeApi(kubectl: Kubectl): Promise<ApiObservation> {
  const result = await kubectl.run(['get', 'nodes', '-o', 'json'], {allowFailure: true, timeoutMs: 30_000});
  if (result.exitCode !== 0) {
    const message = result.stderr.trim().split('\n').pop() ?? 'no answer';
    return {status: 'unreachable', message: isUnreachable(result.stderr) ? message : message || 'kubectl failed'};
  }
  const items = (JSON.parse(result.stdout) as {items?: Array<{status?: {conditions?: Array<{type?: string; status?: string}>}}>}).items ?? [];
  const {ready, nodes} = nodeReadiness(items);
  return ready === nodes && nodes > 0 ? {status: 'ready', nodes} : {status: 'nodes-not-ready', ready, nodes};
}

/**
 * Observe the cluster: nodes (given, from the preflight), kubeconfig, and the API when it can
 * answer. `alongside` runs concurrently with the API probe (only when the fence allows probing),
 * so the next read on the no-op path costs no extra wall time; its failure yields undefined.
 */
export async function observeCluster<T = never>(
  ctx: KpContext,
  name: string,
  nodes: NodeObservation[],
  alongside?: (kubectl: Kubectl) => Promise<T>,
): Promise<{observed: ClusterObservation; alongside: T | undefined}> {
  const context = kindContextName(name);
  const contextView = observeContext(name);
  const canProbe = nodes.length > 0 && nodes.every((n) => n.state === 'running') && contextView.server !== undefined && contextView.serverIsLocal;
  if (!canProbe) return {observed: {name, context, nodes, ...contextView, api: {status: 'not-probed'}}, alongside: undefined};
  const kubectl = new Kubectl(ctx.runner, context);
  const [api, extra] = await Promise.all([
    probeApi(kubectl),
    alongside ? alongside(kubectl).catch((error: unknown) => (error instanceof InterruptedError ? Promise.reject(error) : undefined)) : undefined,
  ]);
  return {observed: {name, context, nodes, ...contextView, api}, alongside: extra};
}

/** Settings for applying a cluster plan. */
export interface ClusterApplyOptions {
  name: string;
  kindConfig: KindConfig;
  timeoutSeconds: number;
  /** Called before each step, with the step's human title. */
  onStep?: (title: string) => void;
}

/** A human title for a step. */
export function stepTitle(step: ClusterStep, name: string): string {
  switch (step.kind) {
    case 'check-host-ports':
      return 'Check the host ports the cluster publishes';
    case 'delete-cluster':
      return `Delete kind cluster ${name} (${step.why})`;
    case 'create-cluster':
      return `Create kind cluster ${name}`;
    case 'start-nodes':
      return `Start stopped node containers: ${step.names.join(', ')}`;
    case 'export-kubeconfig':
      return `Write the kube context kind-${name}`;
    case 'wait-api':
      return 'Wait for the API server and Ready nodes';
  }
}

/** Apply the plan's steps in order. */
export async function applyClusterPlan(ctx: KpContext, plan: ClusterPlan, options: ClusterApplyOptions): Promise<void> {
  const engine = new Engine(ctx.runner);
  const kind = new Kind(ctx.runner, 'kind', engine.bin);
  const kubectl = new Kubectl(ctx.runner, kindContextName(options.name));
  for (const step of plan.steps) {
    options.onStep?.(stepTitle(step, options.name));
    switch (step.kind) {
      case 'check-host-ports': {
        const wanted = options.kindConfig.hostPorts.map((p) => ({port: p.hostPort, host: p.listenAddress}));
        const busy = await busyPorts(wanted);
        if (busy.length > 0) {
          const holders = await Promise.all(
            busy.map(async (port) => {
              const holder = await describePortHolder(port, engine);
              return `${port}${holder ? ` (held by ${holder})` : ''}`;
            }),
          );
          throw fail.prerequisite(
            `Host port(s) the cluster publishes are in use: ${holders.join(', ')} (from ${options.kindConfig.file}).`,
            'Stop whatever holds them, or use a checkout kind-config.yaml with other hostPorts.',
          );
        }
        break;
      }
      case 'delete-cluster':
        ctx.out.warn(`Deleting kind cluster ${options.name}: ${step.why}. Data in its PVCs is lost.`);
        await kind.deleteCluster(options.name);
        break;
      case 'create-cluster':
        await withCurrentContextKept(ctx, kubectl, options.name, () =>
          kind.createCluster({name: options.name, configFile: options.kindConfig.file, waitSeconds: options.timeoutSeconds}),
        );
        break;
      case 'start-nodes':
        ctx.out.info(`Node containers of ${options.name} are stopped (a Docker restart or reboot?): starting them; PVC data is kept.`);
        await engine.start(step.ids);
        break;
      case 'export-kubeconfig':
        await withCurrentContextKept(ctx, kubectl, options.name, () => kind.exportKubeconfig(options.name));
        break;
      case 'wait-api':
        if (ctx.dryRun) {
          ctx.out.info('[dry-run] would wait for the API server and Ready nodes');
          break;
        }
        enforceFence(options.name); // the first API call after a repair must not go anywhere else
        await waitForApi(kubectl, options.name, options.timeoutSeconds);
        break;
    }
  }
}

/** Poll the API until every node is Ready, or give up after `timeoutSeconds`. */
export async function waitForApi(kubectl: Kubectl, name: string, timeoutSeconds: number): Promise<void> {
  const waited = await poll<void, ApiObservation>(
    async () => {
      const seen = await probeApi(kubectl);
      return seen.status === 'ready' ? {done: true, value: undefined} : {done: false, seen};
    },
    {deadline: Date.now() + timeoutSeconds * 1000, intervalMs: (left) => Math.min(1000, Math.max(100, left))},
  );
  if (waited.done) return;
  const last: ApiObservation = waited.lastSeen ?? {status: 'not-probed'};
  const why = last.status === 'unreachable' ? last.message : last.status === 'nodes-not-ready' ? `${last.ready}/${last.nodes} nodes Ready` : 'no answer';
  throw fail.timeout(
    `Cluster ${name} did not become ready within ${timeoutSeconds}s (${why}).`,
    `If a create was interrupted the cluster may be broken: \`kp dev up --recreate --name ${name}\` deletes and recreates it (PVC data is lost).`,
  );
}
