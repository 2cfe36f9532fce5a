/**
 * Adapter for Ruff, the Python linter and formatter (read-only here: kp checks, it never fixes).
 *
 * What ruff prints, from its own source (astral-sh/ruff) and CLI snapshots:
 * - `ruff --version` prints `ruff 0.14.5` (crates/ruff/src/commands/version.rs: `ruff {version}`).
 * - `ruff check --output-format concise` prints one `path:line:col: CODE [*] message` line per
 *   finding (`[*]` when ruff can fix it), syntax errors as `path:line:col: invalid-syntax: message`,
 *   then `Found N error(s).` and `[*] N fixable with the \`--fix\` option.`, or `All checks passed!`
 *   when clean (crates/ruff/tests/cli/snapshots/cli__lint__output_format_concise.snap,
 *   crates/ruff/src/printer.rs write_summary_text). With `preview = true` in the checkout's config
 *   the code is replaced by the rule's name (`unused-import: [*] ...`,
 *   cli__lint__output_format_preview_concise.snap): the parser reads both.
 * - `ruff format --check` prints `Would reformat: path` per file, then `1 file would be reformatted,
 *   3 files already formatted` (crates/ruff/src/commands/format.rs write_changed / write_summary); in
 *   preview mode a changed file reads `path:1:1: unformatted: File would be reformatted`
 *   (cli__format__output_format_concise.snap): the parser reads both.
 * - Exit codes (crates/ruff/src/lib.rs ExitStatus): 0 clean, 1 findings / files to reformat,
 *   2 ruff's own failure (bad config, bad flag, panic).
 * - Paths are printed relative to ruff's working directory when under it, else as given
 *   (ruff_linter/src/fs.rs relativize_path): the adapter resolves them against the cwd it passes.
 * - Config discovery is per file: the closest pyproject.toml ([tool.ruff]) / ruff.toml / .ruff.toml
 *   in the file's ancestry (docs/configuration.md "Config file discovery"); the working directory
 *   only supplies the top-level fallback. So kp passes the component folder as an absolute path and
 *   runs ruff from the folder above it, inside the checkout.
 * - `-n, --no-cache` disables cache reads (and kp writes no .ruff_cache into the checkout);
 *   `--output-format concise` overrides RUFF_OUTPUT_FORMAT and the config's output-format
 *   (docs/configuration.md "ruff help check").
 */
import path from 'node:path';
import {ToolError} from '../core/errors.js';
import {formatCommand, type Runner, type RunOptions} from './runner.js';
import {readToolVersion} from './version.js';

/** One finding of `ruff check`. */
export interface RuffFinding {
  /** The path as ruff printed it (relative to ruff's cwd); the adapter makes it absolute. */
  file: string;
  line: number;
  col: number;
  /** The rule code (`F401`), the rule name in preview mode (`unused-import`), or `invalid-syntax`. */
  code: string;
  message: string;
  /** Ruff marked it `[*]`: `ruff check --fix` can fix it. */
  fixable: boolean;
}

/** What `ruff check` reported. */
export interface RuffCheckResult {
  findings: RuffFinding[];
  /** ruff's exit code: 0 clean, 1 findings. */
  exitCode: number;
}

/** What `ruff format --check` reported. */
export interface RuffFormatResult {
  /** Absolute paths of the files ruff would reformat, in ruff's (sorted) order. */
  unformatted: string[];
  /** Files ruff could not parse or read, as `ruff check` reports them (invalid-syntax, E902). */
  failures: RuffFinding[];
  /** ruff's exit code: 0 formatted, 1 files to reformat. */
  exitCode: number;
}

/** How kp tells the user to get ruff. */
export const RUFF_INSTALL_HINT = 'Install ruff with `pipx install ruff` (or `pip install ruff`), so it is on PATH.';

