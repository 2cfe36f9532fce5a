/**
 * The dev-loop checks `kp doctor` shows: kind, kubectl, Skaffold and Helm versions (absent is only
 * a warning: compose users do not need them), the inotify limits, and host-port collisions between
 * the workspace's kind config and skaffold.yaml.
 */
import type {KpContext} from '../context.js';
import {loadKindConfig} from '../../config/kind-config.js';
import {loadSkaffoldConfig} from '../../config/skaffold-config.js';
import {KpError} from '../../core/errors.js';
import type {DoctorCheck} from './check.js';
import {describeCollision, findPortCollisions} from '../dev/port-collisions.js';
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
  return {name: 'inotify limits', status: 'warn', required: false, detail: `${detail} (Skaffold may fail with "too many open files")`, hint: advice.join(' && ')};
}

/** The port-collision line for the workspace (or kp's shipped files outside a checkout). */
export function collisionCheck(options: {workspace?: string}): DoctorCheck {
  let skaffoldFile: string = SHIPPED_FILES.skaffold;
  let kindFile: string = SHIPPED_FILES.kindConfig;
  let where = 'kp defaults';
  try {
    const workspace = resolveDevWorkspace(workspaceInputs(options.workspace));
    skaffoldFile = workspace.skaffoldFile;
    kindFile = workspace.kindConfigFile;
    where = workspace.root;
  } catch (error) {
    if (options.workspace) {
      return {name: 'dev port collisions', status: 'fail', required: false, detail: (error as Error).message};
    }
  }
  try {
    const collisions = findPortCollisions(loadKindConfig(kindFile), loadSkaffoldConfig(skaffoldFile));
    if (collisions.length === 0) {
      return {name: 'dev port collisions', status: 'ok', required: false, detail: `no kind hostPort equals a Skaffold localPort (${where})`};
    }
    return {
      name: 'dev port collisions',
      status: 'fail',
      required: false,
      detail: collisions.map((c) => describeCollision(c, skaffoldFile)).join('; '),
      hint: `Remove or change those extraPortMappings in ${kindFile} (Skaffold's port-forwards already reach the services).`,
    };
  } catch (error) {
    const message = error instanceof KpError ? error.message : String(error);
    return {name: 'dev port collisions', status: 'fail', required: false, detail: message};
  }
}

/** Every dev-loop check for `kp doctor`. */
export async function devDoctorChecks(ctx: KpContext, options: {workspace?: string}): Promise<DoctorCheck[]> {
  const probes = await probeDevTools(ctx.runner, {useCache: false});
  return [...probes.map(toolCheck), inotifyCheck(readInotifyLimits()), collisionCheck(options)];
}
