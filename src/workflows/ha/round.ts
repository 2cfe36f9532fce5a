/**
 * One round of `kp ha sync`: observe (preflight + remote listing) -> plan (pure diff) -> apply
 * (one tar stream, staged build, rename swap, cache clear, restart) -> wait (restart observed,
 * then ready) -> verdict (HA's log since the restart).
 */
import {randomBytes} from 'node:crypto';
import type {KpContext} from '../context.js';
import {ExitCode, fail, KpError} from '../../core/errors.js';
import {collectFiles, detectSource, type ComponentSource} from './component.js';
import {planSync, type SyncPlan} from './plan.js';
import {listRemote, stagingParent, uploadArchive} from './protocol.js';
import {APPLY_SCRIPT, parseApply, remoteLayout, type RemoteLayout, type RemoteListing} from './remote.js';
import {formatBytes, formatMs, summaryRows, type HaSyncReport} from './report.js';
import {logWindowStart, restartObserved, type HaTarget, type RestartMethod, type TargetState, type VolumeInfo} from './targets/target.js';
import {parseLogVerdict, type LogVerdict} from './verdict.js';
import {sleep} from '../../core/interruption.js';

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
  /** Extra wait after a clean load for late errors (config entry setup). */
  settleMs: number;
  /** Poll interval while waiting. */
  pollMs?: number;
}

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
}

/** Observe: local component, target state, volume, remote listing, and the plan. */
export async function observe(ctx: KpContext, target: HaTarget, options: HaSyncOptions): Promise<Observation> {
  const component = detectSource(options.cwd, options.source);
  const provisional = remoteLayout(options.configDir, component.domain);
  const {state, volume} = await target.preflight(provisional.componentDir);
  const layout = remoteLayout(options.configDir, component.domain, stagingParent(volume, options.configDir));
  const listing = await listRemote(target, layout);
  const {files, skipped} = collectFiles(component.dir, listing.hashAlgorithm);
  const plan = planSync(files, listing.files);
  const warnings: string[] = [];
  if (listing.unsafePaths.length > 0) warnings.push(`left untouched in the target (unsafe names): ${listing.unsafePaths.join(', ')}`);
  for (const skip of skipped) warnings.push(`not synced: ${skip.path} (${skip.reason})`);
  return {component, state, volume, layout, listing, plan, skipped, warnings};
}

function describePlan(plan: SyncPlan): string {
  const parts = [];
  if (plan.added.length) parts.push(`${plan.added.length} new`);
  if (plan.modified.length) parts.push(`${plan.modified.length} changed`);
  if (plan.deleted.length) parts.push(`${plan.deleted.length} removed locally`);
  return parts.join(', ') || 'no file changes';
}

/** Wait for the restart to be observed, then for readiness; returns timings relative to `since`. */
async function waitForRestart(
  ctx: KpContext,
  target: HaTarget,
  before: TargetState,
  since: number,
  deadline: number,
  pollMs: number,
): Promise<{observed: boolean; observedAfterMs?: number; ready: boolean; readyAfterMs?: number; state: TargetState}> {
  let state = before;
  let observedAfterMs: number | undefined;
  // Right after `kill 1` the old instance may still look ready: only a new instance counts.
  while (Date.now() < deadline) {
    state = await target.state();
    if (restartObserved(before, state)) {
      observedAfterMs = Date.now() - since;
      ctx.out.step(`restart observed after ${formatMs(observedAfterMs)} (restarts ${before.restartCount} -> ${state.restartCount}); waiting for HA to answer`);
      break;
    }
    await sleep(pollMs);
  }
  if (observedAfterMs === undefined) return {observed: false, ready: false, state};
  while (Date.now() < deadline) {
    if (state.running && (await target.isReady(state))) {
      const readyAfterMs = Date.now() - since;
      ctx.out.step(`HA answers after ${formatMs(readyAfterMs)}`);
      return {observed: true, observedAfterMs, ready: true, readyAfterMs, state};
    }
    await sleep(pollMs);
    state = await target.state();
  }
  return {observed: true, observedAfterMs, ready: false, state};
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
  let verdict = parseLogVerdict(await target.logsSince(startedAt), domain);
  while (verdict.status === 'not-seen' && Date.now() < deadline) {
    await sleep(Math.max(pollMs, 500));
    verdict = parseLogVerdict(await target.logsSince(startedAt), domain);
  }
  if (verdict.status === 'loaded' && settleMs > 0) {
    // Config entries are set up after the loader line: give late failures a moment to appear.
    await sleep(settleMs);
    verdict = parseLogVerdict(await target.logsSince(startedAt), domain);
  }
  return verdict;
}

