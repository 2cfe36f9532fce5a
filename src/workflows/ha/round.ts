/**
 * One round of `kp ha sync`: observe (preflight + remote listing) -> plan (pure diff) -> apply
 * (one tar stream, staged build, rename swap, cache clear, restart) -> wait (restart observed,
 * then ready) -> verdict (HA's log since the restart).
 */
import type {KpContext} from '../context.js';
import {collectFiles, compileIgnores, detectSource, withoutIgnored} from './component.js';
import {planSync} from './plan.js';
import {acquireLocalLock, currentOwner, formatOwner} from '../shared/lock.js';
import {expectedListingDigest, parseListing, type RemoteListing} from './remote.js';
import {type HaSyncReport} from './report.js';
import {RESTART_METHODS} from './restart-methods.js';
import {type HaTarget} from './targets/target.js';
import {StaleMemory, type HaSyncOptions, type Observation, type RoundClock, type RoundMemory} from './round-state.js';
import {observe} from './observe.js';
import {finishRound} from './apply-round.js';
export type {HaSyncOptions, RoundMemory} from './round-state.js';

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
