/**
 * Adapter for the container engine CLI (docker or podman) and its Compose flavours.
 * Typed verbs plus pure parsers for what the engine prints; behaviour follows
 * shared/spec/tool-behaviour.md (daemon-down message, compose v1/v2 differences).
 */
import {fail, KpError, ToolError} from '../core/errors.js';
import type {Runner, RunOptions, RunResult} from './runner.js';

/** Client and daemon versions from one `docker version` call. */
export interface EngineVersion {
  client: string | undefined;
  /** Undefined when the daemon could not be reached. */
  server: string | undefined;
  /** The engine's own message when the daemon is unreachable. */
  daemonError: string | undefined;
}

/** One row of `docker ps --format '{{json .}}'`. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  labels: Record<string, string>;
  ports: string;
}

/** The parts of `docker inspect` kp reads. */
export interface ContainerDetails {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  running: boolean;
  status: string;
  /** `starting|healthy|unhealthy`, or undefined when the container has no healthcheck. */
  health: string | undefined;
  /** The engine's last healthcheck runs (`.State.Health.Log`, oldest first; Docker keeps five). */
  healthLog: Array<{end: string; exitCode: number; output: string}>;
  startedAt: string;
  restartCount: number;
  exitCode: number;
  /** The kernel's OOM killer ended the last run. */
  oomKilled: boolean;
  /** When the last run ended (Docker's zero time `0001-01-01T00:00:00Z` when it never did). */
  finishedAt: string;
  /** Published ports: container port/proto -> host bindings. */
  ports: Array<{containerPort: string; hostIp: string; hostPort: number}>;
  mounts: Array<{type: string; name: string | undefined; source: string; destination: string}>;
  /** `HostConfig.RestartPolicy.Name` (`no`, `always`, `unless-stopped`, `on-failure`); `no` when unset. */
  restartPolicy: string;
}

const DAEMON_DOWN =
  /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|connect: no such file or directory|permission denied while trying to connect/i;

/** Does this engine stderr say the daemon is unreachable? */
export function isDaemonDown(stderr: string): boolean {
  return DAEMON_DOWN.test(stderr);
}

/** Parse `docker version --format '{{json .}}'` (stdout) plus its stderr. */
export function parseEngineVersion(stdout: string, stderr: string): EngineVersion {
  let client: string | undefined;
  let server: string | undefined;
  const firstJsonLine = stdout.split('\n').find((line) => line.trim().startsWith('{'));
  if (firstJsonLine) {
    try {
      const parsed = JSON.parse(firstJsonLine) as {
        Client?: {Version?: string} | null;
        Server?: {Version?: string; Components?: Array<{Name: string; Version: string}>} | null;
      };
      client = parsed.Client?.Version;
      server = parsed.Server?.Components?.find((c) => c.Name === 'Engine')?.Version ?? parsed.Server?.Version;
    } catch {
      // fall through: treated as unknown versions
    }
  }
  const daemonLine = stderr.split('\n').find((line) => DAEMON_DOWN.test(line));
  return {client, server, daemonError: server ? undefined : (daemonLine ?? (stderr.trim() || undefined))};
}

/** Parse a label string as docker ps prints it (`a=b,c=d`). */
export function parseLabelString(labels: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (!labels) return result;
  for (const pair of labels.split(',')) {
    const index = pair.indexOf('=');
    if (index > 0) result[pair.slice(0, index)] = pair.slice(index + 1);
  }
  return result;
}

