import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode, ToolError} from '../../../src/core/errors.js';
import {formatFinding, parseFormatCheck, parseFormatFailures, parseRuffCheck, parseRuffVersion, Ruff} from '../../../src/tools/ruff.js';
import {recorded} from '../../helpers/recorded.js';
import {scriptedContext} from '../../helpers/scripted-runner.js';

// Recorded as ruff prints them: astral-sh/ruff crates/ruff/tests/cli/snapshots/cli__lint__output_format_concise.snap
// (and its preview twin), crates/ruff/src/commands/format.rs (write_changed / write_summary).
const CHECK_CONCISE = [
  'input.py:1:8: F401 [*] `os` imported but unused',
  'input.py:2:5: F821 Undefined name `y`',
  'input.py:3:1: invalid-syntax: Cannot use `match` statement on Python 3.9 (syntax was added in Python 3.10)',
  'Found 3 errors.',
  '[*] 1 fixable with the `--fix` option.',
  '',
].join('\n');
const CHECK_PREVIEW_CONCISE = [
  'input.py:1:8: unused-import: [*] `os` imported but unused',
  'input.py:2:5: undefined-name: Undefined name `y`',
  'Found 2 errors.',
  '[*] 1 fixable with the `--fix` option.',
  '',
].join('\n');
const FORMAT_CHECK =
  'Would reformat: kamerplanter/coordinator.py\nWould reformat: kamerplanter/sensor.py\n2 files would be reformatted, 5 files already formatted\n';
const FORMAT_CHECK_PREVIEW = 'input.py:1:1: unformatted: File would be reformatted\n1 file would be reformatted\n';

describe('ruff output parsers', () => {
  it('Given what the real ruff printed on the upstream component with a planted import (recorded), When parsed, Then version, findings and files to reformat are read', () => {
    expect(parseRuffVersion(recorded('ruff/version.txt'))).toBe('0.15.22');
    expect(parseRuffCheck(recorded('ruff/check-clean.txt'))).toEqual([]);
    expect(parseRuffCheck(recorded('ruff/check-planted.txt'))).toEqual([
      {file: 'kamerplanter/sensor.py', line: 2190, col: 1, code: 'E402', message: 'Module level import not at top of file', fixable: false},
      {file: 'kamerplanter/sensor.py', line: 2190, col: 8, code: 'F401', message: '`os` imported but unused', fixable: true},
    ]);
    expect(parseFormatCheck(recorded('ruff/format-check-planted.txt'))).toEqual(['kamerplanter/config_flow.py', 'kamerplanter/sensor.py']);
    expect(parseFormatCheck(recorded('ruff/format-check-clean.txt'))).toEqual([]);
    // rendered back, a finding reads as ruff printed it
    expect(parseRuffCheck(recorded('ruff/check-planted.txt')).map((f) => formatFinding(f))).toEqual(recorded('ruff/check-planted.txt').split('\n').slice(0, 2));
  });

  it('Given `ruff --version` (plain and with build info), When parsed, Then the bare version is read', () => {
    expect(parseRuffVersion('ruff 0.14.5\n')).toBe('0.14.5');
    expect(parseRuffVersion('ruff 0.15.2 (d2a2bd8 2026-01-22)\n')).toBe('0.15.2');
    expect(parseRuffVersion('bash: ruff: command not found')).toBeUndefined();
  });

  it('Given concise `ruff check` output, When parsed, Then each finding is typed and the summary lines are not findings', () => {
    expect(parseRuffCheck(CHECK_CONCISE)).toEqual([
      {file: 'input.py', line: 1, col: 8, code: 'F401', message: '`os` imported but unused', fixable: true},
      {file: 'input.py', line: 2, col: 5, code: 'F821', message: 'Undefined name `y`', fixable: false},
      {
        file: 'input.py',
        line: 3,
        col: 1,
        code: 'invalid-syntax',
        message: 'Cannot use `match` statement on Python 3.9 (syntax was added in Python 3.10)',
        fixable: false,
      },
    ]);
    expect(parseRuffCheck('All checks passed!\n')).toEqual([]);
  });

  it('Given preview-mode concise output (rule names instead of codes), When parsed, Then the findings are still read', () => {
    expect(parseRuffCheck(CHECK_PREVIEW_CONCISE).map((f) => [f.code, f.fixable, f.message])).toEqual([
      ['unused-import', true, '`os` imported but unused'],
      ['undefined-name', false, 'Undefined name `y`'],
    ]);
  });

  it('Given coloured output (a FORCE_COLOR that got through), When parsed, Then the escapes are dropped', () => {
    const coloured = '\u001b[1mkamerplanter/sensor.py\u001b[0m:4:1: \u001b[1;31mE402\u001b[0m Module level import not at top of file\n';
    expect(parseRuffCheck(coloured)).toEqual([
      {file: 'kamerplanter/sensor.py', line: 4, col: 1, code: 'E402', message: 'Module level import not at top of file', fixable: false},
    ]);
  });

  it('Given `ruff format --check` output (stable and preview), When parsed, Then the files to reformat are listed', () => {
    expect(parseFormatCheck(FORMAT_CHECK)).toEqual(['kamerplanter/coordinator.py', 'kamerplanter/sensor.py']);
    expect(parseFormatCheck(FORMAT_CHECK_PREVIEW)).toEqual(['input.py']);
    expect(parseFormatCheck('7 files already formatted\n')).toEqual([]);
  });

  it('Given parsed findings, When rendered back, Then the line reads as ruff printed it', () => {
    const lines = CHECK_CONCISE.split('\n').slice(0, 3);
    expect(parseRuffCheck(CHECK_CONCISE).map((f) => formatFinding(f))).toEqual(lines);
  });
});

