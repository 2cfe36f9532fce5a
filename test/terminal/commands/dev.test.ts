/**
 * Terminal layer: `kp dev up` and `kp doctor` as a person runs them, the installed bin in a real
 * pseudo-terminal. `kp dev up` runs against the fake kind, kubectl, Helm, Skaffold and docker (no
 * cluster can run here): Skaffold's own output streams to the terminal, and Ctrl-C goes to Skaffold,
 * which cleans up; its exit code is kp's.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {useFakeWorlds} from '../../fakes/harness.js';
import {e2eRun} from '../../e2e/support/e2e.js';
import {CRASH, SGR, Terminal, UNFINISHED_LINE} from '../support/terminal.js';

const world = useFakeWorlds();
const terminals: Terminal[] = [];
const open = (terminal: Terminal) => (terminals.push(terminal), terminal);

afterEach(() => {
  while (terminals.length > 0) terminals.pop()!.close();
});

describe('kp dev up in a real terminal (fake tools)', () => {
  it("Given the app repo and no cluster, When kp dev up runs and Ctrl-C is typed in Skaffold's dev loop, Then Skaffold's output is on the screen, Skaffold cleans up, and the summary follows (exit 0, Skaffold's)", async () => {
    // Given
    const w = world({workspace: 'upstream'});
    // When
    const terminal = open(Terminal.start(e2eRun().installedKp, ['dev', 'up'], {cwd: w.workspace, env: w.env}));
    await terminal.waitFor(/Watching for changes\.\.\./, 120_000);
    terminal.keys('C-c');
    const code = await terminal.exited(60_000);
    // Then
    const text = terminal.text();
    expect(code, text).toBe(0);
    expect(text).toContain('Port forwarding service/kamerplanter-backend');
    expect(text).toContain('Cleaning up...');
    expect(text).toMatch(/^Interrupted: letting skaffold clean up \(Ctrl-C again to force\)\.$/m);
    expect(text).toMatch(/^cluster +kamerplanter \(kind-kamerplanter -> https:\/\/127\.0\.0\.1:\d+\): .*create-cluster/m);
    expect(text).toMatch(/^skaffold dev -m kp exited 0$/m);
    expect(text).not.toMatch(CRASH);
    expect(text).not.toMatch(UNFINISHED_LINE);
  }, 180_000);
});

describe('kp doctor in a real terminal', () => {
  it('Given this machine, When kp doctor runs, Then every check line starts with its mark, the verdict matches the exit code, and colour is on', async () => {
    const w = world();
    const terminal = open(Terminal.start(e2eRun().installedKp, ['doctor'], {cwd: w.workspace, env: w.env}));
    const code = await terminal.exited(60_000);
    const text = terminal.text();
    expect([0, 3], text).toContain(code);
    const checks = text.split('\n').filter((line) => /^[✔!✖-] /.test(line));
    expect(checks.length, text).toBeGreaterThan(8);
    expect(text).toMatch(code === 0 ? /^All required checks passed\.$/m : /^A required check failed\.$/m);
    expect(terminal.ansi()).toMatch(SGR);
    expect(text).not.toMatch(CRASH);
  });
});