/** Parse the Ports column of `docker ps` (`127.0.0.1:80->80/tcp, :::8000->30800/tcp`): the published host ports. */
export function parsePublishedPorts(ports: string): Array<{hostIp: string; hostPort: number; containerPort: number}> {
  const result: Array<{hostIp: string; hostPort: number; containerPort: number}> = [];
  for (const part of ports.split(',')) {
    const match = /^\s*(.*):(\d+)->(\d+)\/\w+\s*$/.exec(part);
    if (match) result.push({hostIp: match[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', hostPort: Number(match[2]), containerPort: Number(match[3])});
  }
  return result;
}

/** Parse `docker ps --format '{{json .}}'`: one JSON object per line. */
export function parsePsJsonLines(text: string): ContainerSummary[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      const row = JSON.parse(line) as Record<string, string>;
      return {
        id: row.ID ?? '',
        name: row.Names ?? '',
        image: row.Image ?? '',
        state: (row.State ?? '').toLowerCase(),
        status: row.Status ?? '',
        labels: parseLabelString(row.Labels ?? ''),
        ports: row.Ports ?? '',
      };
    });
}

interface RawInspect {
  Id: string;
  Name: string;
  Config?: {Image?: string; Labels?: Record<string, string> | null};
  State?: {
    Status?: string;
    Running?: boolean;
    Restarting?: boolean;
    OOMKilled?: boolean;
    StartedAt?: string;
    FinishedAt?: string;
    ExitCode?: number;
    Health?: {Status?: string; Log?: Array<{End?: string; ExitCode?: number; Output?: string}>};
  };
  RestartCount?: number;
  NetworkSettings?: {Ports?: Record<string, Array<{HostIp: string; HostPort: string}> | null> | null};
  Mounts?: Array<{Type: string; Name?: string; Source: string; Destination: string}>;
  HostConfig?: {RestartPolicy?: {Name?: string}};
}

/** Parse `docker inspect` output (a JSON array). */
export function parseInspect(text: string): ContainerDetails[] {
  const raw = JSON.parse(text) as RawInspect[];
  return raw.map((c) => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config?.Image ?? '',
    labels: c.Config?.Labels ?? {},
    running: Boolean(c.State?.Running),
    status: c.State?.Status ?? 'unknown',
    health: c.State?.Health?.Status,
    healthLog: (c.State?.Health?.Log ?? []).map((run) => ({end: run.End ?? '', exitCode: run.ExitCode ?? 0, output: run.Output ?? ''})),
    startedAt: c.State?.StartedAt ?? '',
    restartCount: c.RestartCount ?? 0,
    exitCode: c.State?.ExitCode ?? 0,
    oomKilled: Boolean(c.State?.OOMKilled),
    finishedAt: c.State?.FinishedAt ?? '',
    ports: Object.entries(c.NetworkSettings?.Ports ?? {}).flatMap(([containerPort, bindings]) =>
      (bindings ?? []).map((b) => ({containerPort, hostIp: b.HostIp, hostPort: Number(b.HostPort)})),
    ),
    mounts: (c.Mounts ?? []).map((m) => ({type: m.Type, name: m.Name, source: m.Source, destination: m.Destination})),
    restartPolicy: c.HostConfig?.RestartPolicy?.Name || 'no',
  }));
}

/** Which container engine CLI to drive. */
export type EngineBinary = 'docker' | 'podman';

/** Pick the engine binary: `KP_ENGINE` if set, else docker. */
export function engineBinary(): EngineBinary {
  return process.env.KP_ENGINE === 'podman' ? 'podman' : 'docker';
}

/** The engine CLI is not on PATH: what every feature says about it. */
export function engineNotInstalled(bin: EngineBinary): KpError {
  return fail.prerequisite(
    `${bin} is not installed (not found on PATH).`,
    bin === 'docker'
      ? 'Install Docker (https://docs.docker.com/engine/install/) or set KP_ENGINE=podman.'
      : 'Install podman, or unset KP_ENGINE to use Docker.',
  );
}

/** The engine's daemon does not answer: what every feature says about it. */
export function engineUnreachable(bin: EngineBinary, detail: string | undefined): KpError {
  return fail.prerequisite(
    `The ${bin} daemon is not reachable: ${detail ?? 'no answer'}`,
    bin === 'docker'
      ? 'Start Docker (e.g. `sudo systemctl start docker` or Docker Desktop) and check DOCKER_HOST.'
      : 'Start the podman socket (`systemctl --user start podman.socket`).',
  );
}

