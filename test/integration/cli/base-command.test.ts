/**
 * What every command shares (src/cli/base-command.ts): usage errors and the --json error object.
 */
import {describe, expect, it} from 'vitest';
import {runKp} from '../../helpers/cli.js';

describe('Given a command and a flag it does not know', () => {
  it('When it runs, Then it is a usage error (exit 2) with a hint; with --json, a JSON error object on stdout', async () => {
    // When
    const human = await runKp(['compose', 'status', '--bogus']);
    const json = await runKp(['compose', 'status', '--bogus', '--json']);
    // Then
    expect(human.exitCode).toBe(2);
    expect(human.stderr).toMatch(/error: Nonexistent flag: --bogus/);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({error: {exitCode: 2}});
  });
});

describe('Given a command or topic kp does not have', () => {
  it.each([
    [['compose', 'strat'], 'kp compose strat', 'kp compose start'],
    [['composee', 'start'], 'kp composee start', 'kp compose start'],
    [['ha', 'snyc'], 'kp ha snyc', 'kp ha sync'],
  ])('When %j runs, Then exit 2 with kp\'s own error line and a "did you mean" hint', async (argv, asked, meant) => {
    const result = await runKp(argv);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `error: Unknown command "${asked}".`,
      `hint: Did you mean "${meant}"? \`kp --help\` lists every command.`,
    ]);
    expect(result.stdout).toBe('');
  });

  it('When nothing is close, Then the hint only points at the list; with --json the error object is on stdout', async () => {
    const human = await runKp(['frobnicate']);
    expect(human.exitCode).toBe(2);
    expect(human.stderr).toContain('hint: `kp --help` lists every command.');
    expect(human.stderr).not.toContain('Did you mean');
    const json = await runKp(['ha', 'snyc', '--json']);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({error: {message: 'Unknown command "kp ha snyc".', hint: expect.stringContaining('kp ha sync'), exitCode: 2}});
  });
});

describe('Given flag values the parser rejects', () => {
  it.each([
    [['compose', 'start', '--project-name', 'kp-int-parse', '--timeout', '-5'], '--timeout: Expected an integer greater than or equal to 1 but received: -5'],
    [['compose', 'start', '--project-name', 'kp-int-parse', '--timeout', 'abc'], '--timeout: Expected an integer but received: abc'],
    [['ha', 'sync', '--debounce', '-1'], '--debounce: Expected an integer greater than or equal to 0 but received: -1'],
    [['ha', 'sync', '--restart', 'bogus'], 'Expected --restart=bogus to be one of: auto, reload, inplace, kill, pod, none'],
  ])('When %j runs, Then exit 2 keeps the reason, with a hint and no stack trace', async (argv, reason) => {
    const result = await runKp(argv);
    expect(result.exitCode).toBe(2);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([`error: ${reason}`, expect.stringMatching(/^hint: /)]);
  });

  it("When an error carries no fix of its own, Then the hint line points at the command's help", async () => {
    const result = await runKp(['ha', 'status', '--pod', 'a', '--selector', 'b']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      'error: Give either --pod or --selector, not both.',
      'hint: `kp ha status --help` shows the flags and examples.',
    ]);
  });
});

describe('Given kp ha sync --watch --json, whose stdout is newline-delimited JSON', () => {
  it('When it fails before any round (a --source that does not exist), Then the JSON error object is ONE line', async () => {
    const result = await runKp(['ha', 'sync', '--watch', '--json', '--source', '/nonexistent/kp-test/custom_components/kamerplanter']);
    expect(result.exitCode).toBe(2);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({error: {exitCode: 2}});
  });

  it('When the same error comes without --watch, Then it stays the indented object', async () => {
    const result = await runKp(['ha', 'sync', '--json', '--source', '/nonexistent/kp-test/custom_components/kamerplanter']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(1);
  });
});
