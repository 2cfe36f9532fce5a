/**
 * What `kp ha ...` prints for a human (stdout); `--json` prints the reports instead.
 */
import type {ChalkInstance} from 'chalk';
import {formatMs, type HaStatusReport, type HaSyncReport, type SummaryRow} from '../../workflows/ha/report.js';
import type {HaWatchResult, HaWatchSummaryLine, WatchRound} from '../../workflows/ha/watch.js';
import {ExitCode} from '../../core/errors.js';
import type {HaDownResult, HaUpResult} from '../../workflows/ha/up.js';

/** How each verdict source is named in the table's footnote. */
const VERDICT_SOURCE: Record<NonNullable<HaSyncReport['verdictSource']>['used'], string> = {
  'config-entry': "HA's config entry state",
  log: 'HA log',
  reload: "the companion's answer",
};

/** Render the summary table and failure details for a terminal. */
export function renderSyncReport(report: HaSyncReport, color: ChalkInstance): string {
  const mark = (status: SummaryRow['status']) => (status === 'ok' ? color.green('✔') : status === 'failed' ? color.red('✖') : color.dim('–'));
  const lines = [`${color.bold(report.domain)} ${report.version} -> ${Object.values(report.target).filter(Boolean).join(' ')}`];
  for (const row of report.summary) lines.push(`  ${mark(row.status)} ${row.step.padEnd(11)} ${row.detail}`);
  if (report.lint.status !== 'skipped' || report.lint.reason !== 'no file changes') {
    lines.push(
      `  ${mark(report.lint.status === 'passed' ? 'ok' : report.lint.status === 'failed' ? 'failed' : 'skipped')} ${'lint'.padEnd(11)} ${report.lint.status === 'passed' ? `ruff ${report.lint.ruffVersion ?? ''}${report.lint.engine === 'wasm' ? ' (in-process)' : ''}: clean`.replace('  ', ' ') : report.lint.reason}`,
    );
  }
  if (report.verdictSource) lines.push(color.dim(`  verdict: ${VERDICT_SOURCE[report.verdictSource.used]} (${report.verdictSource.why})`));
  // HA's log usually holds the same traceback (printed below): the companion's only when the log has none.
  if (report.reload?.traceback && report.exitCode !== 0 && report.verdict.failures.length === 0) {
    lines.push('', color.red("The companion's traceback from inside HA:"));
    lines.push(
      ...report.reload.traceback
        .trimEnd()
        .split('\n')
        .map((line) => `  ${line}`),
    );
  }
  if (report.verdict.failures.length > 0) {
    lines.push('', color.red('Failure lines from the HA log:'));
    for (const failure of report.verdict.failures) lines.push(...failure.text.split('\n').map((line) => `  ${line}`));
  }
  for (const warning of report.warnings) lines.push(`${color.yellow('warning:')} ${warning}`);
  lines.push(color.dim(`${report.processes} processes, ${formatMs(report.durationMs)}`));
  return lines.join('\n');
}

