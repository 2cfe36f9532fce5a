/**
 * `kp compose stop` and `kp compose down`: stop or remove the project's containers; named
 * volumes (the data) survive unless `down --volumes` is confirmed.
 */
import {Engine} from '../tools/docker.js';
import {confirmOrRefuse} from '../ui/confirm.js';
import {
  PROJECT_NAME,
  clearStartRecord,
  composeFor,
  locateStack,
  observeContainers,
  requireCompose,
  withTeardownEnvFile,
} from './compose-stack.js';
import type {KpContext} from '../base-command.js';

/** Result of `kp compose stop`. */
export interface ComposeStopResult {
  project: string;
  /** Services that were running and are now stopped. */
  stopped: string[];
  /** True when nothing was running. */
  alreadyStopped: boolean;
}

/** Result of `kp compose down`. */
export interface ComposeDownResult {
  project: string;
  removedContainers: string[];
  volumesRemoved: boolean;
  /** True when no container of the project existed. */
  nothingToRemove: boolean;
}

/** Options shared by the teardown commands. */
export interface TeardownOptions {
  file?: string;
  envFile?: string;
}

/** Stop the running containers (kept, with their volumes). */
export async function composeStop(ctx: KpContext, options: TeardownOptions): Promise<ComposeStopResult> {
  const location = locateStack(options);
  const engine = new Engine(ctx.runner);
  await engine.ensureDaemon();
  const running = (await observeContainers(engine)).filter((c) => c.running);
  if (running.length === 0) {
    ctx.out.success(`Nothing to stop: no container of "${PROJECT_NAME}" is running.`);
    return {project: PROJECT_NAME, stopped: [], alreadyStopped: true};
  }
  const info = await requireCompose(ctx, engine);
  await withTeardownEnvFile(location, (envFile) => composeFor(ctx, info, location, envFile).stop());
  return {project: PROJECT_NAME, stopped: running.map((c) => c.labels['com.docker.compose.service'] ?? c.name), alreadyStopped: false};
}

/** Remove containers and network; volumes only with `--volumes` and a confirmation. */
export async function composeDown(ctx: KpContext, options: TeardownOptions & {volumes: boolean; yes: boolean}): Promise<ComposeDownResult> {
  const location = locateStack(options);
  if (options.volumes) {
    // Ask before touching anything: the volumes hold the ArangoDB and Valkey data.
    await confirmOrRefuse(`Remove the stack "${PROJECT_NAME}" AND its volumes (all ArangoDB and Valkey data)?`, {
      yes: options.yes,
      what: 'delete the stack volumes',
    });
  }
  const engine = new Engine(ctx.runner);
  await engine.ensureDaemon();
  const containers = await observeContainers(engine);
  const info = await requireCompose(ctx, engine);
  if (options.volumes) ctx.out.warn(`Removing the volumes of "${PROJECT_NAME}": the data in them is deleted.`);
  // down also removes the network and, with --volumes, volumes of a project whose containers are gone.
  await withTeardownEnvFile(location, (envFile) => composeFor(ctx, info, location, envFile).down({volumes: options.volumes}));
  if (!ctx.dryRun) clearStartRecord();
  return {
    project: PROJECT_NAME,
    removedContainers: containers.map((c) => c.name),
    volumesRemoved: options.volumes,
    nothingToRemove: containers.length === 0,
  };
}
