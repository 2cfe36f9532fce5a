/**
 * The lint gate's WebAssembly engine (no `ruff` on PATH): Ruff's own WebAssembly build, in-process,
 * on the real Kamerplanter component (../shared/upstream/kamerplanter-ha, copied into a checkout of
 * the test's own) with a planted finding and the unformatted file the snapshot ships. That both
 * engines say the same on the same tree: test/integration/real/ruff.test.ts.
 */
import {appendFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../../src/core/errors.js';
import {formatFinding} from '../../../../src/tools/ruff.js';
import {LINT_SKIPPED_NO_RUFF, lintGate, type LintOptions, type LintResult} from '../../../../src/workflows/ha/lint.js';
import {projectRoot} from '../../../helpers/cli.js';
import {useSandbox, type ScriptRule} from '../../../helpers/scripted-runner.js';
import {copyUpstreamComponent} from '../../../helpers/upstream-component.js';

const sandbox = useSandbox();
const absent: ScriptRule = {match: ['ruff', '--version'], reply: {notFound: true}};
const pinnedRuff = /^RUFF_VERSION=(\S+)/m.exec(readFileSync(path.join(projectRoot, 'scripts', 'test-tools', 'versions.sh'), 'utf8'))![1]!;

/** A checkout of the test's own holding the real component; returns both folders. */
function realCheckout(): {checkout: string; component: string} {
  const checkout = sandbox.dir('checkout');
  const component = path.join(checkout, 'custom_components', 'kamerplanter');
  copyUpstreamComponent(component);
  return {checkout, component};
}

/** sensor.py with `import os` appended (an unused import at the end of a module); its line number. */
function plantUnusedImport(component: string): number {
  const lines = readFileSync(path.join(component, 'sensor.py'), 'utf8').split('\n').length;
  appendFileSync(path.join(component, 'sensor.py'), 'import os\n');
  return lines;
}

/** Run the gate with no ruff on PATH; returns what it returned or threw, and the context's output. */
async function gate(options: Omit<LintOptions, 'mode' | 'pythonChanged'> & {mode?: LintOptions['mode']}) {
  const {ctx, runner} = sandbox.context([absent]);
  const outcome = await lintGate(ctx, {mode: 'auto', pythonChanged: true, ...options}).then(
    (result) => ({result, error: undefined}),
    (error: unknown) => ({result: undefined, error: error as KpError}),
  );
  return {...outcome, lines: ctx.out.lines.map((l) => l.text), runner};
}

/** The lint result a failed gate carries. */
const lintOf = (error: KpError | undefined) => {
  expect(error, 'the gate passed').toBeInstanceOf(KpError);
  return error!.details?.lint as LintResult;
};

describe('the lint gate with no ruff on PATH (Ruff’s WebAssembly build)', () => {
  it('Given the real component with a planted unused import, When the gate runs, Then the in-process ruff reports E402 and F401 at line and column and both files to reformat, exit 2, printed as the ruff CLI prints them', async () => {
    // Given
    const {component} = realCheckout();
    const line = plantUnusedImport(component);
    // When: the whole component (a ruff config in it changed, or a first sync)
    const {error, lines, runner} = await gate({componentDir: component});
    // Then
    expect(error?.exitCode).toBe(ExitCode.Usage);
    expect(error?.message).toBe('Lint failed: 2 ruff findings and 2 files ruff would reformat; nothing was copied.');
    expect(error?.hint).toContain('pipx install ruff');
    const lint = lintOf(error);
    expect(lint).toMatchObject({status: 'failed', engine: 'wasm', ruffVersion: pinnedRuff});
    // The wasm build does not say which fixes are safe: no finding is marked `[*]` (fixable).
    expect(lint.findings).toEqual([
      {file: 'sensor.py', line, col: 1, code: 'E402', message: 'Module level import not at top of file', fixable: false},
      {file: 'sensor.py', line, col: 8, code: 'F401', message: '`os` imported but unused', fixable: false},
    ]);
    // config_flow.py as the snapshot ships it is not formatted as ruff's defaults want (the repo has
    // no ruff config); the planted line wants blank lines before it.
    expect(lint.unformatted).toEqual(['config_flow.py', 'sensor.py']);
    const sensor = path.join(component, 'sensor.py');
    expect(lines).toEqual([
      formatFinding({file: sensor, line, col: 1, code: 'E402', message: 'Module level import not at top of file', fixable: false}),
      `${sensor}:${line}:8: F401 \`os\` imported but unused`,
      `Would reformat: ${path.join(component, 'config_flow.py')}`,
      `Would reformat: ${sensor}`,
    ]);
    expect(runner.lines()).toEqual(['ruff --version']);
  });

  it('Given only sensor.py changed, When the gate runs on the changed files, Then only sensor.py is checked (config_flow.py, unchanged, is not)', async () => {
    const {component} = realCheckout();
    const line = plantUnusedImport(component);

    const {error} = await gate({componentDir: component, files: ['sensor.py']});

    expect(lintOf(error).findings.map((f) => `${f.file}:${f.line}:${f.col} ${f.code}`)).toEqual([`sensor.py:${line}:1 E402`, `sensor.py:${line}:8 F401`]);
    expect(lintOf(error).unformatted).toEqual(['sensor.py']);
  });

  it('Given a changed file that is clean and formatted, When the gate runs (under --verbose), Then it passes with engine wasm and one line names the engine', async () => {
    const {component} = realCheckout();
    const {ctx: quiet} = sandbox.context([absent]);
    const ctx = {...quiet, verbose: true};

    const result = await lintGate(ctx, {componentDir: component, mode: 'required', pythonChanged: true, files: ['const.py', 'sensor.py']});

    expect(result).toEqual({
      status: 'passed',
      reason: 'ruff check and ruff format --check passed',
      engine: 'wasm',
      ruffVersion: pinnedRuff,
      findings: [],
      unformatted: [],
    });
    expect(ctx.out.lines.map((l) => l.text)).toEqual([
      expect.stringMatching(new RegExp(`^lint: ruff ${pinnedRuff}, Ruff's WebAssembly build in kp's process \\(no ruff on PATH\\): 2 files in `)),
    ]);
  });

  it('Given --no-lint, When the gate runs, Then it is skipped: neither ruff is asked', async () => {
    const {component} = realCheckout();
    plantUnusedImport(component);

    const {result, runner} = await gate({componentDir: component, mode: 'off'});

    expect(result).toEqual({status: 'skipped', reason: '--no-lint', findings: [], unformatted: []});
    expect(runner.calls).toEqual([]);
  });

  it('Given a file that does not parse, When the gate runs, Then its syntax errors are invalid-syntax findings and it is not called unformatted', async () => {
    const {component} = realCheckout();
    writeFileSync(path.join(component, 'broken.py'), 'def f(:\n    pass\n');

    const {error} = await gate({componentDir: component, files: ['broken.py']});

    expect(lintOf(error).findings).toEqual([
      {file: 'broken.py', line: 1, col: 7, code: 'invalid-syntax', message: 'Expected a parameter or the end of the parameter list', fixable: false},
      {file: 'broken.py', line: 1, col: 8, code: 'invalid-syntax', message: 'Expected `)`, found newline', fixable: false},
    ]);
    expect(lintOf(error).unformatted).toEqual([]);
  });
});

describe("the WebAssembly engine reads the checkout's ruff config as ruff does", () => {
  it('Given a ruff.toml at the checkout root ignoring E402, When the gate runs, Then only F401 is left', async () => {
    const {checkout, component} = realCheckout();
    plantUnusedImport(component);
    writeFileSync(path.join(checkout, 'ruff.toml'), '[lint]\nignore = ["E402"]\n');

    const {error} = await gate({componentDir: component, files: ['sensor.py']});

    expect(lintOf(error).findings.map((f) => f.code)).toEqual(['F401']);
  });

  it('Given a pyproject.toml with [tool.ruff] whose per-file-ignores name sensor.py, When the gate runs, Then F401 is ignored there (the pattern matched on the real path)', async () => {
    const {checkout, component} = realCheckout();
    plantUnusedImport(component);
    writeFileSync(
      path.join(checkout, 'pyproject.toml'),
      '[project]\nname = "x"\n\n[tool.ruff.lint.per-file-ignores]\n"custom_components/*/sensor.py" = ["F401"]\n',
    );

    const {error} = await gate({componentDir: component, files: ['sensor.py']});

    expect(lintOf(error).findings.map((f) => f.code)).toEqual(['E402']);
  });

  it('Given a pyproject.toml without [tool.ruff] beside a ruff.toml further up, When the gate runs, Then the pyproject is passed over and the ruff.toml above applies', async () => {
    const {checkout, component} = realCheckout();
    plantUnusedImport(component);
    writeFileSync(path.join(checkout, 'ruff.toml'), '[lint]\nignore = ["F401"]\n');
    writeFileSync(path.join(checkout, 'custom_components', 'pyproject.toml'), '[project]\nname = "x"\n');

    const {error} = await gate({componentDir: component, files: ['sensor.py']});

    expect(lintOf(error).findings.map((f) => f.code)).toEqual(['E402']);
  });

  it("Given .ruff.toml, ruff.toml and pyproject.toml in one folder, When the gate runs, Then .ruff.toml wins (ruff's precedence)", async () => {
    const {checkout, component} = realCheckout();
    plantUnusedImport(component);
    writeFileSync(path.join(checkout, '.ruff.toml'), '[lint]\nignore = ["E402"]\n');
    writeFileSync(path.join(checkout, 'ruff.toml'), '[lint]\nignore = ["F401"]\n');
    writeFileSync(path.join(checkout, 'pyproject.toml'), '[tool.ruff.lint]\nignore = ["F401", "E402"]\n');

    const {error} = await gate({componentDir: component, files: ['sensor.py']});

    expect(lintOf(error).findings.map((f) => f.code)).toEqual(['F401']);
  });

  it('Given a ruff.toml asking for single quotes, When the gate runs, Then the formatter uses it (const.py, double-quoted, would be reformatted)', async () => {
    const {checkout, component} = realCheckout();
    expect((await gate({componentDir: component, files: ['const.py']})).result).toMatchObject({status: 'passed'});
    writeFileSync(path.join(checkout, 'ruff.toml'), '[format]\nquote-style = "single"\n');

    const {error} = await gate({componentDir: component, files: ['const.py']});

    expect(lintOf(error)).toMatchObject({findings: [], unformatted: ['const.py']});
  });

  it('Given extend-exclude naming sensor.py, When the gate runs on it, Then it is left out as ruff --force-exclude leaves it out', async () => {
    const {checkout, component} = realCheckout();
    plantUnusedImport(component);
    writeFileSync(path.join(checkout, 'ruff.toml'), 'extend-exclude = ["sensor.py"]\n');

    const {result} = await gate({componentDir: component, files: ['sensor.py']});

    expect(result).toMatchObject({status: 'passed', findings: [], unformatted: []});
  });

  it("Given the whole component (a config in it changed), When the gate walks it, Then folders ruff excludes by default (.venv, dist) are not entered, unless the config's own exclude replaces the defaults", async () => {
    const {checkout, component} = realCheckout();
    for (const folder of ['.venv/lib', 'dist']) {
      mkdirSync(path.join(component, folder), {recursive: true});
      writeFileSync(path.join(component, folder, 'vendored.py'), 'import os\n');
    }
    writeFileSync(path.join(checkout, 'ruff.toml'), '[format]\nexclude = ["config_flow.py"]\n');
    expect((await gate({componentDir: component})).result).toMatchObject({status: 'passed'});
    writeFileSync(path.join(checkout, 'ruff.toml'), 'exclude = [".venv"]\n[format]\nexclude = ["config_flow.py"]\n');

    const {error} = await gate({componentDir: component});

    expect(lintOf(error).findings.map((f) => `${f.file} ${f.code}`)).toEqual(['dist/vendored.py F401']);
  });

  it('Given requires-python >= 3.9 and no target-version, When a file uses 3.12 syntax, Then ruff infers the target from it (invalid-syntax on 3.9), with or without [tool.ruff], as the binary does', async () => {
    const {checkout, component} = realCheckout();
    writeFileSync(path.join(component, 'types_.py'), 'type Reading = float\n');
    // With no target at all, ruff parses for the newest Python.
    expect((await gate({componentDir: component, files: ['types_.py']})).result).toMatchObject({status: 'passed'});
    const says = ['Cannot use `type` alias statement on Python 3.9 (syntax was added in Python 3.12)'];
    for (const tool of ['', '\n[tool.ruff]\n']) {
      writeFileSync(path.join(checkout, 'pyproject.toml'), `[project]\nname = "x"\nrequires-python = ">=3.9"\n${tool}`);

      const {error} = await gate({componentDir: component, files: ['types_.py']});

      expect(lintOf(error).findings.map((f) => f.message)).toEqual(says);
    }
  });

  it('Given a ruff.toml with a TOML syntax error, When the gate runs, Then exit 2 names file:line:col', async () => {
    const {checkout, component} = realCheckout();
    writeFileSync(path.join(checkout, 'ruff.toml'), 'line-length = 100\n[lint]\nselect = ["F"\nignore = []\n');

    const {error} = await gate({componentDir: component, files: ['const.py']});

    expect(error?.exitCode).toBe(ExitCode.Usage);
    expect(error?.message).toMatch(new RegExp(`^${path.join(checkout, 'ruff.toml').replace(/[.]/g, '\\.')}:4:1: invalid TOML: `));
  });

  it('Given a key or a rule ruff does not know, When the gate runs, Then exit 2 names the config at that key', async () => {
    const {checkout, component} = realCheckout();
    const config = path.join(checkout, 'ruff.toml');
    writeFileSync(config, 'line-length = 100\nline-lenght = 90\n');
    const unknownKey = await gate({componentDir: component, files: ['const.py']});
    expect(unknownKey.error?.exitCode).toBe(ExitCode.Usage);
    expect(
      unknownKey.error?.message.startsWith(`${config}:2:1: ruff cannot use this configuration: unknown field \`line-lenght\``),
      unknownKey.error?.message,
    ).toBe(true);
    writeFileSync(config, '[lint]\nextend-select = ["F", "XYZ123"]\n');

    const unknownRule = await gate({componentDir: component, files: ['const.py']});

    expect(unknownRule.error?.exitCode).toBe(ExitCode.Usage);
    expect(
      unknownRule.error?.message.startsWith(`${config}:2:23: ruff cannot use this configuration: Unknown rule selector \`XYZ123\``),
      unknownRule.error?.message,
    ).toBe(true);
  });

  it('Given a config that extends another, When the gate runs, Then by default one line says the lint is skipped and why (file:line:col); with --lint it is exit 3', async () => {
    const {checkout, component} = realCheckout();
    mkdirSync(path.join(checkout, 'shared'));
    writeFileSync(path.join(checkout, 'shared', 'ruff.toml'), '[lint]\nselect = ["ALL"]\n');
    writeFileSync(path.join(checkout, 'ruff.toml'), '# shared settings\nextend = "shared/ruff.toml"\n');
    const where = `${path.join(checkout, 'ruff.toml')}:2:1`;

    const auto = await gate({componentDir: component, files: ['const.py']});
    expect(auto.result).toMatchObject({status: 'skipped', reason: expect.stringContaining(where)});
    expect(auto.lines).toEqual([expect.stringMatching(/^lint skipped: ruff not found, and kp's in-process ruff cannot use .*ruff\.toml:2:1: `extend`/)]);
    expect(auto.lines[0]).not.toBe(LINT_SKIPPED_NO_RUFF);

    const required = await gate({componentDir: component, files: ['const.py'], mode: 'required'});
    expect(required.error?.exitCode).toBe(ExitCode.Prerequisite);
    expect(required.error?.message).toContain(where);
  });

  it('Given an install whose in-process ruff cannot load (its .wasm gone), When the gate runs, Then ruff failed (exit 4) with the ways out, not a crash of kp', async () => {
    const {component} = realCheckout();
    const broken = path.join(sandbox.dir('broken-package'), 'index.cjs');
    writeFileSync(broken, 'throw new Error("ENOENT: no such file or directory, open \'ruff_wasm_bg.wasm\'");\n');

    const {error} = await gate({componentDir: component, files: ['const.py'], wasmPackage: broken});

    expect(error?.exitCode).toBe(ExitCode.ToolFailed);
    expect(error?.message).toMatch(/^kp's in-process ruff \(.*index\.cjs\) could not be loaded: ENOENT.*ruff_wasm_bg\.wasm/);
    expect(error?.hint).toMatch(/^Reinstall kp, or install ruff .*--no-lint/);
  });

  it('Given a Latin-1 file, When the gate runs, Then it is E902 as the ruff CLI says it (exit 2), never decoded into a pass', async () => {
    const {component} = realCheckout();
    writeFileSync(path.join(component, 'latin.py'), Buffer.from('x = "\xe9"\n', 'latin1'));

    const {error} = await gate({componentDir: component, files: ['latin.py']});

    expect(lintOf(error).findings).toEqual([{file: 'latin.py', line: 1, col: 1, code: 'E902', message: 'stream did not contain valid UTF-8', fixable: false}]);
  });
});
