/**
 * The compose checks `kp doctor` shows: the engine CLI and daemon, Compose, and every host port
 * the stack publishes (free, or already held by the running stack).
 */
import {KpError} from '../../core/errors.js';
import {detectCompose} from '../../tools/compose.js';
import {engineUnreachable, type Engine, type EngineVersion} from '../../tools/docker.js';
import type {KpContext} from '../context.js';
import {hostPortKey, probeStackPorts, type StackPort} from '../compose/ports.js';
import {observeContainers, serviceStatuses} from '../compose/services.js';
import {expectedServices, loadModel, readEnvValuesIfPresent, resolveStack, withInertSecrets, type StackOptions} from '../compose/stack.js';
import type {DoctorCheck} from './check.js';

/** The engine CLI and daemon lines, plus the version for the checks that need the daemon. */
export async function engineChecks(engine: Engine): Promise<{checks: DoctorCheck[]; version: EngineVersion | undefined}> {
  let version: EngineVersion;
  try {
    version = await engine.version();
  } catch (error) {
    return {
      version: undefined,
      checks: [
        {name: `${engine.bin} CLI`, status: 'fail', required: true, detail: 'not installed', hint: error instanceof KpError ? error.hint : undefined},
        {name: `${engine.bin} daemon`, status: 'skip', required: true, detail: 'no CLI'},
      ],
    };
  }
  const daemon: DoctorCheck = version.server
    ? {name: `${engine.bin} daemon`, status: 'ok', required: true, detail: `reachable, engine ${version.server}`}
    : {name: `${engine.bin} daemon`, status: 'fail', required: true, detail: version.daemonError ?? 'not reachable', hint: engineUnreachable(engine.bin, undefined).hint};
  return {version, checks: [{name: `${engine.bin} CLI`, status: 'ok', required: true, detail: version.client ?? 'unknown version'}, daemon]};
}

/** One doctor line for a published port (pure). */
export function portCheck(port: StackPort, project: string, envFile: string): DoctorCheck {
  const name = `port ${port.port} (${port.service})`;
  if (port.state === 'ours') return {name, status: 'ok', required: true, detail: `held by the running ${project} stack`};
  if (port.state === 'free') return {name, status: 'ok', required: true, detail: 'free'};
  return {
    name,
    status: 'fail',
    required: true,
    detail: `in use${port.holder ? ` by ${port.holder}` : ''}`,
    hint: `Free the port or set ${hostPortKey(port.service)} in ${envFile}.`,
  };
}

/** The stack's host ports (the running stack's own ports count as fine). */
export async function stackPortChecks(engine: Engine, daemonUp: boolean, options: StackOptions): Promise<DoctorCheck[]> {
  const stack = resolveStack(options);
  const services = expectedServices(loadModel(stack, withInertSecrets(readEnvValuesIfPresent(stack.envFile))), stack);
  const statuses = daemonUp ? serviceStatuses(services, await observeContainers(engine, stack.project)) : [];
  const ports = await probeStackPorts(daemonUp ? engine : undefined, services, statuses);
  return ports.map((port) => portCheck(port, stack.project, stack.envFile));
}

/** The Compose line. */
export async function composeCheck(ctx: KpContext, engine: Engine): Promise<DoctorCheck> {
  const info = await detectCompose(ctx.runner, engine.bin);
  return info
    ? {name: 'compose', status: 'ok', required: true, detail: `${info.command.join(' ')} ${info.version} (${info.flavour})`}
    : {
        name: 'compose',
        status: 'fail',
        required: true,
        detail: 'neither `docker compose` nor `docker-compose` found',
        hint: 'Install the Compose plugin (docker-compose-plugin) or the standalone docker-compose.',
      };
}
