/**
 * `kp ha sync`: pick the target the options name, then run one sync round, or keep syncing
 * after every burst of local changes with `--watch`.
 */
import {ExitCode} from '../../core/errors.js';
import type {KpContext} from '../context.js';
import {haUrlOverride} from './onboarding.js';
import {compileIgnores, detectSource} from './component.js';
import {assertLintPossible, lintGate, lintScope} from './lint.js';
import type {HaSyncReport} from './report.js';
import {runSyncRound, type HaSyncOptions} from './round.js';
import {announceTarget, resolveTarget, validateConfigDir, type TargetOptions} from './targets/select.js';
import {runHaWatch, type HaWatchResult, type WatchRound} from './watch.js';

/** Everything `kp ha sync` was asked to do. */
export interface HaSyncRequest extends HaSyncOptions {
  target: TargetOptions;
  watch: boolean;
  debounceMs: number;
  /** The lint gate: auto (when ruff is on PATH), required (--lint), off (--no-lint). */
  lintMode: 'auto' | 'required' | 'off';
  /** Called after every watch round (live output); not called without --watch. */
  onRound?: (round: WatchRound) => void;
}

/** What `kp ha sync` returns: one round's report, or every round of a watch session. */
export type HaSyncResult = HaSyncReport | HaWatchResult;

/** Run `kp ha sync`. */
export async function haSync(ctx: KpContext, request: HaSyncRequest): Promise<HaSyncResult> {
  const configDir = validateConfigDir(request.configDir);
  haUrlOverride(); // a bad KP_HA_URL is bad input, refused before anything runs
  // The component is every input too: a wrong --source is exit 2 before any target is looked for.
  detectSource(request.cwd, request.source);
  compileIgnores(request.ignore ?? []);
  await assertLintPossible(ctx, request.lintMode);
  const target = await resolveTarget(ctx, request.target);
  announceTarget(ctx, target);
  const lintMode = request.lintMode;
  request = {
    ...request,
    configDir,
    lint: (componentDir, plan) => lintGate(ctx, {componentDir, mode: lintMode, ...lintScope(plan)}),
  };
  if (!request.watch) return runSyncRound(ctx, target, request);
  return runHaWatch(ctx, target, request, request.debounceMs, request.onRound ?? (() => undefined));
}

/** The exit code of a sync result: a round's own (6 when HA did not load it); 130 for a watch session, which only Ctrl-C ends. */
export function haSyncExitCode(result: HaSyncResult): number {
  return 'watch' in result ? ExitCode.Interrupted : result.exitCode;
}
