/**
 * The sync and status reports (`--json` prints them as they are) and the six summary rows.
 * Pure; cli/render/ha.ts renders them for a terminal.
 */
import type {LogVerdict} from './verdict.js';
import type {VerdictSource} from './entry-verdict.js';
import type {HaConfigEntry} from '../../tools/ha-api.js';
import type {SkippedFile} from './component.js';
import type {LintResult} from './lint.js';
import type {AppliedRestart} from './restart-rule.js';
import {formatBytes, formatMs} from './format.js';
import {RESTART_METHODS} from './restart-methods.js';
import type {RestartMethod} from './targets/target.js';
import type {CompanionStatus} from './companion.js';

/** One row of the summary table (the upstream deploy skill's six rows). */
export interface SummaryRow {
  step: 'copy' | 'cache clear' | 'restart' | 'ready' | 'loaded' | 'errors';
  status: 'ok' | 'skipped' | 'failed';
  detail: string;
}

/** The outcome of one `kp ha sync` round. */
export interface HaSyncReport {
  domain: string;
  /** Local manifest version that was synced. */
  version: string;
  source: string;
  target: Record<string, string>;
  /** What backs the component folder in the target. */
  volume: string;
  dryRun: boolean;
  /** `up-to-date`: nothing sent, no restart; `synced`: done and (if restarted) verified. */
  outcome: 'up-to-date' | 'synced' | 'dry-run' | 'failed' | 'timeout' | 'stopped';
  /** The exit code this round maps to. */
  exitCode: number;
  changes: {added: string[]; modified: string[]; deleted: string[]; replaced: string[]; unchanged: number};
  /** Archive bytes sent (headers included) and the file content inside it. */
  upload: {files: number; bytes: number; contentBytes: number};
  cacheClear: {removed: number};
  restart: {
    /**
     * What ran: `in-place` (SIGHUP to HA's process, the container untouched), `kill` (kill 1),
     * `container` (docker restart), `pod` (pod deletion), or `none` when nothing needed it.
     */
    method: AppliedRestart;
    /** What was asked for (`auto` by default). */
    requested: RestartMethod;
    /** The rule that decided, in words. */
    rule: string;
    /** Why auto restarted the container instead of HA in place, and the back-off that costs. */
    fallback: string | undefined;
    performed: boolean;
    observed: boolean;
    /** Milliseconds from the restart request to the first observation of the new instance. */
    observedAfterMs: number | undefined;
    /** The container's restart count and start, and HA's own process id, before and after. */
    before: {restartCount: number; startedAt: string | undefined; haPid?: number | undefined} | undefined;
    after: {restartCount: number; startedAt: string | undefined; haPid?: number | undefined} | undefined;
  };
  /**
   * The code reload through the kp_reload companion (`restart.method` reload): its time inside HA,
   * the steps it took, why it did not reload, and the traceback when the new code did not import.
   */
  reload?: {ms: number; reason: string | null; steps: string[]; traceback: string | null} | undefined;
  /** Milliseconds from the restart request to HA answering. */
  ready: {ready: boolean; afterMs: number | undefined};
  /** The log verdict; `readMs`: from HA answering to the verdict (it ends once the load or a failure is seen, plus --settle). */
  verdict: Omit<LogVerdict, 'status'> & {status: LogVerdict['status'] | 'skipped'; readMs?: number};
  /**
   * Which verdict decided the round and why: HA's own (the config entry's state, read with kp's
   * token) or the log (no token for this HA, or no entry of the domain yet).
   */
  verdictSource: VerdictSource | undefined;
  /** The integration's config entries as HA reported them after the restart (config-entry verdict only). */
  configEntry: {state: string | undefined; reason: string | null; final: boolean; readMs: number; entries: HaConfigEntry[]} | undefined;
  /** The lint gate: ruff check + ruff format --check when Python files changed. */
  lint: LintReport;
  /** The sync locks: taken (not in a dry run) and how long another run's lock was waited for. */
  lock: {taken: boolean; waitedMs: number};
  skipped: SkippedFile[];
  warnings: string[];
  summary: SummaryRow[];
  /** Processes kp started toward the target in this round. */
  processes: number;
  durationMs: number;
}

/** What the lint gate did. */
export type LintReport = LintResult;

