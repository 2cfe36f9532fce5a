#!/usr/bin/env node
// Bench: `kp dev up --detach` in a copy of the real app repo (../shared/upstream/kamerplanter/) on a
// ready cluster (the no-op path), against the fake tools. The first run adds the Helm repositories and
// downloads the genuine ingress manifest from a local server; the no-op runs must add, download and
// apply nothing. Reports the processes kp spawned (KP_SPAWN_LOG; budget: at most 6) and the wall time.
// Usage: npm run bundle && node bench/dev.mjs [runs]   (prints JSON on stdout)
import {spawn} from 'node:child_process';
import {readFileSync, rmSync} from 'node:fs';
import {createServer} from 'node:http';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {createFakeWorld, GENUINE_INGRESS_MANIFEST} from '../test/fakes/lib/env.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
let downloads = 0;
const manifest = readFileSync(GENUINE_INGRESS_MANIFEST);
const server = createServer((_request, response) => {
  downloads += 1;
  response.end(manifest);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const world = createFakeWorld({
  workspace: 'upstream',
  ingressCache: false,
  env: {KP_TEST_INGRESS_MANIFEST_URL: `http://127.0.0.1:${server.address().port}/deploy.yaml`},
});

// Asynchronous, so the in-process manifest server keeps answering while kp runs.
async function kp(args) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'run.cjs'), ...args], {
    cwd: world.workspace,
    env: {...process.env, ...world.env, NO_COLOR: '1', CI: 'true'},
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const status = await new Promise((resolve) => child.on('close', resolve));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (status !== 0) throw new Error(`kp ${args.join(' ')} exited ${status}:\n${stderr}`);
  return ms;
}

try {
  const createMs = await kp(['dev', 'up', '--detach']);
  const downloadsAfterFirst = downloads;
  const samples = [];
  for (let i = 0; i < runs; i += 1) {
    world.resetLogs();
    const ms = await kp(['dev', 'up', '--detach']);
    const spawns = world.spawns();
    const mutating = world
      .calls()
      .filter(
        (c) =>
          (c.tool === 'kind' && c.argv[0] !== 'version') ||
          c.argv.includes('apply') ||
          (c.tool === 'docker' && c.argv[0] === 'start') ||
          (c.tool === 'helm' && c.argv[0] === 'repo' && c.argv[1] === 'add'),
      );
    samples.push({ms, processes: spawns.length, commands: spawns.map((s) => `${s.command} ${s.args.slice(0, 3).join(' ')}`), mutating: mutating.length});
  }
  // For comparison: the same no-op run with the per-binary version cache removed (first run after an install).
  rmSync(path.join(world.env.XDG_CACHE_HOME, 'kp'), {recursive: true, force: true});
  world.resetLogs();
  const coldMs = await kp(['dev', 'up', '--detach']);
  const coldProcesses = world.spawns().length;
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const report = {
    bench: 'kp dev up --detach in a copy of the real app repo, ready cluster (no-op path), fake kind/kubectl/skaffold/helm/docker',
    firstRunCreateMs: Math.round(createMs),
    runs,
    medianMs: Math.round(times[Math.floor(times.length / 2)]),
    minMs: Math.round(times[0]),
    maxMs: Math.round(times[times.length - 1]),
    maxProcesses: Math.max(...samples.map((s) => s.processes)),
    processBudget: 6,
    mutatingCalls: Math.max(...samples.map((s) => s.mutating)),
    processes: samples[0].commands,
    coldVersionCache: {ms: Math.round(coldMs), processes: coldProcesses},
    ingressDownloads: {firstRun: downloadsAfterFirst, noOpRuns: downloads - downloadsAfterFirst},
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (report.maxProcesses > report.processBudget || report.mutatingCalls > 0 || report.ingressDownloads.noOpRuns > 0) process.exitCode = 1;
} finally {
  world.cleanup();
  server.close();
}
