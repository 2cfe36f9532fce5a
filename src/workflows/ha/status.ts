/**
 * `kp ha status`: read-only view of the HA target: state, uptime, restarts, installed vs local
 * component (version and whether the files match), and the log verdict since the last start.
 */
import type {KpContext} from '../context.js';
import {companionStatus} from './companion.js';
import {InterruptedError, KpError} from '../../core/errors.js';
import {collectFiles, detectSource, type ComponentSource} from './component.js';
import {planSync} from './plan.js';
import {manifestVersion, remoteLayout, type RemoteListing} from './remote.js';
import type {HaStatusReport} from './report.js';
import {announceTarget, resolveTarget, validateConfigDir, type TargetOptions} from './targets/select.js';
import {logWindowStart, notRunningReason, type HaTarget} from './targets/target.js';
import {parseLogVerdict} from './verdict.js';
import {listRemote} from './protocol.js';
import {onboardingStatus, openSession, haUrlOverride} from './onboarding.js';

/** Options of `kp ha status`. */
export interface HaStatusOptions {
  target: TargetOptions;
  cwd: string;
  source: string | undefined;
  configDir: string;
  /** Domain to report on when no local source is found. */
  domain: string | undefined;
}

/** Gather the status report (never changes anything). */
export async function haStatus(ctx: KpContext, options: HaStatusOptions): Promise<HaStatusReport> {
  const configDir = validateConfigDir(options.configDir);
  haUrlOverride(); // a bad KP_HA_URL is bad input, refused before anything runs
  // A --source that is wrong is bad input (exit 2) before any target is looked for.
  if (options.source) detectSource(options.cwd, options.source);
  const target = await resolveTarget(ctx, options.target);
  announceTarget(ctx, target);
  options = {...options, configDir};
  const notes: string[] = [];
  let component: ComponentSource | undefined;
  try {
    component = detectSource(options.cwd, options.source);
  } catch (error) {
    if (options.source || !(error instanceof KpError)) throw error;
    notes.push(`No local component found (${error.message}); showing the installed one only.`);
  }
  const domain = component?.domain ?? options.domain ?? 'kamerplanter';
  const state = await target.state();
  const report: HaStatusReport = {
    target: target.describe(),
    state: {
      running: state.running,
      ready: false,
      status: state.status,
      restartCount: state.restartCount,
      startedAt: state.startedAt,
      uptimeSeconds: state.running && state.startedAt ? Math.max(0, Math.floor((Date.now() - Date.parse(state.startedAt)) / 1000)) : undefined,
    },
    ha: undefined,
    installed: {present: false, version: undefined, files: 0, pycacheDirs: 0},
    local: undefined,
    filesMatch: undefined,
    differences: undefined,
    verdict: undefined,
    onboarding: undefined,
    configEntries: undefined,
    companion: undefined,
    notes,
  };
  if (!state.running) {
    notes.push(`The target is not running: ${notRunningReason(state)}. Nothing more to read.`);
    return report;
  }
  report.state.ready = await target.isReady(state);
  // Status reads the component where HA loads it; staging is irrelevant here.
  const listing = await listRemote(target, remoteLayout(options.configDir, domain));
  readListing(report, listing, component);
  // The verdict of the HA that runs now: since its own start (an in-place restart keeps the container
  // and its log, so the container's start would mix in earlier runs).
  const haStarted = listing.ha ? new Date(Date.now() - listing.ha.uptimeSeconds * 1000 - 1000).toISOString() : undefined;
  report.onboarding = await onboardingStatus(ctx, target);
  if (report.onboarding.by === 'kp') {
    report.configEntries = await configEntries(ctx, target, domain, notes);
    report.companion = await companionStatus(ctx, target, domain);
  }
  // After a code reload, the log before it is the old code's.
  const since = Math.max(haStarted ? Date.parse(haStarted) : 0, report.companion?.lastReload ? Date.parse(report.companion.lastReload.at) : 0);
  report.verdict = parseLogVerdict(await target.logsSince(logWindowStart(state.startedAt, since || undefined)), domain);
  return report;
}

/** What the listing says: HA's process, the installed component, and how it compares with the local one. */
function readListing(report: HaStatusReport, listing: RemoteListing, component: ComponentSource | undefined): void {
  if (listing.ha) {
    report.ha = {
      pid: listing.ha.pid,
      uptimeSeconds: listing.ha.uptimeSeconds,
      supervisor: listing.ha.parent,
      inPlaceRestarts: listing.ha.supervised,
      kpRestarts: listing.ha.kpRestarts,
    };
  }
  report.installed = {
    present: listing.componentPresent,
    version: manifestVersion(listing.manifest),
    files: listing.files?.size ?? 0,
    pycacheDirs: listing.pycacheDirs,
  };
  if (!component) return;
  const {files} = collectFiles(component.dir, listing.hashAlgorithm);
  report.local = {dir: component.dir, domain: component.domain, version: component.version, files: files.length};
  const plan = planSync(files, listing.files);
  report.filesMatch = plan.upToDate;
  report.differences = {added: plan.added.length, modified: plan.modified.length, deleted: plan.deleted.length};
}

/** The domain's config entries as HA reports them, where kp holds a token (else a note says why not). */
async function configEntries(ctx: KpContext, target: HaTarget, domain: string, notes: string[]): Promise<HaStatusReport['configEntries']> {
  const session = await openSession(ctx, target);
  if (!('api' in session)) {
    notes.push(`No config-entry state: ${session.none}.`);
    return undefined;
  }
  return session.api.configEntries(domain, session.token).catch((error: unknown) => {
    if (error instanceof InterruptedError) throw error;
    notes.push(`No config-entry state: ${(error as Error).message}`);
    return undefined;
  });
}
