/**
 * The HA loop against a REAL Home Assistant 2026.3 (the image scripts/test-tools/install.sh builds:
 * Debian forky, HA from PyPI, run under the real s6-supervise as the official image runs it) with the
 * real Kamerplanter component (../shared/upstream/kamerplanter-ha, copied into a checkout of the
 * test's own) and the stand-in backend answering what the component's config flow and coordinators
 * ask. HA itself onboards, sets up the entry, restarts in place on SIGHUP, reloads edited code
 * through kp's kp_reload companion, and gives the verdict.
 * One developer session, in order: each test's Given is what the previous one left.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {CliOptions} from '../../../helpers/cli.js';
import {realTool} from '../../../helpers/real-tools.js';
import {copyUpstreamComponent, fixZeroconfImport, upstreamComponent} from '../../../helpers/upstream-component.js';
import {markReloadPending} from '../../../../src/config/pending-reload.js';
// @ts-expect-error plain ESM fixture without types
import {removeHaStandin, startHaStandin} from '../../../fixtures/ha/standin.mjs';
import {freePorts} from '../../support/docker.js';
import {watchSession} from '../../support/watch.js';
import {useOwnStacks} from '../../support/e2e.js';
import type {ComposeStack} from '../../support/stack.js';

const ownStack = useOwnStacks();
const work = mkdtempSync(path.join(tmpdir(), 'kp-real-ha-'));
const repo = path.join(work, 'kamerplanter-ha');
const component = path.join(repo, 'custom_components', 'kamerplanter');
let stack: ComposeStack;
let haPort: number;
let image: string;

/**
 * kp against the real HA. Syncs go with --no-lint: these tests plant broken code for HA's own verdict
 * (the lint gate, which runs with or without ruff on PATH, would stop it first), and the snapshot's
 * config_flow.py is not formatted as ruff wants (test/integration/real/ruff.test.ts).
 */
const noLint = (args: string[]) => (args[0] === 'ha' && (args[1] === 'sync' || args[1] === 'up') ? [...args, '--no-lint'] : args);
const kp = (args: string[], options: CliOptions = {}) =>
  stack.kp(noLint(args), {cwd: repo, timeoutMs: 900_000, ...options, env: {HA_IMAGE: image, HA_HOST_PORT: String(haPort), ...options.env}});
const json = (stdout: string) => JSON.parse(stdout);
const haContainer = () => stack.serviceContainer('homeassistant');
const inspect = (format: string) => execFileSync('docker', ['inspect', '-f', format, haContainer()], {encoding: 'utf8'}).trim();
const initPy = path.join(component, '__init__.py');
const original = () => readFileSync(path.join(upstreamComponent, '__init__.py'), 'utf8');
const haLog = () => {
  // HA logs to stderr: docker logs keeps the two streams apart.
  const logs = spawnSync('docker', ['logs', haContainer()], {encoding: 'utf8'});
  return `${logs.stdout}${logs.stderr}`;
};
const haPid = async () =>
  Number(execFileSync('docker', ['exec', haContainer(), 'pgrep', '-f', 'python3 -m homeassistant'], {encoding: 'utf8'}).trim().split('\n')[0]);
