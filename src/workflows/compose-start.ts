/**
 * `kp compose start`: env file -> preflight -> `up -d` only when needed -> wait for health
 * -> URLs. Running it on a healthy, unchanged stack starts nothing and returns quickly.
 */
import {KpError, ExitCode, InterruptedError} from '../errors.js';
import {ensureEnvFile, isSecretKey, type EnvFileReport} from '../config/env-file.js';
import {shippedCompose} from '../config/paths.js';
import type {ComposeService} from '../config/compose-file.js';
import {Engine, type ComposeInfo} from '../tools/docker.js';
import {registerSecret} from '../tools/runner.js';
import {interruption, sleep} from '../ui/interrupt.js';
import {createTaskList} from '../ui/tasks.js';
import {findPortHolder, isPortFree} from './ports.js';
import {
  PROJECT_NAME,
  composeFor,
  expectedServices,
  isServiceReady,
  loadModel,
  locateStack,
  observeContainers,
  readStartRecord,
  requireCompose,
  serviceStatuses,
  stackFingerprint,
  writeStartRecord,
  type ServiceStatus,
  type StartRecord,
} from './compose-stack.js';
import type {KpContext} from '../base-command.js';

/** Flags of `kp compose start`. */
export interface ComposeStartOptions {
  profiles: string[];
  file?: string;
  envFile?: string;
  timeoutSeconds: number;
  wait: boolean;
}

/** What `kp compose start` decided to do. */
export type StartPlan = {kind: 'already-up'; reason: string} | {kind: 'up'; action: 'created' | 'started' | 'updated'; reason: string};

/** Decide whether `up` must run (pure: fed with observed state). */
export function planStart(input: {
  expected: readonly string[];
  statuses: readonly ServiceStatus[];
  fingerprint: string;
  record: StartRecord | undefined;
}): StartPlan {
  const byName = new Map(input.statuses.map((s) => [s.service, s]));
  const present = input.expected.filter((name) => byName.get(name)?.state !== undefined && byName.get(name)?.state !== 'missing');
  if (present.length === 0) return {kind: 'up', action: 'created', reason: 'the stack does not exist yet'};
  const missing = input.expected.filter((name) => !present.includes(name));
  if (missing.length > 0) return {kind: 'up', action: 'created', reason: `services without a container: ${missing.join(', ')}`};
  const stopped = input.expected.filter((name) => byName.get(name)?.state !== 'running');
  if (stopped.length > 0) return {kind: 'up', action: 'started', reason: `services not running: ${stopped.join(', ')}`};
  if (!input.record) return {kind: 'up', action: 'updated', reason: 'no record of a previous kp start: letting Compose compare the configuration'};
  if (input.record.fingerprint !== input.fingerprint) {
    return {kind: 'up', action: 'updated', reason: 'the compose file, env file, profiles or image overrides changed since the last start'};
  }
  const changed = input.expected.filter((name) => input.record!.containerIds[name] !== byName.get(name)?.containerId);
  if (changed.length > 0) return {kind: 'up', action: 'updated', reason: `containers replaced outside kp: ${changed.join(', ')}`};
  return {kind: 'already-up', reason: 'all services are running with the configuration of the last start'};
}

/** A published host port that must be free (or already ours). */
export interface PortConflict {
  port: number;
  service: string;
  holder: string | undefined;
}

/** Which published ports need a free-port probe: those not already published by this stack's running container. */
export function portsToProbe(services: readonly ComposeService[], statuses: readonly ServiceStatus[]) {
  const ours = new Set(
    statuses.filter((s) => s.state === 'running').flatMap((s) => s.ports.map((p) => `${s.service}:${p.hostPort}`)),
  );
  return services.flatMap((service) =>
    service.ports
      .filter((port) => !ours.has(`${service.name}:${port.hostPort}`))
      .map((port) => ({service: service.name, port: port.hostPort, hostIp: port.hostIp})),
  );
}

/** The URLs an evaluator opens. */
export interface StackUrls {
  frontend: string;
  apiDocs: string;
  arangodb: string;
}

