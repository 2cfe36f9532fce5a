/**
 * Observe and plan, the first steps of a sync round: the local component, the target's state and
 * volume, the listing under the target's lock (waited for, or taken over from a run that is gone),
 * and the pure plan.
 */
import type {KpContext} from '../context.js';
import {reloadPending} from '../../config/pending-reload.js';
import {fail} from '../../core/errors.js';
import {collectFiles, compileIgnores, detectSource, withoutIgnored, type ComponentSource, type IgnoreMatcher} from './component.js';
import {planSync, type SyncPlan} from './plan.js';
import {currentOwner, describeOwner, formatOwner, lockTimeout, ownerGone, parseOwner} from '../shared/lock.js';
import {listRemote, releaseRemoteLock, stagingParent} from './protocol.js';
import {expectedListingDigest, remoteLayout, type RemoteLayout, type RemoteListing} from './remote.js';
import {type HaTarget, type TargetState, type VolumeInfo} from './targets/target.js';
import {poll, type Look} from '../../core/poll.js';
import {type HaSyncOptions, type Observation} from './round-state.js';

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
      if (!target.isRestarting(error) || Date.now() >= deadline) throw error;
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
  if (listing.lock.state === 'failed') {
    if (/read-only file system/i.test(listing.lock.reason)) {
      throw fail.prerequisite(
        `HA's config folder in ${target.label} is mounted read-only: kp cannot write the component there (${listing.lock.reason}).`,
        "Mount HA's config volume read-write (a `:ro` volume, or a read-only PVC, keeps every sync out).",
      );
    }
    throw fail.toolFailed(`Taking the sync lock in ${target.label} failed: ${listing.lock.reason}`);
  }
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
  // A reload an earlier round left pending keeps the lock through this round too (convergeReload).
  const expectDigest = options.force || reloadPending(target.credentialsKey, component.domain) ? undefined : expectedListingDigest(local.files);
  const {listing, waitedMs} = await listUnderLock(ctx, target, layout, lock?.owner, lock?.deadline ?? Date.now(), options.pollMs ?? 500, expectDigest);
  try {
    return planObserved({component, state, volume, layout, listing, local, waitedMs, owner: lock?.owner, label: target.label, ignored});
  } catch (error) {
    if (listing.lock.state === 'acquired' && lock?.owner) await releaseRemoteLock(target, layout, lock.owner);
    throw error;
  }
}

/** What observe found, for the plan: the component and its local files, the target, its listing and lock. */
interface Observed {
  component: ComponentSource;
  state: TargetState;
  volume: VolumeInfo;
  layout: RemoteLayout;
  listing: RemoteListing;
  local: ReturnType<typeof collectFiles>;
  waitedMs: number;
  owner: string | undefined;
  label: string;
  ignored: IgnoreMatcher;
}

/** The plan and warnings from what was observed (the lock, if taken, is released by the caller on failure). */
function planObserved({component, state, volume, layout, listing, local, waitedMs, owner, label, ignored}: Observed): Observation {
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

/** What a sync plan changes, in words. */
export function describePlan(plan: SyncPlan): string {
  const parts = [];
  if (plan.added.length) parts.push(`${plan.added.length} new`);
  if (plan.modified.length) parts.push(`${plan.modified.length} changed`);
  if (plan.deleted.length) parts.push(`${plan.deleted.length} removed locally`);
  if (plan.replaced.length) parts.push(`${plan.replaced.length} symlinks replaced`);
  return parts.join(', ') || 'no file changes';
}
