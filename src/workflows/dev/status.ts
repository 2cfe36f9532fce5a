/**
 * `kp dev status`: the cluster's node containers, its context (and whether it is local), node
 * readiness, Helm releases, pods not ready, ingress-nginx, and whether the forwarded endpoints
 * answer. Read-only; the API is only asked when the context fence allows it.
 */
import type {KpContext} from '../context.js';
import {validateClusterName} from '../shared/names.js';
import {loadSkaffoldConfig, type SkaffoldConfig} from '../../config/skaffold-config.js';
import {Engine} from '../../tools/docker.js';
import {Helm, type HelmRelease} from '../../tools/helm.js';
import {kindContextName} from '../../tools/kind.js';
import {Kubectl, type PodJson} from '../../tools/kubectl.js';
import {isListening, listeningPortsOfProcesses} from '../shared/host-ports.js';
import {probeHttp} from '../shared/http-probe.js';
import {exposedNodePorts, observeNodes, probeApi, type ApiObservation, type ExposedPort, type NodeObservation} from './cluster.js';
import {assertKubeconfigParses} from '../../config/kubeconfig.js';
import {observeContext} from './kube-context.js';
import {INGRESS_CONTROLLER, observeIngress, type IngressObservation} from './ingress.js';
import {resolveDevWorkspace, SHIPPED_FILES, workspaceInputs} from './workspace.js';

/** One forwarded endpoint and whether it answered. */
export interface EndpointStatus {
  name: string;
  /** `http://127.0.0.1:PORT/PATH`, or `tcp://127.0.0.1:PORT` for a database. */
  url: string;
  /** How it is probed: a GET, or a TCP connect (PostgreSQL, Valkey speak no HTTP). */
  probe: 'http' | 'tcp';
  ok: boolean;
  /** HTTP status, `open`, or the connection error. */
  detail: string;
}

/** A host port a node container of the cluster publishes while Skaffold wants to forward to it. */
export interface ClusterPortCollision {
  port: number;
  /** The node container that publishes it. */
  heldBy: string;
  /** The forward that wanted it (`service/kamerplanter-backend`). */
  forward: string;
  /** Local ports a running Skaffold for this cluster listens on that are none of the configured ones (where it forwarded instead). */
  skaffoldListensOn: number[];
}

/** A pod that is not Ready (or not Succeeded). */
export interface PodNotReady {
  namespace: string;
  name: string;
  phase: string;
  reason: string | undefined;
}

/** The documented JSON of `kp dev status --json`. */
export interface DevStatusResult {
  cluster: {
    name: string;
    /** absent: no node containers; running: all running; stopped: none running; partial: some. */
    state: 'absent' | 'running' | 'stopped' | 'partial';
    nodes: Array<{name: string; role: string | undefined; container: string}>;
  };
  context: {name: string; exists: boolean; server: string | undefined; local: boolean | undefined; isCurrent: boolean};
  api: ApiObservation['status'];
  nodesReady: string | undefined;
  ingress: (IngressObservation & {pinned: string}) | undefined;
  helmReleases: HelmRelease[];
  podsNotReady: PodNotReady[];
  endpoints: EndpointStatus[];
  /** Node host ports that take the local ports Skaffold forwards to. */
  portCollisions: ClusterPortCollision[];
  /** Node host ports other machines can reach (published beyond 127.0.0.1). */
  exposedPorts: ExposedPort[];
  /** True when everything above is up. */
  ready: boolean;
}

/** The health URL for a forwarded service (backend readiness, ArangoDB version, else `/`). */
export function healthPath(resourceName: string): string {
  if (resourceName.endsWith('backend')) return '/api/v1/health/ready';
  if (resourceName.endsWith('arangodb')) return '/_api/version';
  return '/';
}

/** Services that speak no HTTP (databases and caches): probed with a TCP connect. */
const TCP_ONLY = /(postgres|timescale|vectordb|valkey|redis)/;
const TCP_PORTS = new Set([5432, 6379]);

/** The endpoints Skaffold forwards (deduplicated by local port), each with its probe. */
export function forwardedEndpoints(config: SkaffoldConfig): Array<{name: string; url: string; probe: 'http' | 'tcp'; port: number}> {
  const seen = new Set<number>();
  const endpoints: Array<{name: string; url: string; probe: 'http' | 'tcp'; port: number}> = [];
  for (const module of config.modules) {
    for (const forward of module.portForwards) {
      const port = forward.localPort ?? (typeof forward.port === 'number' ? forward.port : undefined);
      if (port === undefined || seen.has(port)) continue;
      seen.add(port);
      const tcp = TCP_ONLY.test(forward.resourceName) || (typeof forward.port === 'number' && TCP_PORTS.has(forward.port));
      endpoints.push(
        tcp
          ? {name: forward.resourceName, url: `tcp://127.0.0.1:${port}`, probe: 'tcp', port}
          : {name: forward.resourceName, url: `http://127.0.0.1:${port}${healthPath(forward.resourceName)}`, probe: 'http', port},
      );
    }
  }
  return endpoints;
}

