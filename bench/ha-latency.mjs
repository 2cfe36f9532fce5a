#!/usr/bin/env node
/**
 * Latency of the `kp ha sync --watch` loop against the stand-in HA (real Docker engine), the way a
 * developer who saves fifty times an hour meets it:
 * 1. edit -> new bytes in the container, with `--restart none`: seen by a watcher INSIDE the
 *    container (grep every 20 ms), median of 7 edits (target <= 0.5 s);
 * 2. how long the verdict takes once HA answers: a failure ends it at once (the stand-in logs it
 *    0.5 s after it answers, as HA sets integrations up after its port opens; target: kp sees it
 *    within 0.6 s of that), a clean load reads on for the --settle maximum (2 s, shown);
 * 3. six `.py` edits 5 s apart against a stand-in whose boot takes 3 s: restart-to-ready of the
 *    sixth within 1.2x the first (in place: no crash back-off growing with every edit), and the
 *    container's restart count unchanged;
 * 4. an idle watch for 20 s: processes spawned (target 0) and CPU time (target <= 0.2 s).
 * Exits non-zero when a target is missed. Needs `npm run bundle` first (uses bin/run.cjs).
 */
import {execFileSync, spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {realShapedFiles, writeComponent} from '../test/fixtures/ha/make-component.mjs';
import {buildHaStandin, removeHaStandin, startHaStandin} from '../test/fixtures/ha/standin.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kp = path.join(root, 'bin', 'run.cjs');
const id = randomBytes(3).toString('hex');
const fast = `kp-ha-latency-${id}`;
const slow = `kp-ha-latency-${id}-slow`;
const work = mkdtempSync(path.join(tmpdir(), 'kp-ha-latency-'));
const cwd = path.join(work, 'repo');
const component = path.join(cwd, 'custom_components', 'kamerplanter');
const remote = '/config/custom_components/kamerplanter';
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** A line-by-line reader of a child's stream, with waits on what it said. */
function lineReader(stream) {
  const reader = {lines: [], waiters: new Set()};
  let buffer = '';
  stream.on('data', (chunk) => {
    buffer += chunk.toString();
    let index;
    while ((index = buffer.indexOf('\n')) !== -1) {
      reader.lines.push({line: buffer.slice(0, index), at: Date.now()});
      buffer = buffer.slice(index + 1);
      for (const waiter of [...reader.waiters]) waiter();
    }
  });
  reader.waitFor = (predicate, fromIndex = 0, ms = 90_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reader.waiters.delete(check);
        reject(new Error(`no matching line in ${ms / 1000} s:\n${reader.lines.map((l) => l.line).join('\n')}`));
      }, ms);
      const check = () => {
        const found = reader.lines.slice(fromIndex).find((l) => predicate(l.line));
        if (!found) return;
        clearTimeout(timer);
        reader.waiters.delete(check);
        resolve(found);
      };
      reader.waiters.add(check);
      check();
    });
  return reader;
}

