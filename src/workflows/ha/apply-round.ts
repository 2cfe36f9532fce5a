/**
 * A sync round after observe and plan, as named steps: lint gate, choose and announce the restart,
 * send and swap, restart, await ready, judge; then the target's lock is given back.
 */
import {randomBytes} from 'node:crypto';
import type {KpContext} from '../context.js';
import {ExitCode, fail, InterruptedError} from '../../core/errors.js';
import {collectFiles, compileIgnores, withoutIgnored} from './component.js';
import {planSync} from './plan.js';
import {listRemote, releaseRemoteLock, uploadArchive} from './protocol.js';
import {parseApply, scriptCommand, SCRIPTS, type ApplyArgs} from './remote.js';
import {
  BACKOFF_COST,
  KILL_COST,
  chooseRestartMethod,
  decideRestart,
  type AppliedRestart,
  type RestartCapabilities,
  type RestartDecision,
} from './restart-rule.js';
import {formatBytes, summaryRows, type HaSyncReport} from './report.js';
import {RESTART_METHODS} from './restart-methods.js';
import {logWindowStart, notRunningReason, type HaTarget} from './targets/target.js';
import {parseLogVerdict} from './verdict.js';
import {entryExitCode, readEntryVerdict} from './entry-verdict.js';
import {openSession} from './onboarding.js';
import {StaleMemory, type HaSyncOptions, type Observation, type RoundClock} from './round-state.js';
import {describePlan} from './observe.js';
import {readVerdict, untilHaAnswers, waitForInPlace, waitForRestart, type RestartWait} from './restart-wait.js';
import {clearReloadPending, markReloadPending, reloadPending} from '../../config/pending-reload.js';
import {COMPANION_DOMAIN, companionAvailability, requestReload, type CompanionAvailability, type ReloadAnswer} from './companion.js';

/** The most a code reload may take before the round falls back to the restart (HA's own setup timeouts are longer). */
export const RELOAD_BOUND_MS = 60_000;

/** Apply, restart and verdict for an observation, then give the target's lock back. */
export async function finishRound(
  ctx: KpContext,
  target: HaTarget,
  options: HaSyncOptions,
  obs: Observation,
  clock: RoundClock,
  fastExpect: string | undefined,
): Promise<HaSyncReport> {
  const {started, spawnsBefore} = clock;
  let remoteLockHeld = obs.lockOwner !== undefined;
  try {
    const report = await applyRound(
      ctx,
      target,
      options,
      obs,
      clock,
      () => {
        remoteLockHeld = false;
      },
      fastExpect,
    );
    if (!remoteLockHeld || !obs.lockOwner) return report;
    remoteLockHeld = false;
    if (!(await releaseRemoteLock(target, obs.layout, obs.lockOwner))) {
      ctx.out.warn(`Could not release the sync lock in ${target.label}; the next kp run on this machine takes it back.`);
    }
    // The release is part of the round: count it.
    return {...report, processes: ctx.runner.spawnCount - spawnsBefore, durationMs: Date.now() - started};
  } finally {
    if (remoteLockHeld && obs.lockOwner) await releaseRemoteLock(target, obs.layout, obs.lockOwner);
  }
}

/** What a round carries from step to step: its inputs and the restart rule it decided. */
interface RoundRun {
  ctx: KpContext;
  target: HaTarget;
  options: HaSyncOptions;
  obs: Observation;
  clock: RoundClock;
  /** The watch's fast path: the digest of the listing kp remembers (sh/fast-apply.sh). */
  fastExpect: string | undefined;
  /** The target's lock was given back by a script (no second exec needed). */
  remoteLockReleased: () => void;
  decision: RestartDecision;
  /** Whether the kp_reload companion can reload this round's change (looked at only when the change is reloadable). */
  companion?: CompanionAvailability;
}

/** The report as the steps fill it (the summary rows are derived at the end). */
type RoundReport = Omit<HaSyncReport, 'summary'>;

/** What the apply exec did: its parsed outcome, what it sent, and when the restart could begin. */
interface Applied {
  applied: ReturnType<typeof parseApply>;
  upload: HaSyncReport['upload'];
  /** What the script itself was asked to restart. */
  restartInScript: ApplyArgs['restart'];
  beforeRestart: number;
}