/** The container engine: docker (or podman, which speaks the same CLI). */
export class Engine {
  constructor(
    private readonly runner: Runner,
    readonly bin: EngineBinary = engineBinary(),
  ) {}

  /** Run the engine CLI; a missing binary or an unreachable daemon become the errors above. */
  private async call(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    try {
      return await this.runner.run(this.bin, args, options);
    } catch (error) {
      if (error instanceof ToolError && error.toolExitCode === undefined) throw engineNotInstalled(this.bin);
      if (error instanceof ToolError && isDaemonDown(error.stderr))
        throw engineUnreachable(
          this.bin,
          error.stderr
            .trim()
            .split('\n')
            .find((l) => isDaemonDown(l)),
        );
      throw error;
    }
  }

  /** Client and daemon version; never throws for a down daemon (see `ensureDaemon`). */
  async version(options: {signal?: AbortSignal} = {}): Promise<EngineVersion> {
    const result = await this.call(['version', '--format', '{{json .}}'], {allowFailure: true, timeoutMs: 20_000, signal: options.signal});
    return parseEngineVersion(result.stdout, result.stderr);
  }

  /** Throw a prerequisite error unless the CLI is installed and its daemon answers. */
  async ensureDaemon(options: {signal?: AbortSignal} = {}): Promise<EngineVersion> {
    const version = await this.version(options);
    if (!version.server) throw engineUnreachable(this.bin, version.daemonError);
    return version;
  }

  /** Containers (running or not) carrying every given label filter (`key` or `key=value`). */
  async listContainers(labelFilters: readonly string[], options: {all?: boolean; signal?: AbortSignal} = {}): Promise<ContainerSummary[]> {
    const args = ['ps', '--no-trunc', '--format', '{{json .}}'];
    if (options.all !== false) args.splice(1, 0, '-a');
    for (const filter of labelFilters) args.push('--filter', `label=${filter}`);
    const result = await this.call(args, {signal: options.signal});
    return parsePsJsonLines(result.stdout);
  }

  /** Details of the given containers (empty input -> empty output, no process). */
  async inspect(ids: readonly string[]): Promise<ContainerDetails[]> {
    if (ids.length === 0) return [];
    const result = await this.call(['inspect', '--type', 'container', ...ids]);
    return parseInspect(result.stdout);
  }

  /** Containers matching the label filters, with details (two processes at most). */
  async findContainers(labelFilters: readonly string[]): Promise<ContainerDetails[]> {
    const summaries = await this.listContainers(labelFilters);
    return this.inspect(summaries.map((s) => s.id));
  }

  /** Names of running containers that publish host port `port`. */
  async containersPublishing(port: number): Promise<string[]> {
    const result = await this.call(['ps', '--filter', `publish=${port}`, '--format', '{{.Names}}'], {allowFailure: true});
    return result.stdout.split('\n').filter(Boolean);
  }

  /**
   * Follow `docker events` for containers matching `filters` (`container=NAME`, `label=K=V`) and the
   * lifecycle events kp reacts to (start, die, destroy): one parsed event per call of `onEvent`,
   * until `signal` aborts. One long-lived process instead of a poll.
   */
  followContainerEvents(
    filters: readonly string[],
    onEvent: (event: {action: string; id: string; name: string; exitCode: number | undefined}) => void,
    signal: AbortSignal,
  ): Promise<{exitCode: number | undefined; stderr: string}> {
    const args = [
      'events',
      '--format',
      '{{json .}}',
      '--filter',
      'type=container',
      '--filter',
      'event=start',
      '--filter',
      'event=die',
      '--filter',
      'event=destroy',
    ];
    for (const filter of filters) args.push('--filter', filter);
    return this.runner.follow(
      this.bin,
      args,
      (line) => {
        try {
          const raw = JSON.parse(line) as {Action?: string; status?: string; id?: string; Actor?: {ID?: string; Attributes?: Record<string, string>}};
          const attributes = raw.Actor?.Attributes ?? {};
          const exitCode = attributes.exitCode === undefined ? undefined : Number.parseInt(attributes.exitCode, 10);
          onEvent({action: raw.Action ?? raw.status ?? '', id: raw.Actor?.ID ?? raw.id ?? '', name: attributes.name ?? '', exitCode});
        } catch {
          // Not an event line (a warning): nothing to react to.
        }
      },
      {signal},
    );
  }

