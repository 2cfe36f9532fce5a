/**
 * The restart methods of a sync round as one table: how each is announced, carried out and
 * observed. restart-rule.ts decides which one a round uses; round.ts only reads this table, so a
 * new method (a code reload, say) is one more entry here.
 */
import {formatMs} from './format.js';
import type {HaSyncReport} from './report.js';
import type {AppliedRestart} from './restart-rule.js';

/** How one restart method is carried out and observed. */
export interface RestartMethodSpec {
  /** The plan line's words for it (`rule`: why the round restarts at all). */
  announce: (rule: string) => string;
  /** A dry run's words for it. */
  dryRun: string;
  /** What the apply script sends itself, in the same exec as the swap (`none` for a reload: kp asks the companion after the swap). */
  inScript: 'kill' | 'inplace' | 'none';
  /** Carried out from outside after the swap (docker restart, pod deletion). */
  fromOutside: boolean;
  /** How kp sees it done: HA's new process in the same container, the container's restart, or nothing. */
  observe: 'process' | 'container' | 'none' | 'reload';
  /** The container survives it, so what the round left there can be remembered for the next one. */
  keepsContainer: boolean;
  /** The summary's words once it was observed. */
  observed: (restart: HaSyncReport['restart']) => string;
}

/** A container restart's summary: what restarted it, when it was seen, and the restart counts. */
const containerRestarted =
  (what: string) =>
  (restart: HaSyncReport['restart']): string =>
    `${what}; observed after ${formatMs(restart.observedAfterMs)} (restarts ${restart.before?.restartCount ?? '?'} -> ${restart.after?.restartCount ?? '?'})`;

/** Every restart method a round can apply. */
export const RESTART_METHODS: Record<AppliedRestart, RestartMethodSpec> = {
  none: {
    announce: (rule) => `no restart (${rule})`,
    dryRun: 'not restart',
    inScript: 'none',
    fromOutside: false,
    observe: 'none',
    keepsContainer: true,
    observed: () => 'no restart',
  },
  reload: {
    announce: (rule) =>
      `then reloading its code in the running HA (kp_reload companion: entries unloaded, modules imported again, entries set up; no restart; ${rule})`,
    dryRun: 'reload its code through the kp_reload companion',
    inScript: 'none',
    fromOutside: false,
    observe: 'reload',
    keepsContainer: true,
    observed: (restart) =>
      `code reloaded in the running HA in ${formatMs(restart.observedAfterMs)} (HA pid ${restart.after?.haPid ?? '?'} unchanged, no restart)`,
  },
  'in-place': {
    announce: (rule) => `then restarting HA in place (SIGHUP to HA's process; its supervisor starts it again in the same container: no back-off; ${rule})`,
    dryRun: 'restart HA in place',
    inScript: 'inplace',
    fromOutside: false,
    observe: 'process',
    keepsContainer: true,
    observed: (restart) =>
      `in place (pid ${restart.before?.haPid ?? '?'} -> ${restart.after?.haPid ?? '?'}); observed after ${formatMs(restart.observedAfterMs)}; container restarts ${restart.after?.restartCount ?? '?'} (${restart.after?.restartCount === restart.before?.restartCount ? 'unchanged' : `was ${restart.before?.restartCount ?? '?'}`})`,
  },
  kill: {
    announce: (rule) => `then restarting HA (kill 1: the whole container restarts; ${rule})`,
    dryRun: 'restart with kill',
    inScript: 'kill',
    fromOutside: false,
    observe: 'container',
    keepsContainer: false,
    observed: containerRestarted('kill 1'),
  },
  container: {
    announce: (rule) => `then restarting HA (docker restart: the whole container restarts; ${rule})`,
    dryRun: 'restart with container',
    inScript: 'none',
    fromOutside: true,
    observe: 'container',
    keepsContainer: false,
    observed: containerRestarted('container restarted (docker restart)'),
  },
  pod: {
    announce: (rule) => `then restarting HA (pod deletion; ${rule})`,
    dryRun: 'restart with pod',
    inScript: 'none',
    fromOutside: true,
    observe: 'container',
    keepsContainer: false,
    observed: containerRestarted('pod deleted'),
  },
};
