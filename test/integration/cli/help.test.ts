/**
 * The CLI's start-up path, root help and version: the real bin/run.js, nothing faked.
 */
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {kpBin, projectRoot, runKp} from '../../helpers/cli.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs();
const HEAVY = ['execa', 'listr2', 'chalk', 'yaml', 'dotenv', '@oclif/core'];

/** Every module URL kp resolves while running `args` (recorded by test/helpers/record-imports.mjs). */
function importsOf(args: string[]): string[] {
  const log = path.join(tempDir('kp-imports-'), 'imports.log');
  const result = spawnSync(process.execPath, ['--import', path.join(projectRoot, 'test/helpers/record-imports.mjs'), kpBin, ...args], {
    env: {...process.env, KP_IMPORT_LOG: log},
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe('Given the start-up path (help, version, a topic)', () => {
  it.each([[['--version']], [['--help']], [['compose', 'start', '--help']], [['dev', 'up', '--help']], [['ha', 'sync', '-h']], [['compose']]])(
    'When kp %j runs, Then it loads none of execa, listr2, chalk, yaml, dotenv, @oclif/core',
    (args) => {
      const imports = importsOf(args);
      // the recorder saw kp's own modules, so an empty list cannot pass for "nothing heavy"
      expect(imports.some((url) => url.includes('/dist/') || url.endsWith('/bin/run.js'))).toBe(true);
      for (const heavy of HEAVY) expect(imports.filter((url) => url.includes(`/node_modules/${heavy}/`))).toEqual([]);
    },
  );
});

describe('Given the root command', () => {
  it('When kp --help runs, Then it lists every command and the exit-code table', async () => {
    const result = await runKp(['--help']);
    expect(result.exitCode).toBe(0);
    for (const command of ['compose start', 'compose stop', 'compose down', 'compose status', 'compose logs', 'doctor']) {
      expect(result.stdout).toContain(command);
    }
    expect(result.stdout).toMatch(/EXIT CODES[\s\S]*130\s+interrupted/);
  });

  it('When kp --version runs, Then it prints the version', async () => {
    const result = await runKp(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^kp\/\d+\.\d+\.\d+ /);
  });
});