/** Lint gate, apply, restart, await ready, judge: the round after observe and plan, as named steps. */
async function applyRound(
  ctx: KpContext,
  target: HaTarget,
  options: HaSyncOptions,
  obs: Observation,
  clock: RoundClock,
  remoteLockReleased: () => void,
  fastExpect: string | undefined,
): Promise<HaSyncReport> {
  const run: RoundRun = {ctx, target, options, obs, clock, fastExpect, remoteLockReleased, decision: decideRestart(obs.plan, options.restart, options.force)};
  const base = initialReport(run);
  const finish = (report: RoundReport) => finishReport(run, report);
  announceObservation(run);
  if (obs.plan.upToDate && !options.force) {
    if (reloadPending(target.credentialsKey, obs.component.domain) && ['auto', 'reload'].includes(options.restart)) {
      if (ctx.dryRun) {
        ctx.out.info(`[dry-run] ${obs.component.domain} is up to date, but an earlier round was stopped before HA reloaded it: would reload it now.`);
        return finish({...base, outcome: 'dry-run', restart: {...base.restart, rule: 'an earlier round was stopped before HA reloaded the new code'}});
      }
      return finish(await convergeReload(run, base));
    }
    ctx.out.success(`${obs.component.domain} ${obs.component.version} is up to date in ${target.label}: nothing sent, no restart.`);
    return finish({...base, outcome: 'up-to-date', restart: {...base.restart, method: 'none', rule: 'nothing changed'}});
  }
  // The lint gate comes before anything is copied: findings stop the round here.
  const lint = options.lint ? await options.lint(obs.component.dir, obs.plan) : base.lint;
  run.companion = await companionFor(run);
  const choice = chooseMethod(run);
  const withLint: RoundReport = {...base, lint, restart: {...base.restart, method: choice.method, fallback: choice.fallback}};
  // Until the companion answers, the new code in the target waits for its reload (a Ctrl-C in between is converged by the next round).
  if (choice.method === 'reload' && !ctx.dryRun) markReloadPending(target.credentialsKey, obs.component.domain);
  const sent = await sendAndSwap(run, choice.method).catch((error: unknown) => {
    // Nothing was swapped in: the code HA runs is the code in the target.
    if (choice.method === 'reload' && !(error instanceof InterruptedError)) clearReloadPending(target.credentialsKey, obs.component.domain);
    throw error;
  });
  if ('dryRun' in sent) return finish({...withLint, outcome: 'dry-run', upload: sent.upload});
  const afterApply = appliedReport(run, withLint, sent);
  if (choice.method === 'none') {
    if (options.restart === 'auto') ctx.out.info(`No restart: ${run.decision.rule}.`);
    return finish(afterApply);
  }
  if (choice.method !== 'reload') return finish(await restartAndJudge(run, choice.method, sent, afterApply));
  const reloaded = await reloadCode(run, afterApply, sent);
  return finish('report' in reloaded ? reloaded.report : await restartAndJudge(run, 'in-place', reloaded.fallback.sent, reloaded.fallback.report));
}

/** Restart HA (what the script could not send itself), wait until it answers, and judge the new code. */
async function restartAndJudge(run: RoundRun, chosen: AppliedRestart, sent: Applied, afterApply: RoundReport): Promise<RoundReport> {
  const method = await restartHa(run, chosen, sent, afterApply.restart);
  // HA restarts with the new code: no reload waits any more.
  clearReloadPending(run.target.credentialsKey, run.obs.component.domain);
  const deadline = sent.beforeRestart + run.options.timeoutMs;
  const waited = await awaitRestarted(run, method, sent, deadline);
  const afterRestart = restartedReport(run, afterApply, waited);
  if (afterRestart.outcome !== 'synced') return afterRestart;
  return judge(run, afterRestart, waited, {method, beforeRestart: sent.beforeRestart, deadline});
}

/**
 * The files are up to date, but an earlier round was stopped after its swap and before the companion
 * answered: HA may still run the old code. Reload it now (or restart in place where the companion is
 * gone), so the next run converges.
 */
