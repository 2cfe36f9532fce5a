/**
 * One round of `kp ha sync`: observe (preflight + remote listing) -> plan (pure diff) -> apply
 * (one tar stream, staged build, rename swap, cache clear, restart) -> wait (restart observed,
 * then ready) -> verdict (HA's log since the restart).
 */
import {randomBytes} from 'node:crypto';
import type {KpContext} from '../context.js';
import {ExitCode, fail, InterruptedError, unlessInterrupted} from '../../core/errors.js';
import {collectFiles, compileIgnores, detectSource, withoutIgnored, type ComponentSource, type IgnoreMatcher} from './component.js';
import {planSync, type SyncPlan} from './plan.js';
import {acquireLocalLock, currentOwner, describeOwner, formatOwner, lockTimeout, ownerGone, parseOwner} from '../shared/lock.js';
import {listRemote, releaseRemoteLock, stagingParent, uploadArchive} from './protocol.js';
import {
  expectedListingDigest,
  parseApply,
  parseListing,
  scriptCommand,
  SCRIPTS,
  type ApplyArgs,
  type HaProcess,
  remoteLayout,
  type RemoteLayout,
  type RemoteListing,
} from './remote.js';
import {
  BACKOFF_COST,
  KILL_COST,
  chooseRestartMethod,
  decideRestart,
  type AppliedRestart,
  type RestartCapabilities,
  type RestartDecision,
} from './restart-rule.js';
import {formatBytes, formatMs, summaryRows, type HaSyncReport} from './report.js';
import {RESTART_METHODS} from './restart-methods.js';
import {logWindowStart, notRunningReason, restartObserved, type HaTarget, type RestartMethod, type TargetState, type VolumeInfo} from './targets/target.js';
import {parseLogVerdict, type LogVerdict} from './verdict.js';
import {entryExitCode, readEntryVerdict} from './entry-verdict.js';
import {openSession} from './onboarding.js';
import {poll, type Look} from '../../core/poll.js';

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
class StaleMemory extends Error {}

