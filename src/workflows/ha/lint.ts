/**
 * The lint gate of `kp ha sync`: when Python files changed, `ruff check` and `ruff format --check`
 * run on them before anything is copied. Two engines, one output:
 * - `binary`: the `ruff` on PATH, preferred whenever it is there;
 * - `wasm`: otherwise Ruff's WebAssembly build (tools/ruff-wasm.ts, the same pinned version the
 *   tests run as a binary) in kp's own process, reading the checkout's ruff config as ruff does
 *   (config/ruff-config.ts). Loaded only here, only when a Python file changed.
 * Both check the Python files this sync adds or modifies (every Python file of the component when
 * a ruff config inside it changed), with ruff's exclusions applied (`--force-exclude`).
 *
 * Outcomes and exit codes: findings or files to reformat are printed as ruff prints them and stop
 * the sync with exit 2; a ruff config that does not parse (TOML syntax, a key or value ruff
 * refuses) is exit 2 naming `file:line:col` with the wasm engine, exit 4 ("ruff failed") with the
 * binary. `--no-lint` skips; by default a machine with neither engine prints one
 * "lint skipped: ruff not found" line, and so does a config only the binary can follow (`extend`);
 * with `--lint` either of those is exit 3. Both engines only read, so the gate runs under --dry-run.
 */
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {keyPosition, RuffConfigResolver, RuffConfigUnsupported, type RuffConfigFile} from '../../config/ruff-config.js';
import {fail, KpError} from '../../core/errors.js';
import {formatFinding, Ruff, RUFF_INSTALL_HINT, type RuffFinding} from '../../tools/ruff.js';
import {loadRuffWasm, RUFF_WASM_PACKAGE, ruffWasmInstalled, RuffWasmSettingsError, type RuffWasm} from '../../tools/ruff-wasm.js';
import type {KpContext} from '../context.js';
import type {SyncPlan} from './plan.js';

/** `auto` (default: lint when ruff is there), `required` (`--lint`), `off` (`--no-lint`). */
export type LintMode = 'auto' | 'required' | 'off';

/** Which ruff ran: the `ruff` binary on PATH, or Ruff's WebAssembly build in kp's process. */
export type LintEngine = 'binary' | 'wasm';

/** What the gate is asked to check. */
export interface LintOptions {
  /** Absolute path of `custom_components/<domain>`. */
  componentDir: string;
  mode: LintMode;
  /** Did this sync add or modify a Python file or a ruff config (see `lintScope`)? */
  pythonChanged: boolean;
  /** The files to check, POSIX paths inside the component; undefined: every Python file in it. */
  files?: readonly string[];
  /** The ruff executable (default `ruff`, found on PATH). */
  bin?: string;
  /** The npm package of the WebAssembly build (tests name a missing one). */
  wasmPackage?: string;
}

/** One finding for the report: ruff's, with `file` as the POSIX path inside the component (as plan paths are). */
export type LintFinding = RuffFinding;

/** The gate's outcome, for the JSON report (a failed gate is also thrown, with this as details.lint). */
export interface LintResult {
  status: 'passed' | 'skipped' | 'failed';
  reason: string;
  /** Which ruff ran; undefined when none did. */
  engine?: LintEngine;
  /** The ruff that ran (`0.15.22`, the WebAssembly build's own version for `wasm`); undefined when none did. */
  ruffVersion?: string;
  findings: LintFinding[];
  /** Files `ruff format` would change, as POSIX paths inside the component. */
  unformatted: string[];
}

/** The one line printed when no ruff is there and the lint is optional. */
export const LINT_SKIPPED_NO_RUFF = 'lint skipped: ruff not found';

const LINT_TRIGGERS = new Set(['pyproject.toml', 'ruff.toml', '.ruff.toml']);
const PYTHON = /\.pyi?$/;

/**
 * What this plan asks the gate to check: the Python files (`.py`, `.pyi`) it adds or modifies, or
 * every Python file of the component when a ruff config inside it changed (the config applies to all
 * of them). Deletions alone do not count: ruff can only check files that are there.
 */