/** A log line planted at the top of async_setup_entry (and the file's mtime, when given). */
async function editSetupEntry(marker: string, mtime?: Date): Promise<void> {
  const text = original().replace(
    '    """Set up Kamerplanter from a config entry."""\n',
    `    """Set up Kamerplanter from a config entry."""\n    _LOGGER.warning("${marker}")\n`,
  );
  expect(text).toContain(marker);
  writeFileSync(initPy, text);
  if (mtime) utimesSync(initPy, mtime, mtime);
}
/** HA's REST API with the login kp keeps for it (`kp ha credentials`): one fresh token per call. */
async function haRequest(method: string, apiPath: string, body?: unknown): Promise<unknown> {
  const login = json((await kp(['ha', 'credentials', '--target', 'docker', '--json'])).stdout) as {username: string; password: string};
  const base = `http://127.0.0.1:${haPort}`;
  const clientId = `${base}/`;
  const post = async (url: string, init: RequestInit) => {
    const response = await fetch(`${base}${url}`, {method: 'POST', ...init});
    expect(response.ok, `${url}: ${response.status}`).toBe(true);
    return (await response.json()) as Record<string, unknown>;
  };
  const flow = await post('/auth/login_flow', {body: JSON.stringify({client_id: clientId, handler: ['homeassistant', null], redirect_uri: clientId})});
  const done = await post(`/auth/login_flow/${String(flow.flow_id)}`, {
    body: JSON.stringify({client_id: clientId, username: login.username, password: login.password}),
  });
  const tokens = await post('/auth/token', {body: new URLSearchParams({grant_type: 'authorization_code', code: String(done.result), client_id: clientId})});
  const response = await fetch(`${base}${apiPath}`, {
    method,
    headers: {Authorization: `Bearer ${String(tokens.access_token)}`, 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok, `${apiPath}: ${response.status}`).toBe(true);
  return response.json();
}
const entriesOf = async (domain: string) => haRequest('GET', `/api/config/config_entries/entry?domain=${domain}`);

beforeAll(async () => {
  image = realTool('KP_REAL_HA_IMAGE');
  stack = await ownStack('real-ha');
  [haPort] = await freePorts(1, Object.values(stack.spec.ports).map(Number));
  copyUpstreamComponent(component);
});

afterAll(() => {
  stack?.ensureAbsent();
  rmSync(work, {recursive: true, force: true});
});

describe('kp and a real Home Assistant 2026.3 (real engine)', () => {
  it("Given no HA and the upstream component as it is, When kp ha up --target docker runs with the real HA image, Then kp onboards HA and syncs the component, and the wiring fails naming HA's own reason: its config_flow.py does not import on HA 2026.3", async () => {
    const result = await kp(['ha', 'up', '--target', 'docker', '--json', '--timeout', '600']);
    expect(result.exitCode, result.stderr).toBe(0);
    const up = json(result.stdout);
    expect(up).toMatchObject({target: 'docker', url: `http://127.0.0.1:${haPort}/`, image});
    expect(up.onboarding).toMatchObject({outcome: 'onboarded', owner: 'kp-dev', completed: ['user', 'core_config', 'analytics', 'integration']});
    expect(up.sync).toMatchObject({outcome: 'synced', restart: {method: 'in-place', performed: true}});
    // No entry yet: HA's loader line comes from reading the manifest, so the log verdict can say only
    // `found`, never `loaded`: this very component's config_flow.py does not even import (below).
    expect(up.sync).toMatchObject({verdict: {status: 'found', failures: []}, verdictSource: {used: 'log'}});
    expect(up.sync.summary).toContainEqual(
      expect.objectContaining({step: 'loaded', detail: expect.stringContaining('no config entry, so HA has not imported its code')}),
    );
    // The snapshot imports ZeroconfServiceInfo from homeassistant.components.zeroconf, which HA 2026.3
    // no longer has: HA answers "Invalid handler specified" and logs why; kp passes HA's reason on.
    expect(up.wiring).toMatchObject({outcome: 'failed', url: 'http://backend:8000'});
    expect(up.wiring.reason).toMatch(
      /^HA cannot load the kamerplanter config flow: cannot import name 'ZeroconfServiceInfo' from 'homeassistant\.components\.zeroconf'/,
    );
    // kp's companion: its files put in by a sync round (HA restarted in place to find it), its entry through the config flow.
    expect(up.companion).toMatchObject({outcome: 'installed', state: 'loaded', sync: {outcome: 'synced', restart: {method: 'in-place'}}});
    expect(execFileSync('docker', ['exec', haContainer(), 'ls', '/config/custom_components/kp_reload'], {encoding: 'utf8'})).toContain('reloader.py');
  }, 900_000);

  it('Given the import fixed as HA 2026.3 wants it, When kp ha sync and kp ha up run, Then the entry is created through the real config flow against the backend and HA reports it loaded; HA runs under the real s6-supervise', async () => {
    fixZeroconfImport(component);
    const sync = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    // No entry yet: the companion reloaded the code, and its answer is the verdict.
    expect(json(sync.stdout)).toMatchObject({restart: {method: 'reload'}, verdictSource: {used: 'reload'}, reload: {reason: null}});
    const result = await kp(['ha', 'up', '--target', 'docker', '--json', '--timeout', '600']);
    expect(result.exitCode, result.stderr).toBe(0);
    const up = json(result.stdout);
    expect(up.onboarding).toMatchObject({outcome: 'already', owner: 'kp-dev'});
    expect(up.companion).toMatchObject({outcome: 'kept', state: 'loaded', sync: {outcome: 'up-to-date'}});
    expect(up.wiring).toMatchObject({outcome: 'created', url: 'http://backend:8000', state: 'loaded'});
    const status = json((await kp(['ha', 'status', '--target', 'docker', '--json'])).stdout);
    expect(status.ha).toMatchObject({supervisor: 's6-supervise', inPlaceRestarts: true});
    expect(status.onboarding).toMatchObject({onboarded: true, by: 'kp', owner: 'kp-dev'});
    expect(status.configEntries).toEqual([expect.objectContaining({domain: 'kamerplanter', state: 'loaded'})]);
    // The sync above reloaded the code: status reads the log from that reload on, and says so.
    expect(status.companion).toMatchObject({state: 'loaded', lastReload: {reloaded: true, reason: null}});
  }, 900_000);

  it("Given the entry loaded, When a .py edit is synced, Then the companion reloads it in the running HA (same pid, no restart of HA or its container), the new code runs, and HA's own verdict is loaded", async () => {
    const restarts = inspect('{{.RestartCount}}');
    const startedAt = inspect('{{.State.StartedAt}}');
    const otherEntries = await entriesOf('kp_reload');
    await editSetupEntry('kp e2e edit 1');
    const result = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = json(result.stdout);
    expect(report).toMatchObject({
      outcome: 'synced',
      restart: {method: 'reload', performed: true},
      configEntry: {state: 'loaded', final: true},
    });
    expect(report.restart.fallback).toBeUndefined();
    expect(report.verdictSource.used).toBe('config-entry');
    expect(report.restart.after.haPid).toBe(report.restart.before.haPid);
    expect(report.reload.steps).toEqual(expect.arrayContaining(['unloaded 1 entries', 'imported the new code', 'set up again: ok']));
    // The new code ran: its log line is there, once, from the HA process that was there before.
    expect(haLog().match(/kp e2e edit 1/g)).toHaveLength(1);
    expect(await haPid()).toBe(report.restart.before.haPid);
    expect(inspect('{{.RestartCount}}')).toBe(restarts);
    expect(inspect('{{.State.StartedAt}}')).toBe(startedAt);
    // Another integration's entry is untouched.
    expect(await entriesOf('kp_reload')).toEqual(otherEntries);
  }, 600_000);

  it('Given a changed service handler, When synced, Then the service HA calls is the new handler (the old one was removed, not kept by the has_service guard)', async () => {
    writeFileSync(
      initPy,
      original().replace(
        '        target_id = call.data.get("entry_id", "")\n',
        '        _LOGGER.warning("kp e2e new refresh handler")\n        target_id = call.data.get("entry_id", "")\n',
      ),
    );
    expect(readFileSync(initPy, 'utf8')).toContain('kp e2e new refresh handler');
    const result = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(json(result.stdout).restart.method).toBe('reload');
    await haRequest('POST', '/api/services/kamerplanter/refresh_data', {});
    await expect.poll(() => haLog().includes('kp e2e new refresh handler'), {timeout: 10_000}).toBe(true);
  }, 600_000);

  it('Given two saves of the same size within one second, When each is synced at once, Then the second save runs (the bytecode of the first is never used)', async () => {
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000);
    await editSetupEntry('kp e2e same size AAAA', mtime);
    const first = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    await editSetupEntry('kp e2e same size BBBB', mtime);
    const second = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(json(second.stdout)).toMatchObject({restart: {method: 'reload'}, configEntry: {state: 'loaded'}});
    expect(haLog().split('kp e2e same size BBBB')).toHaveLength(2);
  }, 600_000);

  it("Given a syntax error in sensor.py, When synced, Then the round fails with HA's own verdict and the traceback, without a restart; the next good save reloads and recovers it", async () => {
    const sensor = path.join(component, 'sensor.py');
    const base = readFileSync(path.join(upstreamComponent, 'sensor.py'), 'utf8');
    const pid = await haPid();
    writeFileSync(sensor, `${base}\ndef broken(:\n`);
    const broken = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(broken.exitCode, broken.stderr).toBe(6);
    const report = json(broken.stdout);
    expect(report).toMatchObject({outcome: 'failed', restart: {method: 'reload'}, configEntry: {state: 'setup_error'}});
    expect(report.reload.reason).toMatch(/does not import: SyntaxError: invalid syntax \(sensor\.py, line \d+\)/);
    expect(report.reload.traceback).toContain('SyntaxError');
    const human = await kp(['ha', 'status', '--target', 'docker', '--json']);
    expect(json(human.stdout).configEntries).toEqual([expect.objectContaining({state: 'setup_error'})]);

    writeFileSync(sensor, base);
    const fixed = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(json(fixed.stdout)).toMatchObject({outcome: 'synced', restart: {method: 'reload'}, configEntry: {state: 'loaded'}});
    expect(await haPid()).toBe(pid);
  }, 600_000);

  it('Given a manifest change HA reads only at start (after_dependencies), When synced, Then the companion refuses, and the same round restarts HA in place saying why in one line', async () => {
    const manifest = path.join(component, 'manifest.json');
    const base = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, base.replace('"requirements": [],', '"requirements": [],\n  "after_dependencies": ["http"],'));
    const result = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = json(result.stdout);
    expect(report).toMatchObject({outcome: 'synced', restart: {method: 'in-place', performed: true}, configEntry: {state: 'loaded'}});
    expect(report.restart.fallback).toMatch(
      /^no code reload \(manifest\.json changed in after_dependencies: HA reads those at start\): restarting HA in place instead$/,
    );
    expect(report.restart.after.haPid).not.toBe(report.restart.before.haPid);
    expect(result.stderr.split('\n').filter((line) => line.includes('no code reload'))).toHaveLength(1);
    writeFileSync(manifest, base);
    const back = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(json(back.stdout).restart.method).toBe('in-place');
  }, 900_000);

  it("Given an exception planted in async_setup_entry, When synced, Then HA's own verdict is setup_error (exit 6); fixed, the next sync is loaded again", async () => {
    writeFileSync(
      initPy,
      original().replace(/(async def async_setup_entry\([^)]*\)[^:]*:\n(?:\s+"""[^"]*"""\n)?)/, '$1    raise RuntimeError("planted by kp\'s real-HA e2e")\n'),
    );
    expect(readFileSync(initPy, 'utf8')).toContain('planted by kp');
    const broken = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(broken.exitCode, broken.stderr).toBe(6);
    expect(json(broken.stdout)).toMatchObject({outcome: 'failed', restart: {method: 'reload'}, configEntry: {state: 'setup_error'}});

    writeFileSync(initPy, original());
    const fixed = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(json(fixed.stdout)).toMatchObject({outcome: 'synced', configEntry: {state: 'loaded'}});
  }, 900_000);

  it("Given the entry loaded, When kp ha sync --watch sees three saves of a .py file, one after another, Then each is its own round that reloads the code in the running HA and ends on HA's verdict loaded; Ctrl-C ends the watch with 130", async () => {
    const sensor = path.join(component, 'sensor.py');
    const base = readFileSync(sensor, 'utf8');
    const outcome = await watchSession(
      ['--target', 'docker', '--no-lint'],
      {cwd: repo, env: {...stack.env(), HA_IMAGE: image, HA_HOST_PORT: String(haPort)}},
      async (watch) => {
        for (let edit = 1; edit <= 3; edit += 1) {
          const before = watch.lines().length;
          writeFileSync(sensor, `${base}\n# real-HA watch edit ${edit}\n`);
          await watch.waitFor(() => watch.lines().length > before, 180_000);
        }
      },
    );
    expect(outcome.scriptError).toBeUndefined();
    expect(outcome.exitCode, outcome.stderr).toBe(130);
    const rounds = outcome.rounds.filter((round) => round.ok && round.report.outcome === 'synced');
    expect(rounds).toHaveLength(3);
    for (const round of rounds) {
      expect(round.report).toMatchObject({restart: {method: 'reload', performed: true}, configEntry: {state: 'loaded', final: true}});
      expect(round.report.changes.modified).toEqual(['sensor.py']);
    }
    expect(outcome.summary).toMatchObject({summary: true, exitCode: 130});
  }, 900_000);

  it('Given a round stopped after its swap and before the companion answered (its pending mark left behind), When kp ha sync runs with the files up to date, Then it reloads the code now; the next run is up to date', async () => {
    // Given: what a Ctrl-C between the swap and the answer leaves in kp's state (the mark, written as kp writes it)
    const saved = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = stack.env().XDG_STATE_HOME;
    try {
      markReloadPending(`compose-${stack.project}-homeassistant`, 'kamerplanter');
    } finally {
      process.env.XDG_STATE_HOME = saved;
    }
    // When
    const converged = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    // Then
    expect(converged.exitCode, converged.stderr).toBe(0);
    const report = json(converged.stdout);
    expect(report).toMatchObject({
      outcome: 'synced',
      upload: {files: 0},
      restart: {method: 'reload', rule: expect.stringContaining('stopped before HA reloaded')},
    });
    expect(report.configEntry).toMatchObject({state: 'loaded'});
    const again = await kp(['ha', 'sync', '--target', 'docker', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(json(again.stdout).outcome).toBe('up-to-date');
  }, 600_000);

  it('Given HA onboarded by kp, When kp ha credentials runs, Then it prints the login that opens this HA', async () => {
    const result = await kp(['ha', 'credentials', '--target', 'docker', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(json(result.stdout)).toMatchObject({url: `http://127.0.0.1:${haPort}/`, username: 'kp-dev', state: 'onboarded'});
  });
});

describe('kp and a real Home Assistant that is still booting (real engine)', () => {
  it('Given a real HA container started a moment ago, When kp ha sync restarts it in place, Then kp waits for HA to answer first (a booting HA dies of SIGHUP), and the container is never restarted', async () => {
    // Given: HA's container just started, no compose, kp reaches it as a container target
    const name = `${stack.project}-booting`;
    startHaStandin(name, {image: realTool('KP_REAL_HA_IMAGE')});
    try {
      // When: the first sync, at once
      const result = await stack.kp(noLint(['ha', 'sync', '--target', 'docker', '--container', name, '--json', '--timeout', '300']), {
        cwd: repo,
        timeoutMs: 600_000,
      });
      // Then
      expect(result.exitCode, result.stderr).toBe(0);
      const report = json(result.stdout);
      expect(report.restart).toMatchObject({method: 'in-place', performed: true, observed: true});
      expect(report.restart.after.restartCount).toBe(0);
      expect(report.restart.after.haPid).not.toBe(report.restart.before.haPid);
      expect(execFileSync('docker', ['inspect', '-f', '{{.RestartCount}}', name], {encoding: 'utf8'}).trim()).toBe('0');

      // And: an HA kp did not provision has no companion: --restart reload refuses before anything is sent (exit 3),
      // and --restart auto restarts in place exactly as before.
      writeFileSync(initPy, `${original()}\n# not for an HA without the companion\n`);
      const insisted = await stack.kp(noLint(['ha', 'sync', '--target', 'docker', '--container', name, '--restart', 'reload']), {
        cwd: repo,
        timeoutMs: 600_000,
      });
      expect(insisted.exitCode, insisted.stderr).toBe(3);
      expect(insisted.stderr).toMatch(/^error: --restart reload needs the kp_reload companion loaded in HA and kp's login for it: kp did not onboard this HA/m);
      expect(insisted.stderr).toContain('Nothing was changed.');
      const auto = await stack.kp(noLint(['ha', 'sync', '--target', 'docker', '--container', name, '--json', '--timeout', '300']), {
        cwd: repo,
        timeoutMs: 600_000,
      });
      expect(auto.exitCode, auto.stderr).toBe(0);
      expect(json(auto.stdout)).toMatchObject({changes: {modified: ['__init__.py']}, restart: {method: 'in-place', performed: true}});
      expect(json(auto.stdout).restart.fallback).toBeUndefined();
    } finally {
      removeHaStandin(name);
    }
  }, 600_000);
});