/** The result of observing the target and the local component. */
interface Observation {
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

/**
 * List the target under its sync lock: another run's lock is waited for (its holder named once)
 * until `deadline`, and taken over only when its holder is provably gone. Without an owner
 * (dry-run) nothing is locked.
 */
async function listUnderLock(
  ctx: KpContext,
  target: HaTarget,
  layout: RemoteLayout,
  owner: string | undefined,
  deadline: number,
  pollMs: number,
  expectDigest: string | undefined,
): Promise<{listing: RemoteListing; waitedMs: number}> {
  let announced = false;
  let takeover: string | undefined;
  let announcedRestart = false;
  // What the last look saw: the lock's holder, or the target restarting (its exec failing).
  type Seen = {holder: string} | {restarting: unknown};
  const lookOnce = async (): Promise<Look<RemoteListing, Seen> | 'again'> => {
    let listing: RemoteListing;
    try {
      listing = await listRemote(target, layout, owner === undefined ? undefined : {owner, takeover, expectDigest});
    } catch (error) {
      // HA restarting (after another sync, or by hand) answers no exec for a moment: wait, within the lock budget.
      if (!target.isRestarting(error)) throw error;
      if (!announcedRestart) ctx.out.step(`${target.label} is restarting; waiting for it to run again...`);
      announcedRestart = true;
      return {done: false, seen: {restarting: error}};
    }
    if (owner === undefined || listing.lock.state === 'acquired' || listing.lock.state === 'released') return {done: true, value: listing};
    const holder = heldBy(target, listing);
    const parsed = parseOwner(holder);
    // This very process's own lock (a release that failed in an earlier --watch round) is ours to
    // take back: the local lock guarantees no round of ours runs beside this one.
    const self = parsed !== undefined && formatOwner({...parsed, at: ''}) === formatOwner({...currentOwner(), at: ''});
    if (parsed && (self || ownerGone(parsed)) && takeover !== holder) {
      ctx.out.info(
        self
          ? `The sync lock in ${target.label} is this run's own, left by an earlier round: taking it back.`
          : `The sync lock in ${target.label} belongs to ${describeOwner(holder)}, which no longer runs: taking it over.`,
      );
      takeover = holder;
      return 'again';
    }
    if (!announced) ctx.out.step(`Waiting for another sync into ${target.label} (${describeOwner(holder)}) to finish...`);
    announced = true;
    return {done: false, seen: {holder}};
  };
  const waited = await poll<RemoteListing, Seen>(
    async () => {
      for (;;) {
        const seen = await lookOnce();
        if (seen !== 'again') return seen; // a takeover lists again at once
      }
    },
    {deadline, intervalMs: Math.min(pollMs, 1000)},
  );
  if (waited.done) return {listing: waited.value, waitedMs: waited.waitedMs};
  const last = waited.lastSeen;
  if (last && 'restarting' in last) throw last.restarting;
  throw lockTimeout(target.label, last?.holder ?? '', 'in the target', `${layout.stagingRoot}/${layout.domain}.lock`);
}

/** The holder of the target's lock, as the listing reports it; a listing that could not take or name it is a tool failure. */
function heldBy(target: HaTarget, listing: RemoteListing): string {
  if (listing.lock.state === 'failed') throw fail.toolFailed(`Taking the sync lock in ${target.label} failed: ${listing.lock.reason}`);
  if (listing.lock.state !== 'held') throw fail.toolFailed(`The listing in ${target.label} did not report the sync lock.`);
  return listing.lock.owner;
}

/** Observe: local component, target state, volume, remote listing (under the target's lock), and the plan. */
export async function observe(
  ctx: KpContext,
  target: HaTarget,
  options: HaSyncOptions,
  lock?: {owner: string | undefined; deadline: number},
): Promise<Observation> {
  const component = detectSource(options.cwd, options.source);
  const provisional = remoteLayout(options.configDir, component.domain);
  const {state, volume} = await target.preflight(provisional.componentDir);
  if (options.restart === 'pod' && !volume.survivesRecreate) {
    // Refused before anything is locked, linted or sent.
    throw fail.usage(`--restart pod would wipe ${volume.description}: the synced files would be lost.`, 'Use the default --restart auto.');
  }
  const layout = remoteLayout(options.configDir, component.domain, stagingParent(volume, options.configDir));
  // Hashed before the listing: the listing exec then knows what "up to date" looks like and releases
  // the lock itself when nothing is to be done (one exec for a no-op round).
  const ignored = compileIgnores(options.ignore ?? []);
  const local = collectFiles(component.dir, 'sha256', ignored);
  const expectDigest = options.force ? undefined : expectedListingDigest(local.files);
  const {listing, waitedMs} = await listUnderLock(ctx, target, layout, lock?.owner, lock?.deadline ?? Date.now(), options.pollMs ?? 500, expectDigest);
  try {
    return planObserved(component, state, volume, layout, listing, local, waitedMs, lock?.owner, target.label, ignored);
  } catch (error) {
    if (listing.lock.state === 'acquired' && lock?.owner) await releaseRemoteLock(target, layout, lock.owner);
    throw error;
  }
}

/** The plan and warnings from what was observed (the lock, if taken, is released by the caller on failure). */
function planObserved(
  component: ComponentSource,
  state: TargetState,
  volume: VolumeInfo,
  layout: RemoteLayout,
  listing: RemoteListing,
  local: ReturnType<typeof collectFiles>,
  waitedMs: number,
  owner: string | undefined,
  label: string,
  ignored: IgnoreMatcher,
): Observation {
  const {files, skipped} =
    listing.hashAlgorithm === 'sha256' || listing.hashAlgorithm === undefined ? local : collectFiles(component.dir, listing.hashAlgorithm, ignored);
  // What the user ignores is neither sent nor compared: an ignored file in the target stays there.
  const remoteLinks = listing.replaceComponent ? ['.'] : [...(withoutIgnored(new Map(listing.symlinks.map((link) => [link, link])), ignored)?.keys() ?? [])];
  const plan = planSync(files, withoutIgnored(listing.files, ignored), remoteLinks);
  const warnings: string[] = [];
  if (listing.unsafePaths.length > 0) warnings.push(`left untouched in the target (unsafe names): ${listing.unsafePaths.join(', ')}`);
  if (plan.replaced.length > 0) {
    warnings.push(
      `replaced in the target, never followed: ${plan.replaced.map((p) => (p === '.' ? `${layout.componentDir} (a symlink or file, not a folder)` : `${p} (symlink)`)).join(', ')}`,
    );
  }
  for (const skip of skipped) warnings.push(`not synced: ${skip.path} (${skip.reason})`);
  if (listing.lock.state === 'released' && !plan.upToDate) {
    // The script only releases when the listing hashes to the up-to-date digest: a plan with work means a bug.
    throw fail.internal(`The listing in ${label} released the sync lock although there is work to do.`);
  }
  return {
    component,
    state,
    volume,
    layout,
    listing,
    plan,
    skipped,
    warnings,
    lockOwner: listing.lock.state === 'acquired' ? owner : undefined,
    lockTaken: listing.lock.state === 'acquired' || listing.lock.state === 'released',
    lockWaitMs: waitedMs,
  };
}

function describePlan(plan: SyncPlan): string {
  const parts = [];
  if (plan.added.length) parts.push(`${plan.added.length} new`);
  if (plan.modified.length) parts.push(`${plan.modified.length} changed`);
  if (plan.deleted.length) parts.push(`${plan.deleted.length} removed locally`);
  if (plan.replaced.length) parts.push(`${plan.replaced.length} symlinks replaced`);
  return parts.join(', ') || 'no file changes';
}

/** How a restart wait ended. */
interface RestartWait {
  observed: boolean;
  observedAfterMs?: number;
  ready: boolean;
  readyAfterMs?: number;
  state: TargetState;
  /** The container stopped (and stays stopped) instead of restarting: what was seen. */
  stopped?: string;
  /** The HA process that answers after an in-place restart. */
  haPid?: number;
  /** When that process started (epoch ms, from its age when first seen): its log lines come after. */
  haStartedAt?: number;
}

/** A stop is final when the container stays down this long without a back-off that will restart it. */
const STOPPED_AFTER_MS = 3_000;

/**
 * After a container restart (kill 1, docker restart, pod deletion): wait for the restart to be
 * observed, then for readiness, polling the engine at most twice a second. A back-off (kubelet's
 * CrashLoopBackOff, Docker's restart delay) is said once with its reason and remaining wait; a
 * container that stays down without one has stopped: the wait ends within seconds, naming what
 * was seen (exited, OOM-killed), instead of running into --timeout.
 */
async function waitForRestart(ctx: KpContext, target: HaTarget, before: TargetState, since: number, deadline: number, pollMs: number): Promise<RestartWait> {
  let downSince: number | undefined;
  let backoffSaid = false;
  const watchDown = (now: TargetState): string | undefined => {
    if (now.running) {
      downSince = undefined;
      return undefined;
    }
    if (now.backoff) {
      downSince = undefined;
      if (!backoffSaid) ctx.out.warn(`${target.label} is not running: ${notRunningReason(now)}.`);
      backoffSaid = true;
      return undefined;
    }
    // On its way back (a pod terminating or being created, a container restarting): not a stop.
    if (now.transitional) {
      downSince = undefined;
      return undefined;
    }
    downSince ??= Date.now();
    return Date.now() - downSince >= STOPPED_AFTER_MS ? notRunningReason(now) : undefined;
  };
  // Right after `kill 1` the old instance may still look ready: only a new instance counts.
  const restarted = await poll<{state: TargetState; stopped?: string}, TargetState>(
    async () => {
      const now = await target.state();
      if (restartObserved(before, now)) return {done: true, value: {state: now}};
      const stopped = watchDown(now);
      return stopped ? {done: true, value: {state: now, stopped}} : {done: false, seen: now};
    },
    {deadline, intervalMs: pollMs},
  );
  if (!restarted.done) return {observed: false, ready: false, state: restarted.lastSeen ?? before};
  let state = restarted.value.state;
  if (restarted.value.stopped) return {observed: false, ready: false, state, stopped: restarted.value.stopped};
  const observedAfterMs = Date.now() - since;
  ctx.out.step(`restart observed after ${formatMs(observedAfterMs)} (restarts ${before.restartCount} -> ${state.restartCount}); waiting for HA to answer`);
  const answered = await poll<{ready: boolean; stopped?: string}, undefined>(
    async (n) => {
      if (n > 1) {
        state = await target.state();
        const stopped = watchDown(state);
        if (stopped) return {done: true, value: {ready: false, stopped}};
      }
      // One probe exec may wait up to 4 s inside the container: no exec per poll, no poll-sized overshoot.
      const ready = state.running && (await target.isReady(state, Math.max(0, Math.min(4_000, deadline - Date.now()))));
      return ready ? {done: true, value: {ready: true}} : {done: false};
    },
    {deadline, intervalMs: pollMs},
  );
  if (answered.done && answered.value.ready) {
    const readyAfterMs = Date.now() - since;
    ctx.out.step(`HA answers after ${formatMs(readyAfterMs)}`);
    return {observed: true, observedAfterMs, ready: true, readyAfterMs, state};
  }
  return {observed: true, observedAfterMs, ready: false, state, ...(answered.done ? {stopped: answered.value.stopped} : {})};
}

/**
 * After SIGHUP to HA's process: one exec (up to 4 s inside the target, sh/inplace-wait.sh) sees
 * the new HA process and then HA answering; the container itself does not restart. An exec that
 * fails means the container went away: its state says whether it stopped (HA exited with another
 * code than 100, or was killed) or is being restarted from outside.
 */
async function waitForInPlace(
  ctx: KpContext,
  target: HaTarget,
  before: TargetState,
  signalled: {pid: number; start: string},
  since: number,
  deadline: number,
  pollMs: number,
): Promise<RestartWait> {
  let observedAfterMs: number | undefined;
  let haPid: number | undefined;
  let seenProcess: {pid: number; start: string} | undefined;
  let haStartedAt: number | undefined;
  // An exec that ran to its end waited inside the target already: the next one follows at once.
  let pause = 0;
  const waited = await poll<RestartWait, undefined>(
    async () => {
      const tries = Math.max(0, Math.min(40, Math.floor((deadline - Date.now()) / 100)));
      const result = await target.exec(scriptCommand(SCRIPTS.inplaceWait, {signalled, tries, known: seenProcess})).catch(unlessInterrupted(undefined));
      const outcome = result ? SCRIPTS.inplaceWait.parse(result.stdout) : {newProcess: undefined, ready: false, finished: false};
      // The process to wait on: a later one (HA crashed and its supervisor started it again) replaces it.
      if (outcome.newProcess) {
        if (outcome.newProcess.pid !== seenProcess?.pid || outcome.newProcess.start !== seenProcess.start) {
          // Its age, read in the target, dates its start (minus the exec's return trip: 250 ms spare).
          haStartedAt = outcome.newProcess.ageMs === undefined ? undefined : Date.now() - outcome.newProcess.ageMs - 250;
        }
        seenProcess = outcome.newProcess;
        haPid = outcome.newProcess.pid;
      }
      if (outcome.newProcess && observedAfterMs === undefined) {
        observedAfterMs = Date.now() - since;
        ctx.out.step(
          `HA restarted in place after ${formatMs(observedAfterMs)} (pid ${signalled.pid} -> ${haPid}, container untouched); waiting for HA to answer`,
        );
      }
      if (outcome.ready) {
        const readyAfterMs = Date.now() - since;
        ctx.out.step(`HA answers after ${formatMs(readyAfterMs)}`);
        return {done: true, value: {observed: true, observedAfterMs, ready: true, readyAfterMs, state: await target.state(), haPid, haStartedAt}};
      }
      pause = 0;
      if (outcome.finished) return {done: false};
      // The exec did not run to its end: the container stopped or restarted under it.
      const state = await target.state();
      if (!state.running)
        return {done: true, value: {observed: observedAfterMs !== undefined, observedAfterMs, ready: false, state, stopped: notRunningReason(state), haPid}};
      // Someone (or a liveness probe) restarted the whole container: wait for that instead.
      if (restartObserved(before, state)) return {done: true, value: await waitForRestart(ctx, target, before, since, deadline, pollMs)};
      pause = pollMs;
      return {done: false};
    },
    {deadline, intervalMs: () => pause},
  );
  return waited.done ? waited.value : {observed: observedAfterMs !== undefined, observedAfterMs, ready: false, state: await target.state(), haPid};
}

/** Read the log since the restart until it says loaded or failed (or time runs out). */
async function readVerdict(
  target: HaTarget,
  domain: string,
  startedAt: string | undefined,
  deadline: number,
  settleMs: number,
  pollMs: number,
): Promise<LogVerdict> {
  const read = async () => parseLogVerdict(await target.logsSince(startedAt), domain);
  const seen = await poll<LogVerdict, LogVerdict>(
    async () => {
      const verdict = await read();
      return verdict.status === 'not-seen' ? {done: false, seen: verdict} : {done: true, value: verdict};
    },
    {deadline, intervalMs: Math.max(pollMs, 500)},
  );
  const verdict = seen.done ? seen.value : seen.lastSeen!;
  if (verdict.status !== 'found') return verdict;
  // HA answers, and prints the loader line, before it sets up custom integrations: read on for up
  // to `settleMs` (twice a second), and stop at the first failure, which is certain.
  const settled = await poll<LogVerdict, LogVerdict>(
    async (n) => {
      const now = n === 1 ? verdict : await read();
      return now.status === 'found' ? {done: false, seen: now} : {done: true, value: now};
    },
    {deadline: Date.now() + settleMs, intervalMs: 500},
  );
  return settled.done ? settled.value : settled.lastSeen!;
}

/** The key of the local lock: the target and the folder kp writes in it. */
function localLockKey(target: HaTarget, configDir: string): string {
  return JSON.stringify({target: target.describe(), configDir});
}

/**
 * One complete sync round against `target`, under the local lock (another kp here waits for the
 * whole round) and the target's lock (taken by the listing, released after the restart and the
 * verdict, so a second sync never restarts HA under the first one's feet or its verdict).
 */
export async function runSyncRound(ctx: KpContext, target: HaTarget, options: HaSyncOptions): Promise<HaSyncReport> {
  const deadline = Date.now() + options.lockTimeoutMs;
  // A dry run changes nothing, so it takes no lock and waits for none.
  if (ctx.dryRun) return syncUnlocked(ctx, target, options, undefined);
  const releaseLocal = await acquireLocalLock('ha-sync', localLockKey(target, options.configDir), target.label, {
    deadline,
    pollMs: options.pollMs,
    onWait: (holder) => ctx.out.step(`Waiting for another sync into ${target.label} on this machine (${holder}) to finish...`),
  });
  try {
    return await syncUnlocked(ctx, target, options, {owner: formatOwner(currentOwner()), deadline});
  } finally {
    await releaseLocal();
  }
}

async function syncUnlocked(
  ctx: KpContext,
  target: HaTarget,
  options: HaSyncOptions,
  lock: {owner: string; deadline: number} | undefined,
): Promise<HaSyncReport> {
  const started = Date.now();
  const spawnsBefore = ctx.runner.spawnCount;
  // Polled while a container restarts: at most twice a second (each poll is one inspect, one process);
  // an in-place restart is waited for inside the target instead (one exec per 4 s).
  const pollMs = options.pollMs ?? 500;
  const clock: RoundClock = {started, spawnsBefore, pollMs};
  const memory = options.memory;
  const remembered = lock && !options.force ? memory?.current : undefined;
  if (memory) memory.current = undefined; // set again only by a round that ends as remembered
  if (remembered && lock) {
    const fast = fastObservation(options, remembered, lock.owner);
    if (fast) {
      try {
        const report = await finishRound(ctx, target, options, fast.obs, clock, fast.expect);
        remember(options, fast.obs, report);
        return report;
      } catch (error) {
        if (!(error instanceof StaleMemory)) throw error;
        ctx.out.info(`${error.message}: comparing everything with ${target.label}.`);
      }
    }
  }
  const obs = await observe(ctx, target, options, lock);
  const report = await finishRound(ctx, target, options, obs, clock, undefined);
  remember(options, obs, report);
  return report;
}

/**
 * The observation a watch round can skip the listing with: the remembered installed files, the
 * local changes against them, and the digest the fast apply checks first. Undefined when a full
 * round is due anyway (nothing changed against memory, skipped files to report, another folder).
 */
function fastObservation(options: HaSyncOptions, memory: RoundMemory, owner: string): {obs: Observation; expect: string} | undefined {
  const component = detectSource(options.cwd, options.source);
  if (component.dir !== memory.componentDir) return undefined;
  const ignored = compileIgnores(options.ignore ?? []);
  const local = collectFiles(component.dir, 'sha256', ignored);
  if (local.skipped.length > 0) return undefined;
  const plan = planSync(local.files, withoutIgnored(memory.remote, ignored), []);
  if (plan.upToDate) return undefined;
  const listing: RemoteListing = {
    ...parseListing(''),
    tools: {tar: true, find: true, cp: true, mv: true},
    hashAlgorithm: 'sha256',
    componentPresent: true,
    files: memory.remote,
    lock: {state: 'acquired'},
    ha: memory.ha,
  };
  const obs: Observation = {
    component,
    state: memory.state,
    volume: memory.volume,
    layout: memory.layout,
    listing,
    plan,
    skipped: [],
    warnings: [],
    lockOwner: owner,
    lockTaken: true,
    lockWaitMs: 0,
  };
  return {obs, expect: expectedListingDigest([...memory.remote].map(([path, hash]) => ({path, hash})))};
}

/**
 * Keep what this round left in the target for the next watch round: only when the target is
 * exactly known afterwards (sha256 listing, no symlinks or unsafe names, files swapped or up to
 * date) and the container itself did not restart (its state is still the observed one).
 */
function remember(options: HaSyncOptions, obs: Observation, report: HaSyncReport): void {
  if (!options.memory || report.dryRun || !report.lock.taken) return;
  const {listing, plan} = obs;
  // A component absent before the round (a first sync) was an empty listing.
  const installed = listing.files ?? (!listing.componentPresent && !listing.replaceComponent ? new Map<string, string>() : undefined);
  const known =
    installed &&
    listing.hashAlgorithm === 'sha256' &&
    listing.symlinks.length === 0 &&
    listing.unsafePaths.length === 0 &&
    !listing.replaceComponent &&
    plan.replaced.length === 0;
  const containerKept = RESTART_METHODS[report.restart.method].keepsContainer;
  if (!known || !containerKept || !['synced', 'failed', 'up-to-date'].includes(report.outcome)) return;
  const remote = new Map(installed);
  for (const path of plan.deleted) remote.delete(path);
  for (const file of plan.upload) remote.set(file.path, file.hash);
  options.memory.current = {componentDir: obs.component.dir, remote, ha: listing.ha, state: obs.state, volume: obs.volume, layout: obs.layout};
}

/** What a round measures itself by: its start, the runner's spawn count then, and its poll interval. */
interface RoundClock {
  started: number;
  spawnsBefore: number;
  pollMs: number;
}

/**
 * A real HA dies of SIGHUP while it boots (Python's default action, before HA installs its own
 * handler; seen with HA 2026.3: the supervisor saw a non-100 exit and the container restarted), so an
 * in-place restart waits until HA answers, within the round's time. A stand-in never showed it.
 */
async function untilHaAnswers(ctx: KpContext, target: HaTarget, observed: TargetState, roundDeadline: number): Promise<void> {
  if (await target.isReady(observed, 0)) return;
  // Bounded: an HA that never answers is restarted anyway (it is broken, not booting).
  const deadline = Math.min(roundDeadline, Date.now() + 90_000);
  ctx.out.step(`HA in ${target.label} is still starting: waiting for it to answer before restarting it in place`);
  await poll(
    async () => {
      const state = await target.state();
      return (await target.isReady(state, Math.max(0, Math.min(4_000, deadline - Date.now())))) ? {done: true, value: undefined} : {done: false};
    },
    {deadline, intervalMs: 250},
  );
}

/** Apply, restart and verdict for an observation, then give the target's lock back. */
async function finishRound(
  ctx: KpContext,
  target: HaTarget,
  options: HaSyncOptions,
  obs: Observation,
  clock: RoundClock,
  fastExpect: string | undefined,
): Promise<HaSyncReport> {
  const {started, spawnsBefore} = clock;
  let remoteLockHeld = obs.lockOwner !== undefined;
  try {
    const report = await applyRound(
      ctx,
      target,
      options,
      obs,
      clock,
      () => {
        remoteLockHeld = false;
      },
      fastExpect,
    );
    if (!remoteLockHeld || !obs.lockOwner) return report;
    remoteLockHeld = false;
    if (!(await releaseRemoteLock(target, obs.layout, obs.lockOwner))) {
      ctx.out.warn(`Could not release the sync lock in ${target.label}; the next kp run on this machine takes it back.`);
    }
    // The release is part of the round: count it.
    return {...report, processes: ctx.runner.spawnCount - spawnsBefore, durationMs: Date.now() - started};
  } finally {
    if (remoteLockHeld && obs.lockOwner) await releaseRemoteLock(target, obs.layout, obs.lockOwner);
  }
}

/** What a round carries from step to step: its inputs and the restart rule it decided. */
interface RoundRun {
  ctx: KpContext;
  target: HaTarget;
  options: HaSyncOptions;
  obs: Observation;
  clock: RoundClock;
  /** The watch's fast path: the digest of the listing kp remembers (sh/fast-apply.sh). */
  fastExpect: string | undefined;
  /** The target's lock was given back by a script (no second exec needed). */
  remoteLockReleased: () => void;
  decision: RestartDecision;
}

/** The report as the steps fill it (the summary rows are derived at the end). */
type RoundReport = Omit<HaSyncReport, 'summary'>;

/** What the apply exec did: its parsed outcome, what it sent, and when the restart could begin. */
interface Applied {
  applied: ReturnType<typeof parseApply>;
  upload: HaSyncReport['upload'];
  /** What the script itself was asked to restart. */
  restartInScript: ApplyArgs['restart'];
  beforeRestart: number;
}

/** Lint gate, apply, restart, await ready, judge: the round after observe and plan, as named steps. */
async function applyRound(
  ctx: KpContext,
  target: HaTarget,
  options: HaSyncOptions,
  obs: Observation,
  clock: RoundClock,
  remoteLockReleased: () => void,
  fastExpect: string | undefined,
): Promise<HaSyncReport> {
  const run: RoundRun = {ctx, target, options, obs, clock, fastExpect, remoteLockReleased, decision: decideRestart(obs.plan, options.restart, options.force)};
  const base = initialReport(run);
  const finish = (report: RoundReport) => finishReport(run, report);
  announceObservation(run);
  if (obs.plan.upToDate && !options.force) {
    ctx.out.success(`${obs.component.domain} ${obs.component.version} is up to date in ${target.label}: nothing sent, no restart.`);
    return finish({...base, outcome: 'up-to-date', restart: {...base.restart, method: 'none', rule: 'nothing changed'}});
  }
  // The lint gate comes before anything is copied: findings stop the round here.
  const lint = options.lint ? await options.lint(obs.component.dir, obs.plan) : base.lint;
  const choice = chooseMethod(run);
  const withLint: RoundReport = {...base, lint, restart: {...base.restart, method: choice.method, fallback: choice.fallback}};
  const sent = await sendAndSwap(run, choice.method);
  if ('dryRun' in sent) return finish({...withLint, outcome: 'dry-run', upload: sent.upload});
  const afterApply = appliedReport(run, withLint, sent);
  if (choice.method === 'none') {
    if (options.restart === 'auto') ctx.out.info(`No restart: ${run.decision.rule}.`);
    return finish(afterApply);
  }
  const method = await restartHa(run, choice.method, sent, afterApply.restart);
  const deadline = sent.beforeRestart + options.timeoutMs;
  const waited = await awaitRestarted(run, method, sent, deadline);
  const afterRestart = restartedReport(run, afterApply, waited);
  if (afterRestart.outcome !== 'synced') return finish(afterRestart);
  return finish(await judge(run, afterRestart, waited, {method, beforeRestart: sent.beforeRestart, deadline}));
}

/** The report before any step ran: what was observed, nothing done yet. */
function initialReport(run: RoundRun): RoundReport {
  const {ctx, target, options, obs, decision} = run;
  const {component, plan} = obs;
  return {
    domain: component.domain,
    version: component.version,
    source: component.dir,
    target: target.describe(),
    volume: `${obs.volume.description} at ${obs.volume.mountPoint}`,
    dryRun: ctx.dryRun,
    outcome: 'synced',
    exitCode: ExitCode.Ok,
    changes: {added: plan.added, modified: plan.modified, deleted: plan.deleted, replaced: plan.replaced, unchanged: plan.unchanged},
    upload: {files: 0, bytes: 0, contentBytes: 0},
    cacheClear: {removed: 0},
    restart: {
      method: 'none',
      requested: options.restart,
      rule: decision.rule,
      fallback: undefined,
      performed: false,
      observed: false,
      observedAfterMs: undefined,
      before: undefined,
      after: undefined,
    },
    ready: {ready: false, afterMs: undefined},
    verdict: {status: 'skipped', loaderLine: undefined, failures: []},
    verdictSource: undefined,
    configEntry: undefined,
    lint: {status: 'skipped', reason: 'no file changes', findings: [], unformatted: []},
    lock: {waitedMs: obs.lockWaitMs, taken: obs.lockTaken},
    skipped: obs.skipped,
    warnings: obs.warnings,
    processes: 0,
    durationMs: 0,
  };
}

/** The finished report: the round's processes and time counted, the summary rows derived. */
function finishReport(run: RoundRun, report: RoundReport): HaSyncReport {
  const done = {...report, processes: run.ctx.runner.spawnCount - run.clock.spawnsBefore, durationMs: Date.now() - run.clock.started};
  return {...done, summary: summaryRows(done)};
}

/** Say what the observation found that the user should know: warnings, repaired and left-over staging. */
function announceObservation({ctx: {out}, obs}: RoundRun): void {
  for (const warning of obs.warnings) out.warn(warning);
  if (obs.listing.recovered.length > 0) out.info(`Repaired and removed what an interrupted sync left: ${obs.listing.recovered.join(', ')}.`);
  if (obs.listing.leftovers.length > 0)
    out.info(`Found leftovers of an interrupted sync (${obs.listing.leftovers.join(', ')}); the next sync that is not a dry run repairs and removes them.`);
}

/**
 * Decide how HA restarts and say why before anything changes: in place wherever the target runs
 * HA under its supervisor (no container restart, no back-off), else the container.
 */
function chooseMethod(run: RoundRun): {method: AppliedRestart; fallback: string | undefined} {
  const {ctx, target, obs, decision} = run;
  const {listing} = obs;
  const caps: RestartCapabilities = {
    kind: target.kind,
    supervised: listing.ha?.supervised ?? false,
    unsupervisedReason: listing.ha
      ? `HA's process ${listing.ha.pid} runs under ${listing.ha.parent}, not s6-supervise`
      : 'no Home Assistant process apart from PID 1',
    noRestartPolicy: target.needsOutsideRestart,
  };
  const choice = chooseRestartMethod(decision, caps);
  if (!choice) {
    throw fail.prerequisite(
      `--restart inplace needs HA under s6-supervise in ${target.label}: ${caps.unsupervisedReason ?? 'none found'}.`,
      'Use --restart auto (restarts the container instead) or --restart kill.',
    );
  }
  if (choice.fallback) ctx.out.warn(choice.fallback);
  else if (choice.method === 'kill') ctx.out.info(`kill 1 restarts the whole container: ${KILL_COST[target.kind]}.`);
  announcePlan(run, choice.method);
  return {method: choice.method, fallback: choice.fallback};
}

/** One line: what is sent where, how the tree is swapped in, and how HA restarts. */
function announcePlan({ctx: {out}, target, obs: {component, plan, layout}, decision}: RoundRun, method: AppliedRestart): void {
  out.step(
    `${component.domain} ${component.version}: ${describePlan(plan)}${plan.upToDate ? ' (--force)' : ''}; sending ${plan.upload.length} ${plan.upload.length === 1 ? 'file' : 'files'} (${formatBytes(plan.uploadBytes)}) to ${target.label}, ` +
      `building the new tree in ${layout.stagingRoot} and swapping it in with renames; ${RESTART_METHODS[method].announce(decision.rule)}.`,
  );
  if (method === 'pod') {
    const warning = target.outsideRestartWarning();
    if (warning) out.warn(warning);
  }
}

/**
 * Send the changed files as one tar stream and swap the new tree in, in ONE exec (the script also
 * sends the restart it can send itself). A dry run says what it would do; the watch's fast path
 * that finds the target other than remembered changes nothing and gives way to a full round.
 */
async function sendAndSwap(run: RoundRun, method: AppliedRestart): Promise<Applied | {dryRun: true; upload: HaSyncReport['upload']}> {
  const {ctx, target, options, obs, fastExpect} = run;
  const {plan, layout} = obs;
  if (method === 'in-place' && !fastExpect && !ctx.dryRun) await untilHaAnswers(ctx, target, obs.state, Date.now() + options.timeoutMs);
  const runId = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  const archive = uploadArchive(plan, runId);
  const restartInScript = RESTART_METHODS[method].inScript;
  const beforeRestart = Date.now();
  const applyArgs: ApplyArgs = {layout, runId, restart: restartInScript, owner: obs.lockOwner, release: method === 'none', deleted: plan.deleted, fastExpect};
  const result = await target
    .exec(fastExpect ? scriptCommand(SCRIPTS.fastApply, applyArgs) : scriptCommand(SCRIPTS.apply, applyArgs), {input: archive, mutating: true})
    .catch((error: unknown) => {
      // The fast path's exec could not run at all (the container went away): a full round says why.
      if (fastExpect && !(error instanceof InterruptedError)) throw new StaleMemory(`${target.label} did not answer as remembered`);
      throw error;
    });
  if (fastExpect && !result.skipped && !result.stdout.includes('KP_LOCK acquired')) {
    // Nothing was changed and the script gave its lock back (or never had it).
    run.remoteLockReleased();
    throw new StaleMemory(`${target.label} is not as the last round left it (${parseApply(result.stdout).stale ?? `exit ${result.exitCode}`})`);
  }
  const upload = {files: plan.upload.length, bytes: archive.length, contentBytes: plan.uploadBytes};
  if (result.skipped) {
    ctx.out.info(
      `[dry-run] would send ${upload.files} ${upload.files === 1 ? 'file' : 'files'} (${formatBytes(upload.bytes)}), delete ${plan.deleted.length}, and ${RESTART_METHODS[method].dryRun} (${run.decision.rule}).`,
    );
    return {dryRun: true, upload};
  }
  const applied = parseApply(result.stdout);
  if (applied.unlocked) run.remoteLockReleased();
  if (!applied.swapped) {
    const reason = applied.failure ?? `${result.stderr}${result.stdout}`.trim().split('\n').slice(-3).join(' ');
    throw fail.toolFailed(
      `Updating ${layout.componentDir} in ${target.label} failed: ${reason}`,
      'The live component was left as it was (kp only swaps a complete tree in). Run kp ha sync again.',
    );
  }
  ctx.out.success(
    `${upload.files} ${upload.files === 1 ? 'file' : 'files'} sent (${formatBytes(upload.bytes)}), ${plan.deleted.length} deleted, ${applied.pycacheRemoved} __pycache__ removed; component swapped in.`,
  );
  return {applied, upload, restartInScript, beforeRestart};
}

/** The report once the new tree is in place: what was sent and cleared, and HA as it was before the restart. */
function appliedReport({obs}: RoundRun, withLint: RoundReport, sent: Applied): RoundReport {
  const restart: HaSyncReport['restart'] = {
    ...withLint.restart,
    before: {restartCount: obs.state.restartCount, startedAt: obs.state.startedAt, haPid: sent.applied.signalled?.pid ?? obs.listing.ha?.pid},
  };
  return {...withLint, upload: sent.upload, cacheClear: {removed: sent.applied.pycacheRemoved}, restart};
}

/**
 * Carry out the restart the script could not send itself: when HA could not be restarted in place
 * after all (its supervisor is gone), the container instead, saying why. Returns the method used
 * (recorded in `restart`, the report's restart object).
 */
async function restartHa(run: RoundRun, chosen: AppliedRestart, sent: Applied, restart: HaSyncReport['restart']): Promise<AppliedRestart> {
  const {ctx, target, options} = run;
  const {applied} = sent;
  let method = chosen;
  if (sent.restartInScript !== 'none' && !applied.restartSent && !applied.noSupervisor) {
    throw fail.toolFailed(
      `${method === 'in-place' ? "Signalling HA's process" : 'kill 1'} failed in ${target.label}.`,
      'Restart HA by hand, or use --restart none.',
    );
  }
  if (method === 'in-place' && applied.noSupervisor) {
    // The supervisor the listing saw is gone by now (HA itself replaced?): restart the container instead.
    if (options.restart === 'inplace') {
      throw fail.prerequisite(
        `HA could not be restarted in place in ${target.label}: ${applied.noSupervisor}.`,
        'The new files are in place; restart HA with `kp ha sync --force --restart kill`.',
      );
    }
    method = target.kind === 'container' ? 'container' : 'kill';
    restart.method = method;
    restart.fallback = `HA could not be restarted in place (${applied.noSupervisor}): restarting the ${target.kind}; ${BACKOFF_COST[target.kind]}.`;
    ctx.out.warn(restart.fallback);
    if (method === 'kill') await killFromInside(target);
  }
  if (RESTART_METHODS[method].fromOutside) await target.restartFromOutside();
  return method;
}

/** `kill 1` in the target; the exec itself dies with the container it stopped (SIGKILL's or SIGTERM's exit code). */
async function killFromInside(target: HaTarget): Promise<void> {
  const killed = await target.exec(['kill', '1'], {mutating: true});
  if (![0, 137, 143].includes(killed.exitCode) && !target.isRestarting(new Error(killed.stderr))) {
    throw fail.toolFailed(
      `kill 1 failed in ${target.label}: ${killed.stderr.trim().split('\n').at(-1) ?? `exit ${killed.exitCode}`}`,
      'The new files are in place; restart HA by hand, then `kp ha status` shows whether it loaded them.',
    );
  }
}

/** Wait until the restart is observed and HA answers (the in-place wait follows HA's own process). */
function awaitRestarted(run: RoundRun, method: AppliedRestart, sent: Applied, deadline: number): Promise<RestartWait> {
  const {ctx, target, obs, clock} = run;
  const signalled = sent.applied.signalled;
  return RESTART_METHODS[method].observe === 'process' && signalled
    ? waitForInPlace(ctx, target, obs.state, signalled, sent.beforeRestart, deadline, clock.pollMs)
    : waitForRestart(ctx, target, obs.state, sent.beforeRestart, deadline, clock.pollMs);
}

/** The report after the wait: the restart as observed; a target that stopped or never answered ends the round here. */
function restartedReport({target}: RoundRun, afterApply: RoundReport, waited: RestartWait): RoundReport {
  const restart: HaSyncReport['restart'] = {
    ...afterApply.restart,
    performed: true,
    observed: waited.observed,
    observedAfterMs: waited.observedAfterMs,
    after: {restartCount: waited.state.restartCount, startedAt: waited.state.startedAt, haPid: waited.haPid},
  };
  const ready = {ready: waited.ready, afterMs: waited.readyAfterMs};
  if (waited.stopped) {
    // Failed within seconds of the stop, not at --timeout; a watch keeps going and the next edit retries.
    return {
      ...afterApply,
      restart,
      ready,
      outcome: 'stopped',
      exitCode: ExitCode.Prerequisite,
      warnings: [...afterApply.warnings, `${target.label} stopped during the restart: ${waited.stopped}.`],
    };
  }
  if (!waited.ready) {
    if (waited.state.backoff) afterApply.warnings.push(`${target.label} is waiting in a back-off: ${notRunningReason(waited.state)}.`);
    return {...afterApply, restart, ready, outcome: 'timeout', exitCode: ExitCode.Timeout};
  }
  return {...afterApply, restart, ready};
}

/**
 * HA's verdict on the new code: its own (the config entry's state) where kp holds a token for this
 * HA and the domain has an entry, the log otherwise, and the exit code it means.
 */
async function judge(
  run: RoundRun,
  report: RoundReport,
  waited: RestartWait,
  restart: {method: AppliedRestart; beforeRestart: number; deadline: number},
): Promise<RoundReport> {
  const {target, options, obs} = run;
  const {component} = obs;
  // Never from before the apply exec started: the old instance's lines (a failure the previous round
  // reported, perhaps under a second ago now that kp starts fast) must not judge the new one. Log
  // timestamps come from this machine's clock (the engine or kubelet stamps them on receipt). After an
  // in-place restart the container (and its log) is the same: the window starts when the new HA
  // process started, so the old one's last lines (its shutdown, an error of the old code) never judge
  // the new code.
  const logsFrom = logWindowStart(waited.state.startedAt, Math.max(restart.beforeRestart, waited.haStartedAt ?? 0));
  const logDeadline = Math.max(restart.deadline, Date.now() + 5_000);
  const readyAt = Date.now();
  const {entry, verdictSource} = await entryVerdict(run, logDeadline);
  const verdict = {
    ...(entry
      ? parseLogVerdict(await target.logsSince(logsFrom), component.domain)
      : await readVerdict(target, component.domain, logsFrom, logDeadline, options.settleMs, run.clock.pollMs)),
    readMs: 0,
  };
  verdict.readMs = Date.now() - readyAt;
  const warnings = [...report.warnings];
  if (restart.method === 'pod') {
    const overwritten = await initContainerOverwrote(run);
    if (overwritten) warnings.push(overwritten);
  }
  const configEntry = entry ? {state: entry.state, reason: entry.reason, final: entry.final, readMs: entry.readMs, entries: entry.entries} : undefined;
  const exitCode = entry ? entryExitCode(entry) : verdict.status === 'found' ? ExitCode.Ok : ExitCode.VerificationFailed;
  if (entry && entry.state === 'loaded' && verdict.failures.length > 0)
    warnings.push(`HA reports the ${component.domain} entry loaded, but its log shows ${verdict.failures.length} failure(s) since the restart (see below).`);
  return {...report, verdict, verdictSource, configEntry, warnings, outcome: exitCode === ExitCode.Ok ? 'synced' : 'failed', exitCode};
}

/**
 * HA's own verdict where kp holds a token for this HA and the domain has a config entry: the round
 * ends as soon as the entry's state is final. Else (and when HA's API fails, which is no verdict on
 * the component) the log decides, and `verdictSource` says why.
 */
async function entryVerdict(run: RoundRun, deadline: number) {
  const {ctx, target, options, obs} = run;
  const session = options.entryVerdict === false ? {none: 'not asked for'} : await openSession(ctx, target);
  let apiFailure: string | undefined;
  const entry =
    'api' in session
      ? await readEntryVerdict(session, obs.component.domain, deadline, run.clock.pollMs).catch((error: unknown) => {
          if (error instanceof InterruptedError) throw error;
          apiFailure = (error as Error).message;
          return undefined;
        })
      : undefined;
  const verdictSource: HaSyncReport['verdictSource'] = entry
    ? {used: 'config-entry', why: `kp holds a token for this HA (owner ${'owner' in session ? session.owner : '?'})`}
    : {used: 'log', why: 'none' in session ? session.none : (apiFailure ?? `${obs.component.domain} has no config entry in HA yet`)};
  return {entry, verdictSource};
}

/** After a pod restart an initContainer may have overwritten the synced files: the warning when it did. */
async function initContainerOverwrote({target, options, obs}: RoundRun): Promise<string | undefined> {
  const again = await listRemote(target, obs.layout);
  const ignored = compileIgnores(options.ignore ?? []);
  const recheck = planSync(collectFiles(obs.component.dir, again.hashAlgorithm, ignored).files, withoutIgnored(again.files, ignored), again.symlinks);
  return recheck.upToDate
    ? undefined
    : `after the pod restart the installed files differ from the local ones (${describePlan(recheck)}): an initContainer overwrote them.`;
}
