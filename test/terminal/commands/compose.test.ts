/**
 * Terminal layer: `kp compose ...` as a person runs it, the installed bin in a real pseudo-terminal
 * (tmux, 140x40, TERM=xterm-256color, colour on), against the real engine with the stand-in images.
 * The final screen is read back: exit codes, every progress line ended as ✔/✖ as it happened, no
 * renderer error or stack trace. One stack of this file's own, in order: each Given is what the test
 * before it left.
 */
import {copyFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, describe, expect, it} from 'vitest';
import {buildStandinImage} from '../../helpers/standin-image.js';
import {removeImages} from '../../e2e/support/docker.js';
import {e2eRun, useOwnStacks} from '../../e2e/support/e2e.js';
import type {ComposeStack} from '../../e2e/support/stack.js';
import {CRASH, SGR, Terminal, UNFINISHED_LINE, taskLines, writeScreen} from '../support/terminal.js';

const ownStack = useOwnStacks();
const terminals: Terminal[] = [];
let stack: ComposeStack;

/** Run the installed `kp args...` for this file's stack in a fresh terminal. */
async function kpIn(args: string[], options: {env?: Record<string, string | undefined>; noColor?: boolean} = {}): Promise<Terminal> {
  stack ??= await ownStack('term');
  const terminal = Terminal.start(e2eRun().installedKp, args, {env: {...stack.env(), ...options.env}, noColor: options.noColor});
  terminals.push(terminal);
  return terminal;
}

afterEach(() => {
  while (terminals.length > 0) terminals.pop()!.close();
});

describe('kp compose in a real terminal', () => {
  it('Given no stack, When kp compose start runs in a terminal, Then the stack comes up, every wait line ends ✔, and the URLs are printed (exit 0)', async () => {
    // Given
    stack = await ownStack('term');
    stack.ensureAbsent();
    // When
    const terminal = await kpIn(['compose', 'start', '--timeout', '180']);
    const code = await terminal.exited();
    // Then
    const text = terminal.text();
    expect(code, text).toBe(0);
    expect(text).not.toMatch(CRASH);
    expect(text).not.toMatch(UNFINISHED_LINE);
    for (const service of ['arangodb', 'valkey', 'backend', 'celery-worker', 'celery-beat', 'frontend']) expect(text).toContain(`✔ ${service}: healthy`);
    expect(text).toMatch(/✔ backend API: http:\/\/localhost:\d+\/api\/v1\/health\/ready -> 200/);
    expect(taskLines(text).filter((line) => line.includes('✖'))).toEqual([]);
    expect(text).toContain(`Kamerplanter (${stack.project}) is up.`);
    expect(text).toContain(`Frontend      http://localhost:${stack.port('FRONTEND_HOST_PORT')}/`);
    // colour on, as a terminal user has it
    expect(terminal.ansi()).toMatch(SGR);
    writeScreen('compose-start', terminal, [
      [`${stack.spec.home}/config`, '~/.config'],
      [`compose-${stack.project}.env`, 'compose.env'],
      [stack.project, 'kamerplanter'],
      [`localhost:${stack.port('FRONTEND_HOST_PORT')}/`, 'localhost:8080/'],
      [`localhost:${stack.port('BACKEND_HOST_PORT')}/`, 'localhost:8000/'],
      [`localhost:${stack.port('ARANGODB_HOST_PORT')}/`, 'localhost:8529/'],
    ]);
  });

  it('Given the stack up, When kp compose start runs again, Then it is a quiet no-op: one check line, no Compose, exit 0', async () => {
    const terminal = await kpIn(['compose', 'start']);
    const code = await terminal.exited();
    const text = terminal.text();
    expect(code, text).toBe(0);
    expect(text).toContain(`✔ Stack "${stack.project}" is already up: nothing to start`);
    expect(text).toMatch(/^✔ 6 services healthy; backend API and frontend answer 200$/m);
    expect(text).not.toContain('Compose up');
    expect(text).not.toMatch(UNFINISHED_LINE);
    expect(text).not.toMatch(CRASH);
    expect(text).toContain(`Kamerplanter (${stack.project}) was already up.`);
    expect(text.split('\n').length, text).toBeLessThanOrEqual(8);
  });

  it('Given the stack up and its env file copied, When the installed kp compose start --env-file COPY runs (a relative path, as Compose users type it), Then kp itself reads the copy: the summary names it (exit 0)', async () => {
    // Given: the same secrets under another name, in the folder the shell runs in
    const copy = path.join(stack.spec.home, 'mine.env');
    copyFileSync(stack.envFile, copy);
    // When: tmux's shell starts the installed bin (npm's link -> bin/kp.cjs -> sh -> node --)
    const terminal = Terminal.start(e2eRun().installedKp, ['compose', 'start', '--env-file', 'mine.env'], {cwd: stack.spec.home, env: stack.env()});
    terminals.push(terminal);
    const code = await terminal.exited();
    // Then: Node did not take the flag (it would have, and kp would have used its default file)
    const text = terminal.text();
    expect(code, text).toBe(0);
    expect(text).not.toMatch(/^node:/m);
    expect(text).not.toMatch(CRASH);
    expect(text).toContain(`password ARANGO_ROOT_PASSWORD in ${copy}`);
    expect(text).not.toContain(stack.envFile);
  });

  it('Given NO_COLOR=1, When kp compose start runs in a terminal, Then nothing on the screen is coloured', async () => {
    const terminal = await kpIn(['compose', 'start'], {noColor: true});
    expect(await terminal.exited()).toBe(0);
    expect(terminal.ansi()).not.toMatch(SGR);
    expect(terminal.text()).toContain('was already up');
  });

  it('Given the stack up, When kp compose logs -f follows the backend and Ctrl-C is typed, Then it stops with 130 and no stack trace', async () => {
    const terminal = await kpIn(['compose', 'logs', '-f', 'backend', '--tail', '5']);
    await terminal.waitFor(/stand-in backend .*listening on 8000/);
    expect(terminal.exitCode()).toBeUndefined(); // still following
    terminal.keys('C-c');
    const code = await terminal.exited(30_000);
    expect(code, terminal.text()).toBe(130);
    expect(terminal.text()).not.toMatch(CRASH);
  });

  it('Given the stack up, When kp compose stop and then kp compose down run, Then each says what it did (exit 0) and the data volumes stay', async () => {
    const stop = await kpIn(['compose', 'stop']);
    expect(await stop.exited(), stop.text()).toBe(0);
    expect(stop.text()).toMatch(/^Stopped: .*\. Data kept\.$/m);
    expect(stack.runningContainerIds()).toEqual([]);
    const down = await kpIn(['compose', 'down']);
    expect(await down.exited(), down.text()).toBe(0);
    expect(down.text()).toMatch(/^Removed 6 containers\. Volumes \(data\) kept\.$/m);
    expect(stack.containerIds()).toEqual([]);
    expect(stack.volumes().length).toBeGreaterThan(0);
    expect(down.text()).not.toMatch(CRASH);
  });

  it('Given the volumes, When kp compose down --volumes asks and n is typed, Then nothing is removed (exit 2)', async () => {
    const terminal = await kpIn(['compose', 'down', '--volumes']);
    await terminal.waitFor(/AND its volumes .*\? \[y\/N\]/);
    terminal.keys('n', 'Enter');
    expect(await terminal.exited(30_000), terminal.text()).toBe(2);
    expect(terminal.text()).toMatch(/^error: Not confirmed: /m);
    expect(terminal.text()).toMatch(/^hint: Nothing was changed\./m);
    expect(stack.volumes().length).toBeGreaterThan(0);
  });
});

