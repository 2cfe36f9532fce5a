/**
 * The HA target seen by the sync workflow: one transport ("run a command in the target with
 * stdin") plus the few observations the loop needs. Pods and containers implement it; the
 * workflow never asks which one it has.
 */
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

/** How kp restarts HA after a sync. */
export type RestartMethod = 'auto' | 'kill' | 'pod' | 'none';

/** A running HA that kp can sync into. */
export interface HaTarget extends TargetTransport {
  readonly kind: 'pod' | 'container';
  /** One-line description for humans. */
  readonly label: string;
  /** Identifying fields for the JSON report. */
  describe(): Record<string, string>;
  /** Target running and the component folder on a volume, else a clear KpError. */
  preflight(componentDir: string): Promise<{state: TargetState; volume: VolumeInfo}>;
  state(): Promise<TargetState>;
  /** Does HA answer (pod Ready / container running and port 8123 answering)? A probe may keep trying for up to `waitMs`. */
  isReady(state: TargetState, waitMs?: number): Promise<boolean>;
  /** HA's log since `startedAt` (RFC 3339). */
  logsSince(startedAt: string | undefined): Promise<string>;
  /** `kill 1` leaves this target stopped (container without restart policy): restart it from outside. */
  readonly needsOutsideRestart: boolean;
  /** Restart from outside: delete the pod / `docker restart` the container. */
  restartFromOutside(): Promise<void>;
  /** Why restarting from outside (`--restart pod`) is risky here, printed before acting; undefined when it is not. */
  outsideRestartWarning(): string | undefined;
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
