import {describe, expect, it} from 'vitest';
import {planSync, type LocalFile} from '../../../../src/workflows/ha/plan.js';

const file = (path: string, hash: string, size = 10): LocalFile => ({path, absolutePath: `/src/${path}`, size, hash, mode: 0o644, mtime: 0});

describe('planSync', () => {
  it('Given no component in the target, When planned, Then every file is added and nothing deleted', () => {
    const plan = planSync([file('manifest.json', 'a'), file('sensor.py', 'b', 20)], undefined);
    expect(plan).toMatchObject({added: ['manifest.json', 'sensor.py'], modified: [], deleted: [], unchanged: 0, uploadBytes: 30, upToDate: false});
  });

  it('Given identical hashes (remote in upper case), When planned, Then it is up to date and sends nothing', () => {
    const plan = planSync([file('sensor.py', 'abc')], new Map([['sensor.py', 'ABC']]));
    expect(plan.upToDate).toBe(true);
    expect(plan.upload).toEqual([]);
    expect(plan.unchanged).toBe(1);
  });

  it('Given one changed file, one new and one removed locally, When planned, Then exactly those are sent and deleted', () => {
    // Given
    const local = [file('a.py', '1'), file('b.py', '2-new'), file('helpers/c.py', '3')];
    const remote = new Map([
      ['a.py', '1'],
      ['b.py', '2-old'],
      ['old/stale.py', '9'],
    ]);
    // When
    const plan = planSync(local, remote);
    // Then
    expect(plan.upload.map((f) => f.path)).toEqual(['b.py', 'helpers/c.py']);
    expect(plan.modified).toEqual(['b.py']);
    expect(plan.added).toEqual(['helpers/c.py']);
    expect(plan.deleted).toEqual(['old/stale.py']);
    expect(plan.unchanged).toBe(1);
    expect(plan.upToDate).toBe(false);
  });

  it('Given only a remote file that is gone locally, When planned, Then it is not up to date', () => {
    const plan = planSync(
      [file('a.py', '1')],
      new Map([
        ['a.py', '1'],
        ['b.py', '2'],
      ]),
    );
    expect(plan).toMatchObject({upload: [], deleted: ['b.py'], upToDate: false});
  });
});