/** Build the URLs from the published ports (falling back to the env file's values). */
export function stackUrls(statuses: readonly ServiceStatus[], env: Record<string, string | undefined>): StackUrls {
  const hostPort = (service: string, containerPort: number, fallback: string | undefined, standard: number) =>
    statuses.find((s) => s.service === service)?.ports.find((p) => p.containerPort === containerPort)?.hostPort ??
    Number(fallback ?? standard);
  const host = (() => {
    const bind = env.HOST_BIND_ADDRESS;
    return !bind || bind === '0.0.0.0' || bind === '127.0.0.1' || bind === '::' ? 'localhost' : bind;
  })();
  return {
    frontend: `http://${host}:${hostPort('frontend', 80, env.FRONTEND_HOST_PORT, 8080)}/`,
    apiDocs: `http://${host}:${hostPort('backend', 8000, env.BACKEND_HOST_PORT, 8000)}/docs`,
    arangodb: `http://${host}:${hostPort('arangodb', 8529, env.ARANGODB_HOST_PORT, 8529)}/`,
  };
}

/** The result object of `kp compose start` (`--json` prints exactly this). */
export interface ComposeStartResult {
  project: string;
  composeFile: string;
  envFile: {path: string; created: boolean; addedKeys: string[]; permissionsTightened: boolean};
  engine: {cli: string; client: string | undefined; server: string | undefined};
  /** The Compose that ran `up`; absent when nothing had to be started. */
  compose: {flavour: ComposeInfo['flavour']; version: string} | undefined;
  /** `created|started|updated` when Compose ran, `already-up` when nothing had to change, `dry-run`. */
  action: Extract<StartPlan, {kind: 'up'}>['action'] | 'already-up' | 'dry-run';
  reason: string;
  waited: boolean;
  services: ServiceStatus[];
  urls: StackUrls;
  durationMs: number;
}

/** Run `kp compose start`. */
export async function composeStart(ctx: KpContext, options: ComposeStartOptions): Promise<ComposeStartResult> {
  const started = Date.now();
  const location = locateStack(options);

  // 1. env file: create or complete it, refuse placeholders.
  const env = ensureEnvFile(location.envFile, shippedCompose.envExample, {dryRun: ctx.dryRun});
  for (const [key, value] of Object.entries(env.values)) if (isSecretKey(key)) registerSecret(value);
  reportEnvFile(ctx, env);
  const urlsEnv = {...env.values, ...process.env};
  const model = loadModel(location, env.values);
  const expected = expectedServices(model, location);

  // 2. preflight: engine, daemon, Compose flavour, ports. Nothing starts when one fails.
  const engine = new Engine(ctx.runner);
  const engineVersion = await engine.ensureDaemon();
  let statuses = serviceStatuses(expected, await observeContainers(engine));
  await checkPorts(ctx, engine, expected, statuses);

  // 3. up, only when the observed state says so. Compose itself is only looked for when it has
  // work to do: the no-op path stays at three engine calls.
  const fingerprint = stackFingerprint(location, model);
  const plan = planStart({expected: expected.map((s) => s.name), statuses, fingerprint, record: readStartRecord()});
  let composeInfo: ComposeInfo | undefined;
  if (plan.kind === 'up') {
    composeInfo = await requireCompose(ctx, engine);
    const compose = composeFor(ctx, composeInfo, location);
    ctx.out.step(`Compose up (${plan.reason})`);
    await compose.up({timeoutMs: options.timeoutSeconds * 1000}).catch(async (error: unknown) => {
      if (error instanceof InterruptedError || !(error instanceof KpError) || error.exitCode !== ExitCode.ToolFailed) throw error;
      throw await diagnoseFailure(ctx, engine, expected, error.message, ExitCode.ToolFailed);
    });
  } else {
    ctx.out.success(`Stack "${PROJECT_NAME}" is already up: nothing to start (${plan.reason}).`);
  }
  if (ctx.dryRun) {
    return result('dry-run', plan.reason, false);
  }

  // 4. wait for engine health and the HTTP endpoints.
  if (options.wait) {
    statuses = await waitForStack(ctx, engine, expected, {timeoutSeconds: options.timeoutSeconds, started, env: urlsEnv, observed: plan.kind === 'up' ? undefined : statuses});
    writeStartRecord({
      fingerprint,
      containerIds: Object.fromEntries(statuses.filter((s) => s.containerId).map((s) => [s.service, s.containerId!])),
      at: new Date().toISOString(),
    });
  } else {
    statuses = serviceStatuses(expected, await observeContainers(engine));
  }
  return result(plan.kind === 'up' ? plan.action : 'already-up', plan.reason, options.wait);

  function result(action: ComposeStartResult['action'], reason: string, waited: boolean): ComposeStartResult {
    return {
      project: PROJECT_NAME,
      composeFile: location.composeFile,
      envFile: {path: env.file, created: env.created, addedKeys: env.addedKeys, permissionsTightened: env.permissionsTightened},
      engine: {cli: engine.bin, client: engineVersion.client, server: engineVersion.server},
      compose: composeInfo ? {flavour: composeInfo.flavour, version: composeInfo.version} : undefined,
      action,
      reason,
      waited,
      services: statuses,
      urls: stackUrls(statuses, urlsEnv),
      durationMs: Date.now() - started,
    };
  }
}

