/**
 * `--restart auto`: which changes HA picks up without a restart. The Kamerplanter integration
 * registers every `www/*.js` (and `www/kami/`) as a static path at setup, and HA serves those from
 * disk on every request (`__init__.py`, StaticPathConfig); images are read from disk when asked
 * for. So a change that only MODIFIES such existing files is live at once. Anything else (a Python
 * module, a manifest, a translation) is read at setup, and an added or deleted file changes what
 * setup registers: those need a restart. Pure, so the rule is unit-tested on plans.
 */
import type {SyncPlan} from './plan.js';
import type {RestartMethod} from './targets/target.js';

/** Image files HA reads from disk when they are requested. */
const IMAGE = /\.(png|jpe?g|gif|svg|webp|ico)$/i;

/** Is a modification of `path` live without a restart? */
export function liveWithoutRestart(path: string): boolean {
  return path.startsWith('www/') || IMAGE.test(path);
}

/** What the rule decided, and why (the report shows the reason). */
export interface RestartDecision {
  /** The method that runs: `none` when auto decided no restart is needed. */
  method: Exclude<RestartMethod, 'auto'>;
  /** The rule that decided, in words. */
  rule: string;
}

/** Decide the restart for `plan` under the requested method. */
export function decideRestart(plan: SyncPlan, requested: RestartMethod, force = false): RestartDecision {
  if (requested !== 'auto') return {method: requested, rule: `--restart ${requested}`};
  if (force) return {method: 'kill', rule: '--force'};
  if (plan.added.length > 0) return {method: 'kill', rule: `files added (${plan.added[0]}${plan.added.length > 1 ? ', ...' : ''}): setup must register them`};
  if (plan.deleted.length > 0) return {method: 'kill', rule: `files deleted (${plan.deleted[0]}${plan.deleted.length > 1 ? ', ...' : ''}): setup must forget them`};
  if (plan.replaced.length > 0) return {method: 'kill', rule: 'symlinks replaced in the target'};
  const needsRestart = plan.modified.find((path) => !liveWithoutRestart(path));
  if (needsRestart) return {method: 'kill', rule: `${needsRestart} changed: HA reads it at setup`};
  if (plan.modified.length === 0) return {method: 'none', rule: 'nothing changed'};
  return {method: 'none', rule: 'only www/ files or images changed: HA serves them from disk, no restart needed'};
}
