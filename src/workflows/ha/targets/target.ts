/**
 * The HA target seen by the sync workflow: one transport ("run a command in the target with
 * stdin") plus the few observations the loop needs. Pods and containers implement it; the
 * workflow never asks which one it has.
 */
import type {HaEndpoint} from '../../../tools/ha-api.js';
import type {RunResult} from '../../../tools/runner.js';

/** Run a command inside the HA container, optionally feeding stdin. */
export interface TargetTransport {
  exec(command: readonly string[], options?: {input?: Uint8Array; mutating?: boolean}): Promise<RunResult>;
}

/** A point-in-time view of the HA container. */
export interface TargetState {
  running: boolean;
  /** Pod `Ready`; for a container: healthy when it has a healthcheck, else undefined (probe needed). */
  ready: boolean | undefined;
  restartCount: number;
  /** RFC 3339 start time of the current container instance. */
  startedAt: string | undefined;
  /** Pod UID or container ID: changes when the pod is recreated. */
  instance: string;
  /** Engine status or pod phase, for messages. */
  status: string;
  /** How the last run ended, when the container is not running now. */
  ended?: {exitCode: number | undefined; oomKilled: boolean; finishedAt: string | undefined; reason: string | undefined};
  /** Down but on its way back, and why (a pod terminating or being created): not a stop. */
  transitional?: string;
  /** The orchestrator is holding the restart back (kubelet's CrashLoopBackOff, Docker's restart delay). */
  backoff?: {by: 'kubelet' | 'docker'; delayMs: number | undefined; remainingMs: number | undefined};
}

/** One line on why a container is not running: how it ended, and the back-off it waits in. */
export function notRunningReason(state: TargetState): string {
  const parts: string[] = [];
  const ended = state.ended;
  if (ended?.oomKilled) parts.push(`OOM-killed${ended.exitCode === undefined ? '' : ` (exit ${ended.exitCode})`}`);
  else if (ended?.exitCode !== undefined)
    parts.push(`exited with code ${ended.exitCode}${ended.reason && ended.reason !== 'Error' && ended.reason !== 'Completed' ? ` (${ended.reason})` : ''}`);
  else parts.push(state.status);
  const backoff = state.backoff;
  if (backoff?.by === 'kubelet') {
    const remaining =
      backoff.remainingMs === undefined
        ? ''
        : backoff.remainingMs > 0
          ? ` kubelet restarts it in about ${Math.ceil(backoff.remainingMs / 1000)} s`
          : ' kubelet restarts it any moment';
    parts.push(
      `in CrashLoopBackOff${backoff.delayMs === undefined ? '' : ` (back-off ${Math.round(backoff.delayMs / 1000)} s)`}:${remaining || ' kubelet restarts it when the back-off ends'}; every further crash doubles the wait, up to 5 min, until it has run 10 minutes`,
    );
  } else if (backoff?.by === 'docker') {
    parts.push("Docker's restart policy is delaying its restart (the delay doubles with every restart less than 10 s after the last, up to 1 min)");
  }
  return parts.join(', ');
}

/** Parse a Go duration as kubelet prints it (`10s`, `1m20s`, `5m0s`) into milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (!match || text === '') return undefined;
  const [, h, m, sec] = match;
  return ((Number(h ?? 0) * 60 + Number(m ?? 0)) * 60 + Number(sec ?? 0)) * 1000;
}

/** The volume the component folder lives on. */
export interface VolumeInfo {
  /** Mount point inside the container (e.g. `/config`). */
  mountPoint: string;
  /** What backs it, for the report (e.g. `persistentVolumeClaim config-homeassistant-0`, `volume ha-config`). */
  description: string;
  /** False for volumes that do not survive what `--restart pod` does (emptyDir). */
  survivesRecreate: boolean;
}

/**
 * How kp restarts HA after a sync. `inplace`: SIGHUP to HA's own process, which its supervisor
 * restarts inside the same container (no back-off); `kill`: `kill 1`, the whole container;
 * `pod`: pod deletion; `auto`: no restart when the change is live without one, else in place where
 * the target has the supervisor, else the container (docker restart / kill 1).
 */
export type RestartMethod = 'auto' | 'reload' | 'inplace' | 'kill' | 'pod' | 'none';

