/**
 * `npm run bench`: speed targets as ratios and counts, never as timed tests.
 * - on the machine's Node and each LTS release CI tests: start-up of `kp --version` and
 *   `kp compose start --help` through bin/kp.cjs against `node -e 0` (target <= 2.0x);
 * - time to the first spawned process of `kp compose status`, `kp dev status`, `kp ha status`
 *   against `node -e 0` (target <= 2.0x; the runner stamps each spawn in $KP_SPAWN_LOG);
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
const kp = path.join(root, 'bin', 'run.cjs');
/** The program a shell starts as `kp` (it starts the `node` first on PATH). */
const launcher = path.join(root, 'bin', 'kp.cjs');

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

/** A Node.js to measure kp on, and the environment whose PATH makes kp's launcher start it. */
interface BenchNode {
  node: string;
  version: string;
  env: NodeJS.ProcessEnv;
}

/** The machine's Node, then every LTS release CI tests (scripts/test-tools/node-lts.sh installs them into .ci/cache). */
function benchNodes(): BenchNode[] {
  const pinned = /^NODE_LTS_VERSIONS="([^"]+)"/m.exec(readFileSync(path.join(root, 'scripts/test-tools/versions.sh'), 'utf8'))![1]!.split(' ');
  const installer = path.join(root, 'scripts/test-tools/node-lts.sh');
  const dirs = [path.dirname(process.execPath), ...pinned.map((version) => execFileSync('bash', [installer, 'bin', version], {encoding: 'utf8'}).trim())];
  return dirs.map((dir) => {
    const node = path.join(dir, 'node');
    return {
      node,
      version: execFileSync(node, ['--version'], {encoding: 'utf8'}).trim(),
      env: {...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`},
    };
  });
}

/** Start-up through the launcher (bin/kp.cjs, as a shell starts it) against a bare `node -e 0` of the same Node. */
function startupBench(target: BenchNode): void {
  const runs = 15;
  const env = {...target.env, NO_COLOR: '1'};
  timeRuns(launcher, ['--version'], 2, env); // warm the page cache
  const baseline = timeRuns(target.node, ['-e', '0'], runs, env);
  const version = timeRuns(launcher, ['--version'], runs, env);
  const help = timeRuns(launcher, ['compose', 'start', '--help'], runs, env);
  console.log(`start-up on Node ${target.version} (median of %d runs, bin/kp.cjs started as a shell starts it)`, runs);
  console.log(`  node -e 0                 ${baseline.toFixed(0)} ms`);
  console.log(`  kp --version              ${version.toFixed(0)} ms  ratio ${(version / baseline).toFixed(2)}x  (target <= 2.0x)`);
  console.log(`  kp compose start --help   ${help.toFixed(0)} ms  ratio ${(help / baseline).toFixed(2)}x  (target <= 2.0x)`);
}

/**
 * Milliseconds from launching `kp ...args` to its first spawned process, and of a bare `node -e 0`,
 * each the median of `runs`, measured in turns (kp, node, kp, node, ...) so a change in the
 * machine's load hits both sides of the ratio alike.
 */
function timeToFirstSpawn(target: BenchNode, args: string[], runs: number, env: NodeJS.ProcessEnv): {kpMs: number; nodeMs: number} {
  const kpSamples: number[] = [];
  const nodeSamples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    rmSync(env.KP_SPAWN_LOG!, {force: true});
    const launched = performance.timeOrigin + performance.now();
    spawnSync(launcher, args, {env, stdio: 'ignore'});
    const first = readFileSync(env.KP_SPAWN_LOG!, 'utf8').split('\n')[0];
    if (!first) throw new Error(`kp ${args.join(' ')} spawned nothing`);
    kpSamples.push((JSON.parse(first) as {at: number}).at - launched);
    nodeSamples.push(timeRuns(target.node, ['-e', '0'], 1, env));
  }
  return {kpMs: median(kpSamples), nodeMs: median(nodeSamples)};
}

function firstSpawnBench(target: BenchNode): void {
  const runs = 15;
  const home = mkdtempSync(path.join(tmpdir(), 'kp-bench-spawn-'));
  // Its own HOME and XDG dirs (and a kubeconfig with no dev cluster): read-only status commands,
  // whatever the engine or cluster answers; the code cache is warmed by the first run of each.
  const env = {
    ...target.env,
    NO_COLOR: '1',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_STATE_HOME: path.join(home, 'state'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    KUBECONFIG: path.join(home, 'kubeconfig'),
    KP_COMPOSE_PROJECT: `kp-bench-${process.pid}`,
    KP_SPAWN_LOG: path.join(home, 'spawns.jsonl'),
  };
  // Node 22.1 and later: Node's own compile cache; Node 20: kp's vm.Script cache (bin/run.cjs).
  const cache = Number(target.version.slice(1).split('.')[0]) >= 22 ? "Node's compile cache" : "kp's vm.Script code cache";
  try {
    console.log(`time to first spawned process on Node ${target.version} (median of %d runs, each beside a node -e 0; ${cache}, warm)`, runs);
    const commands = [
      ['compose', 'status'],
      ['dev', 'status'],
      ['ha', 'status'],
    ];
    for (const args of commands) timeToFirstSpawn(target, args, 1, env); // warm the code cache and page cache
    for (const args of commands) {
      const {kpMs, nodeMs} = timeToFirstSpawn(target, args, runs, env);
      console.log(
        `  kp ${args.join(' ').padEnd(22)} ${kpMs.toFixed(0)} ms, node -e 0 ${nodeMs.toFixed(0)} ms: ratio ${(kpMs / nodeMs).toFixed(2)}x  (target <= 2.0x)`,
      );
    }
    const cold = timeToFirstSpawn(target, ['compose', 'status'], 5, {...env, KP_NO_CODE_CACHE: '1'});
    console.log(
      `  kp compose status, no code cache ${cold.kpMs.toFixed(0)} ms, node -e 0 ${cold.nodeMs.toFixed(0)} ms: ratio ${(cold.kpMs / cold.nodeMs).toFixed(2)}x  (for comparison)`,
    );
  } finally {
    rmSync(home, {recursive: true, force: true});
  }
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
    console.log(
      `  second kp compose start on a running stack: ${second.toFixed(0)} ms (median of 5), ${spawns} processes, ratio ${(second / baseline).toFixed(1)}x node -e 0`,
    );
  } finally {
    spawnSync(process.execPath, [kp, 'compose', 'down', '--volumes', '--yes'], {env, stdio: 'ignore'});
    rmSync(home, {recursive: true, force: true});
  }
}

for (const target of benchNodes()) {
  startupBench(target);
  firstSpawnBench(target);
}
composeBench();
for (const extra of ['dev.mjs', 'ha.mjs', 'ha-latency.mjs', 'ha-real.mjs']) {
  const file = path.join(root, 'bench', extra);
  if (existsSync(file)) spawnSync(process.execPath, [file], {stdio: 'inherit'});
}
// The code reload against a real HA: TypeScript, since it provisions that HA with kp's own workflows.
spawnSync(
  process.execPath,
  [
    path.join(root, 'node_modules', 'vite-node', 'vite-node.mjs'),
    '--config',
    path.join(root, 'bench', 'vite.config.ts'),
    path.join(root, 'bench', 'ha-reload.ts'),
  ],
  {stdio: 'inherit'},
);
