/**
 * kp ha sync / status against a REAL Docker engine: a stand-in HA container (busybox) that models
 * the official image (test/fixtures/ha/standin.mjs): a supervisor restarts HA in place on SIGHUP
 * (exit 100), TERM to PID 1 ends the container (its restart policy starts it again), HA serves
 * 8123 and logs HA's loader or setup-failure lines for the components it finds in /config.
 *
 * The first describe is one developer session on one container, in order: each test's Given is
 * the state the previous sync left (as it is on a developer's machine). The others stand alone.
 */
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runKp, type CliOptions} from '../../../helpers/cli.js';
// @ts-expect-error plain ESM fixture without types
import {smallFiles, writeComponent} from '../../../fixtures/ha/make-component.mjs';
// @ts-expect-error plain ESM fixture without types
import {buildHaStandin, dockerExec, removeHaStandin, startHaStandin} from '../../../fixtures/ha/standin.mjs';
import {removeImages} from '../../support/docker.js';
import {runName} from '../../support/e2e.js';

// Everything this file creates is named kp-e2e-<run id>-ha-...: containers, their volumes, the image,
// and the Compose project of the --project-name test.
const image = `kp-ha-standin:${runName('ha')}`;
const ha = runName('ha');
const slowHa = runName('ha-slow');
const bareHa = runName('ha-bare');
const noVolumeHa = runName('ha-novol');
const readOnlyHa = runName('ha-ro');
const composeHa = runName('ha-compose');
const composeProject = runName('ha-project');
const work = mkdtempSync(path.join(tmpdir(), 'kp-ha-e2e-'));
const cwd = path.join(work, 'repo');
const component = path.join(cwd, 'custom_components', 'kamerplanter');
const remote = '/config/custom_components/kamerplanter';

const sync = (args: string[] = [], options: Pick<CliOptions, 'env' | 'onSpawn'> = {}) =>
  runKp(['ha', 'sync', '--target', 'docker', '--container', ha, '--json', '--settle', '0', '--timeout', '60', ...args], {cwd, ...options});
