/**
 * Adapter for Docker Compose in its three flavours: the v2 plugin (`docker compose`), the
 * standalone v1 binary (`docker-compose`, a separate program with its own version line) and
 * podman's. Detection, and one project bound to its name, file, env file and profiles.
 */
import {ToolError} from '../core/errors.js';
import {engineBinary, type EngineBinary} from './docker.js';
import type {Runner, RunOptions, RunResult} from './runner.js';

/** The Compose implementations kp can drive. */
export type ComposeFlavour = 'compose-v2' | 'compose-v1' | 'podman-compose';

/** A detected Compose: how to call it and what it supports. */
export interface ComposeInfo {
  flavour: ComposeFlavour;
  version: string;
  /** argv prefix: ['docker', 'compose'], ['docker-compose'], ['podman', 'compose']. */
  command: readonly string[];
}

/** Parse `... version --short` output (`2.29.1`, `v2.29.1`, `1.29.2`); undefined when not a version. */
export function parseComposeVersion(stdout: string): string | undefined {
  const match = /(?:^|\s)v?(\d+\.\d+\.\d+)/.exec(stdout.trim());
  return match?.[1];
}

/** Find the Compose to use: `docker compose` v2 first, then `docker-compose` v1, then podman's. */
export async function detectCompose(runner: Runner, bin: EngineBinary = engineBinary()): Promise<ComposeInfo | undefined> {
  const candidates: Array<{flavour: ComposeFlavour; command: string[]}> =
    bin === 'podman'
      ? [
          {flavour: 'podman-compose', command: ['podman', 'compose']},
          {flavour: 'podman-compose', command: ['podman-compose']},
        ]
      : [
          {flavour: 'compose-v2', command: ['docker', 'compose']},
          {flavour: 'compose-v1', command: ['docker-compose']},
        ];
  for (const candidate of candidates) {
    const [command, ...prefix] = candidate.command;
    let result: RunResult;
    try {
      result = await runner.run(command!, [...prefix, 'version', '--short'], {allowFailure: true, timeoutMs: 20_000});
    } catch (error) {
      if (error instanceof ToolError) continue; // not installed
      throw error;
    }
    const version = result.exitCode === 0 ? parseComposeVersion(result.stdout) : undefined;
    if (!version) continue;
    const flavour = candidate.flavour === 'compose-v2' && version.startsWith('1.') ? 'compose-v1' : candidate.flavour;
    return {flavour, version, command: candidate.command};
  }
  return undefined;
}

/** Compose bound to one project, file and env file. */
export class Compose {
  constructor(
    private readonly runner: Runner,
    readonly info: ComposeInfo,
    readonly project: {name: string; file: string; envFile: string; profiles: readonly string[]},
  ) {}

  private base(): string[] {
    const [, ...prefix] = this.info.command;
    const args = [...prefix, '--project-name', this.project.name, '--file', this.project.file, '--env-file', this.project.envFile];
    for (const profile of this.project.profiles) args.push('--profile', profile);
    return args;
  }

  private run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return this.runner.run(this.info.command[0]!, [...this.base(), ...args], options);
  }

  /** `up -d`: creates or updates what changed; compose itself leaves unchanged containers alone. */
  up(options: RunOptions = {}): Promise<RunResult> {
    return this.run(['up', '-d', '--remove-orphans'], {mutating: true, output: 'stderr', ...options});
  }

  stop(): Promise<RunResult> {
    return this.run(['stop'], {mutating: true, output: 'stderr'});
  }

  down(options: {volumes: boolean}): Promise<RunResult> {
    return this.run(['down', '--remove-orphans', ...(options.volumes ? ['--volumes'] : [])], {mutating: true, output: 'stderr'});
  }

  /** `rm --stop --force SERVICE...`: stop and remove these services' containers (their named volumes stay). */
  removeServices(services: readonly string[]): Promise<RunResult> {
    return this.run(['rm', '--stop', '--force', ...services], {mutating: true, output: 'stderr'});
  }

  /**
   * Stream logs to the terminal (stdout: they are the command's result), or to stderr with
   * `toStderr` (under --json, where stdout holds only the result object).
   */
  logs(services: readonly string[], options: {follow: boolean; tail: number | undefined; toStderr?: boolean}): Promise<RunResult> {
    const args = ['logs', '--no-color'];
    if (options.follow) args.push('--follow');
    if (options.tail !== undefined) args.push('--tail', String(options.tail));
    // Its exit code is the caller's to judge: after Ctrl-C, Compose v1 exits 1 ("Aborting.").
    return this.run([...args, ...services], {output: options.toStderr ? 'stderr' : 'inherit', foreground: true, allowFailure: true});
  }

  /** `config -q`: validate the file with the real Compose. */
  validate(): Promise<RunResult> {
    return this.run(['config', '-q'], {allowFailure: true});
  }
}