async function convergeReload(run: RoundRun, base: RoundReport): Promise<RoundReport> {
  const {ctx, target, obs} = run;
  const why = `an earlier round into ${target.label} was stopped before HA reloaded the new code`;
  ctx.out.info(`${obs.component.domain} is up to date in ${target.label}, but ${why}: loading it now.`);
  run.decision = {method: 'restart', rule: why, reloadable: true};
  run.companion = run.options.reload === false ? undefined : await companionAvailability(ctx, target);
  const report: RoundReport = {
    ...base,
    restart: {
      ...base.restart,
      method: 'reload',
      rule: why,
      before: {restartCount: obs.state.restartCount, startedAt: obs.state.startedAt, haPid: obs.listing.ha?.pid},
    },
  };
  const nothingSent: Applied = {applied: parseApply(''), upload: base.upload, restartInScript: 'none', beforeRestart: Date.now()};
  if (run.companion?.ready) {
    const reloaded = await reloadCode(run, report, nothingSent);
    if ('report' in reloaded) return reloaded.report;
    return restartAndJudge(run, 'in-place', reloaded.fallback.sent, reloaded.fallback.report);
  }
  const unavailable = run.companion ? run.companion.why : 'this round may not reload';
  if (run.options.restart === 'reload') {
    throw fail.prerequisite(
      `--restart reload needs the ${COMPANION_DOMAIN} companion loaded in HA and kp's login for it: ${unavailable}.`,
      '--restart auto restarts HA in place instead.',
    );
  }
  const fallback = await restartAfterReload(run, report, nothingSent, unavailable);
  return restartAndJudge(run, 'in-place', fallback.sent, fallback.report);
}

/** The report before any step ran: what was observed, nothing done yet. */
function initialReport(run: RoundRun): RoundReport {
  const {ctx, target, options, obs, decision} = run;
  const {component, plan} = obs;
  return {
    domain: component.domain,
    version: component.version,
    source: component.dir,
    target: target.describe(),
    volume: `${obs.volume.description} at ${obs.volume.mountPoint}`,
    dryRun: ctx.dryRun,
    outcome: 'synced',
    exitCode: ExitCode.Ok,
    changes: {added: plan.added, modified: plan.modified, deleted: plan.deleted, replaced: plan.replaced, unchanged: plan.unchanged},
    upload: {files: 0, bytes: 0, contentBytes: 0},
    cacheClear: {removed: 0},
    restart: {
      method: 'none',
      requested: options.restart,
      rule: decision.rule,
      fallback: undefined,
      performed: false,
      observed: false,
      observedAfterMs: undefined,
      before: undefined,
      after: undefined,
    },
    ready: {ready: false, afterMs: undefined},
    verdict: {status: 'skipped', loaderLine: undefined, failures: []},
    verdictSource: undefined,
    configEntry: undefined,
    lint: {status: 'skipped', reason: 'no file changes', findings: [], unformatted: []},
    lock: {waitedMs: obs.lockWaitMs, taken: obs.lockTaken},
    skipped: obs.skipped,
    warnings: obs.warnings,
    processes: 0,
    durationMs: 0,
  };
}

/** The finished report: the round's processes and time counted, the summary rows derived. */
function finishReport(run: RoundRun, report: RoundReport): HaSyncReport {
  const done = {...report, processes: run.ctx.runner.spawnCount - run.clock.spawnsBefore, durationMs: Date.now() - run.clock.started};
  return {...done, summary: summaryRows(done)};
}

/** Say what the observation found that the user should know: warnings, repaired and left-over staging. */
function announceObservation({ctx: {out}, obs}: RoundRun): void {
  for (const warning of obs.warnings) out.warn(warning);
  if (obs.listing.recovered.length > 0) out.info(`Repaired and removed what an interrupted sync left: ${obs.listing.recovered.join(', ')}.`);
  if (obs.listing.leftovers.length > 0)
    out.info(`Found leftovers of an interrupted sync (${obs.listing.leftovers.join(', ')}); the next sync that is not a dry run repairs and removes them.`);
}

