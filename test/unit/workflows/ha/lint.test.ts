/**
 * The lint gate of `kp ha sync` in-process, against a scripted ruff whose answers are the real ruff's
 * output and exit codes, recorded on the real component (test/fixtures/recorded/ruff, checked
 * against the pinned ruff by test/integration/real/ruff.test.ts).
 */
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../../src/core/errors.js';
import {LINT_SKIPPED_NO_RUFF, lintGate, pythonChanged, type LintResult} from '../../../../src/workflows/ha/lint.js';
import {recorded} from '../../../helpers/recorded.js';
import {useSandbox, type ScriptRule} from '../../../helpers/scripted-runner.js';

const sandbox = useSandbox();

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

describe('pythonChanged', () => {
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

  it('Given ruff is not on PATH and the lint is optional, When the gate runs, Then exactly one "lint skipped" line is printed and the sync may go on', async () => {
    const {ctx, runner} = sandbox.context([absent]);

    const result = await lintGate(ctx, {componentDir: componentDir(), mode: 'auto', pythonChanged: true});

    expect(result).toEqual({status: 'skipped', reason: 'ruff not found', findings: [], unformatted: []});
    expect(ctx.out.lines.map((l) => l.text)).toEqual([LINT_SKIPPED_NO_RUFF]);
    expect(LINT_SKIPPED_NO_RUFF).toBe('lint skipped: ruff not found');
    expect(runner.lines()).toEqual(['ruff --version']);
  });

  it('Given ruff is not on PATH and --lint, When the gate runs, Then it stops with exit 3 and says how to install ruff', async () => {
    const {ctx, runner} = sandbox.context([absent]);

    const error = await thrown(lintGate(ctx, {componentDir: componentDir(), mode: 'required', pythonChanged: true}));

    expect(error.exitCode).toBe(ExitCode.Prerequisite);
    expect(error.message).toMatch(/ruff was not found on PATH/);
    expect(error.hint).toContain('pipx install ruff');
    expect(error.hint).toContain('pip install ruff');
    expect(runner.lines()).toEqual(['ruff --version']);
  });

  it('Given a clean component, When the gate runs under --dry-run, Then both read-only checks still run and it passes', async () => {
    const dir = componentDir();
    const {ctx, runner} = sandbox.context([version, checkClean, formatClean], {dryRun: true});

    const result = await lintGate(ctx, {componentDir: dir, mode: 'auto', pythonChanged: true});

    expect(result).toEqual({status: 'passed', reason: 'ruff check and ruff format --check passed', ruffVersion: '0.15.22', findings: [], unformatted: []});
    expect(runner.lines()).toEqual(['ruff --version', `ruff check --no-cache --output-format concise ${dir}`, `ruff format --check --no-cache ${dir}`]);
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
});
