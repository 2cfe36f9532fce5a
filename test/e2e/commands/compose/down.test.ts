/**
 * e2e: `kp compose stop` and `kp compose down` keep the data; only `down --volumes --yes` deletes it.
 * Runs on the run's shared stack (support/e2e.ts), which it brings up first and leaves up.
 */
import {describe, expect, it} from 'vitest';
import {docker} from '../../support/docker.js';
import {sharedStack} from '../../support/e2e.js';
import {EXPECTED_SERVICES} from '../../support/stack.js';

const MARKER = '/var/lib/arangodb3/marker';

describe('Given a record written into the ArangoDB data volume of a running stack', () => {
  it('When it is stopped and started, taken down and started, Then the record survives; down --volumes needs --yes and then deletes it', async () => {
    // Given
    const stack = sharedStack();
    await stack.ensureUp();
    const arangodb = () => stack.serviceContainer('arangodb');
    const dataVolume = `${stack.project}_arangodb-data`;
    docker('exec', arangodb(), 'sh', '-c', `echo plant-42 > ${MARKER}`);

    // When stopped and started again, Then the record is there
    expect((await stack.kp(['compose', 'stop'])).exitCode).toBe(0);
    expect(stack.containerIds()).toHaveLength(EXPECTED_SERVICES.length);
    expect(stack.runningContainerIds()).toEqual([]);
    expect((await stack.kp(['compose', 'start', '--timeout', '180'])).exitCode).toBe(0);
    expect(docker('exec', arangodb(), 'cat', MARKER)).toBe('plant-42');

    // When taken down (containers removed) and started again, Then the record is still there
    const down = await stack.kp(['compose', 'down']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(stack.containerIds()).toEqual([]);
    expect(stack.volumes()).toContain(dataVolume);
    expect((await stack.kp(['compose', 'start', '--timeout', '180'])).exitCode).toBe(0);
    expect(docker('exec', arangodb(), 'cat', MARKER)).toBe('plant-42');

    // When down --volumes runs without --yes and without a terminal, Then it refuses and deletes nothing
    const refused = await stack.kp(['compose', 'down', '--volumes']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/Pass --yes/);
    expect(stack.runningContainerIds()).toHaveLength(EXPECTED_SERVICES.length);
    expect(docker('volume', 'ls', '-q', '--filter', `name=${dataVolume}`)).toBe(dataVolume);

    // When down --volumes --yes, Then the volume is gone and the next start has no record
    expect((await stack.kp(['compose', 'down', '--volumes', '--yes'])).exitCode).toBe(0);
    expect(stack.containerIds()).toEqual([]);
    expect(docker('volume', 'ls', '-q', '--filter', `name=${dataVolume}`)).toBe('');
    expect((await stack.kp(['compose', 'start', '--timeout', '180'])).exitCode).toBe(0);
    expect(arangodb()).not.toBe('');
    expect(() => docker('exec', arangodb(), 'cat', MARKER)).toThrow(/No such file/);
  });
});