describe('kp compose start in a terminal when a service never becomes healthy', () => {
  const sick = `kp-standin-frontend-sick:${e2eRun().prefix}`;
  afterAll(() => {
    stack?.ensureAbsent();
    removeImages([sick]);
  });

  it('Given a frontend whose healthcheck never passes, When kp compose start --timeout 30 runs, Then it fails with 5 only after 30 s, its line ends ✖ and the message names the real wait', async () => {
    // Given: the frontend stand-in without a web server (its healthcheck's wget is refused)
    buildStandinImage(
      sick,
      {
        '/usr/local/bin/nginx': {
          content: '#!/bin/sh\necho "stand-in nginx that never serves"\ntrap "exit 0" TERM INT\nwhile :; do sleep 1; done\n',
          mode: 0o755,
        },
      },
      {cmd: ['nginx']},
    );
    stack = await ownStack('term');
    stack.ensureAbsent();
    const started = Date.now();
    // When
    const terminal = await kpIn(['compose', 'start', '--timeout', '30'], {
      env: {FRONTEND_IMAGE_REPOSITORY: sick.split(':')[0], KAMERPLANTER_VERSION: sick.split(':')[1]},
    });
    const code = await terminal.exited();
    const elapsed = (Date.now() - started) / 1000;
    // Then
    const text = terminal.text();
    expect(code, text).toBe(5);
    expect(elapsed).toBeGreaterThanOrEqual(30);
    const waited = Number(/Timed out after (\d+)s waiting for the stack/.exec(text)?.[1]);
    expect(waited, text).toBeGreaterThanOrEqual(30);
    expect(text).toMatch(/^error: (\S+, )*frontend never became healthy\./m);
    expect(text).toMatch(/^✖ frontend: running, (starting|unhealthy) when the time ran out$/m);
    expect(text).toMatch(/^↓ frontend: not probed, not every service is ready/m);
    expect(text).toContain('✔ backend: healthy');
    expect(text).not.toMatch(UNFINISHED_LINE);
    expect(text).not.toMatch(CRASH);
  }, 240_000);
});