/**
 * Decide how HA restarts and say why before anything changes: in place wherever the target runs
 * HA under its supervisor (no container restart, no back-off), else the container.
 */
function chooseMethod(run: RoundRun): {method: AppliedRestart; fallback: string | undefined} {
  const {ctx, target, obs, decision} = run;
  const {listing} = obs;
  const caps: RestartCapabilities = {
    kind: target.kind,
    supervised: listing.ha?.supervised ?? false,
    unsupervisedReason: listing.ha
      ? `HA's process ${listing.ha.pid} runs under ${listing.ha.parent}, not s6-supervise`
      : 'no Home Assistant process apart from PID 1',
    noRestartPolicy: target.needsOutsideRestart,
    companion: run.companion?.ready === true,
  };
  const choice = chooseRestartMethod(decision, caps);
  if (!choice && decision.method === 'reload') {
    throw fail.prerequisite(
      `--restart reload needs the ${COMPANION_DOMAIN} companion loaded in HA and kp's login for it: ${run.companion && !run.companion.ready ? run.companion.why : 'not looked for'}. Nothing was changed.`,
      '`kp ha up` installs it in the HA it provisions; --restart auto restarts HA in place instead.',
    );
  }
  if (!choice) {
    throw fail.prerequisite(
      `--restart inplace needs HA under s6-supervise in ${target.label}: ${caps.unsupervisedReason ?? 'none found'}.`,
      'Use --restart auto (restarts the container instead) or --restart kill.',
    );
  }
  if (choice.fallback) ctx.out.warn(choice.fallback);
  else if (choice.method === 'kill') ctx.out.info(`kill 1 restarts the whole container: ${KILL_COST[target.kind]}.`);
  announcePlan(run, choice.method);
  return {method: choice.method, fallback: choice.fallback};
}

/** One line: what is sent where, how the tree is swapped in, and how HA restarts. */
function announcePlan({ctx: {out}, target, obs: {component, plan, layout}, decision}: RoundRun, method: AppliedRestart): void {
  out.step(
    `${component.domain} ${component.version}: ${describePlan(plan)}${plan.upToDate ? ' (--force)' : ''}; sending ${plan.upload.length} ${plan.upload.length === 1 ? 'file' : 'files'} (${formatBytes(plan.uploadBytes)}) to ${target.label}, ` +
      `building the new tree in ${layout.stagingRoot} and swapping it in with renames; ${RESTART_METHODS[method].announce(decision.rule)}.`,
  );
  if (method === 'pod') {
    const warning = target.outsideRestartWarning();
    if (warning) out.warn(warning);
  }
}

/**
 * Send the changed files as one tar stream and swap the new tree in, in ONE exec (the script also
 * sends the restart it can send itself). A dry run says what it would do; the watch's fast path
 * that finds the target other than remembered changes nothing and gives way to a full round.
 */
