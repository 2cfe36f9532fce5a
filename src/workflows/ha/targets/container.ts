/**
 * HA running as a plain container or a Compose service: `docker exec` is the transport,
 * `docker inspect` the observation.
 */
import {ExitCode, fail, KpError, ToolError} from '../../../core/errors.js';
import type {ContainerDetails, Engine} from '../../../tools/docker.js';
import type {HaEndpoint} from '../../../tools/ha-api.js';
import type {RunResult} from '../../../tools/runner.js';
import {scriptCommand, SCRIPTS} from '../remote.js';
import {coveringMount, execRefusedWhileRestarting, notRunningReason, type HaTarget, type TargetState, type VolumeInfo} from './target.js';

/** How to find the HA container. */
export type ContainerSelector = {container: string} | {composeProject: string; service: string};

/** Map docker inspect details to the target-neutral state. */
export function containerState(details: ContainerDetails): TargetState {
  return {
    running: details.running,
    ready: details.health === undefined ? undefined : details.health === 'healthy' && details.running,
    restartCount: details.restartCount,
    startedAt: details.startedAt || undefined,
    instance: details.id,
    status: details.health ? `${details.status} (${details.health})` : details.status,
    ...(details.running
      ? {}
      : {
          ended: {
            exitCode: details.exitCode,
            oomKilled: details.oomKilled,
            finishedAt: details.finishedAt && !details.finishedAt.startsWith('0001-') ? details.finishedAt : undefined,
            reason: undefined,
          },
        }),
    // Docker says `restarting` while its restart policy waits out the delay before the next start.
    ...(details.status === 'restarting' ? {backoff: {by: 'docker' as const, delayMs: undefined, remainingMs: undefined}} : {}),
  };
}

/** Check that `componentDir` lies on a volume or bind mount of the container. */
export function containerVolume(details: ContainerDetails, componentDir: string): VolumeInfo {
  const mount = coveringMount(details.mounts, componentDir);
  if (!mount || mount.type === 'tmpfs') {
    throw fail.prerequisite(
      `${componentDir} is not on a volume in container ${details.name}${mount ? ' (it is on a tmpfs)' : ''}: recreating the container would wipe what kp syncs.`,
      'Mount /config as a named volume or bind mount (e.g. `-v ha-config:/config`), then sync again.',
    );
  }
  return {
    mountPoint: mount.destination,
    description: mount.type === 'volume' ? `volume ${mount.name ?? mount.source}` : `${mount.type} ${mount.source}`,
    survivesRecreate: true,
  };
}

