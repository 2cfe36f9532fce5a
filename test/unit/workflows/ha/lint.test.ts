/**
 * The lint gate of `kp ha sync` in-process with the binary engine, against a scripted ruff whose
 * answers are the real ruff's output and exit codes, recorded on the real component
 * (test/fixtures/recorded/ruff, checked against the pinned ruff by test/integration/real/ruff.test.ts).
 * The WebAssembly engine: lint-wasm.test.ts.
 */
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../../src/core/errors.js';
import {assertLintPossible, LINT_SKIPPED_NO_RUFF, lintGate, lintScope, type LintResult} from '../../../../src/workflows/ha/lint.js';
import {recorded} from '../../../helpers/recorded.js';
import {useSandbox, type ScriptRule} from '../../../helpers/scripted-runner.js';

const sandbox = useSandbox();
/** An npm package that is not installed: a kp without its in-process ruff. */
const NO_WASM = 'kp-test-no-such-ruff-wasm';

const version: ScriptRule = {match: ['ruff', '--version'], reply: {stdout: recorded('ruff/version.txt')}};
const absent: ScriptRule = {match: ['ruff', '--version'], reply: {notFound: true}};
const checkClean: ScriptRule = {match: ['ruff', 'check'], reply: {stdout: recorded('ruff/check-clean.txt')}};
const formatClean: ScriptRule = {match: ['ruff', 'format', '--check'], reply: {stdout: recorded('ruff/format-check-clean.txt')}};
// The upstream component with `import os` appended to sensor.py (its line 2190).
const checkFindings: ScriptRule = {match: ['ruff', 'check'], reply: {exitCode: 1, stdout: recorded('ruff/check-planted.txt')}};
// The same checkout: config_flow.py as upstream ships it, and sensor.py with the planted line.
const formatDirty: ScriptRule = {match: ['ruff', 'format', '--check'], reply: {exitCode: 1, stdout: recorded('ruff/format-check-planted.txt')}};

/** custom_components/kamerplanter inside the sandbox (the scripted ruff never reads it). */
const componentDir = () => path.join(sandbox.dir('checkout'), 'custom_components', 'kamerplanter');

/** Run the gate and return what it threw (failing when it returned). */
async function thrown(promise: Promise<LintResult>): Promise<KpError> {
  const outcome = await promise.then(
    (result) => ({result}),
    (error: unknown) => ({error}),
  );
  if (!('error' in outcome)) throw new Error(`expected the gate to throw, it returned ${JSON.stringify(outcome.result)}`);
  expect(outcome.error).toBeInstanceOf(KpError);
  return outcome.error as KpError;
}

describe('lintScope: does the plan call for the lint', () => {
  const pythonChanged = (plan: Parameters<typeof lintScope>[0]) => lintScope(plan).pythonChanged;
  it('Given plans, When asked, Then added or modified Python files and ruff configs count, deletions and other files do not', () => {
    expect(pythonChanged({added: ['sensor.py'], modified: []})).toBe(true);
    expect(pythonChanged({added: [], modified: ['helpers/care.pyi']})).toBe(true);
    expect(pythonChanged({added: ['ruff.toml'], modified: []})).toBe(true);
    expect(pythonChanged({added: [], modified: ['sub/pyproject.toml']})).toBe(true);
    expect(pythonChanged({added: ['manifest.json', 'translations/en.json', 'icon.png'], modified: ['strings.json']})).toBe(false);
    expect(pythonChanged({added: ['notes.py.txt'], modified: []})).toBe(false);
    const onlyDeleted = {added: [], modified: [], deleted: ['old.py']};
    expect(pythonChanged(onlyDeleted)).toBe(false);
  });
});

describe('lintScope', () => {
  it('Given plans, When asked what to lint, Then the added and modified Python files; every Python file when a ruff config in the component changed', () => {
    expect(lintScope({added: ['sensor.py'], modified: ['helpers/care.pyi', 'manifest.json']})).toEqual({
      pythonChanged: true,
      files: ['sensor.py', 'helpers/care.pyi'],
    });
    expect(lintScope({added: ['icon.png'], modified: ['strings.json']})).toEqual({pythonChanged: false, files: []});
    expect(lintScope({added: [], modified: ['ruff.toml', 'sensor.py']})).toEqual({pythonChanged: true, files: undefined});
  });
});