const restartCount = (name: string) => Number(execFileSync('docker', ['inspect', '-f', '{{.RestartCount}}', name], {encoding: 'utf8'}).trim());
/** What the engine says about the container instance: id, restart count, start time. */
const inspectState = (name: string) => {
  const [id, count, startedAt] = execFileSync('docker', ['inspect', '-f', '{{.Id}} {{.RestartCount}} {{.State.StartedAt}}', name], {encoding: 'utf8'})
    .trim()
    .split(' ');
  return {id, restartCount: Number(count), startedAt};
};
/** Wait until the stand-in answers on 8123 (its boot delay over). */
const waitForPort = async (name: string, timeoutMs = 20_000) => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      dockerExec(name, ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8123/']);
      return;
    } catch {
      if (Date.now() > until) throw new Error(`${name} never answered on 8123`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
};
const remoteExists = (name: string, file: string) => {
  try {
    dockerExec(name, ['test', '-e', file]);
    return true;
  } catch {
    return false;
  }
};

beforeAll(() => {
  buildHaStandin(image);
  startHaStandin(ha, {image});
  mkdirSync(path.dirname(component), {recursive: true});
  writeComponent(path.dirname(component), smallFiles());
});

afterAll(() => {
  for (const name of [ha, slowHa, bareHa, noVolumeHa, readOnlyHa, composeHa]) removeHaStandin(name);
  removeImages([image]);
  rmSync(work, {recursive: true, force: true});
});

describe('kp ha sync with a container target, one sync after another (real engine)', () => {
  it('Given an empty /config volume, When kp ha sync runs, Then every file is copied, HA restarts and the integration is reported loaded', async () => {
    // When
    const result = await sync();
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.outcome).toBe('synced');
    expect(report.changes.added).toHaveLength(8);
    // HA restarted in place: a new HA process, the container untouched (no crash back-off).
    expect(report.restart).toMatchObject({method: 'in-place', performed: true, observed: true});
    expect(report.restart.after.restartCount).toBe(report.restart.before.restartCount);
    expect(report.restart.after.startedAt).toBe(report.restart.before.startedAt);
    expect(report.restart.after.haPid).not.toBe(report.restart.before.haPid);
    expect(report.ready.ready).toBe(true);
    expect(report.verdict.status).toBe('found');
    expect(report.summary.map((row: {step: string; status: string}) => `${row.step}:${row.status}`)).toEqual([
      'copy:ok',
      'cache clear:ok',
      'restart:ok',
      'ready:ok',
      'loaded:ok',
      'errors:ok',
    ]);
    expect(dockerExec(ha, ['cat', `${remote}/helpers/care.py`])).toBe(smallFiles()['helpers/care.py']);
    // Staging lives outside custom_components/ and is gone afterwards.
    expect(
      dockerExec(ha, ['ls', '-a', '/config/custom_components'])
        .split('\n')
        .filter((n: string) => n && !n.startsWith('.')),
    ).toEqual(['kamerplanter']);
    // Nothing of a sync is left, only the count of in-place restarts kp keeps there.
    expect(
      dockerExec(ha, ['ls', '-A', '/config/.kp-staging'])
        .split('\n')
        .filter((n: string) => n && n !== '.ha-restarts'),
    ).toEqual([]);
  });

  it('Given nothing changed locally, When kp ha sync runs, Then it reports up to date, does not restart, and used at most 2 processes', async () => {
    // Given
    const restartsBefore = restartCount(ha);
    // When
    const result = await sync();
    // Then
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.outcome).toBe('up-to-date');
    expect(report.restart.performed).toBe(false);
    expect(report.processes).toBeLessThanOrEqual(2);
    expect(restartCount(ha)).toBe(restartsBefore);
  });

  it('Given one edited file, When kp ha sync runs, Then only that file is sent (bytes <= file + 10 KiB)', async () => {
    // Given
    appendFileSync(path.join(component, 'sensor.py'), '\n\n# tweak\n');
    const size = readFileSync(path.join(component, 'sensor.py')).length;
    // When
    const result = await sync();
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.changes).toMatchObject({modified: ['sensor.py'], added: [], deleted: []});
    expect(report.upload.files).toBe(1);
    expect(report.upload.bytes).toBeLessThanOrEqual(size + 10 * 1024);
    expect(dockerExec(ha, ['cat', `${remote}/sensor.py`])).toContain('# tweak');
  });

  it('Given a file deleted locally, When kp ha sync runs, Then it disappears in the target too', async () => {
    // Given
    unlinkSync(path.join(component, 'const.py'));
    expect(remoteExists(ha, `${remote}/const.py`)).toBe(true);
    // When
    const result = await sync();
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).changes.deleted).toEqual(['const.py']);
    expect(remoteExists(ha, `${remote}/const.py`)).toBe(false);
  });

  it('Given a stale cache in a sub-package __pycache__, When kp ha sync runs, Then that nested __pycache__ content is gone', async () => {
    // Given
    dockerExec(ha, ['sh', '-c', `mkdir -p ${remote}/helpers/__pycache__ && touch ${remote}/helpers/__pycache__/stale.cpython-313.pyc`]);
    expect(remoteExists(ha, `${remote}/helpers/__pycache__/stale.cpython-313.pyc`)).toBe(true);
    appendFileSync(path.join(component, 'helpers', 'care.py'), '\n\n# cache test\n');
    // When
    const result = await sync();
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).cacheClear.removed).toBeGreaterThanOrEqual(2);
    expect(remoteExists(ha, `${remote}/helpers/__pycache__/stale.cpython-313.pyc`)).toBe(false);
  });

  it('Given a component that breaks on import (HA reports it after it answers), When kp ha sync runs with the default settle, Then it exits 6 as soon as the failure is logged, and the report carries the setup failure and the traceback', async () => {
    // Given
    appendFileSync(path.join(component, '__init__.py'), 'import kp_missing_dependency  # KP_TEST_BREAKAGE\n');
    // When
    // --no-lint: the broken import is for HA's verdict (the lint gate would stop it first: E402, F401).
    const result = await runKp(['ha', 'sync', '--target', 'docker', '--container', ha, '--json', '--timeout', '60', '--no-lint'], {cwd});
    // Then
    expect(result.exitCode).toBe(6);
    const report = JSON.parse(result.stdout);
    expect(report.outcome).toBe('failed');
    expect(report.verdict.status).toBe('failed');
    // The loader line came before HA answered, the failure after: kp read on, and stopped at the failure.
    expect(report.verdict.loaderLine).toContain('We found a custom integration kamerplanter');
    expect(report.verdict.readMs).toBeLessThan(2000);
    const kinds = report.verdict.failures.map((f: {kind: string}) => f.kind);
    expect(kinds).toEqual(expect.arrayContaining(['setup-failed', 'traceback']));
    const traceback = report.verdict.failures.find((f: {kind: string}) => f.kind === 'traceback').text;
    expect(traceback).toContain('/config/custom_components/kamerplanter/__init__.py');

    // And when the import is fixed, Then the next sync reports it loaded
    writeFileSync(path.join(component, '__init__.py'), smallFiles()['__init__.py']);
    const fixed = await sync();
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout).verdict.status).toBe('found');
  });

  it('Given kp is killed (SIGKILL) in the middle of a large upload, When the target is inspected, Then the old component is intact, and the next sync completes', async () => {
    // Given a change and a 128 MiB file to upload
    const before = dockerExec(ha, ['sha256sum', `${remote}/sensor.py`]);
    appendFileSync(path.join(component, 'sensor.py'), '\n\n# never half-applied\n');
    writeFileSync(path.join(component, 'www', 'huge.bin'), randomBytes(128 * 1024 * 1024));
    const spawnLog = path.join(work, 'spawn.jsonl');
    let killedAfterUploadStarted = false;
    // When kp is killed once the upload runs
    const result = await sync([], {
      env: {KP_SPAWN_LOG: spawnLog},
      onSpawn: (child) => {
        const timer = setInterval(() => {
          const log = existsSync(spawnLog) ? readFileSync(spawnLog, 'utf8') : '';
          if (log.split('\n').some((line) => line.includes('"exec","-i"'))) {
            clearInterval(timer);
            setTimeout(() => {
              killedAfterUploadStarted = true;
              child.kill('SIGKILL');
            }, 150);
          }
        }, 5);
        child.on('exit', () => clearInterval(timer));
      },
    });
    // Then the live component is the old one, nothing half-copied
    expect(result.signal).toBe('SIGKILL');
    expect(killedAfterUploadStarted).toBe(true);
    // The orphaned `docker exec` sees EOF; give the remote script a moment to give up.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(dockerExec(ha, ['sha256sum', `${remote}/sensor.py`])).toBe(before);
    expect(remoteExists(ha, `${remote}/www/huge.bin`)).toBe(false);
    expect(
      dockerExec(ha, ['ls', '-a', '/config/custom_components'])
        .split('\n')
        .filter((n: string) => n && !n.startsWith('.')),
    ).toEqual(['kamerplanter']);

    // And the next sync completes
    rmSync(path.join(component, 'www', 'huge.bin'));
    const next = await sync();
    expect(next.exitCode, next.stderr).toBe(0);
    const report = JSON.parse(next.stdout);
    expect(report.changes.modified).toEqual(['sensor.py']);
    expect(report.verdict.status).toBe('found');
    expect(dockerExec(ha, ['cat', `${remote}/sensor.py`])).toContain('# never half-applied');
  });

  it('Given the synced container, When kp ha status --json runs, Then it shows the state, restart count, versions and matching files', async () => {
    // When
    const result = await runKp(['ha', 'status', '--target', 'docker', '--container', ha, '--json'], {cwd});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.state).toMatchObject({running: true, ready: true, restartCount: restartCount(ha)});
    expect(report.state.uptimeSeconds).toBeGreaterThanOrEqual(0);
    // HA's own process beside the container: restarted in place by the syncs above, the container never.
    expect(report.ha).toMatchObject({supervisor: 's6-supervise', inPlaceRestarts: true});
    expect(report.ha.kpRestarts).toBeGreaterThanOrEqual(3);
    expect(report.ha.uptimeSeconds).toBeLessThanOrEqual(report.state.uptimeSeconds);
    expect(report.state.restartCount).toBe(0);
    expect(report.ha.pid).toBe(
      Number(dockerExec(ha, ['sh', '-c', 'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = python3 ] && echo ${p#/proc/}; done; true']).trim()),
    );
    expect(report).toMatchObject({installed: {present: true, version: '0.4.2'}, local: {version: '0.4.2'}, filesMatch: true, verdict: {status: 'found'}});
  });
});

