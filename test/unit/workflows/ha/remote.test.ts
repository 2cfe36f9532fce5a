import {describe, expect, it} from 'vitest';
import {manifestVersion, parseApply, parseListing, remoteLayout} from '../../../../src/workflows/ha/remote.js';

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
    expect(parseApply('KP_PYCACHE_REMOVED 3\nKP_SWAPPED\nKP_RESTARTING\nKP_DONE\n')).toEqual({swapped: true, restartSent: true, pycacheRemoved: 3, failure: undefined, unlocked: false});
  });
  it('Given a truncated upload, When parsed, Then nothing was swapped and the reason is kept', () => {
    expect(parseApply('KP_FAIL upload incomplete: end marker missing\n')).toMatchObject({swapped: false, failure: 'upload incomplete: end marker missing'});
  });
});
