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
