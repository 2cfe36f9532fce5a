import {describe, expect, it} from 'vitest';
import {ToolError} from '../../../src/core/errors.js';
import {formatCommand, redactArg, registerSecret, Runner} from '../../../src/tools/runner.js';
import {ScriptedRunner} from '../../helpers/scripted-runner.js';

describe('runner echo', () => {
  it('Given a registered secret, secret assignments and secret flags, When a command is echoed, Then every secret is redacted', () => {
    registerSecret('s3cr3t-value');
    expect(redactArg('JWT_SECRET_KEY=abc')).toBe('JWT_SECRET_KEY=***');
    expect(redactArg('--password=hunter2')).toBe('--password=***');
    expect(formatCommand('docker', ['run', '-e', 'X=s3cr3t-value', '--password', 'p'])).toBe("docker run -e 'X=***' --password '***'");
  });
});

describe('runner', () => {
  it('Given --dry-run, When a mutating command and a read-only probe run, Then only the probe runs and the mutating one is printed', async () => {
    // Given
    const lines: string[] = [];
    const runner = new Runner({dryRun: true, verbose: false, log: (l) => lines.push(l)});
    // When
    const skipped = await runner.run('rm', ['-rf', '/definitely/not'], {mutating: true});
    const probe = await runner.run('node', ['-e', 'process.stdout.write("hi")']);
    // Then
    expect(skipped).toEqual({exitCode: 0, stdout: '', stderr: '', skipped: true});
    expect(lines).toEqual(['[dry-run] rm -rf /definitely/not']);
    expect(probe).toMatchObject({stdout: 'hi', skipped: false});
    expect(runner.spawnCount).toBe(1);
  });

  it('Given a failing command, When run, Then a ToolError carries its exit code and stderr (exit 4)', async () => {
    const runner = new Runner({dryRun: false, verbose: false, log: () => {}});
    await expect(runner.run('node', ['-e', 'console.error("boom"); process.exit(3)'])).rejects.toMatchObject({toolExitCode: 3, exitCode: 4, stderr: 'boom\n'});
  });

  it('Given a failing command and allowFailure, When run, Then its exit code is returned instead of thrown', async () => {
    const runner = new Runner({dryRun: false, verbose: false, log: () => {}});
    expect(await runner.run('node', ['-e', 'process.exit(3)'], {allowFailure: true})).toMatchObject({exitCode: 3, skipped: false});
  });

  it('Given a binary that is not on PATH, When run, Then the ToolError says "command not found" and has no exit code', async () => {
    const runner = new Runner({dryRun: false, verbose: false, log: () => {}});
    const error = await runner.run('kp-no-such-binary', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toMatch(/command not found/);
    expect((error as ToolError).toolExitCode).toBeUndefined();
  });
});

describe('the scripted runner used by in-process tests keeps the Runner contract', () => {
  it('Given --dry-run, When the same mutating call runs on both, Then both skip it and print the same line', async () => {
    // Given
    const real: string[] = [];
    const scripted: string[] = [];
    const runner = new Runner({dryRun: true, verbose: false, log: (l) => real.push(l)});
    const fake = new ScriptedRunner([], {dryRun: true, log: (l) => scripted.push(l)});
    // When
    const results = [await runner.run('rm', ['-rf', 'x y'], {mutating: true}), await fake.run('rm', ['-rf', 'x y'], {mutating: true})];
    // Then
    expect(results[1]).toEqual(results[0]);
    expect(scripted).toEqual(real);
    expect([runner.spawnCount, fake.spawnCount]).toEqual([0, 0]);
    expect(fake.calls).toMatchObject([{command: 'rm', skipped: true, mutating: true}]);
  });

  it('Given a non-zero exit, When run on both without allowFailure, Then both throw the same ToolError', async () => {
    const runner = new Runner({dryRun: false, verbose: false, log: () => {}});
    const fake = new ScriptedRunner([{match: ['node'], reply: {exitCode: 3, stderr: 'boom\n'}}]);
    const args = ['-e', 'console.error("boom"); process.exit(3)'];

    const [realError, fakeError] = await Promise.all([runner.run('node', args).catch((e: unknown) => e), fake.run('node', args).catch((e: unknown) => e)]);

    expect(fakeError).toBeInstanceOf(ToolError);
    expect(fakeError).toMatchObject({message: (realError as ToolError).message, toolExitCode: 3, exitCode: 4});
  });

  it('Given a call nobody scripted, When run, Then it throws naming the command and is remembered', async () => {
    const fake = new ScriptedRunner([{match: ['docker', 'ps'], reply: {}}]);

    await expect(fake.run('docker', ['rm', '-f', 'x'])).rejects.toThrow('ScriptedRunner: unscripted call: docker rm -f x');
    expect(fake.unscripted).toEqual(['ScriptedRunner: unscripted call: docker rm -f x']);
  });

  it('Given a rule limited to one answer, When called twice, Then the next matching rule answers the second call', async () => {
    // Given
    const fake = new ScriptedRunner([
      {match: ['docker', 'ps'], reply: {stdout: 'first'}, times: 1},
      {match: ['docker', 'ps'], reply: {stdout: 'later'}},
    ]);
    // When
    const outputs = [(await fake.run('docker', ['ps'])).stdout, (await fake.run('docker', ['ps'])).stdout, (await fake.run('docker', ['ps'])).stdout];
    // Then
    expect(outputs).toEqual(['first', 'later', 'later']);
    expect(fake.spawnCount).toBe(3);
  });
});
