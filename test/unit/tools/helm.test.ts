import {describe, expect, it} from 'vitest';
import {parseHelmList, parseHelmVersion} from '../../../src/tools/helm.js';

describe('helm output parsers', () => {
  it('Given `helm version --short` of v3 and v4, When parsed, Then the build suffix is dropped', () => {
    expect(parseHelmVersion('v3.16.2+g13654a5\n')).toBe('3.16.2');
    expect(parseHelmVersion('v4.2.4+g1a2b3c4\n')).toBe('4.2.4');
  });

  it('Given `helm list -o json`, When parsed, Then rows are typed', () => {
    const rows = parseHelmList('[{"name":"kamerplanter","namespace":"default","revision":"3","updated":"x","status":"deployed","chart":"kamerplanter-0.1.0","app_version":"0.0.12"}]');
    expect(rows).toEqual([{name: 'kamerplanter', namespace: 'default', revision: '3', status: 'deployed', chart: 'kamerplanter-0.1.0', appVersion: '0.0.12'}]);
    expect(parseHelmList('[]')).toEqual([]);
  });
});
