/**
 * e2e: a dependency that never becomes healthy. The shipped file makes the backend wait for valkey
 * (`condition: service_healthy`), so Compose blocks in `up` until kp's --timeout kills it; kp then
 * names valkey, prints its last healthcheck output and log lines, and exits 5.
 */
import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {buildStandinImage} from '../../../helpers/standin-image.js';
import {useOwnStacks} from '../../support/e2e.js';

const ownStack = useOwnStacks();
const script = (body: string) => ({content: `#!/bin/sh\n${body.trim()}\n`, mode: 0o755});

describe('Given valkey whose healthcheck never passes', () => {
  it('When compose start runs with --timeout 25, Then kp stops the blocked Compose, exits 5 and names valkey with its last healthcheck output and logs', async () => {
    // Given: a valkey stand-in that runs but whose `valkey-cli ping` always fails
    const stack = await ownStack('unhealthy');
    stack.ensureAbsent();
    const image = `kp-standin-valkey-sick:${stack.project}`;
    buildStandinImage(
      image,
      {
        '/usr/local/bin/valkey-server': script(`
echo "stand-in valkey that never answers"
trap 'exit 0' TERM INT
while true; do sleep 1; done`),
        '/usr/local/bin/valkey-cli': script(`echo "Could not connect to Valkey at 127.0.0.1:6379: Connection refused"; exit 1`),
      },
      {cmd: ['valkey-server']},
    );
    try {
      // When
      const result = await stack.kp(['compose', 'start', '--timeout', '25'], {env: {VALKEY_IMAGE: image}});
      // Then
      expect(result.exitCode, result.stderr).toBe(5);
      expect(result.stderr).toMatch(/^error: valkey never became healthy\./m);
      expect(result.stderr).toContain('last healthcheck of valkey: exit 1');
      expect(result.stderr).toContain('Could not connect to Valkey at 127.0.0.1:6379: Connection refused');
      expect(result.stderr).toContain('stand-in valkey that never answers');
      expect(result.stderr).toMatch(/^hint: .*kp compose logs valkey/m);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      stack.ensureAbsent();
      execFileSync('docker', ['image', 'rm', '--force', image], {stdio: 'ignore'});
    }
  }, 180_000);
});