/** `kp ha sync --watch --json` on `name` with its spawn log; resolved once it watches. */
async function startWatch(name, extra = []) {
  const spawnLog = path.join(work, `${name}-${Date.now()}.jsonl`);
  // --no-lint: the figures are the sync's own, comparable with earlier runs (the lint gate, which now runs with or without ruff on PATH, is timed apart).
  const child = spawn(process.execPath, [kp, 'ha', 'sync', '--target', 'docker', '--container', name, '--watch', '--json', '--no-lint', ...extra], {
    cwd,
    env: {...process.env, NO_COLOR: '1', CI: 'true', KP_SPAWN_LOG: spawnLog},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watch = {child, spawnLog, out: lineReader(child.stdout), err: lineReader(child.stderr)};
  await watch.err.waitFor((line) => line.startsWith('Watching '));
  return watch;
}

async function stopWatch(watch) {
  watch.child.kill('SIGINT');
  await new Promise((resolve) => watch.child.on('exit', resolve));
}

/** The next NDJSON round line after `from`. */
async function nextRound(watch, from) {
  const found = await watch.out.waitFor((line) => line.startsWith('{') && JSON.parse(line).round !== undefined, from);
  return JSON.parse(found.line);
}

const cpuTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
};
const spawnsIn = (file) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

const failures = [];
const figures = [];
try {
  buildHaStandin();
  startHaStandin(fast);
  startHaStandin(slow, {bootDelay: 3});
  mkdirSync(path.dirname(component), {recursive: true});
  writeComponent(path.dirname(component), realShapedFiles());

  // 1. Edit -> bytes in the container (--restart none): watched from inside the container.
  {
    const watch = await startWatch(fast, ['--restart', 'none']);
    const seer = spawn(
      'docker',
      [
        'exec',
        fast,
        'sh',
        '-c',
        `i=1; while :; do if grep -q "# latency $i\\$" ${remote}/sensor.py 2>/dev/null; then echo "SEEN $i"; i=$((i + 1)); fi; sleep 0.02; done`,
      ],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const seen = lineReader(seer.stdout);
    const latencies = [];
    try {
      for (let edit = 1; edit <= 7; edit += 1) {
        await pause(1500);
        const written = Date.now();
        appendFileSync(path.join(component, 'sensor.py'), `\n# latency ${edit}\n`);
        const arrived = await seen.waitFor((line) => line === `SEEN ${edit}`);
        latencies.push(arrived.at - written);
      }
    } finally {
      seer.kill('SIGKILL');
      await stopWatch(watch);
    }
    const value = median(latencies);
    figures.push(
      `edit -> new bytes in the container (--restart none, debounce 200 ms): median ${value} ms of 7 (${latencies.join(', ')} ms); target <= 500 ms`,
    );
    if (value > 500) failures.push(`edit -> bytes: median ${value} ms (target <= 500 ms)`);
  }

  // 2 + 3. Six .py edits 5 s apart against the 3 s-boot stand-in: restart-to-ready and verdict time.
  {
    const before = execFileSync('docker', ['inspect', '-f', '{{.RestartCount}} {{.State.StartedAt}}', slow], {encoding: 'utf8'}).trim();
    const watch = await startWatch(slow);
    const readyTimes = [];
    const verdictTimes = [];
    const methods = [];
    try {
      for (let edit = 1; edit <= 6; edit += 1) {
        const from = watch.out.lines.length;
        appendFileSync(path.join(component, 'const.py'), `\n# bench edit ${edit}\n`);
        const round = await nextRound(watch, from);
        if (!round.ok || round.report.outcome !== 'synced') throw new Error(`edit ${edit}: round ${JSON.stringify(round).slice(0, 400)}`);
        readyTimes.push(round.report.ready.afterMs);
        verdictTimes.push(round.report.verdict.readMs);
        methods.push(round.report.restart.method);
        if (edit < 6) await pause(5000);
      }
      // A breaking edit: HA logs the failure 0.5 s after it answers; the verdict ends when it shows.
      await pause(2000);
      let from = watch.out.lines.length;
      appendFileSync(path.join(component, '__init__.py'), '\nimport kp_missing_dependency  # KP_TEST_BREAKAGE\n');
      const broken = await nextRound(watch, from);
      if (!broken.ok || broken.report.verdict.status !== 'failed') throw new Error(`breaking edit: ${JSON.stringify(broken).slice(0, 400)}`);
      const lag = broken.report.verdict.readMs - 500;
      figures.push(
        `verdict after HA answered, failing load: ${broken.report.verdict.readMs} ms, of which the stand-in's 500 ms setup; kp saw the failure ${lag} ms after it was logged; target <= 600 ms`,
      );
      if (lag > 600) failures.push(`failing verdict: seen ${lag} ms after it was logged (target <= 600 ms)`);
      from = watch.out.lines.length;
      writeFileSync(
        path.join(component, '__init__.py'),
        readFileSync(path.join(component, '__init__.py'), 'utf8').replace('\nimport kp_missing_dependency  # KP_TEST_BREAKAGE\n', ''),
      );
      await nextRound(watch, from);
    } finally {
      await stopWatch(watch);
    }
    const after = execFileSync('docker', ['inspect', '-f', '{{.RestartCount}} {{.State.StartedAt}}', slow], {encoding: 'utf8'}).trim();
    const ratio = readyTimes[5] / readyTimes[0];
    figures.push(
      `six .py edits 5 s apart (HA boot 3 s): restart-to-ready ${readyTimes.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s; sixth/first ${ratio.toFixed(2)}x; target <= 1.2x`,
    );
    figures.push(
      `  restarts: ${[...new Set(methods)].join(', ')}; container restart count and start ${before === after ? 'unchanged' : `changed (${before} -> ${after})`}`,
    );
    figures.push(`verdict after HA answered, clean load: median ${median(verdictTimes)} ms (the --settle maximum: the log cannot prove success)`);
    if (ratio > 1.2) failures.push(`six edits: sixth restart-to-ready ${ratio.toFixed(2)}x the first (target <= 1.2x)`);
    if (before !== after) failures.push(`six edits: the container restarted (${before} -> ${after}); in place expected`);
  }

  // 4. Idle: 20 s of a watch with nothing to do.
  {
    const watch = await startWatch(fast);
    try {
      await pause(2000); // the engine event stream is up
      const ticks = cpuTicks(watch.child.pid);
      const spawns = spawnsIn(watch.spawnLog);
      await pause(20_000);
      const cpuSeconds = (cpuTicks(watch.child.pid) - ticks) / 100;
      const spawned = spawnsIn(watch.spawnLog) - spawns;
      figures.push(`idle watch, 20 s: ${spawned} processes spawned, ${cpuSeconds.toFixed(2)} s CPU; targets 0 and <= 0.20 s`);
      if (spawned > 0) failures.push(`idle watch: ${spawned} processes in 20 s (target 0)`);
      if (cpuSeconds > 0.2) failures.push(`idle watch: ${cpuSeconds.toFixed(2)} s CPU in 20 s (target <= 0.2 s)`);
    } finally {
      await stopWatch(watch);
    }
  }
} finally {
  removeHaStandin(fast);
  removeHaStandin(slow);
  rmSync(work, {recursive: true, force: true});
}

console.log('\nkp ha sync --watch latency (real engine, stand-in HA restarted in place)');
for (const line of figures) console.log(`  ${line}`);
if (failures.length > 0) {
  console.error(`\nlatency targets missed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('all latency targets met');
