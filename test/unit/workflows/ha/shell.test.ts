/**
 * kp's shell scripts as files (src/workflows/ha/sh): shellcheck (Debian's package; .ci/run installs
 * it) finds nothing in any of them, following what each sources, and what runs in the target is
 * each script with its library in place. The scripts' behaviour is tested under busybox and GNU
 * tools in remote-scripts.test.ts and seed tests in manifest.test.ts.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {assembleScript, SCRIPT_LIBRARY} from '../../../../src/workflows/ha/shell.js';
import {APPLY_SCRIPT, FAST_APPLY_SCRIPT, INPLACE_WAIT_SCRIPT, LIST_SCRIPT, PROBE_SCRIPT, UNLOCK_SCRIPT} from '../../../../src/workflows/ha/remote.js';
import {SEED_SCRIPT} from '../../../../src/workflows/ha/manifest.js';
import {projectRoot} from '../../../helpers/cli.js';

const shDir = path.join(projectRoot, 'src', 'workflows', 'ha', 'sh');
const scripts = readdirSync(shDir).filter((name) => name.endsWith('.sh'));
const library = readdirSync(path.join(shDir, 'lib')).map((name) => `lib/${name}`);

describe('the shell scripts kp runs in the HA container', () => {
  it('Given every script in src/workflows/ha/sh, When shellcheck checks it (dash, following what it sources), Then it finds nothing', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(7);
    const result = spawnSync('shellcheck', ['--external-sources', '--format', 'gcc', ...scripts], {cwd: shDir, encoding: 'utf8'});
    if (result.error) throw new Error(`shellcheck could not run (${result.error.message}): install Debian's shellcheck package (.ci/run does).`);
    expect(result.stdout, result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('Given every file, When its first line is read, Then it names the shell (dash: what busybox ash accepts, and HA images have one of the two)', () => {
    for (const file of [...scripts, ...library])
      expect(readFileSync(path.join(shDir, file), 'utf8').split('\n')[0], file).toMatch(/^# shellcheck shell=dash\b/);
  });

  it('Given the library, When compared with the files in sh/lib, Then each is known by its path and sourced by some script', () => {
    expect(Object.keys(SCRIPT_LIBRARY).sort()).toEqual(library.sort());
    const sources = scripts.flatMap((name) => [...readFileSync(path.join(shDir, name), 'utf8').matchAll(/^\. \.\/(lib\/\S+)$/gm)].map((m) => m[1]));
    const sourcedByLib = library.flatMap((name) => [...readFileSync(path.join(shDir, name), 'utf8').matchAll(/^\. \.\/(lib\/\S+)$/gm)].map((m) => m[1]));
    for (const file of library) expect([...sources, ...sourcedByLib], file).toContain(file);
  });

  it('Given the scripts as they run, When read, Then no source line, comment or blank line is left, and each parses under sh -n', () => {
    for (const text of [LIST_SCRIPT, UNLOCK_SCRIPT, APPLY_SCRIPT, FAST_APPLY_SCRIPT, PROBE_SCRIPT, INPLACE_WAIT_SCRIPT, SEED_SCRIPT]) {
      const lines = text.trimEnd().split('\n');
      expect(lines.filter((line) => /^\s*\. \.\//.test(line))).toEqual([]);
      expect(lines.filter((line) => /^\s*(#|$)/.test(line))).toEqual([]);
      execFileSync('sh', ['-n', '-c', text]);
    }
  });

  it('Given a script that sources a file the library lacks, When assembled, Then it fails naming the file', () => {
    expect(() => assembleScript('. ./lib/missing.sh\n')).toThrow('lib/missing.sh');
  });

  it('Given a script that sources a library file, When assembled, Then the file stands where the source line stood', () => {
    expect(assembleScript('a=1\n. ./lib/x.sh\necho "$a"\n', {'lib/x.sh': '# shellcheck shell=dash\n# what x does\nx() { echo x; }\n'})).toBe(
      'a=1\nx() { echo x; }\necho "$a"\n',
    );
  });

  it('Given the TypeScript sources, When searched for shell syntax, Then none is found: every script is a checked file in sh/', () => {
    const tsFiles = readdirSync(path.join(projectRoot, 'src'), {recursive: true, encoding: 'utf8'}).filter((name) => name.endsWith('.ts'));
    const shellish = /; then\b|\besac\b|^\s*['`]?\s*(?:fi|done)\s*['`]?,?\s*$/m;
    // Comment lines are prose (`... checks; then Skaffold's ...`), not scripts.
    const code = (name: string) =>
      readFileSync(path.join(projectRoot, 'src', name), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
        .join('\n');
    const offenders = tsFiles.filter((name) => shellish.test(code(name)));
    expect(offenders).toEqual([]);
  });
});

describe("the repository's own shell scripts", () => {
  it('Given .ci/run and scripts/test-tools/*.sh, When shellcheck checks them, Then it finds nothing', () => {
    const files = ['.ci/run', ...readdirSync(path.join(projectRoot, 'scripts', 'test-tools')).map((name) => `scripts/test-tools/${name}`)];
    const result = spawnSync('shellcheck', ['--external-sources', '--format', 'gcc', ...files], {cwd: projectRoot, encoding: 'utf8'});
    if (result.error) throw new Error(`shellcheck could not run (${result.error.message}): install Debian's shellcheck package (.ci/run does).`);
    expect(result.stdout, result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
