/**
 * `kp compose start` input checks that come before any engine call (no Docker needed: the
 * engine address points nowhere, so a call to it would fail the test).
 */
import {existsSync} from 'node:fs';
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