function reportEnvFile(ctx: KpContext, env: EnvFileReport): void {
  const verb = ctx.dryRun ? 'would be' : 'was';
  if (env.created) ctx.out.step(`Env file ${env.file} ${verb} created with generated secrets (mode 0600).`);
  if (env.addedKeys.length > 0) ctx.out.step(`Env file ${env.file}: ${env.addedKeys.join(', ')} ${verb} added (missing).`);
  if (env.permissionsTightened) ctx.out.warn(`Env file ${env.file} was readable by others; its mode ${verb} set to 0600.`);
}

async function checkPorts(ctx: KpContext, engine: Engine, services: readonly ComposeService[], statuses: readonly ServiceStatus[]): Promise<void> {
  const probes = portsToProbe(services, statuses);
  const results = await Promise.all(probes.map(async (probe) => ({...probe, free: await isPortFree(probe.port, probe.hostIp)})));
  const conflicts: PortConflict[] = [];
  for (const busy of results.filter((r) => !r.free)) {
    conflicts.push({port: busy.port, service: busy.service, holder: await describeHolder(engine, busy.port)});
  }
  if (conflicts.length === 0) return;
  const lines = conflicts.map((c) => `port ${c.port} (${c.service}) is in use${c.holder ? ` by ${c.holder}` : ''}`);
  throw new KpError(`Cannot start: ${lines.join('; ')}. Nothing was started.`, {
    exitCode: ExitCode.Prerequisite,
    hint: `Stop whatever holds the port, or choose another one in your env file (e.g. ${envKeyForService(conflicts[0]!.service)}=...).`,
    details: {conflicts},
  });
}

