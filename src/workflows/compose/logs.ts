/**
 * `kp compose logs`: show (or follow) the logs of some or all services; the output is the
 * result, on stdout (under --json on stderr: stdout then holds only the result object).
 */
import {interruption} from '../../core/interruption.js';
import {Engine} from '../../tools/docker.js';
import type {KpContext} from '../context.js';
import {unknownNameError} from '../shared/suggest.js';
import {
  composeFor,
  loadModel,
  readEnvValuesIfPresent,
  requireCompose,
  resolveStack,
  withInertSecrets,
  withTeardownEnvFile,
  type StackOptions,
} from './stack.js';

/** What `kp compose logs` was asked for. */
export interface ComposeLogsOptions extends StackOptions {
  services: string[];
  follow: boolean;
  tail: number | undefined;
}

/** What `kp compose logs` returns once the logs have been shown. */
export interface ComposeLogsResult {
  project: string;
  services: string[];
  /** Compose's own exit code. */
  exitCode: number;
  /** The user stopped it with Ctrl-C (Compose's own exit code then says nothing about a failure). */
  interrupted: boolean;
}

/** Stream the logs; unknown service names are refused before anything runs. */
export async function composeLogs(ctx: KpContext, options: ComposeLogsOptions): Promise<ComposeLogsResult> {
  const stack = resolveStack(options);
  const model = loadModel(stack, withInertSecrets(readEnvValuesIfPresent(stack.envFile)));
  const known = model.services.map((s) => s.name);
  for (const service of options.services) {
    if (!known.includes(service)) throw unknownNameError('service', service, known, stack.composeFile);
  }
  const engine = new Engine(ctx.runner);
  await engine.ensureDaemon();
  const info = await requireCompose(ctx.runner, engine);
  const result = await withTeardownEnvFile(stack, (envFile) =>
    composeFor(ctx.runner, info, stack, envFile).logs(options.services, {follow: options.follow, tail: options.tail, toStderr: ctx.json}),
  );
  return {project: stack.project, services: options.services, exitCode: result.exitCode, interrupted: interruption.signal.aborted};
}