/** A running HA that kp can sync into. */
export interface HaTarget extends TargetTransport {
  readonly kind: 'pod' | 'container';
  /** One-line description for humans. */
  readonly label: string;
  /** The name under which kp keeps its credentials for this HA (stable across container re-creation). */
  readonly credentialsKey: string;
  /** Where HA's REST API answers from this machine, or why kp cannot reach it. */
  apiEndpoint(): Promise<HaEndpoint | {unreachable: string}>;
  /** Identifying fields for the JSON report. */
  describe(): Record<string, string>;
  /** Target running and the component folder on a volume, else a clear KpError. */
  preflight(componentDir: string): Promise<{state: TargetState; volume: VolumeInfo}>;
  state(): Promise<TargetState>;
  /** Does HA answer (pod Ready / container running and port 8123 answering)? A probe may keep trying for up to `waitMs`. */
  isReady(state: TargetState, waitMs?: number): Promise<boolean>;
  /** HA's log since `startedAt` (RFC 3339). */
  logsSince(startedAt: string | undefined): Promise<string>;
  /** This exec failed because the target is (re)starting: its orchestrator's words for it (wait, do not fail). */
  isRestarting(error: unknown): boolean;
  /** `kill 1` leaves this target stopped (container without restart policy): restart it from outside. */
  readonly needsOutsideRestart: boolean;
  /** Restart from outside: delete the pod / `docker restart` the container. */
  restartFromOutside(): Promise<void>;
  /** Why restarting from outside (`--restart pod`) is risky here, printed before acting; undefined when it is not. */
  outsideRestartWarning(): string | undefined;
  /**
   * Follow the target's lifecycle through the orchestrator's event stream (`docker events`,
   * `kubectl get --watch`): `onChange` is called when something may have happened to it (started,
   * stopped, re-created). Resolves when `signal` aborts or the stream ends.
   */
  followChanges(onChange: (what: string) => void, signal: AbortSignal): Promise<{exitCode: number | undefined; stderr: string}>;
}

/** An exec refused because the container is (re)starting: docker's, kubectl's and runc's words for it. */
export function execRefusedWhileRestarting(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  // An exec killed by the container's own restart (another run's `kill 1` under its lock) ends with
  // SIGKILL/SIGTERM's exit code and nothing else to say.
  if (
    /is restarting, wait until the container is running|is not running|container not found|ContainerCreating|PodInitializing|failed \(exit 1(37|43)\)/i.test(
      text,
    )
  )
    return true;
  // An exec that starts in the instant the container's init dies: runc cannot hand the new process
  // its config ("error writing config to pipe: write init-p: broken pipe", exit 126) or finds the
  // container already stopped ("cannot exec in a stopped container"). Seen in CI when a second sync
  // listed while the first one's `kill 1` landed. A missing `sh` is not transient and stays fatal.
  return (
    /OCI runtime exec failed/i.test(text) &&
    /broken pipe|cannot exec in a stopped|container process not found|no such process/i.test(text) &&
    !/executable file not found|permission denied/i.test(text)
  );
}

/** The mount (by destination) that contains `path`: the deepest one wins. */
export function coveringMount<M extends {destination: string}>(mounts: readonly M[], path: string): M | undefined {
  const candidates = mounts.filter((m) => {
    const dest = m.destination.replace(/\/+$/, '') || '/';
    return dest === '/' ? true : path === dest || path.startsWith(`${dest}/`);
  });
  return candidates.sort((a, b) => b.destination.length - a.destination.length)[0];
}

/** Has the container restarted since `before` (count grew, start time or instance changed)? */
export function restartObserved(before: TargetState, now: TargetState): boolean {
  return (
    now.restartCount > before.restartCount ||
    now.instance !== before.instance ||
    (now.startedAt !== undefined && before.startedAt !== undefined && now.startedAt !== before.startedAt)
  );
}

/**
 * Where to start reading HA's log for the instance that started at `startedAt`. The engine may
 * stamp the first lines a moment BEFORE it records the start time, so read from 2s earlier,
 * but never from before the restart request (`notBefore`, ms): older lines belong to the old instance.
 */
export function logWindowStart(startedAt: string | undefined, notBefore?: number): string | undefined {
  const started = startedAt ? Date.parse(startedAt) : Number.NaN;
  if (Number.isNaN(started)) return notBefore === undefined ? startedAt : new Date(notBefore).toISOString();
  const from = Math.max(started - 2000, notBefore ?? Number.NEGATIVE_INFINITY);
  return new Date(from).toISOString();
}
