/**
 * The fake `ruff` (test/fakes/bin/ruff): it really scans the folder it is given, and answers with
 * ruff's own wording and exit codes (sources cited in test/fakes/lib/ruff.mjs). Then the lint gate
 * through the real Runner: the adapter's parsers must read what the fake prints, and a ruff that is
 * not installed must come out of the real spawn as "not found".
 */
import {spawnSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../src/core/errors.js';
import {Runner} from '../../../src/tools/runner.js';
import type {KpContext} from '../../../src/workflows/context.js';
import {LINT_SKIPPED_NO_RUFF, lintGate} from '../../../src/workflows/ha/lint.js';
import {useFakeWorlds, type FakeWorld} from '../../fakes/harness.js';
import {recordingOutput} from '../../helpers/scripted-runner.js';
// @ts-expect-error plain ESM helper without types
import {FAKES_BIN} from '../../fakes/lib/env.mjs';

const world = useFakeWorlds();
const RUFF = path.join(FAKES_BIN as string, 'ruff');

/** A checkout with custom_components/kamerplanter holding `files`; returns the component folder. */
function checkout(w: FakeWorld, files: Record<string, string>): string {
  const dir = path.join(w.root, 'checkout', 'custom_components', 'kamerplanter');
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), {recursive: true});
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** Run the fake ruff in world `w` from `cwd`: exit code, stdout, stderr. */
function ruff(w: FakeWorld, cwd: string, ...args: string[]) {
  const result = spawnSync(RUFF, args, {cwd, env: {...process.env, ...w.env} as NodeJS.ProcessEnv, encoding: 'utf8'});
  return {exitCode: result.status, stdout: result.stdout, stderr: result.stderr};
}

const DIRTY = {
  '__init__.py': 'DOMAIN = "kamerplanter"\n',
  'sensor.py': 'import os  # KP_TEST_LINT\n\n\ndef setup():\n    return True\n',
  'helpers/care.py': 'WATER=1  # KP_TEST_UNFORMATTED\n',
  'manifest.json': '{"domain": "kamerplanter", "version": "0.4.1"}\n',
};
const CLEAN = {'__init__.py': 'DOMAIN = "kamerplanter"\n', 'sensor.py': 'def setup():\n    return True\n'};

describe('Given the fake ruff', () => {
  it('When asked for its version, Then it answers as `ruff --version` does', () => {
    const w = world({workspace: 'none'});
    expect(ruff(w, w.root, '--version')).toEqual({exitCode: 0, stdout: 'ruff 0.14.5\n', stderr: ''});
  });

  it("When `check --output-format concise` runs on a folder with a marked line, Then it prints ruff's concise finding and summary and exits 1", () => {
    const w = world({workspace: 'none'});
    const dir = checkout(w, DIRTY);

    const result = ruff(w, path.dirname(dir), 'check', '--no-cache', '--output-format', 'concise', dir);

    expect(result).toEqual({
      exitCode: 1,
      stdout: 'kamerplanter/sensor.py:1:14: F401 [*] `os` imported but unused\nFound 1 error.\n[*] 1 fixable with the `--fix` option.\n',
      stderr: '',
    });
    expect(w.calls().map((c) => c.argv)).toEqual([['check', '--no-cache', '--output-format', 'concise', dir]]);
  });

  it('When `format --check` runs on a folder with a marked file, Then it lists it as ruff does and exits 1; clean, Then exit 0', () => {
    const w = world({workspace: 'none'});
    const dir = checkout(w, DIRTY);

    expect(ruff(w, path.dirname(dir), 'format', '--check', '--no-cache', dir)).toEqual({
      exitCode: 1,
      stdout: 'Would reformat: kamerplanter/helpers/care.py\n1 file would be reformatted, 2 files already formatted\n',
      stderr: '',
    });
    const clean = checkout(world({workspace: 'none'}), CLEAN);
    expect(ruff(w, path.dirname(clean), 'format', '--check', '--no-cache', clean)).toEqual({exitCode: 0, stdout: '2 files already formatted\n', stderr: ''});
    expect(ruff(w, path.dirname(clean), 'check', '--output-format', 'concise', clean)).toEqual({exitCode: 0, stdout: 'All checks passed!\n', stderr: ''});
  });

  it('When the folder holds no Python file or does not exist, Then it warns / reports E902 as ruff does', () => {
    const w = world({workspace: 'none'});
    const dir = checkout(w, {'manifest.json': '{}\n'});

    expect(ruff(w, path.dirname(dir), 'format', '--check', dir)).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: 'warning: No Python files found under the given path(s)\n',
    });
    const missing = ruff(w, path.dirname(dir), 'check', '--output-format', 'concise', path.join(dir, 'gone'));
    expect([missing.exitCode, missing.stdout]).toEqual([1, 'kamerplanter/gone:1:1: E902 No such file or directory (os error 2)\nFound 1 error.\n']);
  });

  it("When the checkout's ruff.toml cannot be parsed, Then ruff fails with exit 2; and a reformat without --check is refused", () => {
    const w = world({workspace: 'none'});
    const dir = checkout(w, CLEAN);
    writeFileSync(path.join(w.root, 'checkout', 'ruff.toml'), 'KP_TEST_RUFF_ERROR\n');

    const broken = ruff(w, path.dirname(dir), 'check', '--output-format', 'concise', dir);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/^ruff failed\n {2}Cause: Failed to parse .*ruff\.toml/);
    expect(ruff(w, path.dirname(dir), 'format', dir).exitCode).toBe(2);
  });
});