/** The outcome of `kp ha status`. */
export interface HaStatusReport {
  target: Record<string, string>;
  /** The container (or pod container): its state, start, uptime and restarts. */
  state: {running: boolean; ready: boolean; status: string; restartCount: number; startedAt: string | undefined; uptimeSeconds: number | undefined};
  /**
   * Home Assistant's own process inside it: its uptime (in-place restarts reset it, the container's
   * does not), whether a supervisor restarts it in place, and the in-place restarts kp sent to this
   * container instance. Undefined when no HA process runs apart from PID 1.
   */
  ha: {pid: number; uptimeSeconds: number; supervisor: string; inPlaceRestarts: boolean; kpRestarts: number} | undefined;
  installed: {present: boolean; version: string | undefined; files: number; pycacheDirs: number};
  local: {dir: string; domain: string; version: string; files: number} | undefined;
  /** Whether the installed files equal the local ones (undefined without a local source or listing). */
  filesMatch: boolean | undefined;
  differences: {added: number; modified: number; deleted: number} | undefined;
  verdict: LogVerdict | undefined;
  /** Whether HA is onboarded and by whom (kp holds the login, or someone else does). */
  onboarding: {onboarded: boolean | undefined; by: string | undefined; owner: string | undefined; reason: string | undefined} | undefined;
  /** The domain's config entries as HA reports them (HA's own verdict; only where kp holds a token). */
  configEntries: HaConfigEntry[] | undefined;
  /** kp's code-reload companion as HA reports it (only where kp holds a token). */
  companion: CompanionStatus | undefined;
  notes: string[];
}

export {formatBytes, formatMs} from './format.js';

/** The six summary rows for a report. */
export function summaryRows(report: Omit<HaSyncReport, 'summary'>): SummaryRow[] {
  const {changes, upload, restart, ready, verdict} = report;
  const copyDetail =
    report.outcome === 'up-to-date'
      ? `up to date (${changes.unchanged} files unchanged)`
      : `${upload.files} sent (${formatBytes(upload.bytes)}), ${changes.deleted.length} deleted, ${changes.unchanged} unchanged`;
  const copied = report.outcome !== 'up-to-date' && !report.dryRun;
  const restarted = restart.performed;
  const rows: SummaryRow[] = [
    {
      step: 'copy',
      status: report.dryRun ? 'skipped' : report.outcome === 'up-to-date' ? 'skipped' : 'ok',
      detail: report.dryRun ? `dry run: would send ${upload.files} files, delete ${changes.deleted.length}` : copyDetail,
    },
    {step: 'cache clear', status: copied ? 'ok' : 'skipped', detail: copied ? `${report.cacheClear.removed} __pycache__ removed` : 'not needed'},
    {
      step: 'restart',
      status: !restarted ? 'skipped' : restart.observed && !report.reload?.reason ? 'ok' : 'failed',
      detail: !restarted
        ? restart.rule
        : report.reload?.reason
          ? `code reload answered in ${formatMs(restart.observedAfterMs)} without loading the new code (HA pid ${restart.after?.haPid ?? '?'} unchanged)`
          : restart.observed
            ? RESTART_METHODS[restart.method].observed(restart)
            : report.outcome === 'stopped'
              ? 'the target stopped instead of restarting'
              : 'restart not observed',
    },
    {
      step: 'ready',
      status: !restarted ? 'skipped' : ready.ready ? 'ok' : 'failed',
      detail: !restarted
        ? '-'
        : restart.method === 'reload'
          ? 'answering throughout (no restart)'
          : ready.ready
            ? `answering after ${formatMs(ready.afterMs)}`
            : report.outcome === 'stopped'
              ? 'the target stopped'
              : 'not ready in time',
    },
    {
      step: 'loaded',
      status: report.configEntry
        ? report.configEntry.state === 'loaded'
          ? 'ok'
          : 'failed'
        : verdict.status === 'found'
          ? 'ok'
          : verdict.status === 'skipped'
            ? 'skipped'
            : 'failed',
      detail: report.configEntry
        ? `config entry ${report.configEntry.state ?? '?'}${report.configEntry.final ? '' : ' (not final in time)'}${report.configEntry.reason ? `: ${report.configEntry.reason}` : ''} (HA's verdict)`
        : restart.method === 'reload' && report.reload
          ? report.reload.reason
            ? `not reloaded: ${report.reload.reason}`
            : `${report.domain} ${report.version} reloaded and imported by HA; no config entry to set up`
          : verdict.status === 'found'
            ? `${report.domain} ${report.version} found by HA, no failure logged; no config entry, so HA has not imported its code`
            : verdict.status === 'skipped'
              ? restarted
                ? 'not checked (HA not ready)'
                : 'not checked (no restart)'
              : verdict.status === 'not-seen'
                ? 'HA did not report loading it'
                : 'failed to load',
    },
    {
      step: 'errors',
      status: verdict.status === 'skipped' ? 'skipped' : verdict.failures.length === 0 ? 'ok' : 'failed',
      detail: verdict.status === 'skipped' ? '-' : verdict.failures.length === 0 ? 'none' : `${verdict.failures.length} (see below)`,
    },
  ];
  return rows;
}
