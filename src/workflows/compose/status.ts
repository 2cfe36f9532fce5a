/**
 * `kp compose status`: a read-only view of the project, one row per service.
 */
import {existsSync} from 'node:fs';
import {Engine} from '../../tools/docker.js';
import type {KpContext} from '../context.js';
import {isServiceReady, observeContainers, serviceStatuses, stackUrls, type ServiceStatus, type StackUrls} from './services.js';
import {expectedServices, interpolationEnv, loadModel, readEnvValuesIfPresent, resolveStack, withInertSecrets, type StackOptions} from './stack.js';

/** The documented JSON of `kp compose status --json`. */
export interface ComposeStatusResult {
  project: string;
  /**
   * `up` (every expected service ready, one container each), `stopped` (containers exist, none runs:
   * `kp compose stop`), `degraded` (some run, not all are ready, or a service has a second container),
   * or `down` (no container).
   */
  state: 'up' | 'stopped' | 'degraded' | 'down';
  envFile: string;
  envFileExists: boolean;
  services: ServiceStatus[];
  urls: StackUrls;
}

/** Observe the stack without changing anything. */
export async function composeStatus(ctx: KpContext, options: StackOptions): Promise<ComposeStatusResult> {
  const stack = resolveStack(options);
  const engine = new Engine(ctx.runner);
  // Ask the engine first and read the compose file while it answers: the probe is read-only, and a
  // bad env or compose file still wins: it stops the probe (kp must not wait for it) and is thrown.
  const probe = new AbortController();
  const daemon = engine.ensureDaemon({signal: probe.signal});
  daemon.catch(() => undefined); // awaited below, unless a file error is thrown first
  let values: ReturnType<typeof readEnvValuesIfPresent>;
  let model: ReturnType<typeof loadModel>;
  try {
    values = readEnvValuesIfPresent(stack.envFile);
    model = loadModel(stack, withInertSecrets(values));
  } catch (error) {
    probe.abort();
    throw error;
  }
  await daemon;
  const expected = expectedServices(model, stack);
  const statuses = serviceStatuses(expected, await observeContainers(engine, stack.project));
  const existing = statuses.filter((s) => s.state !== 'missing');
  // `up` means every expected service is ready; a container of an inactive profile is listed but does not count.
  const wanted = statuses.filter((s) => expected.some((e) => e.name === s.service));
  const running = existing.filter((s) => s.state === 'running' || s.state === 'restarting');
  const doubled = wanted.some((s) => s.duplicates.length > 0);
  const state = existing.length === 0 ? 'down' : running.length === 0 ? 'stopped' : wanted.every(isServiceReady) && !doubled ? 'up' : 'degraded';
  return {
    project: stack.project,
    state,
    envFile: stack.envFile,
    envFileExists: existsSync(stack.envFile),
    services: statuses,
    urls: stackUrls(statuses, interpolationEnv(values)),
  };
}