export function lintScope(plan: Pick<SyncPlan, 'added' | 'modified'>): Pick<LintOptions, 'pythonChanged' | 'files'> {
  const changed = [...plan.added, ...plan.modified];
  const configChanged = changed.some((file) => LINT_TRIGGERS.has(path.posix.basename(file)));
  const python = changed.filter((file) => PYTHON.test(file));
  return {pythonChanged: configChanged || python.length > 0, files: configChanged ? undefined : python};
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
  return fail.prerequisite(
    `--lint needs ruff, and neither ruff on PATH nor kp's in-process ruff (${RUFF_WASM_PACKAGE}) was found.`,
    `${RUFF_INSTALL_HINT} Or reinstall kp (the package carries its in-process ruff), or drop --lint: the lint is then skipped.`,
  );
}

/** With `--lint`, a ruff must be there: checked before anything else runs (exit 3), not after the target is locked. */
export async function assertLintPossible(ctx: KpContext, mode: LintMode, bin = 'ruff', wasmPackage = RUFF_WASM_PACKAGE): Promise<void> {
  if (mode === 'required' && !ruffWasmInstalled(wasmPackage) && (await Ruff.version(ctx.runner, bin)) === undefined) throw ruffRequired();
}

/** kp's in-process ruff, undefined when not installed; a broken install (its .wasm gone) is ruff failing (exit 4), not a bug of kp's. */
function loadWasmEngine(pkg: string | undefined): RuffWasm | undefined {
  try {
    return loadRuffWasm(pkg);
  } catch (error) {
    throw fail.toolFailed(
      `kp's in-process ruff (${pkg ?? RUFF_WASM_PACKAGE}) could not be loaded: ${(error as Error).message ?? String(error)}`,
      `Reinstall kp, or ${RUFF_INSTALL_HINT.charAt(0).toLowerCase()}${RUFF_INSTALL_HINT.slice(1)} Or pass --no-lint.`,
      {cause: error},
    );
  }
}

/** What one engine found: absolute paths, in ruff's order. */
interface EngineOutcome {
  findings: RuffFinding[];
  unformatted: string[];
}

/** Run the lint gate. Returns passed/skipped; throws exit 3 (required, no ruff) or exit 2 (findings, a bad config). */
export async function lintGate(ctx: KpContext, options: LintOptions): Promise<LintResult> {
  const skipped = (reason: string): LintResult => ({status: 'skipped', reason, findings: [], unformatted: []});
  if (options.mode === 'off') return skipped('--no-lint');
  if (!options.pythonChanged) return skipped('no Python file changed');

  const componentDir = path.resolve(options.componentDir);
  const bin = options.bin ?? 'ruff';
  const version = await Ruff.version(ctx.runner, bin);
  const wasm = version === undefined ? loadWasmEngine(options.wasmPackage) : undefined;
  if (version === undefined && wasm === undefined) {
    if (options.mode === 'required') throw ruffRequired();
    ctx.out.info(LINT_SKIPPED_NO_RUFF);
    return skipped('ruff not found');
  }

  const engine: LintEngine = wasm ? 'wasm' : 'binary';
  const ruffVersion = wasm ? wasm.version : version!;
  const count = options.files ? plural(options.files.length, 'file', 'files') : 'every Python file';
  if (ctx.verbose) {
    const which = wasm ? "Ruff's WebAssembly build in kp's process (no ruff on PATH)" : `${bin} on PATH`;
    ctx.out.step(`lint: ruff ${ruffVersion}, ${which}: ${count} in ${forDisplay(componentDir)}`);
  }
  let outcome: EngineOutcome;
  try {
    outcome = wasm ? await wasmLint(ctx, wasm, componentDir, options.files) : await binaryLint(new Ruff(ctx.runner, bin), componentDir, options.files);
  } catch (error) {
    if (!(error instanceof RuffConfigUnsupported)) throw error;
    const reason = `ruff not found, and kp's in-process ruff cannot use ${error.where}: ${error.reason}`;
    if (options.mode === 'required') throw fail.prerequisite(`--lint needs ruff here: ${reason}.`, RUFF_INSTALL_HINT);
    ctx.out.info(`lint skipped: ${reason}`);
    return skipped(reason);
  }
  return verdict(ctx, componentDir, engine, ruffVersion, outcome);
}