async function sendAndSwap(run: RoundRun, method: AppliedRestart): Promise<Applied | {dryRun: true; upload: HaSyncReport['upload']}> {
  const {ctx, target, options, obs, fastExpect} = run;
  const {plan, layout} = obs;
  if (method === 'in-place' && !fastExpect && !ctx.dryRun) await untilHaAnswers(ctx, target, obs.state, Date.now() + options.timeoutMs);
  const runId = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  const archive = uploadArchive(plan, runId);
  const restartInScript = RESTART_METHODS[method].inScript;
  const beforeRestart = Date.now();
  const applyArgs: ApplyArgs = {layout, runId, restart: restartInScript, owner: obs.lockOwner, release: method === 'none', deleted: plan.deleted, fastExpect};
  const result = await target
    .exec(fastExpect ? scriptCommand(SCRIPTS.fastApply, applyArgs) : scriptCommand(SCRIPTS.apply, applyArgs), {input: archive, mutating: true})
    .catch((error: unknown) => {
      // The fast path's exec could not run at all (the container went away): a full round says why.
      if (fastExpect && !(error instanceof InterruptedError)) throw new StaleMemory(`${target.label} did not answer as remembered`);
      throw error;
    });
  if (fastExpect && !result.skipped && !result.stdout.includes('KP_LOCK acquired')) {
    // Nothing was changed and the script gave its lock back (or never had it).
    run.remoteLockReleased();
    throw new StaleMemory(`${target.label} is not as the last round left it (${parseApply(result.stdout).stale ?? `exit ${result.exitCode}`})`);
  }
  const upload = {files: plan.upload.length, bytes: archive.length, contentBytes: plan.uploadBytes};
  if (result.skipped) {
    ctx.out.info(
      `[dry-run] would send ${upload.files} ${upload.files === 1 ? 'file' : 'files'} (${formatBytes(upload.bytes)}), delete ${plan.deleted.length}, and ${RESTART_METHODS[method].dryRun} (${run.decision.rule}).`,
    );
    return {dryRun: true, upload};
  }
  const applied = parseApply(result.stdout);
  if (applied.unlocked) run.remoteLockReleased();
  if (!applied.swapped) {
    const reason = applied.failure ?? `${result.stderr}${result.stdout}`.trim().split('\n').slice(-3).join(' ');
    throw fail.toolFailed(
      `Updating ${layout.componentDir} in ${target.label} failed: ${reason}`,
      'The live component was left as it was (kp only swaps a complete tree in). Run kp ha sync again.',
    );
  }
  ctx.out.success(
    `${upload.files} ${upload.files === 1 ? 'file' : 'files'} sent (${formatBytes(upload.bytes)}), ${plan.deleted.length} deleted, ${applied.pycacheRemoved} __pycache__ removed; component swapped in.`,
  );
  return {applied, upload, restartInScript, beforeRestart};
}

/** Whether the companion can take this round's change: looked at only when the change is reloadable and the round may reload. */
async function companionFor(run: RoundRun): Promise<CompanionAvailability | undefined> {
  const {ctx, target, options, decision} = run;
  if (!decision.reloadable || options.reload === false) return undefined;
  // A dry run changes nothing, not even kp's kept login (opening a session may log in again).
  if (ctx.dryRun) {
    ctx.out.info(`[dry-run] not looking for the ${COMPANION_DOMAIN} companion: where it is loaded, the real run reloads the code instead of restarting HA.`);
    return {ready: false, why: 'not looked for under --dry-run'};
  }
  return companionAvailability(ctx, target);
}

/** A reload's outcome: the finished report, or the restart the round falls back to (the new files are in place). */
type ReloadOutcome = {report: RoundReport} | {fallback: {sent: Applied; report: RoundReport}};

/**
 * Ask the companion to reload the new code in the running HA (the swap already removed the
 * component's bytecode). Its answer is judged by HA's own entry states; a refusal, no answer within
 * RELOAD_BOUND_MS, or a failure inside HA falls back to the in-place restart in the same round, said
 * in one line (`--restart reload` insists: exit 3 instead).
 */
async function reloadCode(run: RoundRun, afterApply: RoundReport, sent: Applied): Promise<ReloadOutcome> {
  const {ctx, target, options, obs} = run;
  const companion = run.companion;
  if (!companion?.ready) throw fail.internal('a reload was chosen without the companion');
  const answer = await requestReload(ctx, target, companion.session, obs.component.domain, Math.min(options.timeoutMs, RELOAD_BOUND_MS));
  if ('failed' in answer || answer.restartRequired) {
    const why = 'failed' in answer ? answer.failed : (answer.reason ?? 'the companion asked for a restart');
    if (options.restart === 'reload') {
      throw fail.prerequisite(
        `The code reload did not happen: ${why}.`,
        'The new files are in place; a plain `kp ha sync` loads them (it reloads again, or restarts HA in place where only that helps).',
      );
    }
    return {fallback: await restartAfterReload(run, afterApply, sent, why)};
  }
  const judged = await judgeReload(run, afterApply, sent, answer);
  // HA answered for the new code (loaded, or its own error for it): nothing waits any more.
  clearReloadPending(target.credentialsKey, obs.component.domain);
  return {report: judged};
}

