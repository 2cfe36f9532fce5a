import {describe, expect, it} from 'vitest';
import {parseHelmList, parseHelmVersion, parseRepoList} from '../../../src/tools/helm.js';
import {recorded} from '../../helpers/recorded.js';

describe('helm output parsers', () => {
  it('Given `helm version --short` of v3 and v4, When parsed, Then the build suffix is dropped', () => {
    expect(parseHelmVersion('v3.16.2+g13654a5\n')).toBe('3.16.2');
    expect(parseHelmVersion('v4.2.4+g1a2b3c4\n')).toBe('4.2.4');
  });

  it('Given the real helm built from the module proxy (recorded), When parsed, Then its version is read; a source build without release flags says only its minor line', () => {
    expect(parseHelmVersion(recorded('helm/version-short.txt'))).toBe('3.22.0');
    expect(parseHelmVersion('v3.22\n')).toBe('3.22.0');
    expect(parseHelmVersion('v3\n')).toBeUndefined();
    expect(parseHelmVersion('Error: unknown flag: --short\n')).toBeUndefined();
  });

  it('Given `helm repo list -o json` of the real helm (recorded, none and one), When parsed, Then name and URL are read', () => {
    expect(parseRepoList(recorded('helm/repo-list-empty.json'))).toEqual([]);
    expect(parseRepoList(recorded('helm/repo-list.json'))).toEqual([{name: 'kp-local', url: 'http://127.0.0.1:8879/'}]);
  });

  it('Given `helm list -o json`, When parsed, Then rows are typed', () => {
    const rows = parseHelmList(
      '[{"name":"kamerplanter","namespace":"default","revision":"3","updated":"x","status":"deployed","chart":"kamerplanter-0.1.0","app_version":"0.0.12"}]',
    );
    expect(rows).toEqual([{name: 'kamerplanter', namespace: 'default', revision: '3', status: 'deployed', chart: 'kamerplanter-0.1.0', appVersion: '0.0.12'}]);
    expect(parseHelmList('[]')).toEqual([]);
  });
});
