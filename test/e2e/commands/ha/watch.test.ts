/**
 * `kp ha sync --watch` through an ordinary working day, against a REAL Docker engine and the
 * stand-in HA (test/fixtures/ha/standin.mjs: a supervisor that restarts HA in place on SIGHUP).
 * Each test has its own container, volume and checkout, and drives one watch session.
 */
import {execFileSync} from 'node:child_process';
import {appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
// @ts-expect-error plain ESM fixture without types
import {smallFiles, writeComponent} from '../../../fixtures/ha/make-component.mjs';
// @ts-expect-error plain ESM fixture without types
import {buildHaStandin, dockerExec, removeHaStandin, startHaStandin} from '../../../fixtures/ha/standin.mjs';
import {removeImages} from '../../support/docker.js';
import {runName} from '../../support/e2e.js';
import {watchSession} from '../../support/watch.js';

const image = `kp-ha-standin:${runName('ha-watch')}`;
const work = mkdtempSync(path.join(tmpdir(), 'kp-ha-watch-'));
const containers: string[] = [];
const remote = '/config/custom_components/kamerplanter';

/** A container of the test's own (name kp-e2e-<run>-hw-<suffix>) and a checkout with the small component. */
function setup(suffix: string, options: {bootDelay?: number} = {}) {
  const name = runName(`hw-${suffix}`);
  containers.push(name);
  startHaStandin(name, {image, ...options});
  const cwd = path.join(work, suffix);
  mkdirSync(path.join(cwd, 'custom_components'), {recursive: true});
  writeComponent(path.join(cwd, 'custom_components'), smallFiles());
  return {name, cwd, component: path.join(cwd, 'custom_components', 'kamerplanter')};
}
const args = (name: string, extra: string[] = []) => ['--target', 'docker', '--container', name, '--debounce', '200', ...extra];
const inspect = (name: string) => {
  const [id, count, startedAt, status] = execFileSync('docker', ['inspect', '-f', '{{.Id}} {{.RestartCount}} {{.State.StartedAt}} {{.State.Status}}', name], {
    encoding: 'utf8',
  })
    .trim()
    .split(' ');
  return {id, restartCount: Number(count), startedAt, status};
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outcomes = (rounds: Array<Record<string, any>>) => rounds.map((r) => (r.ok ? r.report.outcome : 'error'));

beforeAll(() => {
  buildHaStandin(image);
});

afterAll(() => {
  for (const name of containers) removeHaStandin(name);
  removeImages([image]);
  rmSync(work, {recursive: true, force: true});
});

describe('kp ha sync --watch through a working day (real engine)', () => {
  it('Given six quick .py edits, When each is synced, Then every restart is in place, the container restart count never moves, and Ctrl-C exits 130 with one NDJSON line per round', async () => {
    // Given
    const {name, cwd, component} = setup('six');
    const before = inspect(name);
    // When
    const session = await watchSession(args(name), {cwd}, async (watch) => {
      const base = watch.count('round synced');
      for (let edit = 1; edit <= 6; edit += 1) {
        appendFileSync(path.join(component, 'sensor.py'), `\n\n# edit ${edit}\n`);
        await watch.waitFor((text) => text.split('round synced').length - 1 === base + edit);
        await pause(300);
      }
    });
    // Then
    expect(session.scriptError).toBeUndefined();
    expect(session.exitCode, session.stderr).toBe(130);
    const edits = session.rounds.slice(1);
    expect(outcomes(edits)).toEqual(Array(6).fill('synced'));
    for (const round of edits) {
      expect(round.report.restart.method).toBe('in-place');
      expect(round.report.restart.after.restartCount).toBe(before.restartCount);
      expect(round.report.verdict.status).toBe('found');
    }
    const after = inspect(name);
    expect({id: after.id, restartCount: after.restartCount, startedAt: after.startedAt}).toEqual({
      id: before.id,
      restartCount: before.restartCount,
      startedAt: before.startedAt,
    });
    expect(session.summary).toMatchObject({summary: true, rounds: 7, failedRounds: 0, exitCode: 130});
  });

  it('Given the container removed and started again under the same name (fresh volume), When the watch runs on, Then it notices through the engine events, syncs the whole component into the new container, and later edits work', async () => {
    // Given
    const {name, cwd, component} = setup('recreate');
    // When
    const session = await watchSession(args(name), {cwd}, async (watch) => {
      execFileSync('docker', ['rm', '-f', '-v', name], {stdio: 'pipe'});
      execFileSync('docker', ['volume', 'rm', '-f', `${name}-config`], {stdio: 'pipe'});
      startHaStandin(name, {image});
      await watch.waitFor((text) => text.includes('re-created outside kp'));
      await watch.waitFor((text) => text.split('round synced').length - 1 >= 2);
      appendFileSync(path.join(component, 'sensor.py'), '\n\n# after the re-creation\n');
      await watch.waitFor((text) => text.split('round synced').length - 1 >= 3);
    });
    // Then
    expect(session.scriptError).toBeUndefined();
    expect(session.exitCode, session.stderr).toBe(130);
    expect(outcomes(session.rounds)).toEqual(['synced', 'synced', 'synced']);
    // The re-created container got every file (its volume was empty), then the edit alone.
    expect(session.rounds[1]!.report.changes.added.length).toBe(Object.keys(smallFiles()).length);
    expect(session.rounds[2]!.report.changes.modified).toEqual(['sensor.py']);
    expect(dockerExec(name, ['cat', `${remote}/sensor.py`])).toBe(readFileSync(path.join(component, 'sensor.py'), 'utf8'));
  });

  it('Given the component folder moved away, then deleted, When it comes back each time, Then the watch says so, keeps waiting (no round, no crash), resumes with a full comparison, and Ctrl-C still exits 130', async () => {
    // Given
    const {name, cwd, component} = setup('folder');
    // When
    const session = await watchSession(args(name), {cwd}, async (watch) => {
      renameSync(component, `${component}.moved`);
      await watch.waitFor((text) => text.includes('is gone (deleted, moved or renamed)'));
      const roundsWhileGone = watch.count('round ');
      await pause(1500);
      expect(watch.count('round ')).toBe(roundsWhileGone);
      appendFileSync(path.join(`${component}.moved`, 'sensor.py'), '\n\n# edited while away\n');
      renameSync(`${component}.moved`, component);
      await watch.waitFor((text) => text.includes('is back: comparing'));
      await watch.waitFor((text) => text.split('round synced').length - 1 >= 2);
      rmSync(component, {recursive: true, force: true});
      await watch.waitFor((text) => text.split('is gone (deleted').length - 1 >= 2);
      writeComponent(path.dirname(component), smallFiles());
      await watch.waitFor((text) => text.split('is back: comparing').length - 1 >= 2);
      await watch.waitFor((text) => text.split('round synced').length - 1 >= 3);
    });
    // Then
    expect(session.scriptError).toBeUndefined();
    expect(session.exitCode, session.stderr).toBe(130);
    expect(session.stderr).toContain(`The component folder ${component} is gone`);
    expect(session.stderr).not.toMatch(/^error:/m);
    // First round, the edit made while away, then back to the generated content.
    expect(outcomes(session.rounds)).toEqual(['synced', 'synced', 'synced']);
    expect(session.rounds[1]!.report.changes.modified).toEqual(['sensor.py']);
    expect(dockerExec(name, ['cat', `${remote}/sensor.py`])).toBe(smallFiles()['sensor.py']);
  });

  it('Given HA stopped in the middle of a round, When the watch waits for it, Then the round fails within 5 s naming the state, the watch goes on, resyncs when the container is started again, and the next edit works', async () => {
    // Given: HA needs 4 s to answer after every start, so the round is still waiting when it stops
    const {name, cwd, component} = setup('stop', {bootDelay: 4});
    let stoppedAt = 0;
    let failedAt = 0;
    // When
    const session = await watchSession(args(name), {cwd}, async (watch) => {
      const restartsSoFar = watch.count('HA restarted in place');
      appendFileSync(path.join(component, 'sensor.py'), '\n\n# edit before the stop\n');
      await watch.waitFor((text) => text.split('HA restarted in place').length - 1 > restartsSoFar);
      stoppedAt = Date.now();
      execFileSync('docker', ['stop', '-t', '1', name], {stdio: 'pipe'});
      await watch.waitFor((text) => text.includes('round stopped'), 30_000);
      failedAt = Date.now();
      execFileSync('docker', ['start', name], {stdio: 'pipe'});
      await watch.waitFor((text) => text.includes('restarted outside kp'));
      await watch.waitFor((text) => /round (up-to-date|synced)/.test(text.slice(text.indexOf('restarted outside kp'))));
      appendFileSync(path.join(component, 'sensor.py'), '\n\n# edit after the start\n');
      await watch.waitFor((text) => text.split('round synced').length - 1 >= 2, 60_000);
      // (the first round and the edit after the start)
    });
    // Then
    expect(session.scriptError).toBeUndefined();
    expect(session.exitCode, session.stderr).toBe(130);
    expect(failedAt - stoppedAt).toBeLessThan(5_000 + 1_000); // docker stop itself takes up to its 1 s grace
    const stopped = session.rounds.find((r) => r.ok && r.report.outcome === 'stopped')!;
    expect(stopped.report.exitCode).toBe(3);
    expect(stopped.report.warnings.join('\n')).toMatch(/stopped during the restart: exited with code \d+/);
    expect(outcomes(session.rounds).at(-1)).toBe('synced');
    expect(dockerExec(name, ['cat', `${remote}/sensor.py`])).toContain('# edit after the start');
  });

  it('Given editor temporary files and --ignore globs, When they are written during a watch, Then no round starts and no process is spawned, they never reach HA, and an ignored file in HA is never deleted', async () => {
    // Given: a file in HA that the checkout does not have, but that matches --ignore
    const {name, cwd, component} = setup('temp');
    execFileSync('docker', ['exec', name, 'sh', '-c', `mkdir -p ${remote}/www && echo remote-only > ${remote}/www/dev-remote.js`]);
    const spawnLog = path.join(work, 'temp-spawns.jsonl');
    const spawns = () => (existsSync(spawnLog) ? readFileSync(spawnLog, 'utf8').split('\n').filter(Boolean).length : 0);
    // When
    const session = await watchSession(args(name, ['--ignore', 'www/dev-*.js', '--ignore', '*.bak']), {cwd, env: {KP_SPAWN_LOG: spawnLog}}, async (watch) => {
      await pause(1000); // the engine event stream is up
      const spawnsIdle = spawns();
      const roundsIdle = watch.count('round ');
      for (const file of [
        '.sensor.py.swp',
        '.sensor.py.swx',
        '4913',
        'sensor.py~',
        'notes.tmp',
        'sensor.py___jb_tmp___',
        '.goutputstream-AB12CD',
        'draft.crswap',
        'old.bak',
        'www/dev-preview.js',
      ]) {
        writeFileSync(path.join(component, file), 'temporary\n');
      }
      await pause(2000);
      // Idle and after temp-file noise: not one process, not one round.
      expect(spawns()).toBe(spawnsIdle);
      expect(watch.count('round ')).toBe(roundsIdle);
      appendFileSync(path.join(component, 'sensor.py'), '\n\n# a real edit\n');
      await watch.waitFor((text) => text.split('round synced').length - 1 >= 2);
    });
    // Then
    expect(session.scriptError).toBeUndefined();
    expect(session.exitCode, session.stderr).toBe(130);
    expect(session.rounds.at(-1)!.report.changes).toMatchObject({modified: ['sensor.py'], added: [], deleted: []});
    const listing = dockerExec(name, ['find', remote, '-type', 'f']);
    for (const temp of ['.swp', '.swx', '4913', 'sensor.py~', 'notes.tmp', '___jb_tmp___', 'goutputstream', 'crswap', 'old.bak', 'dev-preview.js'])
      expect(listing).not.toContain(temp);
    expect(dockerExec(name, ['cat', `${remote}/www/dev-remote.js`])).toBe('remote-only\n');
  });
});