  /** `restart` the containers (stop with SIGTERM, then start; volumes and container stay). */
  async restart(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.call(['restart', ...ids], {mutating: true});
  }

  /** `docker stop` (the engine's default grace, then SIGKILL): the container stays, stopped. */
  async stop(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.call(['stop', ...ids], {mutating: true});
  }

  async start(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.call(['start', ...ids], {mutating: true});
  }

  async remove(ids: readonly string[], options: {force?: boolean} = {}): Promise<void> {
    if (ids.length > 0) await this.call(['rm', ...(options.force ? ['-f'] : []), ...ids], {mutating: true});
  }

  /** The last `tail` log lines of a container (stdout and stderr interleaved as the engine keeps them). */
  async logs(id: string, options: {tail?: number; since?: string} = {}): Promise<string> {
    const args = ['logs'];
    if (options.tail !== undefined) args.push('--tail', String(options.tail));
    if (options.since) args.push('--since', options.since);
    args.push(id);
    const result = await this.call(args, {allowFailure: true});
    return `${result.stdout}${result.stderr}`;
  }

  /** Run a command inside a running container, optionally feeding stdin. */
  async exec(
    id: string,
    command: readonly string[],
    options: {input?: string | Uint8Array; mutating?: boolean; allowFailure?: boolean; user?: string} = {},
  ): Promise<RunResult> {
    const args = ['exec'];
    if (options.input !== undefined) args.push('-i');
    if (options.user) args.push('--user', options.user);
    args.push(id, ...command);
    const runOptions: RunOptions = {input: options.input, mutating: options.mutating, allowFailure: options.allowFailure};
    return this.call(args, runOptions);
  }

  /** The images this engine holds, as `repository:tag` (Docker Hub's `docker.io/library/` prefix dropped, as the engine lists them). */
  async localImages(): Promise<Set<string>> {
    const result = await this.call(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
    return new Set(
      result.stdout
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.includes('<none>')),
    );
  }

  /** `pull REF` (mutating: a dry run prints it); its failure is the caller's to explain. */
  pull(ref: string): Promise<RunResult> {
    return this.call(['pull', ref], {mutating: true, allowFailure: true});
  }

  /** Names of the volumes carrying every given label filter. */
  async listVolumes(labelFilters: readonly string[]): Promise<string[]> {
    const result = await this.call(['volume', 'ls', '-q', ...labelFilters.flatMap((filter) => ['--filter', `label=${filter}`])]);
    return result.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  }

  /** `volume rm` the named volumes (mutating). */
  async removeVolumes(names: readonly string[]): Promise<RunResult> {
    return this.call(['volume', 'rm', ...names], {mutating: true});
  }

  /** Remove volumes and networks by label (kind's `--clean`). */
  async pruneLabelled(label: string): Promise<void> {
    const volumes = await this.call(['volume', 'ls', '-q', '--filter', `label=${label}`]);
    const volumeNames = volumes.stdout.split('\n').filter(Boolean);
    if (volumeNames.length > 0) await this.call(['volume', 'rm', ...volumeNames], {mutating: true});
    const networks = await this.call(['network', 'ls', '-q', '--filter', `label=${label}`]);
    const networkIds = networks.stdout.split('\n').filter(Boolean);
    if (networkIds.length > 0) await this.call(['network', 'rm', ...networkIds], {mutating: true});
  }
}
