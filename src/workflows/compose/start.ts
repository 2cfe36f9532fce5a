/**
 * `kp compose start`: env file -> preflight -> `up -d` only when needed -> wait for health
 * -> URLs. Running it on a healthy, unchanged stack starts nothing and returns quickly.
 */
import {checkEnvFile, ensureEnvFile, isSecretKey, type EnvFileReport} from '../../config/env-file.js';
import {shippedCompose} from '../../config/paths.js';
import {ExitCode, InterruptedError, KpError} from '../../core/errors.js';
import type {ComposeInfo} from '../../tools/compose.js';
import {Engine} from '../../tools/docker.js';
import {registerSecret} from '../../tools/runner.js';
import type {KpContext} from '../context.js';
import {validateBindAddress} from '../shared/host-ports.js';
import {pullMissingImages} from './images.js';
import {planStart, type StartPlan} from './plan.js';
import {assertPortsFree, exposedServicePorts, probeStackPorts} from './ports.js';
import {observeContainers, serviceStatuses, stackUrls, type ServiceStatus, type StackUrls} from './services.js';
import {
  composeFor,
  expectedServices,
  interpolationEnv,
  loadModel,
  profileEnvironment,
  readEnvValuesIfPresent,
  requireCompose,
  resolveStack,
  withInertSecrets,
  withProjectLock,
  type Stack,
  type StackOptions,
} from './stack.js';
import {readStartRecord, stackFingerprint, writeStartRecord} from './start-record.js';
import {diagnoseFailure, waitForStack} from './wait.js';

/** Flags of `kp compose start`. */
export interface ComposeStartOptions extends StackOptions {
  profiles: string[];
  timeoutSeconds: number;
  wait: boolean;
  /** `--bind-address`: the stack's HOST_BIND_ADDRESS for this start (undefined: the environment's or the env file's, else 127.0.0.1). */
  bindAddress?: string;
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
  // --bind-address IS the stack's HOST_BIND_ADDRESS: set where Compose, the start record and the
  // URLs all read it (the environment wins over the env file, as in Compose itself).
  if (options.bindAddress !== undefined) process.env.HOST_BIND_ADDRESS = validateBindAddress(options.bindAddress);
  const stack = resolveStack(options);
  // Every input is checked before the first change: the compose file and the profiles are read
  // (with inert secrets) before the env file is created.
  loadModel(stack, withInertSecrets(readEnvValuesIfPresent(stack.envFile)));
  // An env file holding a placeholder is refused before anything (the lock included) is written.
  checkEnvFile(stack.envFile);
  // From here on the project is this run's alone (its env file included: two first starts must
  // not generate two sets of secrets).
  return withProjectLock(ctx, stack.project, options.lockTimeoutMs, () => startLocked(ctx, options, stack, started));
}