function envKeyForService(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_HOST_PORT`;
}

async function describeHolder(engine: Engine, port: number): Promise<string | undefined> {
  // A container of another project publishing the port is the most useful answer.
  try {
    const [name] = await engine.containersPublishing(port);
    if (name) return `container ${name}`;
  } catch {
    // fall back to /proc
  }
  const holder = findPortHolder(port);
  return holder ? `pid ${holder.pid} (${holder.command.slice(0, 80)})` : undefined;
}

async function diagnoseFailure(
  ctx: KpContext,
  engine: Engine,
  expected: readonly ComposeService[],
  message: string,
  exitCode: typeof ExitCode.ToolFailed | typeof ExitCode.Timeout,
): Promise<KpError> {
  const statuses = serviceStatuses(expected, await observeContainers(engine));
  const unhealthy = statuses.filter((s) => !isServiceReady(s));
  const logs: Record<string, string[]> = {};
  for (const status of unhealthy) {
    if (!status.containerId) continue;
    const text = await engine.logs(status.containerId, {tail: 20});
    logs[status.service] = text.split('\n').filter((l) => l.length > 0).slice(-20);
    if (!ctx.json) {
      ctx.out.info(ctx.out.color.bold(`--- last 20 log lines of ${status.service} (${status.state}, ${status.health}) ---`));
      for (const line of logs[status.service]!) ctx.out.info(`  ${line}`);
    }
  }
  const names = unhealthy.map((s) => `${s.service} (${s.state}${s.health !== 'none' ? `, ${s.health}` : ''})`).join(', ');
  return new KpError(`${message}${names ? `\nNot ready: ${names}` : ''}`, {
    exitCode,
    hint: 'Check the log lines above; `kp compose logs SERVICE` shows more. Run `kp compose start` again once fixed.',
    details: {notReady: unhealthy.map((s) => s.service), logs},
  });
}

/** Poll engine health for every service and then the HTTP endpoints, one listr2 line each. */
async function waitForStack(
  ctx: KpContext,
  engine: Engine,
  expected: readonly ComposeService[],
  options: {timeoutSeconds: number; started: number; env: Record<string, string | undefined>; observed: ServiceStatus[] | undefined},
): Promise<ServiceStatus[]> {
  const {timeoutSeconds, started, env} = options;
  const deadline = started + timeoutSeconds * 1000;
  // A fresh observation from the preflight is reused: no second look at an unchanged stack.
  let latest: ServiceStatus[] = options.observed ?? [];
  let inflight: Promise<ServiceStatus[]> | undefined;
  let fetchedAt = options.observed ? Date.now() : 0;
  // One shared observation per second, however many tasks wait on it.
  const observe = async (): Promise<ServiceStatus[]> => {
    if (Date.now() - fetchedAt < 900 && latest.length > 0) return latest;
    inflight ??= observeContainers(engine)
      .then((containers) => {
        latest = serviceStatuses(expected, containers);
        fetchedAt = Date.now();
        return latest;
      })
      .finally(() => (inflight = undefined));
    return inflight;
  };
  const timedOut = () => Date.now() > deadline;

  const serviceTasks = expected.map((service) => ({
    title: service.name,
    task: async (_: object, task: {title: string; output: string}) => {
      for (;;) {
        const status = (await observe()).find((s) => s.service === service.name);
        if (status && isServiceReady(status)) {
          task.title = `${service.name}: ${status.health === 'none' ? 'running' : 'healthy'}`;
          return;
        }
        const now = `${service.name}: ${status ? `${status.state}${status.health !== 'none' ? `, ${status.health}` : ''}` : 'missing'}`;
        // Only report changes: the simple renderer prints every output line.
        if (now !== task.output) task.output = now;
        if (timedOut()) throw new Error(`${service.name} not ready after ${timeoutSeconds}s`);
        await sleep(1000);
      }
    },
  }));

  const urls = () => stackUrls(latest, env);
  const httpTasks = [
    {name: 'backend API', url: () => `${urls().apiDocs.replace(/\/docs$/, '')}/api/v1/health/ready`},
    {name: 'frontend', url: () => urls().frontend},
  ].map((check) => ({
    title: `${check.name} answers`,
    task: async (_: object, task: {title: string; output: string}) => {
      for (;;) {
        const answer = await httpStatus(check.url());
        if (answer === 200) {
          task.title = `${check.name}: ${check.url()} -> 200`;
          return;
        }
        const now = `${check.url()} -> ${answer}`;
        if (now !== task.output) task.output = now;
        if (timedOut()) throw new Error(`${check.name} did not answer 200 at ${check.url()} within ${timeoutSeconds}s`);
        await sleep(1000);
      }
    },
  }));

  const hasHttp = (name: string) => expected.some((s) => s.name === name);
  const list = createTaskList<object>(
    [
      {title: 'Waiting for services to be healthy', task: (_ctx, task) => task.newListr(serviceTasks, {concurrent: true, exitOnError: false})},
      ...httpTasks.filter((_, index) => hasHttp(index === 0 ? 'backend' : 'frontend')),
    ],
    ctx.out,
  );
  try {
    await list.run();
  } catch (error) {
    if (error instanceof InterruptedError || interruption.signal.aborted) throw new InterruptedError();
    throw await diagnoseFailure(ctx, engine, expected, `Timed out after ${timeoutSeconds}s waiting for the stack.`, ExitCode.Timeout);
  }
  // listr2 with exitOnError=false in the subtasks swallows their failures: check what was reached.
  if (latest.length === 0 || latest.some((s) => !isServiceReady(s))) {
    throw await diagnoseFailure(ctx, engine, expected, `Timed out after ${timeoutSeconds}s waiting for the stack.`, ExitCode.Timeout);
  }
  return latest;
}

async function httpStatus(url: string): Promise<number | string> {
  try {
    const response = await fetch(url, {signal: AbortSignal.timeout(3000), redirect: 'follow'});
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return (error as {cause?: {code?: string}}).cause?.code ?? (error as Error).name;
  }
}

