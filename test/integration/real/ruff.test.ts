/**
 * The lint gate of `kp ha sync` against the real ruff (from PyPI, pinned in
 * scripts/test-tools/versions.sh) on the real Kamerplanter component (../shared/upstream/kamerplanter-ha,
 * copied into a checkout of the test's own) with a planted finding: what the fake ruff models, ruff
 * itself now says. And kp's two engines side by side on the same trees: the binary and Ruff's
 * WebAssembly build (package.json pins it to the same version) must agree.
 */
import {execFileSync, type ExecFileSyncOptions} from 'node:child_process';
import {appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {ExitCode, KpError} from '../../../src/core/errors.js';
import {Runner} from '../../../src/tools/runner.js';
import {lintGate, type LintOptions, type LintResult} from '../../../src/workflows/ha/lint.js';
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

describe('the two engines on the same tree (the ruff binary and its WebAssembly build)', () => {
  afterEach(() => vi.unstubAllEnvs());

  /** The gate's result with one engine: `binary` runs the real ruff, `wasm` finds no ruff on PATH. */
  async function lintWith(engine: 'binary' | 'wasm', options: Pick<LintOptions, 'componentDir' | 'files'>): Promise<LintResult> {
    const bin = engine === 'binary' ? realTool('KP_REAL_RUFF') : path.join(projectRoot, 'no-such-dir', 'ruff');
    const outcome = await lintGate(realContext(), {...options, mode: 'required', pythonChanged: true, bin}).catch((e: unknown) => e);
    if (outcome instanceof KpError && outcome.details?.lint) return outcome.details.lint as LintResult;
    if (outcome instanceof Error) throw outcome;
    return outcome as LintResult;
  }

  /** Both engines' results, checked to be from the pinned version and each engine; `fixable` apart (the wasm build cannot tell). */
  async function bothEngines(options: Pick<LintOptions, 'componentDir' | 'files'>) {
    const binary = await lintWith('binary', options);
    const wasm = await lintWith('wasm', options);
    expect([binary.engine, binary.ruffVersion, wasm.engine, wasm.ruffVersion]).toEqual(['binary', pinnedRuff, 'wasm', pinnedRuff]);
    expect(wasm.findings.every((f) => !f.fixable)).toBe(true);
    const unmarked = (result: LintResult) => result.findings.map((f) => ({...f, fixable: false}));
    return {binary, wasm, unmarked};
  }

  /** A checkout of the test's own with the real component and the planted import. */
  function plantedCheckout(): {checkout: string; component: string} {
    const checkout = tempDir('kp-engines-');
    const component = path.join(checkout, 'custom_components', 'kamerplanter');
    cpSync(upstream, component, {recursive: true});
    appendFileSync(path.join(component, 'sensor.py'), 'import os\n');
    return {checkout, component};
  }

  it("Given the real component with the planted import and ruff's defaults, When both engines check it whole, Then they report the same findings and the same files to reformat", async () => {
    const {component} = plantedCheckout();

    const {binary, wasm, unmarked} = await bothEngines({componentDir: component});

    expect(binary.findings.length).toBe(2);
    expect(unmarked(wasm)).toEqual(unmarked(binary));
    expect(wasm.unformatted).toEqual(binary.unformatted);
    expect(wasm.unformatted).toEqual(['config_flow.py', 'sensor.py']);
  });

  it('Given select = ["ALL"] (about 200 findings on the real component), a per-file-ignore, an exclusion, a file that does not parse and one in a subfolder, When both engines check the changed files, Then they agree on every one', async () => {
    // Given: a config in the checkout like a strict HA integration's, and changes of every kind
    const {checkout, component} = plantedCheckout();
    writeFileSync(
      path.join(checkout, 'pyproject.toml'),
      [
        '[project]',
        'name = "kamerplanter-ha"',
        'requires-python = ">=3.13"',
        '',
        '[tool.ruff]',
        'extend-exclude = ["legacy"]',
        '',
        '[tool.ruff.lint]',
        'select = ["ALL"]',
        'ignore = ["ANN401", "D203", "D212", "COM812", "ISC001"]',
        '',
        '[tool.ruff.lint.per-file-ignores]',
        '"coordinator.py" = ["EM"]',
        '"custom_components/**/helpers/*" = ["D"]',
        '',
      ].join('\n'),
    );
    mkdirSync(path.join(component, 'helpers'));
    writeFileSync(path.join(component, 'helpers', 'care.py'), 'def water(x):\n    return x*2\n');
    mkdirSync(path.join(component, 'legacy'));
    writeFileSync(path.join(component, 'legacy', 'old.py'), 'import os\n');
    writeFileSync(path.join(component, 'broken.py'), 'def f(:\n    pass\n');
    const files = ['__init__.py', 'api.py', 'broken.py', 'config_flow.py', 'coordinator.py', 'helpers/care.py', 'legacy/old.py', 'sensor.py'];

    // When
    const {binary, wasm, unmarked} = await bothEngines({componentDir: component, files});

    // Then: many findings, the same ones (file, line, column, code, message) in the same order, but
    // for the one rule that looks at the filesystem: INP001 wants an `__init__.py` beside the file,
    // and the wasm build, which lints text without a path, never reports it (docs/ha.md says so).
    expect(binary.findings.length).toBeGreaterThan(100);
    const inp001 = (f: LintResult['findings'][number]) => f.code === 'INP001';
    expect(binary.findings.filter(inp001).map((f) => f.file)).toEqual(['helpers/care.py']);
    expect(unmarked(wasm)).toEqual(unmarked(binary).filter((f) => !inp001(f)));
    expect(wasm.unformatted).toEqual(binary.unformatted);
    // and the settings really applied: the per-file-ignores, the exclusion, the syntax error
    expect(binary.findings.filter((f) => f.file === 'coordinator.py' && f.code.startsWith('EM'))).toEqual([]);
    expect(binary.findings.some((f) => f.file === 'api.py' && f.code.startsWith('EM'))).toBe(true);
    expect(binary.findings.filter((f) => f.file === 'helpers/care.py').map((f) => f.code)).not.toContain('D103');
    expect(binary.findings.filter((f) => f.file.startsWith('legacy/'))).toEqual([]);
    expect(binary.findings.filter((f) => f.file === 'broken.py').map((f) => f.code)).toContain('invalid-syntax');
    expect(binary.unformatted).toEqual(['config_flow.py', 'helpers/care.py', 'sensor.py']);
  });

  it('Given a Latin-1 file, a file lint.exclude keeps from the check that does not parse, and a broken user config beside a project one, When both engines check the changed files, Then both report E902 and invalid-syntax (exit 2), never a pass', async () => {
    // Given: the project's own ruff.toml (so ruff never reads the user's broken one)
    const {checkout, component} = plantedCheckout();
    writeFileSync(path.join(checkout, 'ruff.toml'), '[lint]\nexclude = ["custom_components/kamerplanter/skipped.py"]\n');
    const configHome = tempDir('kp-ruff-user-');
    mkdirSync(path.join(configHome, 'ruff'));
    writeFileSync(path.join(configHome, 'ruff', 'ruff.toml'), 'line-length = = 3\n');
    vi.stubEnv('XDG_CONFIG_HOME', configHome); // both engines' user config (ruff: etcetera's XDG strategy)
    writeFileSync(path.join(component, 'latin.py'), Buffer.from('x = "\xe9"\n', 'latin1'));
    writeFileSync(path.join(component, 'skipped.py'), 'def f(:\n    pass\n');
    const files = ['latin.py', 'skipped.py'];

    // When
    const {binary, wasm, unmarked} = await bothEngines({componentDir: component, files});

    // Then
    expect(binary.status).toBe('failed');
    expect(unmarked(binary)).toEqual([
      {file: 'latin.py', line: 1, col: 1, code: 'E902', message: 'stream did not contain valid UTF-8', fixable: false},
      {file: 'skipped.py', line: 1, col: 7, code: 'invalid-syntax', message: 'Expected a parameter or the end of the parameter list', fixable: false},
    ]);
    expect(unmarked(wasm)).toEqual(unmarked(binary));
    expect(wasm.unformatted).toEqual(binary.unformatted);
  });
});