describe('kp ha sync: waiting, refusals and compose lookup (real engine)', () => {
  it('Given HA (under its supervisor) that needs 3s to answer after a restart, When kp ha sync runs, Then the new HA process is observed first, readiness only afterwards, and the container never restarts', async () => {
    // Given
    startHaStandin(slowHa, {image, bootDelay: 3});
    await waitForPort(slowHa);
    const startedBefore = inspectState(slowHa);
    // When
    const result = await runKp(['ha', 'sync', '--target', 'docker', '--container', slowHa, '--json'], {cwd});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.restart).toMatchObject({method: 'in-place', observed: true});
    expect(report.ready.afterMs - report.restart.observedAfterMs).toBeGreaterThanOrEqual(2000);
    const observedAt = result.stderr.indexOf('HA restarted in place');
    expect(observedAt).toBeGreaterThanOrEqual(0);
    expect(observedAt).toBeLessThan(result.stderr.indexOf('HA answers'));
    // Read back from the engine: same container instance, restart count and start time unchanged.
    expect(inspectState(slowHa)).toEqual(startedBefore);
    // The log verdict came from the same container's log stream, written since the signal.
    expect(report.verdict.status).toBe('found');
  });

  it('Given HA running as PID 1 (no supervisor), When kp ha sync restarts it, Then kp says so, restarts the container with docker restart (no kill 1 under the restart policy) and names the back-off it costs', async () => {
    // Given
    startHaStandin(bareHa, {image, supervisor: false});
    await waitForPort(bareHa);
    const before = inspectState(bareHa);
    // When
    const result = await runKp(['ha', 'sync', '--target', 'docker', '--container', bareHa, '--json'], {cwd});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.restart).toMatchObject({method: 'container', observed: true, fallback: expect.stringContaining('cannot be restarted in place')});
    expect(result.stderr).toMatch(/warning: HA cannot be restarted in place \(no Home Assistant process apart from PID 1\)/);
    expect(inspectState(bareHa).startedAt).not.toBe(before.startedAt);
    expect(report.verdict.status).toBe('found');
    // `kp ha status` says the same: no in-place restart here.
    const status = await runKp(['ha', 'status', '--target', 'docker', '--container', bareHa], {cwd});
    expect(status.stdout).toMatch(/no HA process apart from PID 1: no in-place restart/);
  });

  it('Given --restart inplace on HA without a supervisor, When kp ha sync runs, Then it refuses (exit 3) before anything is sent', async () => {
    writeFileSync(path.join(cwd, 'custom_components', 'kamerplanter', 'const.py'), 'REFUSED = True\n');
    const result = await runKp(['ha', 'sync', '--target', 'docker', '--container', bareHa, '--restart', 'inplace'], {cwd});
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/error: --restart inplace needs HA under s6-supervise/);
    expect(dockerExec(bareHa, ['sh', '-c', 'cat /config/custom_components/kamerplanter/const.py 2>/dev/null; true'])).not.toContain('REFUSED');
    expect(dockerExec(bareHa, ['ls', '/config/custom_components/kamerplanter'])).toContain('manifest.json');
  });

  it('Given a container without a volume at /config, When kp ha sync runs, Then it refuses (exit 3) because a recreate would wipe the files', async () => {
    // Given
    startHaStandin(noVolumeHa, {image, noVolume: true});
    // When
    const result = await runKp(['ha', 'sync', '--target', 'docker', '--container', noVolumeHa], {cwd});
    // Then
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/is not on a volume/);
  });

  it("Given HA whose /config volume is mounted read-only, When kp ha sync runs, Then it says so at once (exit 3), never waiting for it as another run's lock", async () => {
    // Given
    startHaStandin(readOnlyHa, {image, readOnlyConfig: true});
    // When
    const result = await runKp(['ha', 'sync', '--target', 'docker', '--container', readOnlyHa, '--lock-timeout', '60'], {cwd});
    // Then
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stderr).toMatch(
      /^error: HA's config folder in container \S+ is mounted read-only: kp cannot write the component there \(.*Read-only file system\)\.$/m,
    );
    expect(result.stderr).not.toMatch(/Another kp run|holds the lock|Waiting/);
  });

  it('Given HA as service homeassistant of a compose project, When kp ha status --project-name runs, Then the container is found by its labels', async () => {
    // Given
    startHaStandin(composeHa, {image, labels: {'com.docker.compose.project': composeProject, 'com.docker.compose.service': 'homeassistant'}});
    // When
    const result = await runKp(['ha', 'status', '--project-name', composeProject, '--json'], {cwd});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.target).toMatchObject({kind: 'container', container: composeHa, composeProject});
    expect(report.installed.present).toBe(false);
  });
});

