/**
 * `kp ha up`'s companion step: the kp_reload files in place by the same sync round as the developer's
 * component (HA restarts in place only when they changed: it finds a custom integration at start),
 * then its entry through the config-flow API with kp's token. A second run changes nothing.
 */
import {InterruptedError, KpError} from '../../core/errors.js';
import type {KpContext} from '../context.js';
import {COMPANION_DOMAIN, companionSource, type CompanionResult, type OpenSession} from './companion.js';
import {openSession} from './onboarding.js';
import type {HaSyncReport} from './report.js';
import {runSyncRound, type HaSyncOptions} from './round.js';
import type {HaTarget} from './targets/target.js';

/**
 * Install the companion in an HA kp provisioned and owns: its files by a sync round (a restart only
 * when they changed: HA finds a custom integration at start), then its entry through the config
 * flow. A second run changes nothing.
 */
export async function installCompanion(ctx: KpContext, target: HaTarget, base: HaSyncOptions): Promise<CompanionResult> {
  const session = await openSession(ctx, target);
  if ('none' in session) return {outcome: 'not-owned', state: undefined, reason: session.none, sync: undefined};
  ctx.out.step(`Installing kp's code-reload companion (${COMPANION_DOMAIN}, development only) in ${target.label}`);
  let sync: HaSyncReport;
  try {
    sync = await runSyncRound(ctx, target, {...base, source: companionSource(), restart: 'auto', force: false, lint: undefined, reload: false});
  } catch (error) {
    // HA itself is up and kp's; without the companion, syncs restart HA in place as before.
    if (error instanceof InterruptedError || !(error instanceof KpError)) throw error;
    ctx.out.warn(`Could not install the ${COMPANION_DOMAIN} companion: ${error.message.split('\n')[0]} Syncs restart HA in place instead.`);
    return {outcome: 'failed', state: undefined, reason: error.message.split('\n')[0], sync: undefined};
  }
  if (sync.exitCode !== 0) return {outcome: 'failed', state: undefined, reason: `its sync ended ${sync.outcome} (exit ${sync.exitCode})`, sync};
  const {added, modified, deleted, unchanged} = sync.changes;
  const outcome = sync.outcome === 'up-to-date' ? 'kept' : modified.length + deleted.length + unchanged === 0 && added.length > 0 ? 'installed' : 'updated';
  const fresh = await openSession(ctx, target);
  if ('none' in fresh) return {outcome: 'failed', state: undefined, reason: fresh.none, sync};
  try {
    const state = await ensureEntry(fresh);
    if (state === 'loaded')
      ctx.out.success(`The ${COMPANION_DOMAIN} companion is ${outcome} and loaded: \`kp ha sync\` reloads Python edits without restarting HA.`);
    else ctx.out.warn(`The ${COMPANION_DOMAIN} companion is ${outcome}, but HA reports its entry ${state ?? 'missing'}: syncs restart HA in place instead.`);
    return {outcome, state, reason: undefined, sync};
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    ctx.out.warn(`Could not set up the ${COMPANION_DOMAIN} companion: ${reason}`);
    return {outcome: 'failed', state: undefined, reason, sync};
  }
}

/** The companion's entry: kept when there, else created through its one-step config flow; its state. */
async function ensureEntry(session: OpenSession): Promise<string | undefined> {
  const existing = await session.api.configEntries(COMPANION_DOMAIN, session.token);
  if (existing.length > 0) return existing[0]!.state;
  const step = await session.api.startFlow(COMPANION_DOMAIN, session.token);
  if (step.type !== 'create_entry') {
    // The real companion creates its entry at once; an HA that asks more is not running it. An open flow stays until HA restarts: give it up.
    if (step.type === 'form' && step.flowId) await session.api.abortFlow(step.flowId, session.token);
    throw new Error(
      `its config flow answered ${step.type === 'form' ? `a form (step ${step.stepId ?? '?'})` : step.type}${step.reason ? ` (${step.reason})` : ''}, not the entry`,
    );
  }
  const created = await session.api.configEntries(COMPANION_DOMAIN, session.token);
  return created[0]?.state;
}
