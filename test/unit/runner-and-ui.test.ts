import {describe, expect, it} from 'vitest';
import {formatCommand, redactArg, registerSecret, Runner} from '../../src/tools/runner.js';
import {chooseRenderer} from '../../src/ui/tasks.js';
import {listeningInodes} from '../../src/workflows/shared/host-ports.js';
import {ToolError} from '../../src/core/errors.js';

describe('runner', () => {
  it('redacts registered secrets, secret assignments and secret flags in the echo', () => {
    registerSecret('s3cr3t-value');
    expect(redactArg('JWT_SECRET_KEY=abc')).toBe('JWT_SECRET_KEY=***');
    expect(redactArg('--password=hunter2')).toBe('--password=***');
    expect(formatCommand('docker', ['run', '-e', 'X=s3cr3t-value', '--password', 'p'])).toBe("docker run -e 'X=***' --password '***'");
  });

  it('dry-run prints mutating commands and runs none; read-only probes still run', async () => {
    const lines: string[] = [];
    const runner = new Runner({dryRun: true, verbose: false, log: (l) => lines.push(l)});
    const skipped = await runner.run('rm', ['-rf', '/definitely/not'], {mutating: true});
    expect(skipped).toMatchObject({skipped: true, exitCode: 0});
    expect(lines).toEqual(['[dry-run] rm -rf /definitely/not']);
    const probe = await runner.run('node', ['-e', 'process.stdout.write("hi")']);
    expect(probe.stdout).toBe('hi');
    expect(runner.spawnCount).toBe(1);
  });

  it('turns a failing command into a ToolError carrying its stderr, and a missing one into "command not found"', async () => {
    const runner = new Runner({dryRun: false, verbose: false, log: () => {}});
    await expect(runner.run('node', ['-e', 'console.error("boom"); process.exit(3)'])).rejects.toMatchObject({toolExitCode: 3, exitCode: 4});
    const error = await runner.run('kp-no-such-binary', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toMatch(/command not found/);
  });
});

describe('renderer choice', () => {
  it('silent for --json, verbose for --verbose, default on a TTY, simple otherwise', () => {
    expect(chooseRenderer({json: true, verbose: true, interactive: true})).toBe('silent');
    expect(chooseRenderer({json: false, verbose: true, interactive: true})).toBe('verbose');
    expect(chooseRenderer({json: false, verbose: false, interactive: true})).toBe('default');
    expect(chooseRenderer({json: false, verbose: false, interactive: false})).toBe('simple');
  });
});

describe('port holder lookup', () => {
  it('finds LISTEN sockets on a port in /proc/net/tcp', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 999 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    expect(listeningInodes(table, 8080)).toEqual(['12345']);
    expect(listeningInodes(table, 8000)).toEqual([]);
  });
});