describe('the lint gate', () => {
  it('Given --no-lint, When the gate runs, Then it is skipped without asking for ruff', async () => {
    const {ctx, runner} = sandbox.context([]);

    const result = await lintGate(ctx, {componentDir: componentDir(), mode: 'off', pythonChanged: true});

    expect(result).toEqual({status: 'skipped', reason: '--no-lint', findings: [], unformatted: []});
    expect(runner.calls).toEqual([]);
  });

  it('Given no Python file changed, When the gate runs (even with --lint), Then it is skipped without asking for ruff', async () => {
    const {ctx, runner} = sandbox.context([]);

    const result = await lintGate(ctx, {componentDir: componentDir(), mode: 'required', pythonChanged: false});

    expect(result).toMatchObject({status: 'skipped', reason: 'no Python file changed'});
    expect(runner.calls).toEqual([]);
    expect(ctx.out.lines).toEqual([]);
  });

  it('Given neither ruff on PATH nor the in-process ruff and the lint is optional, When the gate runs, Then exactly one "lint skipped" line is printed and the sync may go on', async () => {
    const {ctx, runner} = sandbox.context([absent]);

    const result = await lintGate(ctx, {componentDir: componentDir(), mode: 'auto', pythonChanged: true, wasmPackage: NO_WASM});

    expect(result).toEqual({status: 'skipped', reason: 'ruff not found', findings: [], unformatted: []});
    expect(ctx.out.lines.map((l) => l.text)).toEqual([LINT_SKIPPED_NO_RUFF]);
    expect(LINT_SKIPPED_NO_RUFF).toBe('lint skipped: ruff not found');
    expect(runner.lines()).toEqual(['ruff --version']);
  });

  it('Given neither ruff on PATH nor the in-process ruff and --lint, When the gate runs (or is asked beforehand), Then it stops with exit 3 and says how to install ruff', async () => {
    const {ctx, runner} = sandbox.context([absent]);

    const error = await thrown(lintGate(ctx, {componentDir: componentDir(), mode: 'required', pythonChanged: true, wasmPackage: NO_WASM}));

    expect(error.exitCode).toBe(ExitCode.Prerequisite);
    expect(error.message).toMatch(/neither ruff on PATH nor kp's in-process ruff/);
    expect(error.hint).toContain('pipx install ruff');
    expect(error.hint).toContain('pip install ruff');
    expect(runner.lines()).toEqual(['ruff --version']);
    await expect(assertLintPossible(ctx, 'required', 'ruff', NO_WASM)).rejects.toMatchObject({exitCode: ExitCode.Prerequisite});
  });

  it('Given no ruff on PATH but the in-process ruff installed, When --lint is checked beforehand, Then it is satisfied without asking for ruff', async () => {
    const {ctx, runner} = sandbox.context([]);

    await assertLintPossible(ctx, 'required');

    expect(runner.calls).toEqual([]);
  });

  it('Given a clean component, When the gate runs under --dry-run, Then both read-only checks still run and it passes', async () => {
    const dir = componentDir();
    const {ctx, runner} = sandbox.context([version, checkClean, formatClean], {dryRun: true});

    const result = await lintGate(ctx, {componentDir: dir, mode: 'auto', pythonChanged: true});

    expect(result).toEqual({
      status: 'passed',
      reason: 'ruff check and ruff format --check passed',
      engine: 'binary',
      ruffVersion: '0.15.22',
      findings: [],
      unformatted: [],
    });
    expect(runner.lines()).toEqual([
      'ruff --version',
      `ruff check --no-cache --output-format concise --force-exclude ${dir}`,
      `ruff format --check --no-cache --force-exclude ${dir}`,
    ]);
    expect(runner.calls.every((c) => !c.skipped && !c.mutating)).toBe(true);
    expect(runner.calls.slice(1).map((c) => c.options.cwd)).toEqual([path.dirname(dir), path.dirname(dir)]);
    expect(ctx.out.lines).toEqual([]);
  });

  it('Given lint findings and a file to reformat, When the gate runs, Then every finding is printed and it stops with exit 2, the result in its details', async () => {
    const dir = componentDir();
    const {ctx, runner} = sandbox.context([version, checkFindings, formatDirty]);

    const error = await thrown(lintGate(ctx, {componentDir: dir, mode: 'auto', pythonChanged: true}));

    // Then: exit 2, counted, with the way out
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toBe('Lint failed: 2 ruff findings and 2 files ruff would reformat; nothing was copied.');
    expect(error.hint).toContain('ruff check --fix');
    expect(error.hint).toContain('ruff format');
    expect(error.hint).toContain('--no-lint');
    // Then: the report's result, paths inside the component
    expect(error.details?.lint).toEqual({
      status: 'failed',
      reason: '2 ruff findings and 2 files ruff would reformat',
      engine: 'binary',
      ruffVersion: '0.15.22',
      findings: [
        {file: 'sensor.py', line: 2190, col: 1, code: 'E402', message: 'Module level import not at top of file', fixable: false},
        {file: 'sensor.py', line: 2190, col: 8, code: 'F401', message: '`os` imported but unused', fixable: true},
      ],
      unformatted: ['config_flow.py', 'sensor.py'],
    });
    // Then: ruff's lines on stderr (absolute: the sandbox is outside the working directory)
    expect(ctx.out.lines.map((l) => l.text)).toEqual([
      `${path.join(dir, 'sensor.py')}:2190:1: E402 Module level import not at top of file`,
      `${path.join(dir, 'sensor.py')}:2190:8: F401 [*] \`os\` imported but unused`,
      `Would reformat: ${path.join(dir, 'config_flow.py')}`,
      `Would reformat: ${path.join(dir, 'sensor.py')}`,
    ]);
    expect(runner.mutatingCalls()).toEqual([]);
  });

  it('Given only a file to reformat, When the gate runs, Then it stops with exit 2 naming only the formatter', async () => {
    const {ctx} = sandbox.context([version, checkClean, formatDirty]);

    const error = await thrown(lintGate(ctx, {componentDir: componentDir(), mode: 'required', pythonChanged: true}));

    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toBe('Lint failed: 2 files ruff would reformat; nothing was copied.');
    expect(error.hint).not.toContain('ruff check --fix');
    expect(error.details?.lint).toMatchObject({status: 'failed', findings: [], unformatted: ['config_flow.py', 'sensor.py']});
  });

  it("Given ruff fails on its own configuration, When the gate runs, Then the sync stops with ruff's tool error rather than passing", async () => {
    const {ctx} = sandbox.context([version, {match: ['ruff', 'check'], reply: {exitCode: 2, stderr: 'ruff failed\n  Cause: Failed to parse ruff.toml\n'}}]);

    const error = await thrown(lintGate(ctx, {componentDir: componentDir(), mode: 'auto', pythonChanged: true}));

    expect(error.exitCode).toBe(ExitCode.ToolFailed);
    expect(error.message).toContain('Failed to parse ruff.toml');
  });

  it('Given the changed files, When the gate runs, Then ruff gets exactly those (absolute, --force-exclude so the config still excludes)', async () => {
    const dir = componentDir();
    const {ctx, runner} = sandbox.context([version, checkClean, formatClean]);

    const result = await lintGate(ctx, {componentDir: dir, mode: 'auto', pythonChanged: true, files: ['sensor.py', 'helpers/care.py']});

    expect(result).toMatchObject({status: 'passed', engine: 'binary'});
    const files = [path.join(dir, 'sensor.py'), path.join(dir, 'helpers', 'care.py')].join(' ');
    expect(runner.lines()).toEqual([
      'ruff --version',
      `ruff check --no-cache --output-format concise --force-exclude ${files}`,
      `ruff format --check --no-cache --force-exclude ${files}`,
    ]);
  });

  it("Given a changed file that does not parse, When ruff format exits 2 on it alone, Then that is ruff check's invalid-syntax finding, not a failure of ruff", async () => {
    const dir = componentDir();
    const syntax: ScriptRule = {
      match: ['ruff', 'check'],
      reply: {exitCode: 1, stdout: 'kamerplanter/bad.py:1:7: invalid-syntax: Expected `)`, found newline\nFound 1 error.\n'},
    };
    const parseError: ScriptRule = {
      match: ['ruff', 'format'],
      reply: {exitCode: 2, stderr: 'error: Failed to parse kamerplanter/bad.py:1:7: Expected `)`, found newline\n'},
    };
    const {ctx} = sandbox.context([version, syntax, parseError]);

    const error = await thrown(lintGate(ctx, {componentDir: dir, mode: 'auto', pythonChanged: true, files: ['bad.py']}));

    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.details?.lint).toMatchObject({findings: [{file: 'bad.py', line: 1, col: 7, code: 'invalid-syntax'}], unformatted: []});
  });
});
