/**
 * bin/kp.cjs, the program npm puts on PATH as `kp`: sh runs its first two lines, Node the rest. The
 * behaviour (Node never reads kp's `--env-file`, under the kernel, dash, bash, BusyBox sh and env) is
 * proven on the installed package in test/integration/package/install.test.ts; here, its form.
 */
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {projectRoot} from '../helpers/cli.js';

const launcher = path.join(projectRoot, 'bin', 'kp.cjs');
const text = readFileSync(launcher, 'utf8');

describe('Given the kp launcher (bin/kp.cjs)', () => {
  it('When package.json names the bin, Then it is this executable file', () => {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {bin: Record<string, string>};
    expect(pkg.bin).toEqual({kp: './bin/kp.cjs'});
    expect(statSync(launcher).mode & 0o111).toBe(0o111);
  });

  it('When its shell part is read, Then it is `#!/bin/sh` and one exec of `node --` with the arguments as given, and shellcheck finds nothing in it', () => {
    const [shebang, exec] = text.split('\n');
    expect(shebang).toBe('#!/bin/sh');
    expect(exec).toBe(`':' //; exec node -- "$0" "$@"`);
    const dir = mkdtempSync(path.join(tmpdir(), 'kp-launcher-'));
    try {
      const file = path.join(dir, 'launcher.sh');
      writeFileSync(file, `${shebang}\n${exec}\n`);
      const result = spawnSync('shellcheck', ['--shell=sh', '--format', 'gcc', file], {encoding: 'utf8'});
      if (result.error) throw new Error(`shellcheck could not run (${result.error.message}): install Debian's shellcheck package (.ci/run does).`);
      expect(result.stdout).toBe('');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('When Node reads it, Then it is valid CommonJS that loads bin/run.cjs (the formatter may not touch it: .prettierignore)', () => {
    expect(spawnSync(process.execPath, ['--check', launcher]).status).toBe(0);
    expect(text).toMatch(/^require\('\.\/run\.cjs'\);$/m);
    expect(readFileSync(path.join(projectRoot, '.prettierignore'), 'utf8')).toMatch(/^bin\/kp\.cjs$/m);
  });
});