describe('kp ha sync --watch (real engine)', () => {
  it('Given a watch session, When a burst of saves, a broken manifest and its fix happen, Then one round per burst, the failed round is reported, the next change recovers, and Ctrl-C exits 130 after one JSON line per round and a summary line', async () => {
    const stderrSeen: string[] = [];
    const waitFor = async (predicate: (text: string) => boolean, ms = 60_000) => {
      const deadline = Date.now() + ms;
      while (!predicate(stderrSeen.join(''))) {
        if (Date.now() > deadline) throw new Error(`timed out; stderr so far:\n${stderrSeen.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const count = (text: string, needle: string) => text.split(needle).length - 1;
    // When a watch session runs while the files are edited (a burst, a broken manifest, its fix), then Ctrl-C
    const result = await runKp(['ha', 'sync', '--target', 'docker', '--container', ha, '--json', '--settle', '0', '--watch', '--debounce', '300'], {
      cwd,
      timeoutMs: 200_000,
      onSpawn: (child) => {
        child.stderr!.on('data', (chunk: Buffer) => stderrSeen.push(chunk.toString()));
        void (async () => {
          try {
            await waitFor((t) => t.includes('Watching'));
            const baseline = count(stderrSeen.join(''), 'round synced');
            for (const name of ['sensor.py', 'helpers/care.py', 'translations/en.json']) {
              appendFileSync(path.join(component, name), name.endsWith('.json') ? ' ' : '# burst\n');
              await new Promise((resolve) => setTimeout(resolve, 30));
            }
            await waitFor((t) => count(t, 'round synced') === baseline + 1);
            const manifest = path.join(component, 'manifest.json');
            const good = readFileSync(manifest, 'utf8');
            appendFileSync(path.join(component, 'sensor.py'), '\n\n# waits for the manifest fix\n');
            writeFileSync(manifest, '{ not json');
            await waitFor((t) => t.includes('round failed'));
            writeFileSync(manifest, good);
            await waitFor((t) => count(t, 'round synced') === baseline + 2);
          } finally {
            child.kill('SIGINT');
          }
        })();
      },
    });
    // Then: Ctrl-C ends a watch with 130, and stdout is newline-delimited JSON: one line per round, then a summary
    expect(result.exitCode, stderrSeen.join('')).toBe(130);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, any>);
    const rounds = lines.slice(0, -1);
    const summary = lines.at(-1)!;
    expect(rounds.map((r) => r.round)).toEqual(rounds.map((_, index) => index + 1));
    const outcomes = rounds.map((r) => (r.ok ? r.report.outcome : 'error'));
    // The first round syncs whatever differs (nothing, after the tests above), then one round per burst.
    expect(['up-to-date', 'synced']).toContain(outcomes[0]);
    expect(outcomes.slice(1)).toEqual(['synced', 'error', 'synced']);
    expect(rounds[1]!.report.upload.files).toBe(3);
    expect(summary).toEqual({watch: true, summary: true, rounds: 4, failedRounds: 1, interruptedRounds: 0, exitCode: 130});
    expect(stderrSeen.join('')).not.toMatch(/^error:/m);
  });
});
