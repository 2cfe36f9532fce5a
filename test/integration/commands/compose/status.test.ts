/**
 * `kp compose status` and `kp dev status` ask the engine before they parse their files; a file that
 * fails must stop that probe, not leave kp waiting for an engine that does not answer.
 */
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {runKp} from '../../../helpers/cli.js';
import {useTempDirs} from '../../../helpers/temp-dirs.js';

const tempDir = useTempDirs();

/** A PATH whose `docker` hangs for 30 s whatever it is asked (a daemon that does not answer); one process, as the real CLI is, so a stop signal reaches it. */
function hangingDocker(): string {
  const bin = tempDir('kp-hanging-docker-');
  writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\nexec sleep 30\n');
  chmodSync(path.join(bin, 'docker'), 0o755);
  return `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
}

describe('Given an engine that does not answer', () => {
  it('When compose status is given a compose file that does not parse, Then exit 2 comes at once (the probe is stopped)', async () => {
    const dir = tempDir('kp-status-bad-file-');
    const file = path.join(dir, 'docker-compose.yml');
    writeFileSync(file, 'services:\n  backend: [unclosed\n');
    const result = await runKp(['compose', 'status', '--file', file, '--project-name', `kp-status-${process.pid}`], {env: {PATH: hangingDocker()}});
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^error: /m);
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it('When dev status is given a workspace that does not exist, Then exit 2 comes at once (the probe is stopped)', async () => {
    const home = tempDir('kp-status-ws-');
    mkdirSync(path.join(home, 'empty'));
    const result = await runKp(['dev', 'status', '--workspace', path.join(home, 'missing')], {env: {PATH: hangingDocker()}});
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.durationMs).toBeLessThan(10_000);
  });
});
