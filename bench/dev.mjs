#!/usr/bin/env node
// Bench: `kp dev up --detach` on a ready cluster (the no-op path), against the fake tools.
// Reports the processes kp spawned (KP_SPAWN_LOG; budget: at most 6) and the wall time.
// Usage: npm run build && node bench/dev.mjs [runs]   (prints JSON on stdout)
import {spawnSync} from 'node:child_process';
import {rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {createFakeWorld} from '../test/fakes/lib/env.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const world = createFakeWorld();

function kp(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [path.join(root, 'bin', 'run.js'), ...args], {
    cwd: world.workspace,
    env: {...process.env, ...world.env, NO_COLOR: '1', CI: 'true'},
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`kp ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return ms;
}

try {
  const createMs = kp(['dev', 'up', '--detach']);
  const samples = [];
  for (let i = 0; i < runs; i += 1) {
    world.resetLogs();
    const ms = kp(['dev', 'up', '--detach']);
    const spawns = world.spawns();
    const mutating = world.calls().filter((c) => (c.tool === 'kind' && c.argv[0] !== 'version') || c.argv.includes('apply') || (c.tool === 'docker' && c.argv[0] === 'start'));
    samples.push({ms, processes: spawns.length, commands: spawns.map((s) => `${s.command} ${s.args.slice(0, 3).join(' ')}`), mutating: mutating.length});
  }
  // For comparison: the same no-op run with the per-binary version cache removed (first run after an install).
  rmSync(path.join(world.env.XDG_CACHE_HOME, 'kp'), {recursive: true, force: true});
  world.resetLogs();
  const coldMs = kp(['dev', 'up', '--detach']);
  const coldProcesses = world.spawns().length;
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const report = {
    bench: 'kp dev up --detach, ready cluster (no-op path), fake kind/kubectl/skaffold/helm/docker',
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
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (report.maxProcesses > report.processBudget || report.mutatingCalls > 0) process.exitCode = 1;
} finally {
  world.cleanup();
}
