/**
 * `npm run bench`: speed targets as ratios and counts, never as timed tests.
 * - start-up of `kp --version` and `kp compose start --help` against `node -e 0` (target <= 2.0x);
 * - wall time of a second `kp compose start` on a running stack (real engine, stand-in images);
 * - then the dev and ha benches when present (bench/dev.mjs, bench/ha.mjs).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {buildComposeStandins, STANDIN_ENV} from '../test/e2e/support/compose-standins.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kp = path.join(root, 'bin', 'run.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeRuns(command: string, args: string[], runs: number, env: NodeJS.ProcessEnv = process.env): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, {env, stdio: 'ignore'});
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(samples);
}

function startupBench(): void {
  const runs = 15;
  timeRuns(process.execPath, [kp, '--version'], 2); // warm the page cache
  const baseline = timeRuns(process.execPath, ['-e', '0'], runs);
  const version = timeRuns(process.execPath, [kp, '--version'], runs);
  const help = timeRuns(process.execPath, [kp, 'compose', 'start', '--help'], runs);
  console.log('start-up (median of %d runs)', runs);
  console.log(`  node -e 0                 ${baseline.toFixed(0)} ms`);
  console.log(`  kp --version              ${version.toFixed(0)} ms  ratio ${(version / baseline).toFixed(2)}x  (target <= 2.0x)`);
  console.log(`  kp compose start --help   ${help.toFixed(0)} ms  ratio ${(help / baseline).toFixed(2)}x  (target <= 2.0x)`);
}

function composeBench(): void {
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {stdio: 'ignore'});
  } catch {
    console.log('compose: no reachable Docker engine, second-start bench not run');
    return;
  }
  buildComposeStandins();
  const home = mkdtempSync(path.join(tmpdir(), 'kp-bench-'));
  const env = {
    ...process.env,
    ...STANDIN_ENV,
    NO_COLOR: '1',
    // Its own project: the bench never starts, stops or deletes a user's real `kamerplanter` stack.
    KP_COMPOSE_PROJECT: `kp-bench-${process.pid}`,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_STATE_HOME: path.join(home, 'state'),
    FRONTEND_HOST_PORT: '28080',
    BACKEND_HOST_PORT: '28000',
    ARANGODB_HOST_PORT: '28529',
    VALKEY_HOST_PORT: '26379',
    KP_SPAWN_LOG: path.join(home, 'spawns.jsonl'),
  };
  try {
    const first = spawnSync(process.execPath, [kp, 'compose', 'start', '--timeout', '240'], {env, stdio: 'ignore'});
    if (first.status !== 0) throw new Error(`first kp compose start exited ${first.status}`);
    rmSync(env.KP_SPAWN_LOG, {force: true});
    const second = timeRuns(process.execPath, [kp, 'compose', 'start'], 5, env);
    const spawns = readFileSync(env.KP_SPAWN_LOG, 'utf8').trim().split('\n').length / 5;
    const baseline = timeRuns(process.execPath, ['-e', '0'], 5);
    console.log('compose');
    console.log(`  second kp compose start on a running stack: ${second.toFixed(0)} ms (median of 5), ${spawns} processes, ratio ${(second / baseline).toFixed(1)}x node -e 0`);
  } finally {
    spawnSync(process.execPath, [kp, 'compose', 'down', '--volumes', '--yes'], {env, stdio: 'ignore'});
    rmSync(home, {recursive: true, force: true});
  }
}

startupBench();
composeBench();
for (const extra of ['dev.mjs', 'ha.mjs']) {
  const file = path.join(root, 'bench', extra);
  if (existsSync(file)) spawnSync(process.execPath, [file], {stdio: 'inherit'});
}
