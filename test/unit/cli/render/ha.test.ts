/**
 * What `kp ha up` and `kp ha sync` print for a person, fed with results recorded from real runs
 * (test/fixtures/recorded/kp/: `--json` of kp against the stand-in HA, machine paths replaced) and
 * variants of them for the cases one machine cannot produce at will (a foreign owner, no backend).
 * The text must say what the result says and never contradict it.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Chalk} from 'chalk';
import {describe, expect, it} from 'vitest';
import {renderHaUp, renderSyncOutcome, renderSyncReport, syncWasSkipped} from '../../../../src/cli/render/ha.js';
import type {HaSyncReport} from '../../../../src/workflows/ha/report.js';
import type {HaUpResult} from '../../../../src/workflows/ha/up.js';
import {projectRoot} from '../../../helpers/cli.js';

const plain = new Chalk({level: 0});
const recorded = <T>(name: string): T => JSON.parse(readFileSync(path.join(projectRoot, 'test', 'fixtures', 'recorded', 'kp', name), 'utf8')) as T;

describe('kp ha up for a person', () => {
  it('Given a fresh HA that kp onboarded, wired and synced, When rendered, Then the URL, the onboarding with the login file, the wiring and the sync with its verdict are all there', () => {
    const result = recorded<HaUpResult>('ha-up-fresh.json');
    const text = renderHaUp(result, plain);
    expect(text).toContain('Home Assistant is up (docker, kp-manual, kp-ha-standin:manual)');
    expect(text).toMatch(/^ {2}UI +http:\/\/127\.0\.0\.1:18123\/$/m);
    expect(text).toContain(
      'onboarding  onboarded by kp now: owner kp-dev; login in /home/dev/state/kp/ha-credentials/compose-kp-manual-homeassistant.json (`kp ha credentials` prints it)',
    );
    expect(text).toContain('wiring      kamerplanter entry created for http://backend:8000: loaded');
    expect(text).toContain('sync        synced (45 files), log verdict: found by HA, no failure logged');
    expect(text).toMatch(/^ {2}✔ copy +45 sent/m);
    expect(text).not.toContain('skipped:');
  });

  it('Given a sync report with no skipped files (an empty list), When rendered, Then the sync is never called skipped (the report is told from a skip by its outcome)', () => {
    const result = recorded<HaUpResult>('ha-up-fresh.json');
    expect(syncWasSkipped(result.sync)).toBe(false);
    expect((result.sync as HaSyncReport).skipped).toEqual([]);
  });

  it('Given HA already up, onboarded and wired by an earlier kp ha up, When rendered, Then it says so: already up, onboarded earlier, the entry kept, the component up to date', () => {
    const text = renderHaUp(recorded<HaUpResult>('ha-up-again.json'), plain);
    expect(text).toContain('Home Assistant was already up');
    expect(text).toMatch(/onboarding +onboarded by kp earlier: owner kp-dev; login in \/home\/dev\/state\/kp\/ha-credentials\/.*\.json/);
    expect(text).toContain('wiring      kamerplanter entry kept (it existed)');
    expect(text).toContain('sync        up-to-date');
  });

  it('Given kp ha up --no-sync, When rendered, Then the sync line says skipped with its reason', () => {
    const result = recorded<HaUpResult>('ha-up-nosync.json');
    expect(syncWasSkipped(result.sync)).toBe(true);
    expect(renderHaUp(result, plain)).toMatch(/^ {2}sync +skipped: --no-sync$/m);
  });

  it("Given an HA someone else onboarded, When rendered, Then it is not called kp's: no login, the reason, the log decides, and nothing was wired", () => {
    const result: HaUpResult = {
      ...recorded<HaUpResult>('ha-up-again.json'),
      onboarding: {
        outcome: 'foreign',
        owner: undefined,
        completed: [],
        reason: 'someone else created the owner first, so kp holds no token for it',
        url: 'http://127.0.0.1:18123',
      },
      wiring: undefined,
    };
    const text = renderHaUp(result, plain);
    expect(text).toContain("onboarding  not kp's: someone else created the owner first, so kp holds no token for it; syncs are judged by HA's log");
    expect(text).toContain('wiring      not attempted (kp holds no token for this HA)');
    expect(text).not.toContain('login in');
  });

  it('Given no backend running, When rendered, Then the wiring line says it was not wired and why', () => {
    const result: HaUpResult = {
      ...recorded<HaUpResult>('ha-up-again.json'),
      wiring: {
        outcome: 'no-backend',
        url: undefined,
        entryId: undefined,
        reason: 'no backend runs: `kp compose start` or `kp dev up` starts one, then `kp ha up` wires it',
      },
    };
    expect(renderHaUp(result, plain)).toContain(
      'wiring      not wired: no backend runs: `kp compose start` or `kp dev up` starts one, then `kp ha up` wires it',
    );
  });
});

describe('kp ha sync for a person', () => {
  it("Given a sync whose entry ended in setup_error, When rendered, Then the loaded row fails with HA's reason and the outcome line names the exit code", () => {
    const report = recorded<HaSyncReport>('ha-sync-setup-error.json');
    const text = renderSyncReport(report, plain);
    expect(report.exitCode).toBe(6);
    expect(text).toMatch(/^ {2}✖ loaded +.*setup_error/m);
    expect(text).toContain('Planted failure for the renderer test');
    expect(renderSyncOutcome(report, plain)).toBe('failed (1 file), config entry setup_error (exit 6)');
  });

  it('Given the fixed file synced, When rendered, Then every row is ✔ and the verdict is the config entry', () => {
    const report = recorded<HaSyncReport>('ha-sync-fixed.json');
    const text = renderSyncReport(report, plain);
    for (const step of ['copy', 'cache clear', 'restart', 'ready', 'loaded', 'errors']) expect(text).toMatch(new RegExp(`^  ✔ ${step} `, 'm'));
    expect(text).toContain("verdict: HA's config entry state");
    expect(renderSyncOutcome(report, plain)).toBe('synced (1 file), config entry loaded');
  });
});