describe('Given the lint gate on the real Runner', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.KP_FAKE_STATE;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.KP_FAKE_STATE;
    else process.env.KP_FAKE_STATE = saved;
  });

  function context(w: FakeWorld): KpContext & {out: ReturnType<typeof recordingOutput>} {
    process.env.KP_FAKE_STATE = w.stateDir; // the fake refuses to run without its state dir
    const out = recordingOutput();
    return {runner: new Runner({dryRun: true, verbose: false, log: (line) => out.info(line)}), out, dryRun: true, json: true, verbose: false};
  }

  it('When the fake ruff finds problems (under --dry-run), Then the gate stops with exit 2 and reports them inside the component', async () => {
    const w = world({workspace: 'none'});
    const dir = checkout(w, DIRTY);
    const ctx = context(w);

    const error = await lintGate(ctx, {componentDir: dir, mode: 'auto', pythonChanged: true, bin: RUFF}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KpError);
    expect(error).toMatchObject({exitCode: ExitCode.Usage, message: 'Lint failed: 1 ruff finding and 1 file ruff would reformat; nothing was copied.'});
    expect((error as KpError).details?.lint).toMatchObject({
      status: 'failed',
      ruffVersion: '0.14.5',
      findings: [{file: 'sensor.py', line: 1, col: 14, code: 'F401', message: '`os` imported but unused', fixable: true}],
      unformatted: ['helpers/care.py'],
    });
    expect(ctx.out.lines.map((l) => l.text)).toEqual([
      `${path.join(dir, 'sensor.py')}:1:14: F401 [*] \`os\` imported but unused`,
      `Would reformat: ${path.join(dir, 'helpers', 'care.py')}`,
    ]);
    expect(w.calls().map((c) => c.argv[0])).toEqual(['--version', 'check', 'format']);
  });

  it('When the component is clean, Then the gate passes', async () => {
    const w = world({workspace: 'none'});
    const dir = checkout(w, CLEAN);

    const result = await lintGate(context(w), {componentDir: dir, mode: 'required', pythonChanged: true, bin: RUFF});

    expect(result).toEqual({
      status: 'passed',
      reason: 'ruff check and ruff format --check passed',
      engine: 'binary',
      ruffVersion: '0.14.5',
      findings: [],
      unformatted: [],
    });
  });

  it('When no ruff executable exists, Then the real spawn reads as "not found": the in-process ruff checks instead (the changed file, the fake marker being no finding of real ruff)', async () => {
    const w = world({workspace: 'none'});
    const dir = checkout(w, DIRTY);
    const missing = path.join(w.root, 'no-such-bin', 'ruff');
    const ctx = context(w);

    const error = await lintGate(ctx, {componentDir: dir, mode: 'auto', pythonChanged: true, files: ['sensor.py'], bin: missing}).catch((e: unknown) => e);

    expect((error as KpError).details?.lint).toMatchObject({
      engine: 'wasm',
      findings: [{file: 'sensor.py', line: 1, col: 8, code: 'F401', message: '`os` imported but unused', fixable: false}],
      unformatted: [],
    });
    expect(w.calls()).toEqual([]);
  });

  it('When neither a ruff executable nor the in-process ruff exists, Then one skip line, or exit 3 with --lint', async () => {
    const w = world({workspace: 'none'});
    const dir = checkout(w, CLEAN);
    const missing = path.join(w.root, 'no-such-bin', 'ruff');
    const ctx = context(w);
    const wasmPackage = 'kp-test-no-such-ruff-wasm';

    const result = await lintGate(ctx, {componentDir: dir, mode: 'auto', pythonChanged: true, bin: missing, wasmPackage});
    expect(result).toMatchObject({status: 'skipped', reason: 'ruff not found'});
    expect(ctx.out.lines.map((l) => l.text)).toEqual([LINT_SKIPPED_NO_RUFF]);

    await expect(lintGate(ctx, {componentDir: dir, mode: 'required', pythonChanged: true, bin: missing, wasmPackage})).rejects.toMatchObject({
      exitCode: ExitCode.Prerequisite,
    });
  });
});
