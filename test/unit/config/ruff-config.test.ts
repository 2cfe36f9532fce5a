/**
 * The pieces of config/ruff-config.ts that imitate ruff without running it: globset's glob
 * semantics, the lowest Python of a requires-python, and pointing at a key in a TOML file. The
 * resolver as a whole: test/unit/workflows/ha/lint-wasm.test.ts (and against the binary,
 * test/integration/real/ruff.test.ts).
 */
import {describe, expect, it} from 'vitest';
import {globRegExp, keyPosition, minimumMinor} from '../../../src/config/ruff-config.js';

describe('globRegExp (globset, literal_separator off, as ruff compiles exclude and per-file-ignores)', () => {
  it.each([
    ['*.py', 'sensor.py', true],
    ['*.py', 'helpers/care.py', true], // `*` crosses `/` in globset's default
    ['*.py', 'sensor.pyi', false],
    ['/repo/tests/*', '/repo/tests/unit/test_a.py', true],
    ['/repo/**/helpers/*', '/repo/custom_components/kp/helpers/care.py', true],
    ['**/tests/**', 'tests/a.py', true],
    ['/repo/legacy', '/repo/legacy', true],
    ['/repo/legacy', '/repo/legacy/old.py', false],
    ['{sensor,const}.py', 'const.py', true],
    ['[!s]*.py', 'sensor.py', false],
    ['[!s]*.py', 'const.py', true],
    ['file?.py', 'file1.py', true],
    ['a\\*.py', 'a*.py', true],
    ['a\\*.py', 'ab.py', false],
    ['<filename>', '<filename>', true],
  ])('Given %j, When matched against %j, Then %s', (pattern, candidate, expected) => {
    expect(globRegExp(pattern).test(candidate)).toBe(expected);
  });
});

describe('minimumMinor (ruff infers target-version from requires-python)', () => {
  it('Given specifiers, When read, Then the lowest allowed 3.x minor, within what ruff 0.15 knows (3.7 .. 3.15)', () => {
    expect(minimumMinor('>=3.13')).toBe(13);
    expect(minimumMinor('>=3.12,<4')).toBe(12);
    expect(minimumMinor('~=3.11')).toBe(11);
    expect(minimumMinor('==3.14.*')).toBe(14);
    expect(minimumMinor('>=3.6')).toBe(7);
    expect(minimumMinor('>=3.99')).toBe(15);
    expect(minimumMinor('<4')).toBeUndefined();
  });
});

describe('keyPosition', () => {
  const config = {
    path: '/repo/pyproject.toml',
    text: '[project]\nname = "x"\n\n[tool.ruff]\n  extend = "../ruff.toml"\n\n[tool.ruff.lint.isort]\nknown-first-party = ["kp"]\nselect = ["F", "XYZ1"]\n',
  };

  it('Given a key, a table name or a quoted value, When located, Then file:line:col of it; else the file alone', () => {
    expect(keyPosition(config, 'extend')).toBe('/repo/pyproject.toml:5:3');
    expect(keyPosition(config, 'isort')).toBe('/repo/pyproject.toml:7:1');
    expect(keyPosition(config, 'XYZ1')).toBe('/repo/pyproject.toml:9:16');
    expect(keyPosition(config, 'nowhere')).toBe('/repo/pyproject.toml');
  });
});
