/**
 * The lint gate of `kp ha sync` against the real ruff (from PyPI, pinned in
 * scripts/test-tools/versions.sh) on the real Kamerplanter component (../shared/upstream/kamerplanter-ha,
 * copied into a checkout of the test's own) with a planted finding: what the fake ruff models, ruff
 * itself now says.
 */
import {execFileSync, type ExecFileSyncOptions} from 'node:child_process';
import {appendFileSync, cpSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../src/core/errors.js';
import {Runner} from '../../../src/tools/runner.js';
import {lintGate} from '../../../src/workflows/ha/lint.js';
import type {KpContext} from '../../../src/workflows/context.js';
import {projectRoot} from '../../helpers/cli.js';
import {realTool} from '../../helpers/real-tools.js';
import {expectRecorded} from '../../helpers/recorded.js';
import {recordingOutput} from '../../helpers/scripted-runner.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs();
const upstream = path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter-ha', 'custom_components', 'kamerplanter');
const versions = readFileSync(path.join(projectRoot, 'scripts', 'test-tools', 'versions.sh'), 'utf8');
const pinnedRuff = /^RUFF_VERSION=(\S+)/m.exec(versions)![1]!;

/** A context whose runner really runs processes (the real ruff), its output recorded. */
function realContext(): KpContext & {out: ReturnType<typeof recordingOutput>} {
  const out = recordingOutput();
  return {runner: new Runner({dryRun: false, verbose: false, log: out.info}), out, dryRun: false, json: true, verbose: false};
}

describe('the lint gate with the real ruff', () => {
  it('Given the real component with a planted unused import, When the gate runs with the real ruff, Then it stops with exit 2 naming the real findings (E402, F401, line and column) and the file ruff would reformat', async () => {
    // Given: a checkout of the test's own holding the real component, sensor.py with an unused import
    const component = path.join(tempDir('kp-real-ruff-'), 'custom_components', 'kamerplanter');
    cpSync(upstream, component, {recursive: true});
    const lines = readFileSync(path.join(component, 'sensor.py'), 'utf8').split('\n').length;
    appendFileSync(path.join(component, 'sensor.py'), 'import os\n');
    const ruff = realTool('KP_REAL_RUFF');
    // When
    const error = await lintGate(realContext(), {componentDir: component, mode: 'required', pythonChanged: true, bin: ruff}).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Then
    expect(error).toBeInstanceOf(KpError);
    expect((error as KpError).exitCode).toBe(ExitCode.Usage);
    const lint = (error as KpError).details?.lint as {ruffVersion: string; findings: Array<Record<string, unknown>>; unformatted: string[]};
    expect(lint.ruffVersion).toBe(pinnedRuff);
    // An import at the end of a module is two findings for the real ruff (the fake models only F401).
    expect(lint.findings, JSON.stringify(lint.findings)).toEqual([
      {file: 'sensor.py', line: lines, col: 1, code: 'E402', message: 'Module level import not at top of file', fixable: false},
      {file: 'sensor.py', line: lines, col: 8, code: 'F401', message: '`os` imported but unused', fixable: true},
    ]);
    // The upstream snapshot's config_flow.py is not formatted as ruff's defaults want (the repo has no
    // ruff config of its own), and the planted line wants blank lines before it.
    expect(lint.unformatted).toEqual(['config_flow.py', 'sensor.py']);
  });

  it('Given the real component unchanged, When ruff check runs, Then it is clean: the gate fails on the planted finding only', async () => {
    const component = path.join(tempDir('kp-real-ruff-'), 'custom_components', 'kamerplanter');
    cpSync(upstream, component, {recursive: true});
    const error = (await lintGate(realContext(), {componentDir: component, mode: 'required', pythonChanged: true, bin: realTool('KP_REAL_RUFF')}).catch(
      (e: unknown) => e,
    )) as KpError;
    const lint = error.details?.lint as {findings: unknown[]; unformatted: string[]};
    expect(lint.findings).toEqual([]);
    expect(lint.unformatted).toEqual(['config_flow.py']);
  });
});

describe('recordings of the real ruff (test/fixtures/recorded/ruff, read by the unit tests)', () => {
  /** What ruff prints (stdout) and its exit code, run the way kp runs it: from the folder above, no colour. */
  function ruffSays(args: string[], cwd: string): {stdout: string; exitCode: number} {
    const options: ExecFileSyncOptions = {cwd, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CLICOLOR_FORCE: undefined}};
    try {
      return {stdout: execFileSync(realTool('KP_REAL_RUFF'), args, options) as string, exitCode: 0};
    } catch (error) {
      const failed = error as {stdout: string; status: number};
      return {stdout: failed.stdout, exitCode: failed.status};
    }
  }

  it('Given the real component with the planted import, When ruff checks and format-checks it as kp does, Then it prints what the recordings hold', () => {
    const component = path.join(tempDir('kp-real-ruff-'), 'custom_components', 'kamerplanter');
    cpSync(upstream, component, {recursive: true});
    const cwd = path.dirname(component);
    expectRecorded('ruff/version.txt', ruffSays(['--version'], cwd).stdout);
    const clean = ruffSays(['check', '--no-cache', '--output-format', 'concise', component], cwd);
    expect(clean.exitCode).toBe(0);
    expectRecorded('ruff/check-clean.txt', clean.stdout);
    appendFileSync(path.join(component, 'sensor.py'), 'import os\n');
    const check = ruffSays(['check', '--no-cache', '--output-format', 'concise', component], cwd);
    expect(check.exitCode).toBe(1);
    expectRecorded('ruff/check-planted.txt', check.stdout);
    const format = ruffSays(['format', '--check', '--no-cache', component], cwd);
    expect(format.exitCode).toBe(1);
    expectRecorded('ruff/format-check-planted.txt', format.stdout);
    // formatted by ruff itself, the check is clean
    ruffSays(['format', '--no-cache', component], cwd);
    const formatted = ruffSays(['format', '--check', '--no-cache', component], cwd);
    expect(formatted.exitCode).toBe(0);
    expectRecorded('ruff/format-check-clean.txt', formatted.stdout);
  });
});

describe("kp's own Python with the real ruff", () => {
  it('Given the kp_reload companion and its pytest suite, When the real ruff checks and format-checks them (ruff.toml), Then both are clean', () => {
    // Given
    const ruff = realTool('KP_REAL_RUFF');
    const options: ExecFileSyncOptions = {cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']};
    // When
    const check = execFileSync(ruff, ['check', 'companion', 'test/companion'], options);
    const format = execFileSync(ruff, ['format', '--check', 'companion', 'test/companion'], options);
    // Then (a finding is exit 1, which throws)
    expect(String(check)).toContain('All checks passed!');
    expect(String(format)).toMatch(/\d+ files already formatted/);
  });
});