describe('Ruff adapter', () => {
  const component = path.resolve('/work/checkout/custom_components/kamerplanter');

  it('Given ruff on PATH, When its version is asked, Then `ruff --version` answers; absent, Then undefined', async () => {
    const present = scriptedContext([{match: ['ruff', '--version'], reply: {stdout: 'ruff 0.14.5\n'}}]);
    expect(await Ruff.version(present.runner)).toBe('0.14.5');
    const absent = scriptedContext([{match: ['ruff', '--version'], reply: {notFound: true}}]);
    expect(await Ruff.version(absent.runner)).toBeUndefined();
  });

  it('Given findings, When check runs, Then it runs read-only from the folder above with the concise format and absolute paths come back', async () => {
    const {runner} = scriptedContext(
      [
        {
          match: ['ruff', 'check'],
          reply: {
            exitCode: 1,
            stdout: 'kamerplanter/sensor.py:1:8: F401 [*] `os` imported but unused\nFound 1 error.\n[*] 1 fixable with the `--fix` option.\n',
          },
        },
      ],
      {dryRun: true},
    );

    const result = await new Ruff(runner).check(component);

    expect(result).toEqual({
      exitCode: 1,
      findings: [{file: path.join(component, 'sensor.py'), line: 1, col: 8, code: 'F401', message: '`os` imported but unused', fixable: true}],
    });
    expect(runner.lines()).toEqual([`ruff check --no-cache --output-format concise --force-exclude ${component}`]);
    const [call] = runner.calls;
    expect([call!.mutating, call!.skipped, call!.options.cwd]).toEqual([false, false, path.dirname(component)]);
    expect(call!.options.env).toEqual({NO_COLOR: '1', FORCE_COLOR: undefined, CLICOLOR_FORCE: undefined});
  });

  it('Given a clean component, When both checks run, Then there is nothing to report', async () => {
    const {runner} = scriptedContext([
      {match: ['ruff', 'check'], reply: {stdout: 'All checks passed!\n'}},
      {match: ['ruff', 'format'], reply: {stdout: '3 files already formatted\n'}},
    ]);
    const ruff = new Ruff(runner);

    expect(await ruff.check(component)).toEqual({findings: [], exitCode: 0});
    expect(await ruff.formatCheck(component)).toEqual({unformatted: [], failures: [], exitCode: 0});
    expect(runner.lines()[1]).toBe(`ruff format --check --no-cache --force-exclude ${component}`);
  });

  it('Given files to reformat, When format --check runs, Then they come back as absolute paths', async () => {
    const {runner} = scriptedContext([{match: ['ruff', 'format', '--check'], reply: {exitCode: 1, stdout: FORMAT_CHECK}}]);

    const result = await new Ruff(runner).formatCheck(component);

    expect(result).toEqual({exitCode: 1, failures: [], unformatted: [path.join(component, 'coordinator.py'), path.join(component, 'sensor.py')]});
  });

  it("Given ruff fails on its own configuration (exit 2), When check runs, Then a tool error carries ruff's message", async () => {
    const stderr = 'ruff failed\n  Cause: Failed to parse /work/checkout/ruff.toml\n  Cause: TOML parse error at line 1, column 1\n';
    const {runner} = scriptedContext([{match: ['ruff', 'check'], reply: {exitCode: 2, stderr}}]);

    const error = await new Ruff(runner).check(component).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({exitCode: ExitCode.ToolFailed, toolExitCode: 2});
    expect((error as ToolError).message).toContain('TOML parse error');
    expect((error as ToolError).hint).toContain('--no-lint');
  });

  it('Given an exit 1 whose output kp cannot read, When format --check runs, Then it fails instead of passing silently', async () => {
    const {runner} = scriptedContext([{match: ['ruff', 'format'], reply: {exitCode: 1, stdout: '<?xml version="1.0"?>\n'}}]);

    await expect(new Ruff(runner).formatCheck(component)).rejects.toMatchObject({exitCode: ExitCode.ToolFailed, toolExitCode: 1});
  });

  it("Given ruff format's exit 2 on a file it cannot parse and one it cannot read (ruff 0.15.22's own lines), When they are read, Then they are the invalid-syntax and E902 findings ruff check gives; any other error is ruff failing", () => {
    // Recorded with ruff 0.15.22: `ruff format --check --no-cache c` on a Latin-1 file and a syntax error.
    const stderr =
      'error: Failed to parse c/bad.py:1:7: Expected a parameter or the end of the parameter list\nerror: Failed to read c/latin.py: stream did not contain valid UTF-8\n';
    expect(parseFormatFailures(stderr, '/w')).toEqual([
      {file: '/w/c/bad.py', line: 1, col: 7, code: 'invalid-syntax', message: 'Expected a parameter or the end of the parameter list', fixable: false},
      {file: '/w/c/latin.py', line: 1, col: 1, code: 'E902', message: 'stream did not contain valid UTF-8', fixable: false},
    ]);
    expect(parseFormatFailures(`${stderr}error: Failed to load configuration\n`, '/w')).toBeUndefined();
    expect(parseFormatFailures('', '/w')).toBeUndefined();
  });
});
