import {describe, expect, it} from 'vitest';
import {ExitCode, InterruptedError, fail} from '../../../../src/core/errors.js';
import type {RunResult} from '../../../../src/tools/runner.js';
import {listRemote, releaseRemoteLock, stagingParent, uploadArchive} from '../../../../src/workflows/ha/protocol.js';
import {LIST_SCRIPT, remoteLayout} from '../../../../src/workflows/ha/remote.js';
import type {HaTarget} from '../../../../src/workflows/ha/targets/target.js';
import type {SyncPlan} from '../../../../src/workflows/ha/plan.js';

describe('staging location', () => {
  it('Given /config on a volume, When staging is placed, Then it is /config/.kp-staging, outside custom_components', () => {
    const parent = stagingParent({mountPoint: '/config', description: 'volume x', survivesRecreate: true}, '/config');
    expect(parent).toBe('/config');
    expect(remoteLayout('/config', 'kamerplanter', parent)).toEqual({
      componentDir: '/config/custom_components/kamerplanter',
      stagingRoot: '/config/.kp-staging',
      domain: 'kamerplanter',
    });
  });

  it('Given the volume mounted at custom_components itself, When staging is placed, Then kp refuses (prerequisite)', () => {
    expect(() => stagingParent({mountPoint: '/config/custom_components', description: 'bind /x', survivesRecreate: true}, '/config')).toThrowError(
      expect.objectContaining({exitCode: ExitCode.Prerequisite, message: expect.stringContaining('inside custom_components')}),
    );
  });

  it('Given the container root filesystem (no volume), When staging is placed, Then it goes next to the config dir', () => {
    expect(stagingParent({mountPoint: '/', description: 'container filesystem', survivesRecreate: false}, '/config')).toBe('/config');
  });
});

describe('the listing exec', () => {
  const layout = remoteLayout('/config', 'kamerplanter');
  /** A target whose only exec answers `reply`; it records the commands it got. */
  const target = (reply: Partial<RunResult>) => {
    const commands: string[][] = [];
    const fake = {
      label: 'container ha',
      exec: async (command: readonly string[]) => {
        commands.push([...command]);
        return {exitCode: 0, stdout: '', stderr: '', skipped: false, ...reply};
      },
    } as unknown as HaTarget;
    return {fake, commands};
  };

  it('Given a target with every tool, When listed, Then one exec passes the layout as positional arguments', async () => {
    const {fake, commands} = target({stdout: 'KP_SH ok\nKP_TOOL tar yes\nKP_TOOL find yes\nKP_TOOL cp yes\nKP_TOOL mv yes\nKP_HASH md5\nKP_DIR absent\n'});

    const listing = await listRemote(fake, layout);

    expect(listing).toMatchObject({hashAlgorithm: 'md5', componentPresent: false, files: undefined});
    expect(commands).toEqual([['sh', '-c', LIST_SCRIPT, 'sh', '/config/custom_components/kamerplanter', '/config/.kp-staging', 'kamerplanter', '', '', '']]);
  });

  it('Given a target without tar, When listed, Then kp refuses naming the missing tool', async () => {
    const {fake} = target({stdout: 'KP_SH ok\nKP_TOOL tar no\nKP_TOOL find yes\nKP_TOOL cp yes\nKP_TOOL mv yes\nKP_HASH sha256\nKP_DIR absent\n'});

    await expect(listRemote(fake, layout)).rejects.toMatchObject({
      exitCode: ExitCode.Prerequisite,
      message: 'container ha lacks tar: kp cannot upload without them.',
    });
  });

  it("Given a target without sh, When listed, Then kp refuses with the engine's message", async () => {
    const {fake} = target({exitCode: 126, stderr: 'OCI runtime exec failed: exec: "sh": executable file not found in $PATH\n'});

    await expect(listRemote(fake, layout)).rejects.toMatchObject({exitCode: ExitCode.Prerequisite, message: expect.stringContaining('has no usable sh')});
  });
});

describe('releasing the lock in the target (best effort)', () => {
  const layout = remoteLayout('/config', 'kamerplanter');
  const failingTarget = (error: Error) => ({label: 'container ha', exec: () => Promise.reject(error)}) as unknown as HaTarget;

  it('Given the release exec fails, When the lock is released, Then it reports false and the round goes on (the next run takes the lock back)', async () => {
    expect(await releaseRemoteLock(failingTarget(fail.toolFailed('docker exec failed')), layout, 'owner')).toBe(false);
  });

  it('Given Ctrl-C during the release exec, When the lock is released, Then the interruption comes through (never swallowed)', async () => {
    await expect(releaseRemoteLock(failingTarget(new InterruptedError()), layout, 'owner')).rejects.toBeInstanceOf(InterruptedError);
  });
});

describe('the upload archive', () => {
  it('Given a plan with nothing to upload, When archived, Then the archive holds only the end marker', () => {
    const plan: SyncPlan = {upload: [], added: [], modified: [], deleted: ['x.py'], unchanged: 1, uploadBytes: 0, upToDate: false};
    const archive = uploadArchive(plan, 'run1');
    // One header block, one data block, two zero blocks.
    expect(archive.length).toBe(512 * 4);
    expect(archive.subarray(0, 100).toString('utf8').replace(/\0+$/, '')).toBe('.kp-complete-run1');
  });
});