/** HA in a container, addressed by name or as the service of a Compose project. */
export class ContainerTarget implements HaTarget {
  readonly kind = 'container' as const;
  private id: string | undefined;
  private details: ContainerDetails | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly selector: ContainerSelector,
  ) {}

  get label(): string {
    const name = this.details?.name ?? ('container' in this.selector ? this.selector.container : `${this.selector.composeProject}/${this.selector.service}`);
    return 'container' in this.selector ? `container ${name}` : `container ${name} (compose ${this.selector.composeProject}/${this.selector.service})`;
  }

  describe(): Record<string, string> {
    return {
      kind: 'container',
      container: this.details?.name ?? ('container' in this.selector ? this.selector.container : ''),
      ...('composeProject' in this.selector ? {composeProject: this.selector.composeProject, service: this.selector.service} : {}),
      engine: this.engine.bin,
    };
  }

  get credentialsKey(): string {
    return 'composeProject' in this.selector ? `compose-${this.selector.composeProject}-${this.selector.service}` : `container-${this.selector.container}`;
  }

  async apiEndpoint(): Promise<HaEndpoint | {unreachable: string}> {
    const details = this.details ?? (await this.inspectTarget());
    const binding = details.ports.find((p) => p.containerPort === '8123/tcp' && p.hostPort > 0);
    if (!binding) return {unreachable: `${this.label} publishes no host port for 8123`};
    // A binding on every interface (or loopback) is reached through loopback; a specific address as bound.
    const host = ['', '0.0.0.0', '::', '127.0.0.1', '::1'].includes(binding.hostIp)
      ? '127.0.0.1'
      : binding.hostIp.includes(':')
        ? `[${binding.hostIp}]`
        : binding.hostIp;
    return {url: `http://${host}:${binding.hostPort}`};
  }

  get needsOutsideRestart(): boolean {
    // Without a restart policy the engine leaves a container stopped after `kill 1`.
    return (this.details?.restartPolicy ?? 'no') === 'no';
  }

  /**
   * Inspect the container. The id found first is kept (a Compose service is found by labels once),
   * but a container removed and created again under the same name or service (`docker rm` + `run`,
   * `compose up --force-recreate`) has another id: the old one answers "No such container", and the
   * target is then resolved by name or labels again.
   */
  private async inspectTarget(): Promise<ContainerDetails> {
    if (this.id === undefined) return this.resolveBySelector();
    try {
      return await this.inspectRef(this.id);
    } catch (error) {
      if (!(error instanceof KpError) || error.exitCode !== ExitCode.Prerequisite) throw error;
      this.id = undefined;
      this.details = undefined;
      return this.resolveBySelector();
    }
  }

  private async resolveBySelector(): Promise<ContainerDetails> {
    if ('composeProject' in this.selector) {
      const found = await this.engine.findContainers([
        `com.docker.compose.project=${this.selector.composeProject}`,
        `com.docker.compose.service=${this.selector.service}`,
      ]);
      const chosen = found.find((c) => c.running) ?? found[0];
      if (!chosen) {
        throw fail.prerequisite(
          `No container of service ${this.selector.service} in compose project ${this.selector.composeProject}.`,
          'Start the project, or check --project-name/--service (`docker ps --filter label=com.docker.compose.project=P`).',
        );
      }
      this.id = chosen.id;
      this.details = chosen;
      return chosen;
    }
    return this.inspectRef(this.selector.container);
  }

  private async inspectRef(ref: string): Promise<ContainerDetails> {
    let details: ContainerDetails[];
    try {
      details = await this.engine.inspect([ref]);
    } catch (error) {
      if (error instanceof ToolError && /No such (container|object)/i.test(error.stderr)) {
        throw fail.prerequisite(`Container ${ref} does not exist.`, 'Check the name with `docker ps -a`, or use --project-name.');
      }
      throw error;
    }
    const found = details[0];
    if (!found) throw fail.prerequisite(`Container ${ref} does not exist.`);
    this.id = found.id;
    this.details = found;
    return found;
  }

  async preflight(componentDir: string): Promise<{state: TargetState; volume: VolumeInfo}> {
    const details = await this.inspectTarget();
    if (!details.running) {
      throw fail.prerequisite(
        `${this.label} is not running: ${notRunningReason(containerState(details))}.`,
        `Start it (\`${this.engine.bin} start ${details.name}\`), then sync again.`,
      );
    }
    return {state: containerState(details), volume: containerVolume(details, componentDir)};
  }

  async state(): Promise<TargetState> {
    return containerState(await this.inspectTarget());
  }

  async isReady(state: TargetState, waitMs = 0): Promise<boolean> {
    if (!state.running) return false;
    // A healthcheck's verdict counts once it has one; while it is still "starting" (its first check
    // comes only after its interval), kp's own probe decides.
    if (state.ready === true) return true;
    if (state.ready === false && !state.status.includes('(starting)')) return false;
    const tries = Math.floor(waitMs / 100);
    const probe = await this.engine.exec(this.ref(), scriptCommand(SCRIPTS.probe, {tries}), {allowFailure: true});
    return probe.exitCode === 0;
  }

  isRestarting(error: unknown): boolean {
    return execRefusedWhileRestarting(error);
  }

  async logsSince(startedAt: string | undefined): Promise<string> {
    return this.engine.logs(this.ref(), startedAt ? {since: startedAt} : {});
  }

  exec(command: readonly string[], options: {input?: Uint8Array; mutating?: boolean} = {}): Promise<RunResult> {
    return this.engine.exec(this.ref(), command, {input: options.input, mutating: options.mutating, allowFailure: true});
  }

  async restartFromOutside(): Promise<void> {
    await this.engine.restart([this.ref()]);
  }

  outsideRestartWarning(): string | undefined {
    return undefined; // a container has no initContainers: `docker restart` keeps the volume and the synced files
  }

  followChanges(onChange: (what: string) => void, signal: AbortSignal): Promise<{exitCode: number | undefined; stderr: string}> {
    // By name or by the service's labels, never by id: a re-created container has a new id.
    const filters =
      'container' in this.selector
        ? [`container=${this.selector.container}`]
        : [`label=com.docker.compose.project=${this.selector.composeProject}`, `label=com.docker.compose.service=${this.selector.service}`];
    return this.engine.followContainerEvents(
      filters,
      (event) =>
        onChange(
          event.action === 'die'
            ? `stopped${event.exitCode === undefined ? '' : ` (exit code ${event.exitCode})`}`
            : event.action === 'destroy'
              ? 'removed'
              : 'started',
        ),
      signal,
    );
  }

  private ref(): string {
    return this.id ?? ('container' in this.selector ? this.selector.container : '');
  }
}
