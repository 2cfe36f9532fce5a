/**
 * Terminal layer: the HA loop as an integration developer types it, the installed bin in a real
 * pseudo-terminal, against the real engine: `kp ha up --target docker` (the stand-in HA, the real
 * Kamerplanter component from ../shared/upstream/kamerplanter-ha), `kp ha sync`, the watch with a save
 * and Ctrl-C, and the confirmation of `kp ha down --volumes`. One developer session, in order.
 */
import {appendFileSync, cpSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {projectRoot} from '../../helpers/cli.js';
import {formatLikeRuff} from '../../helpers/upstream-component.js';
// @ts-expect-error plain ESM fixture without types
import {buildHaStandin} from '../../fixtures/ha/standin.mjs';
import {freePorts, removeImages} from '../../e2e/support/docker.js';
import {e2eRun, runName, useOwnStacks} from '../../e2e/support/e2e.js';
import type {ComposeStack} from '../../e2e/support/stack.js';
import {CRASH, Terminal, UNFINISHED_LINE, writeScreen} from '../support/terminal.js';

const upstreamComponent = path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter-ha', 'custom_components', 'kamerplanter');
const image = `kp-ha-standin:${runName('ha-term')}`;
const ownStack = useOwnStacks();
const work = mkdtempSync(path.join(tmpdir(), 'kp-ha-term-'));
const repo = path.join(work, 'kamerplanter-ha');
const component = path.join(repo, 'custom_components', 'kamerplanter');
const terminals: Terminal[] = [];
let stack: ComposeStack;
let haPort: number;

/** The installed `kp args...` in the component repo, in a fresh terminal. */
function kpIn(args: string[]): Terminal {
  const terminal = Terminal.start(e2eRun().installedKp, args, {cwd: repo, env: {...stack.env(), HA_IMAGE: image, HA_HOST_PORT: String(haPort)}});
  terminals.push(terminal);
  return terminal;
}

beforeAll(async () => {
  buildHaStandin(image);
  stack = await ownStack('ha-term');
  [haPort] = await freePorts(1, Object.values(stack.spec.ports).map(Number));
  // The real component, copied into a checkout of the test's own (never into this repo), formatted
  // by ruff as a developer would before a sync (the lint gate runs with or without ruff on PATH).
  cpSync(upstreamComponent, component, {recursive: true});
  formatLikeRuff(component);
});

afterEach(() => {
  while (terminals.length > 0) terminals.pop()!.close();
});

afterAll(() => {
  stack?.ensureAbsent();
  removeImages([image]);
  rmSync(work, {recursive: true, force: true});
});

describe('the HA loop in a real terminal', () => {
  it('Given no HA, When kp ha up --target docker runs, Then its summary says what happened: the URL, onboarded by kp and where the login is, the wiring, the sync and its verdict (exit 0)', async () => {
    const terminal = kpIn(['ha', 'up', '--target', 'docker', '--timeout', '240']);
    const code = await terminal.exited(300_000);
    const text = terminal.text();
    expect(code, text).toBe(0);
    expect(text).not.toMatch(CRASH);
    expect(text).not.toMatch(UNFINISHED_LINE);
    expect(text).toContain(`Home Assistant is up (docker, ${stack.project}, ${image})`);
    expect(text).toMatch(new RegExp(`^  UI +http://127\\.0\\.0\\.1:${haPort}/$`, 'm'));
    expect(text).toMatch(/^ {2}onboarding +onboarded by kp now: owner kp-dev; login in .*ha-credentials.*\.json \(`kp ha credentials` prints it\)$/m);
    expect(text).toMatch(/^ {2}wiring +kamerplanter entry created for http:\/\/backend:8000: loaded$/m);
    // The first sync runs before the wiring, so HA's log decides it (no config entry yet): the summary says so.
    expect(text).toMatch(/^ {2}sync +synced \(45 files\), log verdict: found by HA, no failure logged$/m);
    // Never the old contradiction: a sync that happened reported as skipped.
    expect(text).not.toMatch(/sync skipped/);
  }, 320_000);

  it('Given HA up, When a .py file is edited and kp ha sync runs, Then the table shows the file sent, HA restarted in place and loaded (exit 0)', async () => {
    appendFileSync(path.join(component, 'sensor.py'), '\n\n# edited in the terminal test\n');
    const terminal = kpIn(['ha', 'sync']);
    const code = await terminal.exited(120_000);
    const text = terminal.text();
    expect(code, text).toBe(0);
    expect(text).toMatch(/^ {2}✔ copy +1 sent/m);
    expect(text).toMatch(/^ {2}✔ restart +in place \(pid \d+ -> \d+\)/m);
    expect(text).toMatch(/^ {2}✔ loaded +config entry loaded \(HA's verdict\)$/m);
    expect(text).not.toMatch(CRASH);
  });

  it('Given HA up, When kp ha sync --watch runs, a file is saved and Ctrl-C is typed, Then the round syncs it and the watch stops with 130', async () => {
    const terminal = kpIn(['ha', 'sync', '--watch']);
    await terminal.waitFor(/Watching .*\(Ctrl-C to stop\)/);
    appendFileSync(path.join(component, 'sensor.py'), '\n\n# saved while watching\n');
    await terminal.waitFor(/round synced; waiting for changes\./, 120_000);
    writeScreen('ha-sync-watch', terminal, [
      [repo, '~/src/kamerplanter-ha'],
      [stack.project, 'kamerplanter'],
    ]);
    terminal.keys('C-c');
    const code = await terminal.exited(60_000);
    const text = terminal.text();
    expect(code, text).toBe(130);
    expect(text).toMatch(/^Stopped watching after 2 rounds: 2 ok, 0 failed\.$/m);
    expect(text).not.toMatch(CRASH);
  });

  it('Given HA up, When kp ha down --volumes asks and n is typed, Then HA and its volume stay (exit 2); and Ctrl-C at the question is an interruption (130)', async () => {
    const no = kpIn(['ha', 'down', '--volumes']);
    await no.waitFor(/AND its config volume .*\? \[y\/N\]/);
    no.keys('n', 'Enter');
    expect(await no.exited(30_000), no.text()).toBe(2);
    expect(no.text()).toMatch(/^error: Not confirmed: did not delete Home Assistant's config volume\.$/m);
    expect(stack.serviceContainer('homeassistant')).not.toBe('');

    const cancelled = kpIn(['ha', 'down', '--volumes']);
    await cancelled.waitFor(/\[y\/N\]/);
    cancelled.keys('C-c');
    expect(await cancelled.exited(30_000), cancelled.text()).toBe(130);
    expect(cancelled.text()).toMatch(/^error: Interrupted\.$/m);
    expect(cancelled.text()).not.toMatch(CRASH);
    expect(stack.serviceContainer('homeassistant')).not.toBe('');
  });
});
