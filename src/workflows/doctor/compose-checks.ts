/**
 * The compose checks `kp doctor` shows: the engine CLI and daemon, Compose, and every host port
 * the stack publishes (free, or already held by the running stack).
 */
import {KpError} from '../../core/errors.js';
import {detectCompose} from '../../tools/compose.js';
import {engineUnreachable, type ContainerDetails, type Engine, type EngineVersion} from '../../tools/docker.js';
import {isLoopbackAddress} from '../shared/host-ports.js';
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
    : {
        name: `${engine.bin} daemon`,
        status: 'fail',
        required: true,
        detail: version.daemonError ?? 'not reachable',
        hint: engineUnreachable(engine.bin, undefined).hint,
      };
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

/**
 * The exposure line of a stack (pure): a running container's port published beyond loopback is
 * reachable from other machines (HOST_BIND_ADDRESS set to more than 127.0.0.1, or a stack kp did
 * not start): a failed check naming the service, the port and the address.
 */
export function stackExposureCheck(project: string, containers: readonly ContainerDetails[]): DoctorCheck {
  const name = `${project} exposure`;
  const exposed = containers
    .filter((c) => c.running)
    .flatMap((c) =>
      c.ports.filter((p) => !isLoopbackAddress(p.hostIp)).map((p) => `port ${p.hostPort} (${c.labels['com.docker.compose.service'] ?? c.name}) on ${p.hostIp}`),
    );
  if (exposed.length === 0) return {name, status: 'ok', required: false, detail: 'every published port is on 127.0.0.1 (or nothing runs)'};
  return {
    name,
    status: 'fail',
    required: true,
    detail: `${[...new Set(exposed)].join('; ')}: reachable from other machines`,
    hint: 'Unset HOST_BIND_ADDRESS (127.0.0.1 is the default) and run kp compose start again, unless the network should reach them.',
  };
}

/** The stack's host ports (the running stack's own ports count as fine), and whether any is exposed. */
export async function stackPortChecks(engine: Engine, daemonUp: boolean, options: StackOptions): Promise<DoctorCheck[]> {
  const stack = resolveStack(options);
  const services = expectedServices(loadModel(stack, withInertSecrets(readEnvValuesIfPresent(stack.envFile))), stack);
  const containers = daemonUp ? await observeContainers(engine, stack.project) : [];
  const statuses = daemonUp ? serviceStatuses(services, containers) : [];
  const ports = await probeStackPorts(daemonUp ? engine : undefined, services, statuses);
  return [...ports.map((port) => portCheck(port, stack.project, stack.envFile)), ...(daemonUp ? [stackExposureCheck(stack.project, containers)] : [])];
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