/** Passed, or print every finding as ruff does and throw exit 2 with the result in its details. */
function verdict(ctx: KpContext, componentDir: string, engine: LintEngine, ruffVersion: string, outcome: EngineOutcome): LintResult {
  const toFinding = (f: RuffFinding): LintFinding => ({...f, file: insideComponent(componentDir, f.file)});
  const result: LintResult = {
    status: 'passed',
    reason: 'ruff check and ruff format --check passed',
    engine,
    ruffVersion,
    findings: outcome.findings.map(toFinding),
    unformatted: outcome.unformatted.map((file) => insideComponent(componentDir, file)),
  };
  if (result.findings.length === 0 && result.unformatted.length === 0) return result;

  for (const finding of outcome.findings) ctx.out.info(formatFinding(finding, forDisplay(finding.file)));
  for (const file of outcome.unformatted) ctx.out.info(`Would reformat: ${forDisplay(file)}`);

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
  const withRuff = engine === 'wasm' ? ', with ruff installed: `pipx install ruff`' : '';
  throw fail.usage(
    `Lint failed: ${problems}; nothing was copied.`,
    `Fix them (${fixes} fix most${withRuff}) and sync again, or pass --no-lint to sync without the lint.`,
    {details: {lint: failed}},
  );
}

/** The binary engine: `ruff check` and `ruff format --check` on the files (or the whole folder). */
async function binaryLint(ruff: Ruff, componentDir: string, files: readonly string[] | undefined): Promise<EngineOutcome> {
  const targets = files?.map((file) => path.join(componentDir, file));
  const checked = await ruff.check(componentDir, targets);
  const formatted = await ruff.formatCheck(componentDir, targets);
  // A file the formatter cannot parse or read that the check did not report (lint.exclude covers it) is still a finding.
  return {findings: [...checked.findings, ...unreported(formatted.failures, checked.findings)], unformatted: formatted.unformatted};
}

/** The failures no finding of the same file and code already reports. */
function unreported(failures: readonly RuffFinding[], findings: readonly RuffFinding[]): RuffFinding[] {
  const reported = new Set(findings.map((f) => `${f.file}\0${f.code}`));
  return failures.filter((f) => !reported.has(`${f.file}\0${f.code}`));
}

/** Ruff's order of paths: component by component (`a/b.py` before `a.py`). */
const byPath = (a: string, b: string): number => {
  const [x, y] = [a.split(path.sep), b.split(path.sep)];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
};

/** Every `.py` / `.pyi` under the component, folders ruff excludes (`.venv`, `node_modules`, ...) not entered, as ruff's walk skips them. */
function pythonFilesIn(dir: string, resolver: RuffConfigResolver): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__pycache__' || resolver.excludedBy(full) ? [] : pythonFilesIn(full, resolver);
    return entry.isFile() && PYTHON.test(entry.name) ? [full] : [];
  });
}

