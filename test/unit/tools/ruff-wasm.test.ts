/**
 * The adapter of Ruff's WebAssembly build: the pinned version (the same as the ruff binary the tests
 * install), loading only what is installed, and findings read the way the CLI prints them.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadRuffWasm, RUFF_WASM_PACKAGE, ruffWasmInstalled} from '../../../src/tools/ruff-wasm.js';
import {projectRoot} from '../../helpers/cli.js';

const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {dependencies: Record<string, string>};
const pinnedRuff = /^RUFF_VERSION=(\S+)/m.exec(readFileSync(path.join(projectRoot, 'scripts', 'test-tools', 'versions.sh'), 'utf8'))![1]!;

describe("Ruff's WebAssembly build", () => {
  it('Given package.json and the test tools, When their pins are read, Then the wasm build is pinned exactly to the ruff binary the tests run (so the engines can be compared)', () => {
    expect(pkg.dependencies[RUFF_WASM_PACKAGE]).toBe(pinnedRuff);
    expect(loadRuffWasm()!.version).toBe(pinnedRuff);
  });

  it('Given a package that is not installed, When asked for, Then it is absent (no throw)', () => {
    expect(ruffWasmInstalled('kp-test-no-such-ruff-wasm')).toBe(false);
    expect(loadRuffWasm('kp-test-no-such-ruff-wasm')).toBeUndefined();
    expect(ruffWasmInstalled()).toBe(true);
  });

  it('Given text with findings on one line and a non-ASCII character before them, When checked, Then findings come in position order with character columns, as the CLI prints them', () => {
    const ruff = loadRuffWasm()!;

    const findings = ruff.check('/c/a.py', 's = "é"; import os\nl = lambda: 0\n', {});

    // What `ruff check --output-format concise` 0.15.22 prints for this text (`é` is one column).
    expect(findings.map((f) => `${f.line}:${f.col} ${f.code}`)).toEqual(['1:8 E702', '1:10 E402', '1:17 F401', '2:1 E741', '2:1 E731']);
    expect(findings.every((f) => f.file === '/c/a.py' && !f.fixable)).toBe(true);
  });

  it('Given formatted, unformatted and unparsable text, When format-checked, Then false, true, and undefined (the check reports the syntax error)', () => {
    const ruff = loadRuffWasm()!;
    expect(ruff.wouldReformat('x = 1\n', {})).toBe(false);
    expect(ruff.wouldReformat('x=1\n', {})).toBe(true);
    expect(ruff.wouldReformat('def f(:\n', {})).toBeUndefined();
  });
});
