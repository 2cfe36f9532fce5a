/**
 * `kp compose stop` and `kp compose down`: stop or remove the project's containers; named
 * volumes (the data) survive unless `down --volumes` is confirmed.
 */
import {Engine} from '../../tools/docker.js';
import {confirmOrRefuse} from '../shared/confirm.js';
import {observeContainers, SERVICE_LABEL} from './services.js';
import {composeFor, requireCompose, resolveStack, withProjectLock, withTeardownEnvFile, type Stack, type StackOptions} from './stack.js';
import {clearStartRecord} from './start-record.js';
import type {KpContext} from '../context.js';

/** Result of `kp compose stop`. */
export interface ComposeStopResult {
  project: string;
  /** Services that were running and are now stopped (under --dry-run: would be). */
  stopped: string[];
  /** True when nothing was running. */
  alreadyStopped: boolean;
  /** True under --dry-run: nothing was stopped. */
  dryRun: boolean;
}

/** Result of `kp compose down`. */
export interface ComposeDownResult {
  project: string;
  /** Containers removed (under --dry-run: that would be). */
  removedContainers: string[];
  /** True only when the volumes were really deleted (never under --dry-run). */
  volumesRemoved: boolean;
  /** True when no container of the project existed. */
  nothingToRemove: boolean;
  /** True under --dry-run: nothing was removed. */
  dryRun: boolean;
}

/** Options shared by the teardown commands. */
export type TeardownOptions = Omit<StackOptions, 'profiles'>;

/** Stop the running containers (kept, with their volumes). */
export async function composeStop(ctx: KpContext, options: TeardownOptions): Promise<ComposeStopResult> {
  const stack = resolveStack(options);
  return withProjectLock(ctx, stack.project, options.lockTimeoutMs, () => stopLocked(ctx, stack));
}

async function stopLocked(ctx: KpContext, stack: Stack): Promise<ComposeStopResult> {
  const engine = new Engine(ctx.runner);
  await engine.ensureDaemon();
  const running = (await observeContainers(engine, stack.project)).filter((c) => c.running);
  if (running.length === 0) {
    ctx.out.success(`Nothing to stop: no container of "${stack.project}" is running.`);
    return {project: stack.project, stopped: [], alreadyStopped: true, dryRun: ctx.dryRun};
  }
  const info = await requireCompose(ctx.runner, engine);
  await withTeardownEnvFile(stack, (envFile) => composeFor(ctx.runner, info, stack, envFile).stop());
  return {project: stack.project, stopped: running.map((c) => c.labels[SERVICE_LABEL] ?? c.name), alreadyStopped: false, dryRun: ctx.dryRun};
}

/** Remove containers and network; volumes only with `--volumes` and a confirmation. */
export async function composeDown(ctx: KpContext, options: TeardownOptions & {volumes: boolean; yes: boolean}): Promise<ComposeDownResult> {
  const stack = resolveStack(options);
  if (options.volumes) {
    // Ask before touching anything: the volumes hold the ArangoDB and Valkey data.
    await confirmOrRefuse(`Remove the stack "${stack.project}" AND its volumes (all ArangoDB and Valkey data)?`, {
      yes: options.yes,
      what: 'delete the stack volumes',
    });
  }
  return withProjectLock(ctx, stack.project, options.lockTimeoutMs, () => downLocked(ctx, stack, options.volumes));
}

async function downLocked(ctx: KpContext, stack: Stack, volumes: boolean): Promise<ComposeDownResult> {
  const options = {volumes};
  const engine = new Engine(ctx.runner);
  await engine.ensureDaemon();
  const containers = await observeContainers(engine, stack.project);
  const info = await requireCompose(ctx.runner, engine);
  if (options.volumes && !ctx.dryRun) ctx.out.warn(`Removing the volumes of "${stack.project}": the data in them is deleted.`);
  // down also removes the network and, with --volumes, volumes of a project whose containers are gone.
  await withTeardownEnvFile(stack, (envFile) => composeFor(ctx.runner, info, stack, envFile).down({volumes: options.volumes}));
  if (!ctx.dryRun) clearStartRecord(stack.project);
  return {
    project: stack.project,
    removedContainers: containers.map((c) => c.name),
    volumesRemoved: options.volumes && !ctx.dryRun,
    nothingToRemove: containers.length === 0,
    dryRun: ctx.dryRun,
  };
}