/** The reload did not happen: SIGHUP to HA under its supervisor, under the round's lock (sh/restart.sh). */
async function restartAfterReload(run: RoundRun, afterApply: RoundReport, sent: Applied, why: string): Promise<{sent: Applied; report: RoundReport}> {
  const {ctx, target, obs} = run;
  const fallback = `no code reload (${why}): restarting HA in place instead`;
  ctx.out.warn(fallback);
  const beforeRestart = Date.now();
  const result = await target.exec(scriptCommand(SCRIPTS.restart, {layout: obs.layout, owner: obs.lockOwner}), {mutating: true});
  const signalled = parseApply(result.stdout);
  if (signalled.failure)
    throw fail.toolFailed(`Restarting HA in ${target.label} failed: ${signalled.failure}`, 'The new files are in place; run kp ha sync --force.');
  const applied = {...sent.applied, signalled: signalled.signalled, restartSent: signalled.restartSent, noSupervisor: signalled.noSupervisor};
  const restart: HaSyncReport['restart'] = {
    ...afterApply.restart,
    method: 'in-place',
    fallback,
    before: {...afterApply.restart.before!, haPid: signalled.signalled?.pid ?? afterApply.restart.before?.haPid},
  };
  return {sent: {...sent, applied, restartInScript: 'inplace', beforeRestart}, report: {...afterApply, restart}};
}

/**
 * HA's verdict on reloaded code: the entries' states as the companion read them, confirmed by HA's
 * entry API (the same exit codes as after a restart); a domain without entries is judged by the
 * answer itself. The log since the reload adds the detail (HA's own traceback).
 */
async function judgeReload(run: RoundRun, afterApply: RoundReport, sent: Applied, answer: ReloadAnswer): Promise<RoundReport> {
  const {target, obs} = run;
  const domain = obs.component.domain;
  const haPid = obs.listing.ha?.pid;
  const restart: HaSyncReport['restart'] = {
    ...afterApply.restart,
    performed: true,
    observed: true,
    observedAfterMs: answer.ms,
    after: {restartCount: obs.state.restartCount, startedAt: obs.state.startedAt, haPid},
  };
  const reload = {ms: answer.ms, reason: answer.reason, steps: answer.steps, traceback: answer.traceback};
  const readyAt = Date.now();
  const log = parseLogVerdict(await target.logsSince(logWindowStart(obs.state.startedAt, sent.beforeRestart)), domain);
  const {entry, verdictSource} =
    answer.entries.length > 0
      ? await entryVerdict(run, Math.max(sent.beforeRestart + run.options.timeoutMs, Date.now() + 5_000))
      : {entry: undefined, verdictSource: {used: 'reload' as const, why: `${domain} has no config entry: the companion's answer decides`}};
  // The companion imported the code (or says why not): the log adds only failures.
  const status = !answer.reloaded || log.status === 'failed' ? ('failed' as const) : ('found' as const);
  const verdict = {...log, status, readMs: Date.now() - readyAt};
  const configEntry = entry ? {state: entry.state, reason: entry.reason, final: entry.final, readMs: entry.readMs, entries: entry.entries} : undefined;
  const exitCode = entry ? entryExitCode(entry) : verdict.status === 'found' ? ExitCode.Ok : ExitCode.VerificationFailed;
  const warnings = [...afterApply.warnings];
  if (answer.reason) warnings.push(`${COMPANION_DOMAIN}: ${answer.reason}.`);
  return {
    ...afterApply,
    restart,
    reload,
    ready: {ready: true, afterMs: answer.ms},
    verdict,
    verdictSource,
    configEntry,
    warnings,
    outcome: exitCode === ExitCode.Ok ? 'synced' : 'failed',
    exitCode,
  };
}

/** The report once the new tree is in place: what was sent and cleared, and HA as it was before the restart. */
function appliedReport({obs}: RoundRun, withLint: RoundReport, sent: Applied): RoundReport {
  const restart: HaSyncReport['restart'] = {
    ...withLint.restart,
    before: {restartCount: obs.state.restartCount, startedAt: obs.state.startedAt, haPid: sent.applied.signalled?.pid ?? obs.listing.ha?.pid},
  };
  return {...withLint, upload: sent.upload, cacheClear: {removed: sent.applied.pycacheRemoved}, restart};
}

