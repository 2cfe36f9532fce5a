import {describe, expect, it} from 'vitest';
import {manifestVersion, parseApply, parseInplaceWait, parseListing, remoteLayout} from '../../../../src/workflows/ha/remote.js';

describe('parseListing', () => {
  it('Given busybox output with a manifest, hashes and a leftover, When parsed, Then files, tools, version and leftovers are read', () => {
    // Given
    const stdout = [
      'KP_SH ok',
      'KP_TOOL tar yes',
      'KP_TOOL find yes',
      'KP_TOOL cp yes',
      'KP_TOOL mv yes',
      'KP_HASH sha256',
      'KP_LEFTOVER /config/.kp-staging/kamerplanter.kp-abc',
      'KP_DIR present',
      'KP_PYCACHE 2',
      'KP_MANIFEST_BEGIN',
      '{"domain": "kamerplanter", "version": "0.4.1"}',
      '',
      'KP_MANIFEST_END',
      'KP_FILES_BEGIN',
      `${'a'.repeat(64)}  ./manifest.json`,
      `${'B'.repeat(64)}  ./helpers/care.py`,
      `${'c'.repeat(64)}  ./../escape.py`,
      'KP_FILES_END',
    ].join('\n');
    // When
    const listing = parseListing(stdout);
    // Then
    expect(listing.tools).toEqual({tar: true, find: true, cp: true, mv: true});
    expect(listing.hashAlgorithm).toBe('sha256');
    expect(listing.pycacheDirs).toBe(2);
    expect(manifestVersion(listing.manifest)).toBe('0.4.1');
    expect([...listing.files!.entries()]).toEqual([
      ['manifest.json', 'a'.repeat(64)],
      ['helpers/care.py', 'b'.repeat(64)],
    ]);
    expect(listing.unsafePaths).toEqual(['../escape.py']);
    expect(listing.leftovers).toEqual(['/config/.kp-staging/kamerplanter.kp-abc']);
  });

  it('Given GNU sha256sum escaping a backslash in a name, When parsed, Then the name is unescaped (and refused as unsafe)', () => {
    const listing = parseListing(['KP_DIR present', 'KP_FILES_BEGIN', `\\${'d'.repeat(64)}  ./a\\\\b.py`, 'KP_FILES_END'].join('\n'));
    expect(listing.unsafePaths).toEqual(['a\\b.py']);
  });

  it('Given no component folder, When parsed, Then files is undefined (all files are new)', () => {
    const listing = parseListing('KP_SH ok\nKP_HASH md5\nKP_DIR absent\n');
    expect(listing.componentPresent).toBe(false);
    expect(listing.files).toBeUndefined();
    expect(listing.hashAlgorithm).toBe('md5');
  });
});

describe('remote layout', () => {
  it('Given a config dir with a trailing slash and a staging parent, When laid out, Then the component and staging paths are normalised', () => {
    expect(remoteLayout('/config/', 'kamerplanter', '/data/')).toEqual({
      componentDir: '/config/custom_components/kamerplanter',
      stagingRoot: '/data/.kp-staging',
      domain: 'kamerplanter',
    });
  });
});

describe('parseApply', () => {
  it('Given a completed run, When parsed, Then swap, cache count and restart are reported', () => {
    expect(parseApply('KP_PYCACHE_REMOVED 3\nKP_SWAPPED\nKP_RESTARTING\nKP_DONE\n')).toEqual({
      swapped: true,
      restartSent: true,
      pycacheRemoved: 3,
      failure: undefined,
      unlocked: false,
    });
  });
  it('Given a truncated upload, When parsed, Then nothing was swapped and the reason is kept', () => {
    expect(parseApply('KP_FAIL upload incomplete: end marker missing\n')).toMatchObject({swapped: false, failure: 'upload incomplete: end marker missing'});
  });
});

describe("HA's own process and the in-place wait", () => {
  it('Given the listing line of HA under s6-supervise, When parsed, Then pid, supervision, uptime and kp restarts are read; `none` is no process', () => {
    const listing = parseListing('KP_SH ok\nKP_HA 812 4410123 s6-supervise 95 3\nKP_HASH sha256\nKP_DIR absent\n');
    expect(listing.ha).toEqual({pid: 812, start: '4410123', parent: 's6-supervise', supervised: true, uptimeSeconds: 95, kpRestarts: 3});
    expect(parseListing('KP_SH ok\nKP_HA 9 100 tini 5 0\n').ha?.supervised).toBe(false);
    expect(parseListing('KP_SH ok\nKP_HA none\n').ha).toBeUndefined();
  });

  it('Given the in-place wait exec, When it saw the new process but HA does not answer yet, Then that is a finished step; a cut-off exec is not', () => {
    expect(parseInplaceWait('KP_HA_NEW 913 4410999\nKP_WAIT_SEEN\n')).toEqual({newProcess: {pid: 913, start: '4410999'}, ready: false, finished: true});
    expect(parseInplaceWait('KP_HA_NEW 913 4410999\nKP_HA_READY\n')).toMatchObject({ready: true, finished: true});
    expect(parseInplaceWait('KP_WAIT_TIMEOUT\n')).toMatchObject({newProcess: undefined, finished: true});
    expect(parseInplaceWait('')).toMatchObject({finished: false});
  });

  it('Given an apply that signalled HA, or found no supervisor, or met a stale target, When parsed, Then each is told apart', () => {
    expect(parseApply('KP_SWAPPED\nKP_RESTARTING inplace 812 4410123\nKP_DONE\n')).toMatchObject({restartSent: true, signalled: {pid: 812, start: '4410123'}});
    expect(parseApply('KP_SWAPPED\nKP_NO_SUPERVISOR the HA process 1 runs under none\nKP_DONE\n')).toMatchObject({
      restartSent: false,
      noSupervisor: 'the HA process 1 runs under none',
    });
    expect(parseApply('KP_STALE the installed files changed since the last round\n')).toMatchObject({
      swapped: false,
      stale: 'the installed files changed since the last round',
    });
  });
});
