/**
 * `kp compose status` and `kp compose logs`: read-only views of the project.
 */
import {existsSync} from 'node:fs';
import {Engine} from '../tools/docker.js';
import {closest} from 'fastest-levenshtein';
import {fail} from '../errors.js';
import {SECRET_GENERATORS} from '../config/env-file.js';
import {
  PROJECT_NAME,
  composeFor,
  expectedServices,
  isServiceReady,
  loadModel,
  locateStack,
  observeContainers,
  readEnvValuesIfPresent,
  requireCompose,
  serviceStatuses,
  withTeardownEnvFile,
  type ServiceStatus,
} from './compose-stack.js';
import {stackUrls, type StackUrls} from './compose-start.js';
import type {KpContext} from '../base-command.js';

/** The documented JSON of `kp compose status --json`. */
export interface ComposeStatusResult {
  project: string;
  /** `up` (every expected service ready), `degraded` (some containers exist), or `down` (none). */
  state: 'up' | 'degraded' | 'down';
  envFile: string;
  envFileExists: boolean;
  services: ServiceStatus[];
  urls: StackUrls;
}

/** Observe the stack without changing anything. */
export async function composeStatus(
  ctx: KpContext,
  options: {file?: string; envFile?: string; profiles?: string[]},
): Promise<ComposeStatusResult> {
  const location = locateStack(options);
  const values = readEnvValuesIfPresent(location.envFile);
  const model = loadModel(location, withInertSecrets(values));
  const engine = new Engine(ctx.runner);
  await engine.ensureDaemon();
  const statuses = serviceStatuses(expectedServices(model, location), await observeContainers(engine));
  const existing = statuses.filter((s) => s.state !== 'missing');
  const state = existing.length === 0 ? 'down' : statuses.every(isServiceReady) ? 'up' : 'degraded';
  return {
    project: PROJECT_NAME,
    state,
    envFile: location.envFile,
    envFileExists: existsSync(location.envFile),
    services: statuses,
    urls: stackUrls(statuses, {...values, ...process.env}),
  };
}

/** Show (or follow) the logs of some or all services; the output is the result, on stdout. */
export async function composeLogs(
  ctx: KpContext,
  options: {file?: string; envFile?: string; services: string[]; follow: boolean; tail: number | undefined},
): Promise<number> {
  const location = locateStack(options);
  const model = loadModel(location, withInertSecrets(readEnvValuesIfPresent(location.envFile)));
  const known = model.services.map((s) => s.name);
  for (const service of options.services) {
    if (!known.includes(service)) {
      throw fail.usage(`Unknown service "${service}". Services: ${known.join(', ')}.`, `Did you mean "${closest(service, known)}"?`);
    }
  }
  const engine = new Engine(ctx.runner);
  await engine.ensureDaemon();
  const info = await requireCompose(ctx, engine);
  const result = await withTeardownEnvFile(location, (envFile) =>
    composeFor(ctx, info, location, envFile).logs(options.services, {follow: options.follow, tail: options.tail}),
  );
  return result.exitCode;
}

/** Required secrets are irrelevant to read-only views: fill them so interpolation never fails. */
function withInertSecrets(values: Record<string, string>): Record<string, string> {
  return {...Object.fromEntries(Object.keys(SECRET_GENERATORS).map((key) => [key, 'unused'])), ...values};
}
