/**
 * `kp ha up --target docker` / `kp ha down` and the sync loop they feed, on a REAL engine: the
 * compose stack of this test's own project (stand-in images) with the stand-in HA as its
 * `homeassistant` profile (HA_IMAGE), then target auto-selection, `--restart auto`, the sync lock
 * and the symlink fence against that HA. One developer session, in order: each test's Given is
 * what the previous one left.
 */
import {execFileSync, spawn} from 'node:child_process';
import {appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {kpBin, projectRoot, testEnv, type CliOptions} from '../../../helpers/cli.js';
// @ts-expect-error plain ESM fixture without types
import {smallFiles, writeComponent} from '../../../fixtures/ha/make-component.mjs';
// @ts-expect-error plain ESM fixture without types
import {buildHaStandin, dockerExec} from '../../../fixtures/ha/standin.mjs';
import {freePorts, removeImages} from '../../support/docker.js';
import {runName, useOwnStacks} from '../../support/e2e.js';
import type {ComposeStack} from '../../support/stack.js';

const image = `kp-ha-standin:${runName('ha-up')}`;
const ownStack = useOwnStacks();
let stack: ComposeStack;
let haPort: number;
const work = mkdtempSync(path.join(tmpdir(), 'kp-ha-up-e2e-'));
const cwd = path.join(work, 'repo');
const component = path.join(cwd, 'custom_components', 'kamerplanter');
const remote = '/config/custom_components/kamerplanter';

const kp = (args: string[], options: CliOptions = {}) =>
  stack.kp(args, {cwd, ...options, env: {HA_IMAGE: image, HA_HOST_PORT: String(haPort), ...options.env}});
const haContainer = () => stack.serviceContainer('homeassistant');
const restartCount = () => Number(execFileSync('docker', ['inspect', '-f', '{{.RestartCount}}', haContainer()], {encoding: 'utf8'}).trim());
const json = (stdout: string) => JSON.parse(stdout);

beforeAll(async () => {
  buildHaStandin(image);
  stack = await ownStack('ha-up');
  [haPort] = await freePorts(1, Object.values(stack.spec.ports).map(Number));
  mkdirSync(path.dirname(component), {recursive: true});
  writeComponent(path.dirname(component), smallFiles());
});

afterAll(() => {
  stack?.ensureAbsent();
  removeImages([image]);
  rmSync(work, {recursive: true, force: true});
});

describe('kp ha up / sync / down with Docker (real engine)', () => {
  it('Given no HA, When kp ha up --target docker runs, Then HA runs in the stack on 127.0.0.1 and the component is synced and loaded', async () => {
    const result = await kp(['ha', 'up', '--target', 'docker', '--json', '--timeout', '180']);
    expect(result.exitCode, result.stderr).toBe(0);
    const up = json(result.stdout);
    expect(up).toMatchObject({target: 'docker', where: stack.project, changed: true, url: `http://127.0.0.1:${haPort}/`, image});
    expect(up.sync).toMatchObject({outcome: 'synced', verdict: {status: 'found'}, restart: {performed: true}});
    // Published on loopback only.
    const ports = execFileSync('docker', ['port', haContainer(), '8123/tcp'], {encoding: 'utf8'}).trim().split('\n');
    expect(ports).toEqual([`127.0.0.1:${haPort}`]);
    expect(dockerExec(haContainer(), ['cat', `${remote}/sensor.py`])).toBe(smallFiles()['sensor.py']);
    // Onboarded by kp before anyone else could, as HA itself records it; analytics and the rest done.
    expect(up.onboarding).toMatchObject({outcome: 'onboarded', owner: 'kp-dev', completed: ['user', 'core_config', 'analytics', 'integration']});
    expect(dockerExec(haContainer(), ['cat', '/config/.storage/standin/owner']).trim()).toBe('kp-dev');
    expect(dockerExec(haContainer(), ['ls', '/config/.storage/standin']).split('\n')).toEqual(
      expect.arrayContaining(['done-user', 'done-core_config', 'done-analytics', 'done-integration']),
    );
    // Wired to the stack's backend by the name HA reaches it on the compose network, and loaded.
    expect(up.wiring).toMatchObject({outcome: 'created', url: 'http://backend:8000', state: 'loaded'});
    // The login: kp's state dir, mode 0600, in no output of kp ha up.
    const login = await kp(['ha', 'credentials', '--target', 'docker', '--json']);
    expect(login.exitCode, login.stderr).toBe(0);
    const credentials = json(login.stdout);
    expect(credentials).toMatchObject({url: `http://127.0.0.1:${haPort}/`, username: 'kp-dev', state: 'onboarded'});
    expect(statSync(credentials.file).mode & 0o777).toBe(0o600);
    const kept = JSON.parse(readFileSync(credentials.file, 'utf8'));
    for (const secret of [kept.password, kept.refreshToken]) expect(result.stdout + result.stderr).not.toContain(secret);
    // Nothing of the stack is published beyond loopback (read back from the engine).
    const ids = execFileSync('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${stack.project}`], {encoding: 'utf8'})
      .trim()
      .split('\n')
      .filter(Boolean);
    const bindings = ids.flatMap((id) =>
      Object.values(
        JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .NetworkSettings.Ports}}', id], {encoding: 'utf8'})) as Record<
          string,
          Array<{HostIp: string}> | null
        >,
      ).flatMap((b) => b ?? []),
    );
    expect(bindings.length).toBeGreaterThan(0);
    expect(bindings.filter((b) => b.HostIp !== '127.0.0.1')).toEqual([]);
  });

  it('Given HA up and synced, When kp ha up runs again, Then nothing changes and nothing restarts', async () => {
    const before = {id: haContainer(), restarts: restartCount()};
    const result = await kp(['ha', 'up', '--target', 'docker', '--json', '--timeout', '180']);
    expect(result.exitCode, result.stderr).toBe(0);
    const up = json(result.stdout);
    expect(up.changed).toBe(false);
    expect(up.sync).toMatchObject({outcome: 'up-to-date', restart: {performed: false}});
    expect({id: haContainer(), restarts: restartCount()}).toEqual(before);
    // Onboarded and wired once: kept as they are.
    expect(up.onboarding).toMatchObject({outcome: 'already', completed: []});
    expect(up.wiring).toMatchObject({outcome: 'kept'});
    expect(dockerExec(haContainer(), ['ls', '/config/.storage/standin/entries']).trim().split('\n')).toHaveLength(1);
    // kp ha status says who onboarded HA and what HA says of the entry.
    const status = await kp(['ha', 'status', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(json(status.stdout)).toMatchObject({
      onboarding: {onboarded: true, by: 'kp', owner: 'kp-dev'},
      configEntries: [{domain: 'kamerplanter', state: 'loaded', title: 'Kamerplanter (http://backend:8000)'}],
    });
  });

  it('Given no target flag, When kp ha sync runs, Then it picks the compose HA and names it in its first line', async () => {
    const result = await kp(['ha', 'sync', '--json', '--settle', '0']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr.split('\n')[0]).toContain(`Target: container ${stack.project}/homeassistant (compose ${stack.project}/homeassistant)`);
    expect(json(result.stdout).outcome).toBe('up-to-date');
  });

  it("Given the entry kp wired, When a sync makes its setup fail, Then kp reports HA's own verdict (setup_error and HA's reason) and exits 6; fixed, the next sync is loaded by the same verdict", async () => {
    // Given
    const sensor = path.join(component, 'sensor.py');
    appendFileSync(sensor, '\n\n# KP_TEST_SETUP_ERROR: Cannot connect to the Kamerplanter backend at http://backend:8000\n');
    // When
    const failed = await kp(['ha', 'sync', '--json']);
    // Then
    expect(failed.exitCode, failed.stderr).toBe(6);
    expect(json(failed.stdout)).toMatchObject({
      outcome: 'failed',
      verdictSource: {used: 'config-entry'},
      configEntry: {state: 'setup_error', reason: 'Cannot connect to the Kamerplanter backend at http://backend:8000', final: true},
    });
    const human = await kp(['ha', 'sync', '--force']);
    expect(human.exitCode).toBe(6);
    expect(human.stdout).toContain('config entry setup_error: Cannot connect to the Kamerplanter backend at http://backend:8000');
    // When fixed
    writeFileSync(sensor, smallFiles()['sensor.py']);
    const fixed = await kp(['ha', 'sync', '--json']);
    // Then
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(json(fixed.stdout)).toMatchObject({outcome: 'synced', verdictSource: {used: 'config-entry'}, configEntry: {state: 'loaded', final: true}});
  });

  it('Given a modified www/*.js, When kp ha sync runs (--restart auto), Then the new bytes are in the container and HA is not restarted', async () => {
    const restarts = restartCount();
    appendFileSync(path.join(component, 'www', 'kamerplanter-card.js'), '// edited\n');
    const result = await kp(['ha', 'sync', '--json', '--settle', '0']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = json(result.stdout);
    expect(report.changes.modified).toEqual(['www/kamerplanter-card.js']);
    expect(report.restart).toMatchObject({requested: 'auto', method: 'none', performed: false, rule: expect.stringContaining('serves them from disk')});
    expect(dockerExec(haContainer(), ['cat', `${remote}/www/kamerplanter-card.js`])).toContain('// edited');
    expect(restartCount()).toBe(restarts);
  });

  it('Given an added www/*.js, When kp ha sync runs, Then HA restarts (setup registers the new path) and loads', async () => {
    const restarts = restartCount();
    writeFileSync(path.join(component, 'www', 'kamerplanter-extra-card.js'), 'class Extra extends HTMLElement {}\n');
    const result = await kp(['ha', 'sync', '--json', '--settle', '0', '--timeout', '60']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = json(result.stdout);
    expect(report.restart).toMatchObject({method: 'in-place', performed: true, rule: expect.stringContaining('files added')});
    expect(report.verdict.status).toBe('found');
    // In place: HA's process restarted, the container did not (no back-off, no restart count).
    expect(report.restart.after.haPid).not.toBe(report.restart.before.haPid);
    expect(restartCount()).toBe(restarts);
  });

  it('Given www/ in the container replaced by a symlink to a folder outside, When kp ha sync runs, Then the link is replaced and nothing is written outside', async () => {
    const c = haContainer();
    dockerExec(c, ['sh', '-c', `mkdir -p /tmp/outside && echo keep > /tmp/outside/keep.txt && rm -rf ${remote}/www && ln -s /tmp/outside ${remote}/www`]);
    const result = await kp(['ha', 'sync', '--json', '--settle', '0', '--timeout', '60']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(json(result.stdout).changes.replaced).toEqual(['www']);
    expect(dockerExec(c, ['ls', '/tmp/outside']).trim()).toBe('keep.txt');
    expect(
      dockerExec(c, ['sh', '-c', `[ -d ${remote}/www ] && [ ! -L ${remote}/www ] && ls ${remote}/www`])
        .trim()
        .split('\n')
        .sort(),
    ).toEqual(['kamerplanter-card.js', 'kamerplanter-extra-card.js']);
  });

  it('Given --config-dir /config/.., When kp ha sync runs, Then exit 2 before any process and nothing is written onto the root filesystem', async () => {
    const result = await kp(['ha', 'sync', '--config-dir', '/config/..', '--force']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: --config-dir "\/config\/\.\." must be an absolute, normal path/m);
    expect(dockerExec(haContainer(), ['sh', '-c', '[ -e /custom_components ] || [ -e /.kp-staging ] && echo written || echo clean']).trim()).toBe('clean');
  });

  it('Given the lock in the target held by a run on another machine, When kp ha sync runs, Then it waits naming the holder and goes on once the lock is gone', async () => {
    const c = haContainer();
    const owner = 'kp host=other-laptop machine=0123456789ab pid=4242 start=1 at=2026-11-25T10:00:00.000Z';
    dockerExec(c, ['sh', '-c', `mkdir -p /config/.kp-staging/kamerplanter.lock && echo '${owner}' > /config/.kp-staging/kamerplanter.lock/owner`]);
    appendFileSync(path.join(component, 'const.py'), 'LOCKED = True\n');
    setTimeout(() => dockerExec(c, ['rm', '-rf', '/config/.kp-staging/kamerplanter.lock']), 2500);
    const result = await kp(['ha', 'sync', '--json', '--settle', '0', '--timeout', '60', '--lock-timeout', '30']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('Waiting for another sync');
    expect(result.stderr).toContain('kp pid 4242 on other-laptop');
    const report = json(result.stdout);
    // It waited (how long depends on how fast kp started; the lock went 2.5 s after the test began).
    expect(report.lock.waitedMs).toBeGreaterThan(200);
    expect(report.changes.modified).toEqual(['const.py']);
  });

  it('Given the lock held by a kp on this machine that no longer runs, When kp ha sync runs, Then the lock is taken over at once', async () => {
    const c = haContainer();
    const hostname = execFileSync('hostname', {encoding: 'utf8'}).trim();
    // The holder: a kp that has exited (its pid is gone), on this machine.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    const line = (await import('../../../../src/workflows/shared/lock.js')).formatOwner({
      ...(await import('../../../../src/workflows/shared/lock.js')).currentOwner(),
      host: hostname.replace(/[^A-Za-z0-9.-]/g, '_'),
      pid: gone.pid!,
      start: '1',
    });
    dockerExec(c, ['sh', '-c', `mkdir -p /config/.kp-staging/kamerplanter.lock && printf '%s\\n' '${line}' > /config/.kp-staging/kamerplanter.lock/owner`]);
    appendFileSync(path.join(component, 'const.py'), 'TAKEN_OVER = True\n');
    const result = await kp(['ha', 'sync', '--json', '--settle', '0', '--timeout', '60', '--lock-timeout', '5']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('no longer runs: taking it over');
    // Nothing of a sync is left, only the count of in-place restarts kp keeps there.
    expect(
      dockerExec(c, ['ls', '-A', '/config/.kp-staging'])
        .split('\n')
        .filter((n: string) => n && n !== '.ha-restarts'),
    ).toEqual([]);
  });

  it('Given two checkouts synced at the same time from two kp state dirs, When both finish, Then the tree equals one source exactly and no staging is left', async () => {
    const other = path.join(work, 'other');
    writeComponent(path.join(other, 'custom_components'), {...smallFiles(), 'sensor.py': 'def setup():\n    return "other"\n', 'other_only.py': 'X = 1\n'});
    const run = (dir: string, state: string) =>
      new Promise<{code: number; stderr: string}>((resolve) => {
        const child = spawn(process.execPath, [kpBin, 'ha', 'sync', '--settle', '0', '--timeout', '90', '--lock-timeout', '90'], {
          cwd: dir,
          env: testEnv({...stack.env(), HA_IMAGE: image, HA_HOST_PORT: String(haPort), XDG_STATE_HOME: path.join(work, state)}) as NodeJS.ProcessEnv,
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('exit', (code) => resolve({code: code ?? -1, stderr}));
      });
    // Both differ from what is installed, so each round swaps and restarts (seconds): they must overlap.
    appendFileSync(path.join(component, 'const.py'), 'CONCURRENT = True\n');
    const [a, b] = await Promise.all([run(cwd, 'state-a'), run(other, 'state-b')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    // They overlapped: one waited for the other's lock in the target (held through its restart and verdict).
    expect([a.stderr, b.stderr].filter((stderr) => stderr.includes('Waiting for another sync'))).toHaveLength(1);
    const c = haContainer();
    const sensor = dockerExec(c, ['cat', `${remote}/sensor.py`]);
    const hasOtherOnly = dockerExec(c, ['sh', '-c', `[ -e ${remote}/other_only.py ] && echo yes || echo no`]).trim() === 'yes';
    // One source exactly: the other checkout's sensor.py goes with its other_only.py, never mixed.
    expect(hasOtherOnly).toBe(sensor.includes('"other"'));
    // Nothing of a sync is left, only the count of in-place restarts kp keeps there.
    expect(
      dockerExec(c, ['ls', '-A', '/config/.kp-staging'])
        .split('\n')
        .filter((n: string) => n && n !== '.ha-restarts'),
    ).toEqual([]);
  });

  it('Given one sync paused (SIGSTOP) once it is sending, When a second sync from another checkout starts, Then the second waits for the lock and the final tree is the second source exactly', async () => {
    // Given: two checkouts that differ from each other and from what is installed
    const first = path.join(work, 'paused-a');
    const second = path.join(work, 'paused-b');
    writeComponent(path.join(first, 'custom_components'), {...smallFiles(), 'sensor.py': 'def setup():\n    return "paused-a"\n', 'a_only.py': 'A = 1\n'});
    writeComponent(path.join(second, 'custom_components'), {...smallFiles(), 'sensor.py': 'def setup():\n    return "paused-b"\n', 'b_only.py': 'B = 1\n'});
    const env = testEnv({...stack.env(), HA_IMAGE: image, HA_HOST_PORT: String(haPort)}) as NodeJS.ProcessEnv;
    const start = (dir: string, state: string) => {
      const child = spawn(process.execPath, [kpBin, 'ha', 'sync', '--settle', '0', '--timeout', '90', '--lock-timeout', '90'], {
        cwd: dir,
        env: {...env, XDG_STATE_HOME: path.join(work, state)},
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
      return {child, exited, stderr: () => stderr};
    };
    const a = start(first, 'paused-state-a');
    // When: A is stopped as soon as it says it is sending
    for (let i = 0; i < 300 && !a.stderr().includes('sending'); i += 1) await new Promise((r) => setTimeout(r, 20));
    a.child.kill('SIGSTOP');
    const b = start(second, 'paused-state-b');
    for (let i = 0; i < 300 && !b.stderr().includes('Waiting for another sync'); i += 1) await new Promise((r) => setTimeout(r, 50));
    const bWaited = b.stderr().includes('Waiting for another sync');
    a.child.kill('SIGCONT');
    const [aCode, bCode] = await Promise.all([a.exited, b.exited]);
    // Then
    expect(bWaited, b.stderr()).toBe(true);
    expect(aCode, a.stderr()).toBe(0);
    expect(bCode, b.stderr()).toBe(0);
    const c = haContainer();
    expect(dockerExec(c, ['cat', `${remote}/sensor.py`])).toContain('paused-b');
    expect(
      dockerExec(c, ['sh', '-c', `ls ${remote}`])
        .split('\n')
        .filter((f: string) => f.endsWith('_only.py')),
    ).toEqual(['b_only.py']);
    // Nothing of a sync is left, only the count of in-place restarts kp keeps there.
    expect(
      dockerExec(c, ['ls', '-A', '/config/.kp-staging'])
        .split('\n')
        .filter((n: string) => n && n !== '.ha-restarts'),
    ).toEqual([]);
  });

  it('Given a Python change with a ruff finding and ruff on PATH, When kp ha sync runs, Then the finding is printed, exit 2, and nothing is copied', async () => {
    // The fake ruff (test/fakes) keeps its call log in KP_FAKE_STATE, like every fake tool.
    const fakeState = path.join(work, 'fake-state');
    mkdirSync(fakeState, {recursive: true});
    const withRuff = {PATH: `${path.join(projectRoot, 'test', 'fakes', 'bin')}${path.delimiter}${process.env.PATH}`, KP_FAKE_STATE: fakeState};
    writeFileSync(path.join(component, 'linted.py'), 'import os  # KP_TEST_LINT\n');
    const result = await kp(['ha', 'sync', '--json', '--settle', '0'], {env: withRuff});
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/linted\.py:1:\d+: F401/);
    // --json: the error is the result object (with the lint findings), on stdout.
    expect(json(result.stdout).error).toMatchObject({exitCode: 2, message: expect.stringContaining('Lint failed'), lint: {status: 'failed'}});
    expect(dockerExec(haContainer(), ['sh', '-c', `[ -e ${remote}/linted.py ] && echo yes || echo no`]).trim()).toBe('no');
    // --no-lint skips the gate; --lint without ruff on PATH is met by kp's in-process ruff, which finds the same.
    const required = await kp(['ha', 'sync', '--json', '--lint'], {env: {PATH: path.dirname(process.execPath) + path.delimiter + '/usr/bin:/bin'}});
    expect(required.exitCode, required.stderr).toBe(2);
    expect(json(required.stdout).error.lint).toMatchObject({engine: 'wasm', findings: [{file: 'linted.py', line: 1, col: 8, code: 'F401'}]});
    // (--restart none: this session has restarted HA often, and Docker's restart delay doubles each time.)
    const skipped = await kp(['ha', 'sync', '--json', '--settle', '0', '--no-lint', '--restart', 'none'], {env: withRuff});
    expect(skipped.exitCode, skipped.stderr).toBe(0);
    expect(json(skipped.stdout).lint).toMatchObject({status: 'skipped', reason: '--no-lint'});
    rmSync(path.join(component, 'linted.py'));
  });

  it("Given a Python change with an unused import and no ruff on PATH, When kp ha sync runs, Then kp's in-process ruff prints the finding as ruff does, exit 2, nothing is copied; fixed, the sync goes on with the lint passed", async () => {
    const noRuff = {PATH: path.dirname(process.execPath) + path.delimiter + '/usr/bin:/bin'};
    const constPy = path.join(component, 'const.py');
    const before = readFileSync(constPy, 'utf8');
    writeFileSync(constPy, `import os\n\n${before}NO_RUFF = True\n`);
    const failed = await kp(['ha', 'sync', '--json', '--settle', '0', '--restart', 'none'], {env: noRuff});
    expect(failed.exitCode, failed.stderr).toBe(2);
    expect(failed.stderr).toMatch(/const\.py:1:8: F401 `os` imported but unused$/m);
    expect(json(failed.stdout).error.lint).toMatchObject({status: 'failed', engine: 'wasm', findings: [{file: 'const.py', code: 'F401'}]});
    expect(dockerExec(haContainer(), ['cat', `${remote}/const.py`])).not.toContain('NO_RUFF');

    writeFileSync(constPy, `${before}NO_RUFF = True\n`);
    const result = await kp(['ha', 'sync', '--json', '--settle', '0', '--restart', 'none'], {env: noRuff});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('lint skipped');
    expect(json(result.stdout)).toMatchObject({
      outcome: 'synced',
      lint: {status: 'passed', engine: 'wasm', ruffVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/)},
    });
  });

  it('Given HA up, When kp ha down --target docker runs, Then the container goes and its config volume stays', async () => {
    const result = await kp(['ha', 'down', '--target', 'docker', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(json(result.stdout)).toMatchObject({removed: [expect.stringContaining('homeassistant')], volumeRemoved: false});
    expect(haContainer()).toBe('');
    expect(stack.volumes()).toContain(`${stack.project}_homeassistant-config`);
    // The rest of the stack is untouched.
    expect(stack.serviceContainer('backend')).not.toBe('');
  });

  it('Given the kept volume, When kp ha down --volumes runs without a terminal and without --yes, Then exit 2 and the volume stays; with --yes it goes', async () => {
    const refused = await kp(['ha', 'down', '--target', 'docker', '--volumes']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^error: .*without confirmation/m);
    expect(stack.volumes()).toContain(`${stack.project}_homeassistant-config`);
    const confirmed = await kp(['ha', 'down', '--target', 'docker', '--volumes', '--yes', '--json']);
    expect(confirmed.exitCode, confirmed.stderr).toBe(0);
    expect(json(confirmed.stdout).volumeRemoved).toBe(true);
    expect(stack.volumes()).not.toContain(`${stack.project}_homeassistant-config`);
  });

  it('Given a fresh HA that someone else onboards first, When kp ha up runs, Then kp leaves it as it is (no owner, no wiring, no login kept) and a sync is judged by the log, saying why', async () => {
    // Given: the login kp kept went with the volume; HA started again and onboarded by someone else through its port
    expect((await kp(['ha', 'credentials', '--target', 'docker'])).exitCode).toBe(3);
    const started = await kp(['compose', 'start', '--profile', 'homeassistant', '--json', '--timeout', '180']);
    expect(started.exitCode, started.stderr).toBe(0);
    const base = `http://127.0.0.1:${haPort}`;
    const owner = await fetch(`${base}/api/onboarding/users`, {
      method: 'POST',
      body: JSON.stringify({name: 'Someone', username: 'someone', password: 'their-own', client_id: `${base}/`, language: 'en'}),
    });
    expect(owner.status).toBe(200);
    // When
    const result = await kp(['ha', 'up', '--target', 'docker', '--json', '--timeout', '180']);
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const up = json(result.stdout);
    expect(up.onboarding).toMatchObject({outcome: 'foreign', reason: expect.stringContaining('someone else onboarded it')});
    expect(up.wiring).toBeUndefined();
    expect(dockerExec(haContainer(), ['cat', '/config/.storage/standin/owner']).trim()).toBe('someone');
    expect((await kp(['ha', 'credentials', '--target', 'docker'])).exitCode).toBe(3);
    const sync = await kp(['ha', 'sync', '--force', '--json']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(json(sync.stdout)).toMatchObject({
      verdict: {status: 'found'},
      verdictSource: {used: 'log', why: 'kp did not onboard this HA and holds no token for it'},
    });
    const status = await kp(['ha', 'status', '--json']);
    expect(json(status.stdout).onboarding).toMatchObject({onboarded: false, by: 'someone else'});
  });
});