/** Node host ports that are also Skaffold local ports (pure). */
export function clusterPortCollisions(
  nodes: readonly NodeObservation[],
  forwards: ReadonlyArray<{name: string; port: number}>,
  skaffoldListensOn: readonly number[],
): ClusterPortCollision[] {
  const configured = new Set(forwards.map((f) => f.port));
  const elsewhere = skaffoldListensOn.filter((p) => !configured.has(p));
  return forwards.flatMap((forward) => {
    const node = nodes.find((n) => n.hostPorts.includes(forward.port));
    return node ? [{port: forward.port, heldBy: `kind node container ${node.name}`, forward: `service/${forward.name}`, skaffoldListensOn: elsewhere}] : [];
  });
}

/** Classify the node containers. */
export function clusterStateOf(nodes: readonly NodeObservation[]): DevStatusResult['cluster']['state'] {
  if (nodes.length === 0) return 'absent';
  const running = nodes.filter((n) => n.state === 'running').length;
  return running === nodes.length ? 'running' : running === 0 ? 'stopped' : 'partial';
}

/** Pods that are neither Ready nor finished (pure). */
export function podsNotReady(items: readonly PodJson[]): PodNotReady[] {
  return items
    .filter((pod) => pod.status?.phase !== 'Succeeded')
    .filter((pod) => !pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((pod) => ({
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      phase: pod.status?.phase ?? 'Unknown',
      reason: pod.status?.containerStatuses?.map((c) => c.state?.waiting?.reason).find(Boolean) ?? pod.status?.reason,
    }));
}

async function probeEndpoint(endpoint: {name: string; url: string; probe: 'http' | 'tcp'; port: number}): Promise<EndpointStatus> {
  const {name, url, probe} = endpoint;
  if (probe === 'tcp') {
    const open = await isListening(endpoint.port, '127.0.0.1', 1500);
    return {name, url, probe, ok: open, detail: open ? 'open' : 'closed'};
  }
  const answer = await probeHttp(url, 1500);
  return {name, url, probe, ok: answer.status !== undefined && answer.status >= 200 && answer.status < 300, detail: answer.detail};
}

/** Run `kp dev status`. */
export async function devStatus(ctx: KpContext, options: {name: string; workspace: string | undefined}): Promise<DevStatusResult> {
  validateClusterName(options.name);
  assertKubeconfigParses();
  // The node containers are asked for first and the workspace's skaffold.yaml read while the engine
  // answers (read-only). A bad --workspace or skaffold.yaml still fails first: it stops the probe,
  // so kp does not wait for it, and is thrown.
  const probe = new AbortController();
  const nodesObserved = observeNodes(new Engine(ctx.runner), options.name, probe.signal);
  nodesObserved.catch(() => undefined); // marked handled only: it is awaited below
  let skaffoldFile: string = SHIPPED_FILES.skaffold;
  let contextView: ReturnType<typeof observeContext>;
  let forwards: ReturnType<typeof forwardedEndpoints>;
  try {
    try {
      skaffoldFile = resolveDevWorkspace(workspaceInputs(options.workspace)).skaffoldFile;
    } catch (error) {
      if (options.workspace) throw error; // an explicit workspace that does not exist is an error; a missing checkout is not
    }
    contextView = observeContext(options.name);
    forwards = forwardedEndpoints(loadSkaffoldConfig(skaffoldFile));
  } catch (error) {
    probe.abort();
    throw error;
  }
  const context = kindContextName(options.name);
  const [nodes, endpoints] = await Promise.all([nodesObserved, Promise.all(forwards.map(probeEndpoint))]);
  const state = clusterStateOf(nodes);
  const skaffoldPorts = listeningPortsOfProcesses((cmd) => /(^|\/)skaffold /.test(cmd) && cmd.includes(context));
  const result: DevStatusResult = {
    cluster: {name: options.name, state, nodes: nodes.map((n) => ({name: n.name, role: n.role, container: n.state}))},
    context: {
      name: context,
      exists: contextView.server !== undefined,
      server: contextView.server,
      local: contextView.serverIsLocal,
      isCurrent: contextView.currentContext === context,
    },
    api: 'not-probed',
    nodesReady: undefined,
    ingress: undefined,
    helmReleases: [],
    podsNotReady: [],
    endpoints,
    portCollisions: clusterPortCollisions(nodes, forwards, skaffoldPorts),
    exposedPorts: exposedNodePorts(nodes),
    ready: false,
  };
  // The fence: a context that points off this machine is reported, never asked.
  if (state === 'running' && contextView.server !== undefined && contextView.serverIsLocal) {
    const kubectl = new Kubectl(ctx.runner, context);
    const api = await probeApi(kubectl);
    result.api = api.status;
    if (api.status === 'ready') result.nodesReady = `${api.nodes}/${api.nodes}`;
    if (api.status === 'nodes-not-ready') result.nodesReady = `${api.ready}/${api.nodes}`;
    if (api.status !== 'unreachable') {
      const [ingress, releases, pods] = await Promise.all([
        observeIngress(kubectl),
        new Helm(ctx.runner, context).listReleases(),
        kubectl.listJson<PodJson>('pods', {allNamespaces: true}),
      ]);
      result.ingress = {...ingress, pinned: INGRESS_CONTROLLER.version};
      result.helmReleases = releases;
      result.podsNotReady = podsNotReady(pods);
    }
  }
  result.ready =
    result.api === 'ready' &&
    Boolean(result.ingress?.ready) &&
    result.podsNotReady.length === 0 &&
    result.portCollisions.length === 0 &&
    result.endpoints.filter((e) => e.name.endsWith('backend')).every((e) => e.ok);
  return result;
}
