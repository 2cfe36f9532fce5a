/**
 * What a sync round works with: its options, what a watch remembers between rounds, what was
 * observed, and its clock.
 */
import {type ComponentSource} from './component.js';
import {type SyncPlan} from './plan.js';
import {type HaProcess, type RemoteLayout, type RemoteListing} from './remote.js';
import {type HaSyncReport} from './report.js';
import {type RestartMethod, type TargetState, type VolumeInfo} from './targets/target.js';

/** What one sync round needs to know. */
export interface HaSyncOptions {
  cwd: string;
  source: string | undefined;
  /** HA's config dir in the target (`/config`). */
  configDir: string;
  restart: RestartMethod;
  /** Restart (and rebuild the tree without caches) even when nothing changed. */
  force: boolean;
  /** Budget for restart + readiness + verdict. */
  timeoutMs: number;
  /**
   * The most the log is read on after HA answers and the load was seen, for setup errors that come
   * later (HA answers on 8123 before custom integrations are set up); a failure ends it at once.
   */
  settleMs: number;
  /** Ask HA for its config entry's state where kp holds a token (default true; false: the log alone). */
  entryVerdict?: boolean;
  /** Poll interval while waiting. */
  pollMs?: number;
  /** How long to wait for another run's sync lock (local or in the target). */
  lockTimeoutMs: number;
  /**
   * What the previous round of a watch left in the target, kept between rounds (the watch clears it
   * when the target or the folder changed): lets a round check and apply in one exec.
   */
  memory?: {current?: RoundMemory};
  /** `--ignore` globs: files never sent, never deleted in the target, never a reason for a round. */
  ignore?: readonly string[];
  /** Whether a round may reload code through the kp_reload companion (default true; false for the companion's own files). */
  reload?: boolean;
  /** The lint gate, run on the component before anything is copied (throws to stop the round). */
  lint?: (componentDir: string, plan: SyncPlan) => Promise<HaSyncReport['lint']>;
}

/** What a watch round remembers of the target for the next one (see sh/fast-apply.sh). */
export interface RoundMemory {
  componentDir: string;
  /** The installed component's files and sha256 hashes, as the previous round left them. */
  remote: Map<string, string>;
  ha: HaProcess | undefined;
  state: TargetState;
  volume: VolumeInfo;
  layout: RemoteLayout;
}

/** sh/fast-apply.sh found the target other than remembered (or locked) and changed nothing. */
export class StaleMemory extends Error {}

/** The result of observing the target and the local component. */
export interface Observation {
  component: ComponentSource;
  state: TargetState;
  volume: VolumeInfo;
  layout: RemoteLayout;
  listing: RemoteListing;
  plan: SyncPlan;
  skipped: HaSyncReport['skipped'];
  warnings: string[];
  /** This run's owner line in the target's lock while it holds it; undefined when none is held (dry-run, or released by the listing). */
  lockOwner: string | undefined;
  /** Whether the round took the target's lock at all. */
  lockTaken: boolean;
  /** Milliseconds spent waiting for another run's lock. */
  lockWaitMs: number;
}

/** What a round measures itself by: its start, the runner's spawn count then, and its poll interval. */
export interface RoundClock {
  started: number;
  spawnsBefore: number;
  pollMs: number;
}