/** The start under the project's lock: env file, preflight, up (when needed), wait. */
async function startLocked(ctx: KpContext, options: ComposeStartOptions, stack: Stack, started: number): Promise<ComposeStartResult> {
  // 1. env file: create or complete it, refuse placeholders.
  const env = ensureEnvFile(stack.envFile, shippedCompose.envExample, {dryRun: ctx.dryRun});
  for (const [key, value] of Object.entries(env.values)) if (isSecretKey(key)) registerSecret(value);
  reportEnvFile(ctx, env);
  const urlsEnv = interpolationEnv(env.values);
  const model = loadModel(stack, env.values);
  const expected = expectedServices(model, stack);
  // 127.0.0.1 unless the user opted in (HOST_BIND_ADDRESS): then say what other machines can reach.
  const exposed = exposedServicePorts(expected);
  if (exposed.length > 0) ctx.out.warn(`Reachable from other machines (HOST_BIND_ADDRESS=${urlsEnv.HOST_BIND_ADDRESS ?? ''}): ${exposed.join('; ')}.`);

  // 2. preflight: engine, daemon, ports. Nothing starts when one fails.
  const engine = new Engine(ctx.runner);
  const engineVersion = await engine.ensureDaemon();
  let statuses = serviceStatuses(expected, await observeContainers(engine, stack.project));
  assertPortsFree(await probeStackPorts(engine, expected, statuses), stack.envFile);

  // 3. up, only when the observed state says so. Compose itself is only looked for when it has
  // work to do: the no-op path stays at three engine calls.
  const fingerprint = stackFingerprint(stack, model);
  const plan = planStart({expected: expected.map((s) => s.name), statuses, fingerprint, record: readStartRecord(stack.project)});
  let composeInfo: ComposeInfo | undefined;
  if (plan.kind === 'up') composeInfo = await composeUp(ctx, options, stack, engine, expected, plan.reason);
  else ctx.out.success(`Stack "${stack.project}" is already up: nothing to start (${plan.reason}).`);
  // Under --dry-run an up-to-date stack is reported as what it is: nothing would be done either way.
  if (ctx.dryRun) return result(plan.kind === 'up' ? 'dry-run' : 'already-up', plan.reason, false);

  // 4. wait for engine health and the HTTP endpoints.
  if (options.wait) {
    statuses = await waitForStack(ctx, engine, stack, expected, {
      timeoutSeconds: options.timeoutSeconds,
      started,
      env: urlsEnv,
      observed: plan.kind === 'up' ? undefined : statuses,
      quiet: plan.kind !== 'up',
    });
    writeStartRecord({
      project: stack.project,
      fingerprint,
      containerIds: Object.fromEntries(statuses.filter((s) => s.containerId).map((s) => [s.service, s.containerId!])),
      at: new Date().toISOString(),
    });
  } else {
    statuses = serviceStatuses(expected, await observeContainers(engine, stack.project));
  }
  return result(plan.kind === 'up' ? plan.action : 'already-up', plan.reason, options.wait);

  function result(action: ComposeStartResult['action'], reason: string, waited: boolean): ComposeStartResult {
    return {
      project: stack.project,
      composeFile: stack.composeFile,
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

/**
 * Compose up, found only now that it has work to do (the no-op path stays at three engine calls).
 * Images are pulled first, each named: a failed pull says which image and why, before anything is
 * created. Compose failing (exit 4) or blocking on a dependency's health until --timeout kills it
 * (exit 5) names the services that are not ready, with their logs and healthchecks.
 */
async function composeUp(
  ctx: KpContext,
  options: ComposeStartOptions,
  stack: Stack,
  engine: Engine,
  expected: ReturnType<typeof expectedServices>,
  reason: string,
): Promise<ComposeInfo> {
  const composeInfo = await requireCompose(ctx.runner, engine);
  await pullMissingImages(
    ctx,
    engine,
    expected.flatMap((s) => (s.image ? [s.image] : [])),
    stack.envFile,
  );
  ctx.out.step(`Compose up (${reason})`);
  await composeFor(ctx.runner, composeInfo, stack)
    .up({timeoutMs: options.timeoutSeconds * 1000, env: profileEnvironment(stack)})
    .catch(async (error: unknown) => {
      if (error instanceof InterruptedError || !(error instanceof KpError)) throw error;
      if (error.exitCode !== ExitCode.ToolFailed && error.exitCode !== ExitCode.Timeout) throw error;
      throw await diagnoseFailure(ctx, engine, stack, expected, error.message, error.exitCode);
    });
  return composeInfo;
}

function reportEnvFile(ctx: KpContext, env: EnvFileReport): void {
  const verb = ctx.dryRun ? 'would be' : 'was';
  if (env.created) ctx.out.step(`Env file ${env.file} ${verb} created with generated secrets (mode 0600).`);
  if (env.addedKeys.length > 0) ctx.out.step(`Env file ${env.file}: ${env.addedKeys.join(', ')} ${verb} added (missing).`);
  if (env.permissionsTightened) ctx.out.warn(`Env file ${env.file} was readable by others; its mode ${verb} set to 0600.`);
}