/** Render `kp ha status` for a terminal. */
export function renderStatusReport(report: HaStatusReport, color: ChalkInstance): string {
  const {state, installed, local} = report;
  const duration = (seconds: number | undefined) => (seconds === undefined ? '-' : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`);
  const uptime = duration(state.uptimeSeconds);
  const ha = report.ha;
  const lines = [
    `target     ${Object.values(report.target).filter(Boolean).join(' ')}`,
    `state      ${state.running ? color.green(state.status) : color.red(state.status)}${state.ready ? ', ready' : ', not ready'}`,
    `container  up ${uptime} (restarts: ${state.restartCount})`,
    `HA         ${
      ha
        ? `pid ${ha.pid}, up ${duration(ha.uptimeSeconds)} (in-place restarts by kp: ${ha.kpRestarts}); ${ha.inPlaceRestarts ? `runs under ${ha.supervisor}: restarts in place` : `runs under ${ha.supervisor}: no in-place restart, kp restarts the container`}`
        : state.running
          ? 'no HA process apart from PID 1: no in-place restart, kp restarts the container'
          : '-'
    }`,
    `installed  ${installed.present ? `${installed.version ?? 'unknown version'} (${installed.files} files)` : 'not installed'}`,
    `local      ${local ? `${local.version} (${local.files} files) ${local.dir}` : '-'}`,
    `files      ${report.filesMatch === undefined ? '-' : report.filesMatch ? color.green('match') : color.yellow(`differ (${report.differences?.added ?? 0} new, ${report.differences?.modified ?? 0} changed, ${report.differences?.deleted ?? 0} removed locally): run kp ha sync`)}`,
    `onboarding ${renderOnboarding(report.onboarding, color)}`,
    `companion  ${renderCompanionStatus(report.companion, color)}`,
    `entry      ${report.configEntries === undefined ? '-' : report.configEntries.length === 0 ? 'none (`kp ha up` wires one when a backend runs)' : report.configEntries.map((e) => `${e.state === 'loaded' ? color.green(e.state) : color.red(e.state)}${e.reason ? ` (${e.reason})` : ''}: ${e.title}`).join('; ')}`,
    `log        ${report.verdict ? `${report.verdict.status === 'found' ? color.green('found, no failures') : report.verdict.status === 'failed' ? color.red(`failed (${report.verdict.failures.length} failure lines)`) : 'no load line'} since ${report.companion?.lastReload ? 'the last code reload' : "HA's start"}` : '-'}`,
  ];
  if (report.verdict?.failures.length) for (const failure of report.verdict.failures) lines.push(...failure.text.split('\n').map((line) => `  ${line}`));
  for (const note of report.notes) lines.push(color.dim(note));
  return lines.join('\n');
}

function renderCompanionStatus(companion: HaStatusReport['companion'], color: ChalkInstance): string {
  if (!companion) return '-';
  if (companion.state !== 'loaded') return color.dim(`kp_reload ${companion.state ?? 'unknown'}${companion.reason ? ` (${companion.reason})` : ''}`);
  const last = companion.lastReload;
  const lastText = last
    ? `; last code reload ${new Date(last.at).toLocaleTimeString()}: ${last.reloaded ? 'loaded the new code' : color.red(`did not load it (${last.reason ?? 'see the log'})`)}`
    : '';
  return `${color.green('kp_reload loaded')}: Python edits reload without a restart${lastText}`;
}

function renderOnboarding(onboarding: HaStatusReport['onboarding'], color: ChalkInstance): string {
  if (!onboarding) return '-';
  if (onboarding.onboarded === false && onboarding.by === undefined) return color.red(onboarding.reason ?? 'not onboarded');
  if (onboarding.by === 'kp')
    return `${onboarding.onboarded ? 'onboarded' : 'partly onboarded'} by kp (owner ${onboarding.owner}; \`kp ha credentials\` prints the login)${onboarding.reason ? `, ${onboarding.reason}` : ''}`;
  if (onboarding.by) return `onboarded by ${onboarding.by}: ${onboarding.reason ?? ''}`;
  return color.dim(`unknown: ${onboarding.reason ?? ''}`);
}

/** The end of a watch session. */
export function renderWatchEnd(result: HaWatchResult): string {
  const count = result.rounds.length;
  const parts = [`${count - result.failedRounds - result.interruptedRounds} ok`, `${result.failedRounds} failed`];
  if (result.interruptedRounds > 0)
    parts.push(`${result.interruptedRounds} cut short by Ctrl-C (the live component is the old tree or the new one, never a mix)`);
  return `Stopped watching after ${count} ${count === 1 ? 'round' : 'rounds'}: ${parts.join(', ')}.`;
}

/**
 * `--json --watch` is newline-delimited JSON, so an editor task can follow the loop: one line per
 * round as it ends, then this summary line.
 */
export function watchSummaryLine(result: HaWatchResult): string {
  const {rounds, ...counts} = result;
  const line: HaWatchSummaryLine = {...counts, summary: true, rounds: rounds.length, exitCode: ExitCode.Interrupted};
  return JSON.stringify(line);
}

/** Live lines after each watch round: the table (humans only, stdout) and the progress line (stderr). */
export function renderWatchRound(round: WatchRound, color: ChalkInstance): {table: string | undefined; progress: string[]} {
  if (!round.ok && round.interrupted)
    return {table: undefined, progress: [`${color.yellow('round cut short by Ctrl-C')}: the live component is the old tree or the new one, never a mix.`]};
  if (round.ok) return {table: renderSyncReport(round.report, color), progress: [`round ${round.report.outcome}; waiting for changes.`]};
  const progress = [`${color.red('round failed:')} ${round.error.message}`];
  if (round.error.hint) progress.push(`${color.dim('hint:')} ${round.error.hint}`);
  progress.push('Waiting for the next change to try again.');
  return {table: undefined, progress};
}

/** Did `kp ha up` skip its sync (dry run, --no-sync, no component)? A sync report has an outcome; a skip has only its reason. */
export function syncWasSkipped(sync: HaUpResult['sync']): sync is {skipped: string} {
  return !('outcome' in sync);
}

/** `kp ha up` for a terminal: where HA is, who onboarded it and where the login is, the wiring, and the first sync's table. */
export function renderHaUp(result: HaUpResult, color: ChalkInstance): string {
  const state = result.dryRun ? 'would be started' : result.changed ? 'is up' : 'was already up';
  const lines = [
    `${color.bold('Home Assistant')} ${state} (${result.target}, ${result.where}, ${result.image})`,
    `  UI          ${result.url}`,
    `  onboarding  ${renderUpOnboarding(result, color)}`,
    `  wiring      ${renderWiring(result.wiring, color)}`,
    `  companion   ${renderCompanion(result.companion, color)}`,
  ];
  if (syncWasSkipped(result.sync)) lines.push(`  sync        ${color.dim(`skipped: ${result.sync.skipped}`)}`);
  else lines.push(`  sync        ${renderSyncOutcome(result.sync, color)}`, renderSyncReport(result.sync, color));
  return lines.join('\n');
}

function renderCompanion(companion: HaUpResult['companion'], color: ChalkInstance): string {
  if (!companion) return color.dim('not installed (kp installs it only in an HA it provisioned and holds the login of)');
  const state = companion.state === 'loaded' ? color.green('loaded') : color.red(companion.state ?? 'no entry');
  switch (companion.outcome) {
    case 'installed':
    case 'updated':
      return `kp_reload ${companion.outcome} (HA restarted to find it: ${companion.sync?.restart.method ?? '?'}), entry ${state}: Python edits reload without a restart`;
    case 'kept':
      return `kp_reload up to date, entry ${state}`;
    case 'not-owned':
      return color.dim(`not installed: ${companion.reason ?? 'kp holds no login for this HA'}`);
    case 'failed':
      return color.red(`failed: ${companion.reason ?? 'unknown reason'}; syncs restart HA in place`);
  }
}

function renderUpOnboarding(result: HaUpResult, color: ChalkInstance): string {
  const onboarding = result.onboarding;
  if (!onboarding) return color.dim(result.dryRun ? 'not checked (dry run)' : 'left to you (--no-onboard)');
  const login = `owner ${onboarding.owner}; login in ${onboarding.loginFile ?? "kp's state dir"} (\`kp ha credentials\` prints it)`;
  switch (onboarding.outcome) {
    case 'onboarded':
      return `${color.green('onboarded by kp now')}: ${login}`;
    case 'resumed':
      return `${color.green('onboarding completed by kp now')} (${onboarding.completed.join(', ')}): ${login}`;
    case 'already':
      return `onboarded by kp earlier: ${login}`;
    case 'foreign':
      return color.yellow(`not kp's: ${onboarding.reason ?? 'onboarded by someone else'}; syncs are judged by HA's log`);
    case 'unreachable':
      return color.yellow(`not onboarded by kp: ${onboarding.reason ?? 'its API is out of reach'}; syncs are judged by HA's log`);
  }
}

function renderWiring(wiring: HaUpResult['wiring'], color: ChalkInstance): string {
  if (!wiring) return color.dim('not attempted (kp holds no token for this HA)');
  const state = wiring.state ? `: ${wiring.state === 'loaded' ? color.green(wiring.state) : color.red(wiring.state)}` : '';
  switch (wiring.outcome) {
    case 'created':
      return `kamerplanter entry created for ${wiring.url}${state}`;
    case 'kept':
      return `kamerplanter entry kept (it existed${wiring.url ? `, ${wiring.url}` : ''})`;
    case 'no-backend':
      return color.yellow(`not wired: ${wiring.reason ?? 'no backend runs'}`);
    case 'failed':
      return color.red(`failed: ${wiring.reason ?? 'unknown reason'}`);
    default:
      return color.dim(`not wired: ${wiring.reason ?? wiring.outcome}`);
  }
}

/** One line for a sync's outcome and HA's verdict, as its report says. */
export function renderSyncOutcome(report: HaSyncReport, color: ChalkInstance): string {
  const changed = report.changes.added.length + report.changes.modified.length + report.changes.deleted.length + report.changes.replaced.length;
  const entry = report.configEntry?.state ? `config entry ${report.configEntry.state}` : undefined;
  // The log alone says only that HA found the component (manifest read), never that its code loaded.
  const logSays = report.verdict.status === 'found' ? 'found by HA, no failure logged' : report.verdict.status;
  const verdict = entry ?? (report.verdict.status === 'skipped' ? undefined : `log verdict: ${logSays}`);
  const text = `${report.outcome}${changed > 0 ? ` (${changed} ${changed === 1 ? 'file' : 'files'})` : ''}${verdict ? `, ${verdict}` : ''}`;
  return report.exitCode === 0 ? color.green(text) : color.red(`${text} (exit ${report.exitCode})`);
}

/** `kp ha down` for a terminal. */
export function renderHaDown(result: HaDownResult): string {
  const what = result.removed.length > 0 ? `removed ${result.removed.join(', ')}` : 'nothing to remove';
  return `Home Assistant (${result.target}, ${result.where}): ${result.dryRun ? '[dry-run] ' : ''}${what}; config volume ${result.volumeRemoved ? 'deleted' : 'kept'}.`;
}