/** One complete sync round against `target`. */
export async function runSyncRound(ctx: KpContext, target: HaTarget, options: HaSyncOptions): Promise<HaSyncReport> {
  const started = Date.now();
  const spawnsBefore = ctx.runner.spawnCount;
  const pollMs = options.pollMs ?? 500;
  const {out} = ctx;

  const obs = await observe(ctx, target, options);
  const {component, plan, layout, listing} = obs;
  const base: Omit<HaSyncReport, 'summary'> = {
    domain: component.domain,
    version: component.version,
    source: component.dir,
    target: target.describe(),
    volume: `${obs.volume.description} at ${obs.volume.mountPoint}`,
    dryRun: ctx.dryRun,
    outcome: 'synced',
    exitCode: ExitCode.Ok,
    changes: {added: plan.added, modified: plan.modified, deleted: plan.deleted, unchanged: plan.unchanged},
    upload: {files: 0, bytes: 0, contentBytes: 0},
    cacheClear: {removed: 0},
    restart: {method: options.restart, performed: false, observed: false, observedAfterMs: undefined, before: undefined, after: undefined},
    ready: {ready: false, afterMs: undefined},
    verdict: {status: 'skipped', loaderLine: undefined, failures: []},
    skipped: obs.skipped,
    warnings: obs.warnings,
    processes: 0,
    durationMs: 0,
  };
  const finish = (report: Omit<HaSyncReport, 'summary'>): HaSyncReport => {
    const done = {...report, processes: ctx.runner.spawnCount - spawnsBefore, durationMs: Date.now() - started};
    return {...done, summary: summaryRows(done)};
  };
  for (const warning of obs.warnings) out.warn(warning);
  if (listing.leftovers.length > 0) out.info(`Found leftovers of an interrupted sync (${listing.leftovers.join(', ')}); this sync repairs and removes them.`);

  if (plan.upToDate && !options.force) {
    out.success(`${component.domain} ${component.version} is up to date in ${target.label}: nothing sent, no restart.`);
    return finish({...base, outcome: 'up-to-date'});
  }

  // Decide how HA restarts and say why before anything changes.
  const outsideRestart = options.restart === 'pod' || (options.restart === 'kill' && target.needsOutsideRestart);
  const restartLabel: HaSyncReport['restart']['method'] =
    options.restart === 'none' ? 'none' : options.restart === 'pod' ? 'pod' : outsideRestart ? 'container' : 'kill';
  out.step(
    `${component.domain} ${component.version}: ${describePlan(plan)}${plan.upToDate ? ' (--force)' : ''}; sending ${plan.upload.length} files (${formatBytes(plan.uploadBytes)}) to ${target.label}, ` +
      `building the new tree in ${layout.stagingRoot} and swapping it in with renames` +
      (restartLabel === 'none' ? '; no restart (--restart none).' : `; then restarting HA (${restartLabel === 'kill' ? 'kill 1: only the container restarts' : restartLabel === 'container' ? 'the container has no restart policy, so `kill 1` would leave it stopped: docker restart' : 'pod deletion'}).`),
  );
  if (options.restart === 'pod') {
    const warning = target.outsideRestartWarning();
    if (warning) out.warn(warning);
    if (!obs.volume.survivesRecreate) {
      throw fail.usage(`--restart pod would wipe ${obs.volume.description}: the synced files would be lost.`, 'Use the default --restart kill.');
    }
  }

  const runId = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  const archive = uploadArchive(plan, runId);
  const restartInScript = restartLabel === 'kill' ? 'kill' : 'none';
  const beforeRestart = Date.now();
  const result = await target.exec(
    ['sh', '-c', APPLY_SCRIPT, 'sh', layout.componentDir, layout.stagingRoot, component.domain, runId, restartInScript, ...plan.deleted],
    {input: archive, mutating: true},
  );
  const upload = {files: plan.upload.length, bytes: archive.length, contentBytes: plan.uploadBytes};
  if (result.skipped) {
    out.info(`[dry-run] would send ${upload.files} files (${formatBytes(upload.bytes)}), delete ${plan.deleted.length}, and restart with ${restartLabel}.`);
    return finish({...base, outcome: 'dry-run', upload});
  }
  const applied = parseApply(result.stdout);
  if (!applied.swapped) {
    const reason = applied.failure ?? `${result.stderr}${result.stdout}`.trim().split('\n').slice(-3).join(' ');
    throw new KpError(`Updating ${layout.componentDir} in ${target.label} failed: ${reason}`, {
      exitCode: ExitCode.ToolFailed,
      hint: 'The live component was left as it was (kp only swaps a complete tree in). Run kp ha sync again.',
    });
  }
  out.success(`${upload.files} files sent (${formatBytes(upload.bytes)}), ${plan.deleted.length} deleted, ${applied.pycacheRemoved} __pycache__ removed; component swapped in.`);
  const restartInfo: HaSyncReport['restart'] = {...base.restart, method: restartLabel, before: {restartCount: obs.state.restartCount, startedAt: obs.state.startedAt}};
  const afterApply = {...base, upload, cacheClear: {removed: applied.pycacheRemoved}, restart: restartInfo};

  if (restartLabel === 'none') return finish(afterApply);
  if (restartInScript === 'kill' && !applied.restartSent) {
    throw new KpError(`kill 1 failed in ${target.label}.`, {exitCode: ExitCode.ToolFailed, hint: 'Restart HA by hand, or use --restart pod/none.'});
  }
  if (outsideRestart) await target.restartFromOutside();

  const deadline = beforeRestart + options.timeoutMs;
  const waited = await waitForRestart(ctx, target, obs.state, beforeRestart, deadline, pollMs);
  const restart = {
    ...restartInfo,
    performed: true,
    observed: waited.observed,
    observedAfterMs: waited.observedAfterMs,
    after: {restartCount: waited.state.restartCount, startedAt: waited.state.startedAt},
  };
  const ready = {ready: waited.ready, afterMs: waited.readyAfterMs};
  if (!waited.ready) {
    return finish({...afterApply, restart, ready, outcome: 'timeout', exitCode: ExitCode.Timeout});
  }

  const logDeadline = Math.max(deadline, Date.now() + 5_000);
  const logsFrom = logWindowStart(waited.state.startedAt, beforeRestart - 1000);
  const verdict = await readVerdict(target, component.domain, logsFrom, logDeadline, options.settleMs, pollMs);
  const warnings = [...afterApply.warnings];
  if (options.restart === 'pod') {
    // The initContainer may have overwritten the synced files: check before claiming success.
    const again = await listRemote(target, layout);
    const recheck = planSync(collectFiles(component.dir, again.hashAlgorithm).files, again.files);
    if (!recheck.upToDate) warnings.push(`after the pod restart the installed files differ from the local ones (${describePlan(recheck)}): an initContainer overwrote them.`);
  }
  const failed = verdict.status !== 'loaded';
  return finish({
    ...afterApply,
    restart,
    ready,
    verdict,
    warnings,
    outcome: failed ? 'failed' : 'synced',
    exitCode: failed ? ExitCode.VerificationFailed : ExitCode.Ok,
  });
}
