/**
 * The lint gate of `kp ha sync`: when Python files changed, `ruff check` and `ruff format --check`
 * run on the component before anything is copied. Ruff is optional by default (absent: one
 * "lint skipped: ruff not found" line), required with `--lint` (absent: exit 3) and skipped with
 * `--no-lint`. Findings are printed and stop the sync with exit 2. Both ruff calls are read-only,
 * so the gate runs under --dry-run too.
 */
import path from 'node:path';
import {fail, KpError} from '../../core/errors.js';
import {formatFinding, Ruff, RUFF_INSTALL_HINT, type RuffFinding} from '../../tools/ruff.js';
import type {KpContext} from '../context.js';
import type {SyncPlan} from './plan.js';

/** `auto` (default: lint when ruff is there), `required` (`--lint`), `off` (`--no-lint`). */
export type LintMode = 'auto' | 'required' | 'off';

/** What the gate is asked to check. */
export interface LintOptions {
  /** Absolute path of `custom_components/<domain>`. */
  componentDir: string;
  mode: LintMode;
  /** Did this sync add or modify a Python file (see `pythonChanged`)? */
  pythonChanged: boolean;
  /** The ruff executable (default `ruff`, found on PATH). */
  bin?: string;
}

/** One finding for the report: ruff's, with `file` as the POSIX path inside the component (as plan paths are). */
export type LintFinding = RuffFinding;

/** The gate's outcome, for the JSON report (a failed gate is also thrown, with this as details.lint). */
export interface LintResult {
  status: 'passed' | 'skipped' | 'failed';
  reason: string;
  /** The ruff that ran (`0.14.5`); undefined when none did. */
  ruffVersion?: string;
  findings: LintFinding[];
  /** Files `ruff format` would change, as POSIX paths inside the component. */
  unformatted: string[];
}

/** The one line printed when ruff is absent and the lint is optional. */
export const LINT_SKIPPED_NO_RUFF = 'lint skipped: ruff not found';

const LINT_TRIGGERS = new Set(['pyproject.toml', 'ruff.toml', '.ruff.toml']);

/**
 * Does this plan add or modify a Python file (`.py`, `.pyi`) or a ruff config inside the component?
 * Deletions alone do not count: ruff can only check files that are there.
 */
export function pythonChanged(plan: Pick<SyncPlan, 'added' | 'modified'>): boolean {
  return [...plan.added, ...plan.modified].some((file) => /\.pyi?$/.test(file) || LINT_TRIGGERS.has(path.posix.basename(file)));
}

/** A path inside the component as a POSIX relative path; left absolute when it lies outside. */
function insideComponent(componentDir: string, file: string): string {
  const relative = path.relative(componentDir, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}

/** Where the user finds the file: relative to their working directory when under it. */
function forDisplay(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

function ruffRequired(): KpError {
  return fail.prerequisite('--lint needs ruff, and ruff was not found on PATH.', `${RUFF_INSTALL_HINT} Or drop --lint: without ruff the lint is then skipped.`);
}

/** With `--lint`, ruff must be there: checked before anything else runs (exit 3), not after the target is locked. */
export async function assertLintPossible(ctx: KpContext, mode: LintMode, bin = 'ruff'): Promise<void> {
  if (mode === 'required' && (await Ruff.version(ctx.runner, bin)) === undefined) throw ruffRequired();
}

/** Run the lint gate. Returns passed/skipped; throws exit 3 (required, ruff absent) or exit 2 (findings). */
export async function lintGate(ctx: KpContext, options: LintOptions): Promise<LintResult> {
  const skipped = (reason: string): LintResult => ({status: 'skipped', reason, findings: [], unformatted: []});
  if (options.mode === 'off') return skipped('--no-lint');
  if (!options.pythonChanged) return skipped('no Python file changed');

  const bin = options.bin ?? 'ruff';
  const version = await Ruff.version(ctx.runner, bin);
  if (version === undefined) {
    if (options.mode === 'required') throw ruffRequired();
    ctx.out.info(LINT_SKIPPED_NO_RUFF);
    return skipped('ruff not found');
  }

  const componentDir = path.resolve(options.componentDir);
  const ruff = new Ruff(ctx.runner, bin);
  if (ctx.verbose) ctx.out.step(`ruff ${version}: checking ${forDisplay(componentDir)}`);
  const checked = await ruff.check(componentDir);
  const formatted = await ruff.formatCheck(componentDir);

  const toFinding = (f: RuffFinding): LintFinding => ({...f, file: insideComponent(componentDir, f.file)});
  const result: LintResult = {
    status: 'passed',
    reason: 'ruff check and ruff format --check passed',
    ruffVersion: version,
    findings: checked.findings.map(toFinding),
    unformatted: formatted.unformatted.map((file) => insideComponent(componentDir, file)),
  };
  if (result.findings.length === 0 && result.unformatted.length === 0) return result;

  for (const finding of checked.findings) ctx.out.info(formatFinding(finding, forDisplay(finding.file)));
  for (const file of formatted.unformatted) ctx.out.info(`Would reformat: ${forDisplay(file)}`);

  const problems = [
    ...(result.findings.length > 0 ? [plural(result.findings.length, 'ruff finding', 'ruff findings')] : []),
    ...(result.unformatted.length > 0 ? [plural(result.unformatted.length, 'file ruff would reformat', 'files ruff would reformat')] : []),
  ].join(' and ');
  const failed: LintResult = {...result, status: 'failed', reason: problems};
  const target = forDisplay(componentDir);
  const fixes = [
    ...(result.findings.length > 0 ? [`\`ruff check --fix ${target}\``] : []),
    ...(result.unformatted.length > 0 ? [`\`ruff format ${target}\``] : []),
  ].join(' and ');
  throw fail.usage(
    `Lint failed: ${problems}; nothing was copied.`,
    `Fix them (${fixes} fix most) and sync again, or pass --no-lint to sync without the lint.`,
    {details: {lint: failed}},
  );
}
