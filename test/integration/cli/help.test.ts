import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {kpBin, projectRoot, runKp} from '../helpers/cli.js';

const HEAVY = ['execa', 'listr2', 'chalk', 'yaml', 'dotenv', '@oclif/core'];

function importsOf(args: string[]): string[] {
  const log = path.join(mkdtempSync(path.join(tmpdir(), 'kp-imports-')), 'imports.log');
  const result = spawnSync(process.execPath, ['--import', path.join(projectRoot, 'test/helpers/record-imports.mjs'), kpBin, ...args], {
    env: {...process.env, KP_IMPORT_LOG: log},
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe('start-up path', () => {
  it.each([[['--version']], [['--help']], [['compose', 'start', '--help']], [['dev', 'up', '--help']], [['ha', 'sync', '-h']], [['compose']]])(
    'kp %j loads none of execa, listr2, chalk, yaml, dotenv, @oclif/core',
    (args) => {
      const imports = importsOf(args);
      expect(imports.length).toBeGreaterThan(0);
      for (const heavy of HEAVY) expect(imports.filter((url) => url.includes(`/node_modules/${heavy}/`))).toEqual([]);
    },
  );
});

describe('help and errors', () => {
  it('root help lists every command and the exit-code table', async () => {
    const result = await runKp(['--help']);
    expect(result.exitCode).toBe(0);
    for (const command of ['compose start', 'compose stop', 'compose down', 'compose status', 'compose logs', 'doctor']) {
      expect(result.stdout).toContain(command);
    }
    expect(result.stdout).toMatch(/EXIT CODES[\s\S]*130\s+interrupted/);
  });

  it('an unknown flag is a usage error (exit 2) with a hint; --json makes it a JSON error object on stdout', async () => {
    const human = await runKp(['compose', 'status', '--bogus']);
    expect(human.exitCode).toBe(2);
    expect(human.stderr).toMatch(/error: Nonexistent flag: --bogus/);
    const json = await runKp(['compose', 'status', '--bogus', '--json']);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({error: {exitCode: 2}});
  });

  it('an unknown profile lists the valid ones and suggests the closest, before touching the engine', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'kp-cli-'));
    const result = await runKp(['compose', 'start', '--profile', 'timescale'], {
      env: {XDG_CONFIG_HOME: home, XDG_STATE_HOME: home, DOCKER_HOST: 'unix:///nonexistent.sock'},
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/Unknown profile "timescale" in .*docker-compose\.yml\. Valid profiles: timescaledb\./);
    expect(result.stderr).toMatch(/Did you mean "timescaledb"\?/);
    // and nothing was written: not even the env file
    expect(existsSync(path.join(home, 'kp', 'compose.env'))).toBe(false);
  });

  it('--version prints the version', async () => {
    const result = await runKp(['--version']);
    expect(result.stdout).toMatch(/^kp\/\d+\.\d+\.\d+ /);
  });
});
