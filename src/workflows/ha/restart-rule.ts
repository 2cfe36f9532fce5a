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
  /** The method asked for; `restart` when auto decided a restart is needed (how: chooseRestartMethod); `none` when not. */
  method: Exclude<RestartMethod, 'auto'> | 'restart';
  /** The rule that decided, in words. */
  rule: string;
  /**
   * The change is code the kp_reload companion can load into the running HA (auto: instead of the
   * restart; the companion itself refuses what only a restart loads). Not for --force, which asks for a restart.
   */
  reloadable?: boolean;
}

/** Decide the restart for `plan` under the requested method. */
export function decideRestart(plan: SyncPlan, requested: RestartMethod, force = false): RestartDecision {
  if (requested !== 'auto') return {method: requested, rule: `--restart ${requested}`, reloadable: requested === 'reload'};
  if (force) return {method: 'restart', rule: '--force'};
  const decision = decideAutoRestart(plan);
  return decision.method === 'restart' ? {...decision, reloadable: true} : decision;
}

/** `--restart auto` without --force: what the changed files need. */
function decideAutoRestart(plan: SyncPlan): RestartDecision {
  if (plan.added.length > 0)
    return {method: 'restart', rule: `files added (${plan.added[0]}${plan.added.length > 1 ? ', ...' : ''}): setup must register them`};
  if (plan.deleted.length > 0)
    return {method: 'restart', rule: `files deleted (${plan.deleted[0]}${plan.deleted.length > 1 ? ', ...' : ''}): setup must forget them`};
  if (plan.replaced.length > 0) return {method: 'restart', rule: 'symlinks replaced in the target'};
  const needsRestart = plan.modified.find((path) => !liveWithoutRestart(path));
  if (needsRestart) return {method: 'restart', rule: `${needsRestart} changed: HA reads it at setup`};
  if (plan.modified.length === 0) return {method: 'none', rule: 'nothing changed'};
  return {method: 'none', rule: 'only www/ files or images changed: HA serves them from disk, no restart needed'};
}

/** How a restart is carried out: what the target's report and `--json` name (`reload`: the code reloaded in the running HA, no restart). */
export type AppliedRestart = 'reload' | 'in-place' | 'kill' | 'container' | 'pod' | 'none';

/** What the target offers for a restart, as observed (never assumed). */
export interface RestartCapabilities {
  kind: 'pod' | 'container';
  /** HA runs under s6-supervise: SIGHUP restarts it inside the same container. */
  supervised: boolean;
  /** Why not, in words, when not. */
  unsupervisedReason: string | undefined;
  /** A container without a restart policy: `kill 1` would leave it stopped. */
  noRestartPolicy: boolean;
  /** The kp_reload companion is loaded in HA and kp holds a token for it. */
  companion: boolean;
}

/** The method chosen for a decided restart, and what to tell the user about it. */
export interface RestartChoice {
  method: AppliedRestart;
  /** Set when auto fell back to restarting the container: why, and what it costs. */
  fallback: string | undefined;
}

/** The back-off a container restart pays, per orchestrator (shared/spec/kamerplanter-workflow.md). */
export const BACKOFF_COST: Record<'pod' | 'container', string> = {
  pod: "kubelet's crash back-off slows every further restart (10 s, 20 s, 40 s ... up to 5 min, reset only after 10 quiet minutes; the pod shows CrashLoopBackOff)",
  container: "a restart policy's back-off would slow repeated kill-1 restarts, so kp uses `docker restart`, which bypasses it but stops the whole container",
};

/** What an explicit `kill 1` costs, per orchestrator. */
export const KILL_COST: Record<'pod' | 'container', string> = {
  pod: BACKOFF_COST.pod,
  container:
    'under a restart policy Docker delays each restart less than 10 s after the last (100 ms, doubling up to 1 min); --restart auto restarts HA in place where it can',
};

/**
 * Turn a decision into a method the target supports: in place (SIGHUP to HA under its supervisor)
 * whenever the target has that supervisor; else, for auto, the container (docker restart for a
 * container, kill 1 for a pod) with the cost said. An explicit `inplace` on a target without the
 * supervisor is refused (undefined): the caller says why before anything changes. A change the
 * companion can reload is reloaded where it is loaded (`--restart reload` without it is refused).
 */
export function chooseRestartMethod(decision: RestartDecision, caps: RestartCapabilities): RestartChoice | undefined {
  if (decision.reloadable && caps.companion) return {method: 'reload', fallback: undefined};
  switch (decision.method) {
    case 'reload':
      // Insisted on, without the companion: refused (the caller says why before anything changes).
      return undefined;
    case 'none':
      return {method: 'none', fallback: undefined};
    case 'pod':
      return {method: 'pod', fallback: undefined};
    case 'kill':
      return {method: caps.kind === 'container' && caps.noRestartPolicy ? 'container' : 'kill', fallback: undefined};
    case 'inplace':
      return caps.supervised ? {method: 'in-place', fallback: undefined} : undefined;
    case 'restart':
      if (caps.supervised) return {method: 'in-place', fallback: undefined};
      return {
        method: caps.kind === 'container' ? 'container' : 'kill',
        fallback: `HA cannot be restarted in place (${caps.unsupervisedReason ?? 'no supervisor found'}): restarting the ${caps.kind}; ${BACKOFF_COST[caps.kind]}.`,
      };
  }
}
