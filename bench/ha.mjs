#!/usr/bin/env node
/**
 * Bench for `kp ha sync` on the container target with the real Docker engine: a component the
 * shape of the real Kamerplanter one (45 files, ~6.7 MB, generated here, never committed) synced
 * into a stand-in HA container. Prints the figures next to the five-command manual procedure and
 * exits non-zero when a speed target is missed. Needs `npm run build` first (uses bin/run.js).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {realShapedFiles, writeComponent} from '../test/fixtures/ha/make-component.mjs';
import {buildHaStandin, removeHaStandin, startHaStandin} from '../test/fixtures/ha/standin.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kp = path.join(root, 'bin', 'run.js');
const container = `kp-ha-bench-${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(path.join(tmpdir(), 'kp-ha-bench-'));
const cwd = path.join(work, 'repo');
const component = path.join(cwd, 'custom_components', 'kamerplanter');

function restartCount() {
  return Number(execFileSync('docker', ['inspect', '-f', '{{.RestartCount}}', container], {encoding: 'utf8'}).trim());
}

/** One kp run: its report, wall time, and the processes it spawned (split at the upload exec). */
function run(label) {
  const spawnLog = path.join(work, `${label.replace(/\W+/g, '-')}.jsonl`);
  const restartsBefore = restartCount();
  const started = Date.now();
  const child = spawnSync(process.execPath, [kp, 'ha', 'sync', '--target', 'docker', '--container', container, '--json', '--settle', '0'], {
    cwd,
    env: {...process.env, KP_SPAWN_LOG: spawnLog, NO_COLOR: '1', CI: 'true'},
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Date.now() - started;
  if (child.status !== 0) throw new Error(`${label}: kp exited ${child.status}\n${child.stderr}`);
  const report = JSON.parse(child.stdout);
  const spawns = existsSync(spawnLog) ? readFileSync(spawnLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  const uploadIndex = spawns.findIndex((s) => s.args[0] === 'exec' && s.args[1] === '-i');
  const throughRestart = uploadIndex === -1 ? spawns.length : uploadIndex + 1;
  return {
    label,
    outcome: report.outcome,
    ms,
    processes: spawns.length,
    processesThroughRestart: throughRestart,
    processesWaitVerdict: spawns.length - throughRestart,
    bytesSent: report.upload.bytes,
    filesSent: report.upload.files,
    restarts: restartCount() - restartsBefore,
    verdict: report.verdict.status,
  };
}

const files = realShapedFiles();
const totalBytes = Object.values(files).reduce((sum, content) => sum + Buffer.byteLength(content), 0);
const results = [];
const failures = [];
try {
  buildHaStandin();
  startHaStandin(container);
  mkdirSync(path.dirname(component), {recursive: true});
  writeComponent(path.dirname(component), files);

  const first = run('full first sync + restart');
  results.push(first);
  const noop = run('nothing changed');
  results.push(noop);
  appendFileSync(path.join(component, 'sensor.py'), '\n# bench edit\n');
  const small = run('one .py file changed');
  small.fileBytes = statSync(path.join(component, 'sensor.py')).size;
  results.push(small);
  const svg = path.join(component, 'www/illustrations/plant-9.svg');
  appendFileSync(svg, '<!-- bench edit -->\n');
  const big = run('one 0.9 MB SVG changed');
  big.fileBytes = statSync(svg).size;
  results.push(big);

  if (!(noop.restarts === 0 && noop.processes <= 2)) failures.push(`nothing changed: ${noop.restarts} restarts, ${noop.processes} processes (target 0 and <= 2)`);
  for (const r of [small, big]) {
    if (r.bytesSent > r.fileBytes + 10 * 1024) failures.push(`${r.label}: ${r.bytesSent} bytes sent for a ${r.fileBytes}-byte file (target <= file + 10 KiB)`);
  }
  if (first.processesThroughRestart > 4) failures.push(`full sync: ${first.processesThroughRestart} processes up to the restart (target <= 4)`);
} finally {
  removeHaStandin(container);
  rmSync(work, {recursive: true, force: true});
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const manual = {label: 'manual 5-command procedure (every run)', processes: '5 (+1 to read logs)', bytes: kib(totalBytes), restarts: 1};
console.log(`kp ha sync bench: component ${Object.keys(files).length} files, ${(totalBytes / 1024 / 1024).toFixed(2)} MB, container target (real engine)\n`);
console.log(`${'scenario'.padEnd(40)}| ${'processes: total (to restart + wait/verdict)'.padEnd(46)}| ${'bytes sent'.padEnd(28)}| restarts | time   | verdict`);
for (const r of results) {
  const bytes = r.fileBytes ? `${kib(r.bytesSent)} (file ${kib(r.fileBytes)})` : kib(r.bytesSent);
  console.log(
    `${r.label.padEnd(40)}| ${`${r.processes} (${r.processesThroughRestart} + ${r.processesWaitVerdict})`.padEnd(46)}| ${bytes.padEnd(28)}| ${String(r.restarts).padEnd(9)}| ${`${(r.ms / 1000).toFixed(1)}s`.padEnd(7)}| ${r.verdict}`,
  );
}
console.log(`${manual.label.padEnd(40)}| ${manual.processes.padEnd(46)}| ${manual.bytes.padEnd(28)}| ${String(manual.restarts).padEnd(9)}| -      | read by hand`);
if (failures.length > 0) {
  console.error(`\nspeed targets missed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('\nall speed targets met');
