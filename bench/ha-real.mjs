#!/usr/bin/env node
/**
 * The true cost of a `.py` edit against a REAL Home Assistant 2026.3 (the image
 * scripts/test-tools/install.sh builds): edit -> `kp ha sync` -> HA's verdict, with HA restarted in
 * place under the real s6-supervise. This is the baseline a code reload has to beat. Five edits of the
 * real Kamerplanter component's sensor.py, one sync each; prints the median edit-to-verdict, the
 * restart (SIGHUP to the new HA process) and HA answering again. Needs `npm run bundle` first and the
 * real HA image (scripts/test-tools/install.sh ha); it says so and exits 1 when the image is missing.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {homedir, tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {removeHaStandin, startHaStandin} from '../test/fixtures/ha/standin.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kp = path.join(root, 'bin', 'run.cjs');
const toolsEnv = path.join(
  process.env.KP_TEST_TOOLS_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'kp', 'test-tools'),
  'tools.env',
);
const image = existsSync(toolsEnv) ? /^KP_REAL_HA_IMAGE=(\S+)$/m.exec(readFileSync(toolsEnv, 'utf8'))?.[1] : undefined;
if (!image) {
  console.error(`ha-real bench: no real HA image (${toolsEnv}): run \`bash scripts/test-tools/install.sh ha\` first.`);
  process.exit(1);
}

const name = `kp-ha-real-bench-${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(path.join(tmpdir(), 'kp-ha-real-bench-'));
const repo = path.join(work, 'kamerplanter-ha');
const component = path.join(repo, 'custom_components', 'kamerplanter');
const home = path.join(work, 'home');
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, 'config'),
  XDG_STATE_HOME: path.join(home, 'state'),
  XDG_CACHE_HOME: path.join(home, 'cache'),
  NO_COLOR: '1',
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** One `kp ha sync` into the bench's HA; returns its report and how long the whole command took. */
function sync() {
  const started = Date.now();
  // --no-lint: the figures are the sync's own, comparable with earlier runs (the lint gate, which now runs with or without ruff on PATH, is timed apart).
  const result = spawnSync(process.execPath, [kp, 'ha', 'sync', '--target', 'docker', '--container', name, '--json', '--timeout', '300', '--no-lint'], {
    cwd: repo,
    env,
    encoding: 'utf8',
  });
  const elapsed = Date.now() - started;
  if (result.status !== 0) throw new Error(`kp ha sync exited ${result.status}:\n${result.stderr}`);
  return {report: JSON.parse(result.stdout), elapsed};
}

try {
  cpSync(path.join(root, '..', 'shared', 'upstream', 'kamerplanter-ha', 'custom_components', 'kamerplanter'), component, {recursive: true});
  startHaStandin(name, {image, restart: 'unless-stopped'});
  // The first sync sends the whole component and restarts HA once (not measured).
  const first = sync().report.restart;
  const restartCount = () => Number(execFileSync('docker', ['inspect', '-f', '{{.RestartCount}}', name], {encoding: 'utf8'}).trim());
  const countBefore = restartCount();
  const rounds = [];
  for (let edit = 1; edit <= 5; edit += 1) {
    appendFileSync(path.join(component, 'sensor.py'), `# bench edit ${edit}\n`);
    const {report, elapsed} = sync();
    if (report.restart.method !== 'in-place') throw new Error(`edit ${edit}: restart ${report.restart.method}, expected in-place`);
    rounds.push({elapsed, restart: report.restart.observedAfterMs, ready: report.ready.afterMs, verdict: report.configEntry?.state ?? report.verdict.status});
  }
  console.log(
    `\nreal HA ${image}: a .py edit restarted in place, 5 edits (container restarts during them: ${restartCount() - countBefore}; the first, full sync: ${first.method}${first.fallback ? `, ${first.fallback}` : ''})`,
  );
  console.log(
    `  edit -> verdict (kp ha sync)   median ${seconds(median(rounds.map((r) => r.elapsed)))}  [${rounds.map((r) => seconds(r.elapsed)).join(', ')}]`,
  );
  console.log(`  SIGHUP -> new HA process        median ${seconds(median(rounds.map((r) => r.restart)))}`);
  console.log(`  SIGHUP -> HA answers            median ${seconds(median(rounds.map((r) => r.ready)))}`);
  console.log(`  verdicts                        ${rounds.map((r) => r.verdict).join(', ')}`);
} finally {
  removeHaStandin(name);
  rmSync(work, {recursive: true, force: true});
}
