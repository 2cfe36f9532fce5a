/**
 * `kp compose start` input checks that come before any engine call (no Docker needed: the
 * engine address points nowhere, so a call to it would fail the test).
 */
import {existsSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {runKp} from '../../../helpers/cli.js';
import {useTempDirs} from '../../../helpers/temp-dirs.js';

const tempDir = useTempDirs();

describe('Given a profile name the compose file does not have', () => {
  it('When compose start runs, Then exit 2 lists the valid profiles and suggests the closest, before touching the engine or writing the env file', async () => {
    // Given
    const home = tempDir('kp-compose-profile-');
    // When
    const result = await runKp(['compose', 'start', '--profile', 'timescale'], {
      env: {XDG_CONFIG_HOME: home, XDG_STATE_HOME: home, KP_COMPOSE_PROJECT: 'kp-int-profile', DOCKER_HOST: 'unix:///nonexistent.sock'},
    });
    // Then
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/Unknown profile "timescale" in .*docker-compose\.yml\. Valid profiles: homeassistant, timescaledb\./);
    expect(result.stderr).toMatch(/Did you mean "timescaledb"\?/);
    expect(result.stderr).not.toMatch(/daemon/i);
    expect(existsSync(path.join(home, 'kp', 'compose-kp-int-profile.env'))).toBe(false);
    expect(existsSync(path.join(home, 'kp', 'compose.env'))).toBe(false);
  });
});

describe('Given an env file chosen on the command line', () => {
  it.each(['--env-path', '--env-file'])(
    'When compose start runs with %s and the file holds a placeholder, Then that file is the one read (exit 2 names it), before any engine call',
    async (flag) => {
      // Given
      const home = tempDir('kp-compose-envpath-');
      const envFile = path.join(home, 'mine.env');
      writeFileSync(envFile, 'ARANGO_ROOT_PASSWORD=changeme\n', {mode: 0o600});
      // When
      const result = await runKp(['compose', 'start', flag, envFile], {
        env: {XDG_CONFIG_HOME: home, XDG_STATE_HOME: home, KP_COMPOSE_PROJECT: 'kp-int-envpath'},
      });
      // Then
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`${envFile}:1:1: ARANGO_ROOT_PASSWORD is the placeholder "changeme"`);
      expect(result.stderr).not.toMatch(/daemon/i);
    },
  );

  it.each(['--env-file', '--env-path'])(
    'When %s names a file that does not exist, Then kp itself runs (Node does not claim the argument) and names the file it would create',
    async (flag) => {
      const home = tempDir('kp-compose-envpath-');
      const envFile = path.join(home, 'new.env');
      const result = await runKp(['compose', 'start', flag, envFile, '--dry-run'], {
        env: {XDG_CONFIG_HOME: home, XDG_STATE_HOME: home, KP_COMPOSE_PROJECT: 'kp-int-envpath'},
      });
      expect(result.stderr).not.toMatch(/^node:/m);
      expect(result.stderr).toContain(`Env file ${envFile} would be created`);
    },
  );
});
