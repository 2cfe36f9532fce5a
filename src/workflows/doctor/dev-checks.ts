/**
 * The dev-loop checks `kp doctor` shows: kind, kubectl, Skaffold and Helm versions (absent is only
 * a warning: compose users do not need them), the inotify limits, and host-port collisions between
 * the workspace's kind config and skaffold.yaml.
 */
import type {KpContext} from '../context.js';
import {loadKindConfig} from '../../config/kind-config.js';
import {loadSkaffoldConfig} from '../../config/skaffold-config.js';
import {KpError, unlessInterrupted} from '../../core/errors.js';
import type {DoctorCheck} from './check.js';
import {exposedNodePorts, observeNodes, type ExposedPort, type NodeObservation} from '../dev/cluster.js';
import {describeCollision, findPortCollisions, type PortCollision} from '../dev/port-collisions.js';
import {clusterPortCollisions, forwardedEndpoints, type ClusterPortCollision} from '../dev/status.js';
import {Engine} from '../../tools/docker.js';
import {DEFAULT_CLUSTER_NAME} from '../shared/names.js';
import {inotifyAdvice, readInotifyLimits} from '../dev/preflight.js';
import {probeDevTools, type ToolProbe} from '../shared/tool-versions.js';
import {resolveDevWorkspace, SHIPPED_FILES, workspaceInputs} from '../dev/workspace.js';

/** Turn one tool probe into a doctor line (pure). */
export function toolCheck(probe: ToolProbe): DoctorCheck {
  const name = probe.tool;
  if (!probe.found) return {name, status: 'warn', required: false, detail: 'not installed (only kp dev needs it)', hint: probe.hint};
  if (!probe.ok) return {name, status: 'fail', required: false, detail: probe.problem ?? 'unusable', hint: probe.hint};
  return {name, status: 'ok', required: false, detail: `${probe.version} (>= ${probe.minimum})`};
}

/** The inotify line (pure): skip off Linux, warn with the exact sysctl lines when too low. */
export function inotifyCheck(limits: ReturnType<typeof readInotifyLimits>, platform: NodeJS.Platform = process.platform): DoctorCheck {
  if (platform !== 'linux' || Object.keys(limits).length === 0) {
    return {name: 'inotify limits', status: 'skip', required: false, detail: 'not Linux'};
  }
  const detail = `max_user_watches=${limits.max_user_watches ?? '?'}, max_user_instances=${limits.max_user_instances ?? '?'}`;
  const advice = inotifyAdvice(limits);
  if (advice.length === 0) return {name: 'inotify limits', status: 'ok', required: false, detail};
  return {
    name: 'inotify limits',
    status: 'warn',
    required: false,
    detail: `${detail} (Skaffold may fail with "too many open files")`,
    hint: advice.join(' && '),
  };
}

/**
 * The port-collision line (pure). A running cluster whose node containers publish a port Skaffold
 * forwards to is a failed required check: the forward lands elsewhere and the app looks down. A
 * collision only in the kind config is a warning: kp leaves those ports out when it creates the cluster.
 */
export function collisionCheck(input: {
  where: string;
  kindFile: string;
  skaffoldFile: string;
  inConfig: readonly PortCollision[];
  inCluster: readonly ClusterPortCollision[];
}): DoctorCheck {
  const name = 'dev port collisions';
  if (input.inCluster.length > 0) {
    return {
      name,
      status: 'fail',
      required: true,
      detail: input.inCluster.map((c) => `port ${c.port} is published by ${c.heldBy}, so Skaffold cannot forward ${c.forward} there`).join('; '),
      hint: 'Recreate the cluster without those host ports: kp dev up --recreate (its PVC data is lost).',
    };
  }
  if (input.inConfig.length > 0) {
    return {
      name,
      status: 'warn',
      required: false,
      detail: `${input.inConfig.map((c) => describeCollision(c, input.skaffoldFile)).join('; ')}; kp dev up leaves these out when it creates the cluster`,
      hint: `Or remove those extraPortMappings from ${input.kindFile} (Skaffold's port-forwards already reach the services).`,
    };
  }
  return {name, status: 'ok', required: false, detail: `no kind hostPort equals a Skaffold localPort (${input.where})`};
}

/**
 * The exposure line (pure): a node host port published beyond loopback is reachable from the
 * network (the ingress, an un-onboarded HA behind it, the databases): a failed check.
 */
export function exposureCheck(exposed: readonly ExposedPort[]): DoctorCheck {
  const name = 'dev cluster exposure';
  if (exposed.length === 0) return {name, status: 'ok', required: false, detail: 'every host port of the dev cluster is on 127.0.0.1 (or no cluster)'};
  return {
    name,
    status: 'fail',
    required: true,
    detail: exposed.map((e) => `port ${e.port} (${e.service}) of ${e.node} is published on ${e.address}`).join('; '),
    hint: 'kp dev up --recreate publishes them on 127.0.0.1 (its PVC data is lost); --bind-address only if the network should reach them.',
  };
}

/** Read the workspace's files (or kp's shipped ones outside a checkout) and the default cluster's nodes, then judge. */
async function workspaceCollisionCheck(options: {workspace?: string}, observed: Promise<NodeObservation[] | undefined>): Promise<DoctorCheck> {
  let skaffoldFile: string = SHIPPED_FILES.skaffold;
  let kindFile: string = SHIPPED_FILES.kindConfig;
  let where = 'kp defaults';
  try {
    const workspace = resolveDevWorkspace(workspaceInputs(options.workspace));
    skaffoldFile = workspace.skaffoldFile;
    kindFile = workspace.kindConfigFile;
    where = workspace.root;
  } catch (error) {
    if (options.workspace) return {name: 'dev port collisions', status: 'fail', required: false, detail: (error as Error).message};
  }
  try {
    const skaffold = loadSkaffoldConfig(skaffoldFile);
    const nodes = (await observed) ?? [];
    return collisionCheck({
      where,
      kindFile,
      skaffoldFile,
      inConfig: findPortCollisions(loadKindConfig(kindFile), skaffold),
      inCluster: clusterPortCollisions(nodes, forwardedEndpoints(skaffold), []),
    });
  } catch (error) {
    const message = error instanceof KpError ? error.message : String(error);
    return {name: 'dev port collisions', status: 'fail', required: false, detail: message};
  }
}

/** Every dev-loop check for `kp doctor`. */
export async function devDoctorChecks(ctx: KpContext, options: {workspace?: string}): Promise<DoctorCheck[]> {
  // One look at the default cluster's node containers serves both checks.
  const observed = observeNodes(new Engine(ctx.runner), DEFAULT_CLUSTER_NAME).catch(unlessInterrupted(undefined));
  const [probes, collisions, nodes] = await Promise.all([probeDevTools(ctx.runner, {useCache: false}), workspaceCollisionCheck(options, observed), observed]);
  const exposure: DoctorCheck = nodes
    ? exposureCheck(exposedNodePorts(nodes))
    : {name: 'dev cluster exposure', status: 'skip', required: false, detail: 'no container engine to ask'};
  return [...probes.map(toolCheck), inotifyCheck(readInotifyLimits()), collisions, exposure];
}