const ANSI = /\u001b\[[0-9;]*m/g;

const lines = (stdout: string) => stdout.replace(ANSI, '').split(/\r?\n/);

/** Parse `ruff --version` (`ruff 0.14.5`, some builds add ` (abc1234 2025-11-13)`) into `0.14.5`. */
export function parseRuffVersion(stdout: string): string | undefined {
  return /^ruff (\d+\.\d+\.\d+)/.exec(stdout.replace(ANSI, '').trim())?.[1];
}

// `path:line:col: F401 [*] message` or `path:line:col: invalid-syntax: message` (preview: `unused-import: [*] message`).
const FINDING = /^(.+?):(\d+):(\d+): (?:([A-Z]+[0-9]+) |([a-z][a-z0-9-]*): )(\[\*\] )?(.*)$/;

/** Parse the findings of `ruff check --output-format concise` (summary and warning lines are skipped). */
export function parseRuffCheck(stdout: string): RuffFinding[] {
  const findings: RuffFinding[] = [];
  for (const line of lines(stdout)) {
    const match = FINDING.exec(line);
    if (!match) continue;
    findings.push({
      file: match[1]!,
      line: Number(match[2]),
      col: Number(match[3]),
      code: match[4] ?? match[5]!,
      message: match[7]!,
      fixable: match[6] !== undefined,
    });
  }
  return findings;
}

const WOULD_REFORMAT = /^Would reformat: (.+)$/;
const UNFORMATTED_PREVIEW = /^(.+?):\d+:\d+: unformatted: /;

/** Parse `ruff format --check`: the files it would reformat, as printed. */
export function parseFormatCheck(stdout: string): string[] {
  const files: string[] = [];
  for (const line of lines(stdout)) {
    const file = WOULD_REFORMAT.exec(line)?.[1] ?? UNFORMATTED_PREVIEW.exec(line)?.[1];
    if (file !== undefined && !files.includes(file)) files.push(file);
  }
  return files;
}

/** Render a finding the way `ruff check --output-format concise` prints it, with `file` as given. */
export function formatFinding(finding: RuffFinding, file = finding.file): string {
  const fix = finding.fixable ? '[*] ' : '';
  const head = /^[A-Z]+[0-9]+$/.test(finding.code) ? `${finding.code} ` : `${finding.code}: `;
  return `${file}:${finding.line}:${finding.col}: ${head}${fix}${finding.message}`;
}

/** Ruff, run on one folder at a time. */
export class Ruff {
  constructor(
    private readonly runner: Runner,
    readonly bin = 'ruff',
  ) {}

  /** Installed version (`0.14.5`), undefined when ruff is not on PATH (or answers no version). */
  static version(runner: Runner, bin = 'ruff'): Promise<string | undefined> {
    return readToolVersion(runner, bin, ['--version'], parseRuffVersion);
  }

  /** Run options shared by both checks: cwd above the folder, no colour, a bound on the time. */
  private options(dir: string): RunOptions {
    return {
      cwd: path.dirname(dir),
      allowFailure: true,
      timeoutMs: 120_000,
      // Plain text for the parsers: ruff honours FORCE_COLOR (lib.rs colored_override) and the
      // colored crate CLICOLOR_FORCE; NO_COLOR turns the rest off.
      env: {NO_COLOR: '1', FORCE_COLOR: undefined, CLICOLOR_FORCE: undefined},
      hint: 'ruff itself failed (often its configuration: pyproject.toml [tool.ruff] or ruff.toml); fix that, or pass --no-lint.',
    };
  }

  /** The paths to give ruff: the files (exclusions still applied), or the folder. */
  private static targets(dir: string, files: readonly string[] | undefined): string[] {
    // A file named on the command line is checked even when excluded, unless --force-exclude
    // (docs/configuration.md "Python file discovery").
    // A folder, too: the component folder itself may match an exclude.
    return ['--force-exclude', ...(files ? files.map((file) => path.resolve(file)) : [dir])];
  }

  /**
   * `ruff check --no-cache --output-format concise DIR` (or `--force-exclude FILE...`): a read-only
   * call, it runs under --dry-run too.
   */
  async check(dir: string, files?: readonly string[]): Promise<RuffCheckResult> {
    const absolute = path.resolve(dir);
    const args = ['check', '--no-cache', '--output-format', 'concise', ...Ruff.targets(absolute, files)];
    const options = this.options(absolute);
    const result = await this.runner.run(this.bin, args, options);
    const findings = parseRuffCheck(result.stdout).map((f) => ({...f, file: path.resolve(options.cwd!, f.file)}));
    if (result.exitCode === 0) return {findings: [], exitCode: 0};
    if (result.exitCode === 1 && findings.length > 0) return {findings, exitCode: 1};
    // Exit 2 (ruff's own error), or an exit 1 kp cannot read: never a silent pass.
    throw new ToolError(formatCommand(this.bin, args), result.exitCode, result.stderr || result.stdout, options.hint);
  }

  /**
   * `ruff format --check --no-cache DIR` (or `--force-exclude FILE...`): which files the formatter
   * would change (it changes none). A file that does not parse is exit 2 with `error: Failed to
   * parse path:line:col: ...` while the others are still checked: `ruff check` reports it as
   * invalid-syntax, so here it is no failure of ruff's own.
   */
  async formatCheck(dir: string, files?: readonly string[]): Promise<RuffFormatResult> {
    const absolute = path.resolve(dir);
    const args = ['format', '--check', '--no-cache', ...Ruff.targets(absolute, files)];
    const options = this.options(absolute);
    const result = await this.runner.run(this.bin, args, options);
    const unformatted = parseFormatCheck(result.stdout).map((file) => path.resolve(options.cwd!, file));
    if (result.exitCode === 0) return {unformatted: [], failures: [], exitCode: 0};
    if (result.exitCode === 1 && unformatted.length > 0) return {unformatted, failures: [], exitCode: 1};
    const failures = result.exitCode === 2 ? parseFormatFailures(result.stderr, options.cwd!) : undefined;
    if (failures) return {unformatted, failures, exitCode: unformatted.length > 0 ? 1 : 0};
    throw new ToolError(formatCommand(this.bin, args), result.exitCode, result.stderr || result.stdout, options.hint);
  }
}

const FORMAT_PARSE_FAILURE = /^error: Failed to parse (.+?):(\d+):(\d+): (.*)$/;
const FORMAT_READ_FAILURE = /^error: Failed to read (.+?): (.*)$/;

/**
 * The files `ruff format` could not parse or read, as the findings `ruff check` gives them
 * (`error: Failed to parse path:line:col: message` -> invalid-syntax, `error: Failed to read path:
 * message` -> E902; crates/ruff/src/commands/format.rs), paths resolved against `cwd`; undefined when
 * any error is something else (ruff's own failure).
 */
export function parseFormatFailures(stderr: string, cwd: string): RuffFinding[] | undefined {
  const errors = lines(stderr).filter((line) => line.startsWith('error:'));
  const failures = errors.map((line): RuffFinding | undefined => {
    const parse = FORMAT_PARSE_FAILURE.exec(line);
    if (parse)
      return {file: path.resolve(cwd, parse[1]!), line: Number(parse[2]), col: Number(parse[3]), code: 'invalid-syntax', message: parse[4]!, fixable: false};
    const read = FORMAT_READ_FAILURE.exec(line);
    return read ? {file: path.resolve(cwd, read[1]!), line: 1, col: 1, code: 'E902', message: read[2]!, fixable: false} : undefined;
  });
  return errors.length > 0 && failures.every((failure) => failure !== undefined) ? failures : undefined;
}