/** The wasm engine: each file's text checked and format-checked with the settings ruff would use for it. */
async function wasmLint(ctx: KpContext, wasm: RuffWasm, componentDir: string, files: readonly string[] | undefined): Promise<EngineOutcome> {
  // smol-toml: a TOML 1.0 parser (no dependencies), loaded with the engine, never at start-up.
  const {parse} = await import('smol-toml');
  // With no config the project root is ruff's working directory: the binary runs from the component's parent.
  const resolver = new RuffConfigResolver(path.dirname(componentDir), parse);
  const targets = (files ? files.map((file) => path.join(componentDir, file)) : pythonFilesIn(componentDir, resolver)).sort(byPath);
  const outcome: EngineOutcome = {findings: [], unformatted: []};
  const stubs: string[] = [];
  for (const file of targets) {
    const lint = resolver.settingsFor(file, 'lint');
    const format = resolver.settingsFor(file, 'format');
    if (lint.excluded && format.excluded) continue;
    const read = readPython(file);
    if ('unreadable' in read) {
      outcome.findings.push(read.unreadable);
      continue;
    }
    const {source} = read;
    const findings = lint.excluded ? [] : withSettings(file, lint.config, () => wasm.check(file, source, lint.options));
    outcome.findings.push(...findings);
    if (format.excluded) continue;
    // A stub is formatted by stub rules the wasm build does not apply (it formats every text as .py).
    if (file.endsWith('.pyi')) {
      stubs.push(file);
      continue;
    }
    const reformat = withSettings(file, format.config, () => wasm.wouldReformat(source, format.options));
    if (reformat) outcome.unformatted.push(file);
    // Unparsable: the binary's `ruff format` reports the first syntax error, even where lint.exclude kept the check quiet.
    if (reformat === undefined) outcome.findings.push(...unreported(firstSyntaxError(wasm, file, source, format.options), findings));
  }
  if (stubs.length > 0)
    ctx.out.info(
      `lint: ${plural(stubs.length, 'stub (.pyi) was', 'stubs (.pyi) were')} not format-checked: kp's in-process ruff formats only .py (install ruff for that).`,
    );
  return outcome;
}

/** The text of a Python file, or the E902 finding the ruff CLI gives a file it cannot read or decode (crates/ruff/src/diagnostics.rs). */
function readPython(file: string): {source: string} | {unreadable: RuffFinding} {
  const unreadable = (message: string) => ({unreadable: {file, line: 1, col: 1, code: 'E902', message, fixable: false}});
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return unreadable(IO_ERRORS[(error as NodeJS.ErrnoException).code ?? ''] ?? (error as Error).message);
  }
  try {
    // Fatal: a replacement character would hide what Python itself refuses to import.
    return {source: new TextDecoder('utf-8', {fatal: true}).decode(bytes)};
  } catch {
    return unreadable('stream did not contain valid UTF-8');
  }
}

/** Rust's io::Error texts, as ruff prints them, for what a read of a listed file may meet. */
const IO_ERRORS: Record<string, string> = {
  ENOENT: 'No such file or directory (os error 2)',
  EACCES: 'Permission denied (os error 13)',
  EISDIR: 'Is a directory (os error 21)',
};

/** The first invalid-syntax finding of a text, as `ruff format` names the one error it stops at. */
function firstSyntaxError(wasm: RuffWasm, file: string, source: string, options: Record<string, unknown>): RuffFinding[] {
  return wasm
    .check(file, source, options)
    .filter((finding) => finding.code === 'invalid-syntax')
    .slice(0, 1);
}

/**
 * Run a wasm call. Settings ruff refuses are exit 2 naming the config (`file:line:col` of the key
 * when found); anything else the WebAssembly throws (a panic is a RuntimeError) is ruff failing, exit 4.
 */
function withSettings<T>(file: string, config: RuffConfigFile | undefined, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof RuffWasmSettingsError) {
      const key = /`([^`]+)`/.exec(error.message)?.[1];
      const where = config ? (key ? keyPosition(config, key) : config.path) : "ruff's default settings";
      throw fail.usage(
        `${where}: ruff cannot use this configuration: ${error.message}`,
        'Fix the config (the ruff binary refuses it too), or pass --no-lint to sync without the lint.',
      );
    }
    throw fail.toolFailed(
      `kp's in-process ruff failed on ${forDisplay(file)}: ${(error as Error).message ?? String(error)}`,
      `${RUFF_INSTALL_HINT} Or pass --no-lint.`,
      {
        cause: error,
      },
    );
  }
}