/**
 * Carry out the restart the script could not send itself: when HA could not be restarted in place
 * after all (its supervisor is gone), the container instead, saying why. Returns the method used
 * (recorded in `restart`, the report's restart object).
 */
async function restartHa(run: RoundRun, chosen: AppliedRestart, sent: Applied, restart: HaSyncReport['restart']): Promise<AppliedRestart> {
  const {ctx, target, options} = run;
  const {applied} = sent;
  let method = chosen;
  if (sent.restartInScript !== 'none' && !applied.restartSent && !applied.noSupervisor) {
    throw fail.toolFailed(
      `${method === 'in-place' ? "Signalling HA's process" : 'kill 1'} failed in ${target.label}.`,
      'Restart HA by hand, or use --restart none.',
    );
  }
  if (method === 'in-place' && applied.noSupervisor) {
    // The supervisor the listing saw is gone by now (HA itself replaced?): restart the container instead.
    if (options.restart === 'inplace') {
      throw fail.prerequisite(
        `HA could not be restarted in place in ${target.label}: ${applied.noSupervisor}.`,
        'The new files are in place; restart HA with `kp ha sync --force --restart kill`.',
      );
    }
    method = target.kind === 'container' ? 'container' : 'kill';
    restart.method = method;
    restart.fallback = `HA could not be restarted in place (${applied.noSupervisor}): restarting the ${target.kind}; ${BACKOFF_COST[target.kind]}.`;
    ctx.out.warn(restart.fallback);
    if (method === 'kill') await killFromInside(target);
  }
  if (RESTART_METHODS[method].fromOutside) await target.restartFromOutside();
  return method;
}

/** `kill 1` in the target; the exec itself dies with the container it stopped (SIGKILL's or SIGTERM's exit code). */
async function killFromInside(target: HaTarget): Promise<void> {
  const killed = await target.exec(['kill', '1'], {mutating: true});
  if (![0, 137, 143].includes(killed.exitCode) && !target.isRestarting(new Error(killed.stderr))) {
    throw fail.toolFailed(
      `kill 1 failed in ${target.label}: ${killed.stderr.trim().split('\n').at(-1) ?? `exit ${killed.exitCode}`}`,
      'The new files are in place; restart HA by hand, then `kp ha status` shows whether it loaded them.',
    );
  }
}

/** Wait until the restart is observed and HA answers (the in-place wait follows HA's own process). */
function awaitRestarted(run: RoundRun, method: AppliedRestart, sent: Applied, deadline: number): Promise<RestartWait> {
  const {ctx, target, obs, clock} = run;
  const signalled = sent.applied.signalled;
  return RESTART_METHODS[method].observe === 'process' && signalled
    ? waitForInPlace(ctx, target, obs.state, signalled, sent.beforeRestart, deadline, clock.pollMs)
    : waitForRestart(ctx, target, obs.state, sent.beforeRestart, deadline, clock.pollMs);
}

/** The report after the wait: the restart as observed; a target that stopped or never answered ends the round here. */
function restartedReport({target}: RoundRun, afterApply: RoundReport, waited: RestartWait): RoundReport {
  const restart: HaSyncReport['restart'] = {
    ...afterApply.restart,
    performed: true,
    observed: waited.observed,
    observedAfterMs: waited.observedAfterMs,
    after: {restartCount: waited.state.restartCount, startedAt: waited.state.startedAt, haPid: waited.haPid},
  };
  const ready = {ready: waited.ready, afterMs: waited.readyAfterMs};
  if (waited.stopped) {
    // Failed within seconds of the stop, not at --timeout; a watch keeps going and the next edit retries.
    return {
      ...afterApply,
      restart,
      ready,
      outcome: 'stopped',
      exitCode: ExitCode.Prerequisite,
      warnings: [...afterApply.warnings, `${target.label} stopped during the restart: ${waited.stopped}.`],
    };
  }
  if (!waited.ready) {
    if (waited.state.backoff) afterApply.warnings.push(`${target.label} is waiting in a back-off: ${notRunningReason(waited.state)}.`);
    return {...afterApply, restart, ready, outcome: 'timeout', exitCode: ExitCode.Timeout};
  }
  return {...afterApply, restart, ready};
}

