/**
 * `kp doctor`: every check kp's commands depend on, each with a status and a hint.
 * Probes run in parallel; nothing is changed.
 */
import semver from 'semver';
import {detectCompose, Engine} from '../tools/docker.js';
import {KpError} from '../errors.js';
import type {DoctorCheck} from './doctor-check.js';
import {findPortHolder, isPortFree} from './ports.js';
import {
  PROJECT_NAME,
  expectedServices,
  loadModel,
  locateStack,
  observeContainers,
  readEnvValuesIfPresent,
  serviceStatuses,
} from './compose-stack.js';
import {portsToProbe} from './compose-start.js';
import {SECRET_GENERATORS} from '../config/env-file.js';
import type {KpContext} from '../base-command.js';

/** The minimum Node.js kp runs on. */
export const MIN_NODE = '20.5.0';

/** The documented JSON of `kp doctor --json`. */
export interface DoctorResult {
  /** False when any required check failed. */
  ok: boolean;
  checks: DoctorCheck[];
}

/** Check the Node.js version (pure). */
export function checkNode(version: string): DoctorCheck {
  const ok = semver.gte(semver.coerce(version) ?? '0.0.0', MIN_NODE);
  return {
    name: 'node',
    status: ok ? 'ok' : 'fail',
    required: true,
    detail: version,
    hint: ok ? undefined : `kp needs Node.js >= ${MIN_NODE}.`,
  };
}

/** Run every check. */
export async function doctor(ctx: KpContext, options: {workspace?: string; envFile?: string}): Promise<DoctorResult> {
  const engine = new Engine(ctx.runner);
  const [engineChecks, composeCheck, devChecks] = await Promise.all([
    engineAndPortChecks(ctx, engine, options),
    composeChecks(ctx, engine),
    loadDevChecks(ctx, options),
  ]);
  const checks = [checkNode(process.versions.node), ...engineChecks, composeCheck, ...devChecks];
  return {ok: checks.every((c) => !c.required || c.status !== 'fail'), checks};
}

async function engineAndPortChecks(ctx: KpContext, engine: Engine, options: {envFile?: string}): Promise<DoctorCheck[]> {
  let version;
  try {
    version = await engine.version();
  } catch (error) {
    return [
      {name: `${engine.bin} CLI`, status: 'fail', required: true, detail: 'not installed', hint: error instanceof KpError ? error.hint : undefined},
      {name: `${engine.bin} daemon`, status: 'skip', required: true, detail: 'no CLI'},
    ];
  }
  const checks: DoctorCheck[] = [
    {name: `${engine.bin} CLI`, status: 'ok', required: true, detail: version.client ?? 'unknown version'},
    version.server
      ? {name: `${engine.bin} daemon`, status: 'ok', required: true, detail: `reachable, engine ${version.server}`}
      : {
          name: `${engine.bin} daemon`,
          status: 'fail',
          required: true,
          detail: version.daemonError ?? 'not reachable',
          hint: 'Start Docker (e.g. `sudo systemctl start docker`) and check DOCKER_HOST.',
        },
  ];
  const location = locateStack({envFile: options.envFile});
  const values = {...Object.fromEntries(Object.keys(SECRET_GENERATORS).map((k) => [k, 'unused'])), ...readEnvValuesIfPresent(location.envFile)};
  const services = expectedServices(loadModel(location, values), location);
  const statuses = version.server ? serviceStatuses(services, await observeContainers(engine)) : [];
  const toProbe = new Set(portsToProbe(services, statuses).map((p) => `${p.service}:${p.port}`));
  for (const service of services) {
    for (const port of service.ports) {
      const name = `port ${port.hostPort} (${service.name})`;
      if (!toProbe.has(`${service.name}:${port.hostPort}`)) {
        checks.push({name, status: 'ok', required: true, detail: `held by the running ${PROJECT_NAME} stack`});
      } else if (await isPortFree(port.hostPort, port.hostIp)) {
        checks.push({name, status: 'ok', required: true, detail: 'free'});
      } else {
        const holder = findPortHolder(port.hostPort);
        checks.push({
          name,
          status: 'fail',
          required: true,
          detail: `in use${holder ? ` by pid ${holder.pid} (${holder.command.slice(0, 60)})` : ''}`,
          hint: `Free the port or set ${service.name.toUpperCase().replace(/-/g, '_')}_HOST_PORT in ${location.envFile}.`,
        });
      }
    }
  }
  return checks;
}

async function composeChecks(ctx: KpContext, engine: Engine): Promise<DoctorCheck> {
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

async function loadDevChecks(ctx: KpContext, options: {workspace?: string}): Promise<DoctorCheck[]> {
  const {devDoctorChecks} = await import('./dev-doctor.js');
  return devDoctorChecks(ctx, options);
}