/**
 * HA's verdict on the new code: its own (the config entry's state) where kp holds a token for this
 * HA and the domain has an entry, the log otherwise, and the exit code it means.
 */
async function judge(
  run: RoundRun,
  report: RoundReport,
  waited: RestartWait,
  restart: {method: AppliedRestart; beforeRestart: number; deadline: number},
): Promise<RoundReport> {
  const {target, options, obs} = run;
  const {component} = obs;
  // Never from before the apply exec started: the old instance's lines (a failure the previous round
  // reported, perhaps under a second ago now that kp starts fast) must not judge the new one. Log
  // timestamps come from this machine's clock (the engine or kubelet stamps them on receipt). After an
  // in-place restart the container (and its log) is the same: the window starts when the new HA
  // process started, so the old one's last lines (its shutdown, an error of the old code) never judge
  // the new code.
  const logsFrom = logWindowStart(waited.state.startedAt, Math.max(restart.beforeRestart, waited.haStartedAt ?? 0));
  const logDeadline = Math.max(restart.deadline, Date.now() + 5_000);
  const readyAt = Date.now();
  const {entry, verdictSource} = await entryVerdict(run, logDeadline);
  const verdict = {
    ...(entry
      ? parseLogVerdict(await target.logsSince(logsFrom), component.domain)
      : await readVerdict(target, component.domain, logsFrom, logDeadline, options.settleMs, run.clock.pollMs)),
    readMs: 0,
  };
  verdict.readMs = Date.now() - readyAt;
  const warnings = [...report.warnings];
  if (restart.method === 'pod') {
    const overwritten = await initContainerOverwrote(run);
    if (overwritten) warnings.push(overwritten);
  }
  const configEntry = entry ? {state: entry.state, reason: entry.reason, final: entry.final, readMs: entry.readMs, entries: entry.entries} : undefined;
  const exitCode = entry ? entryExitCode(entry) : verdict.status === 'found' ? ExitCode.Ok : ExitCode.VerificationFailed;
  if (entry && entry.state === 'loaded' && verdict.failures.length > 0)
    warnings.push(`HA reports the ${component.domain} entry loaded, but its log shows ${verdict.failures.length} failure(s) since the restart (see below).`);
  return {...report, verdict, verdictSource, configEntry, warnings, outcome: exitCode === ExitCode.Ok ? 'synced' : 'failed', exitCode};
}

/**
 * HA's own verdict where kp holds a token for this HA and the domain has a config entry: the round
 * ends as soon as the entry's state is final. Else (and when HA's API fails, which is no verdict on
 * the component) the log decides, and `verdictSource` says why.
 */
async function entryVerdict(run: RoundRun, deadline: number) {
  const {ctx, target, options, obs} = run;
  const session = options.entryVerdict === false ? {none: 'not asked for'} : await openSession(ctx, target);
  let apiFailure: string | undefined;
  const entry =
    'api' in session
      ? await readEntryVerdict(session, obs.component.domain, deadline, run.clock.pollMs).catch((error: unknown) => {
          if (error instanceof InterruptedError) throw error;
          apiFailure = (error as Error).message;
          return undefined;
        })
      : undefined;
  const verdictSource: HaSyncReport['verdictSource'] = entry
    ? {used: 'config-entry', why: `kp holds a token for this HA (owner ${'owner' in session ? session.owner : '?'})`}
    : {used: 'log', why: 'none' in session ? session.none : (apiFailure ?? `${obs.component.domain} has no config entry in HA yet`)};
  return {entry, verdictSource};
}

/** After a pod restart an initContainer may have overwritten the synced files: the warning when it did. */
async function initContainerOverwrote({target, options, obs}: RoundRun): Promise<string | undefined> {
  const again = await listRemote(target, obs.layout);
  const ignored = compileIgnores(options.ignore ?? []);
  const recheck = planSync(collectFiles(obs.component.dir, again.hashAlgorithm, ignored).files, withoutIgnored(again.files, ignored), again.symlinks);
  return recheck.upToDate
    ? undefined
    : `after the pod restart the installed files differ from the local ones (${describePlan(recheck)}): an initContainer overwrote them.`;
}
