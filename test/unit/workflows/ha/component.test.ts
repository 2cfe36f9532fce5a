import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {collectFiles, compileIgnores, detectSource, isExcluded, withoutIgnored} from '../../../../src/workflows/ha/component.js';

const root = mkdtempSync(path.join(tmpdir(), 'kp-ha-comp-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function write(file: string, content = 'x') {
  mkdirSync(path.dirname(file), {recursive: true});
  writeFileSync(file, content);
}

describe('source detection', () => {
  it('Given custom_components/<one domain>/ in the cwd, When detected, Then that folder and its manifest are used', () => {
    const cwd = path.join(root, 'one');
    write(path.join(cwd, 'custom_components/kamerplanter/manifest.json'), '{"domain":"kamerplanter","version":"1.2.3"}');
    expect(detectSource(cwd)).toMatchObject({domain: 'kamerplanter', version: '1.2.3', dir: path.join(cwd, 'custom_components/kamerplanter')});
  });

  it('Given the older src/ha-integration layout, When detected, Then it is found', () => {
    const cwd = path.join(root, 'legacy');
    write(path.join(cwd, 'src/ha-integration/custom_components/kamerplanter/manifest.json'), '{"domain":"kamerplanter","version":"0.1.0"}');
    expect(detectSource(cwd).version).toBe('0.1.0');
  });

  it('Given two components, When detected, Then kp asks for --source', () => {
    const cwd = path.join(root, 'two');
    write(path.join(cwd, 'custom_components/a/manifest.json'), '{"domain":"a","version":"1"}');
    write(path.join(cwd, 'custom_components/b/manifest.json'), '{"domain":"b","version":"1"}');
    expect(() => detectSource(cwd)).toThrow(/several components/);
  });

  it('Given a folder name that differs from the domain, When read, Then kp refuses', () => {
    const cwd = path.join(root, 'mismatch');
    write(path.join(cwd, 'custom_components/kp/manifest.json'), '{"domain":"kamerplanter","version":"1"}');
    expect(() => detectSource(cwd, 'custom_components/kp')).toThrow(/differs from the manifest domain/);
  });

  it('Given a manifest without version, When read, Then kp refuses', () => {
    const cwd = path.join(root, 'noversion');
    write(path.join(cwd, 'custom_components/kamerplanter/manifest.json'), '{"domain":"kamerplanter"}');
    expect(() => detectSource(cwd)).toThrow(/no "version"/);
  });

  it.each([['null'], ['[]'], ['42']])('Given a manifest.json holding %s, When read, Then exit 2 says it is not an object (no stack trace)', (text) => {
    const cwd = path.join(root, `manifest-${text.length}-${text.charCodeAt(0)}`);
    write(path.join(cwd, 'custom_components/kamerplanter/manifest.json'), text);
    expect(() => detectSource(cwd)).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringContaining('is not a JSON object')}));
  });
});

describe('collectFiles', () => {
  it('Given caches, editor droppings and symlinks, When collected, Then only component files are kept and outside links are reported', () => {
    // Given
    const dir = path.join(root, 'files/custom_components/kamerplanter');
    write(path.join(dir, 'manifest.json'), '{}');
    write(path.join(dir, 'sensor.py'), 'print(1)');
    write(path.join(dir, 'helpers/care.py'), 'x');
    for (const junk of [
      '__pycache__/a.pyc',
      'helpers/__pycache__/b.pyc',
      'old.pyc',
      '.DS_Store',
      'sensor.py~',
      '.sensor.py.swp',
      '.git/HEAD',
      '.vscode/settings.json',
      '.idea/x.xml',
    ]) {
      write(path.join(dir, junk));
    }
    write(path.join(root, 'outside.txt'), 'secret');
    symlinkSync(path.join(root, 'outside.txt'), path.join(dir, 'leak.txt'));
    symlinkSync('sensor.py', path.join(dir, 'alias.py'));
    // When
    const {files, skipped} = collectFiles(dir);
    // Then
    expect(files.map((f) => f.path)).toEqual(['alias.py', 'helpers/care.py', 'manifest.json', 'sensor.py']);
    expect(skipped).toEqual([{path: 'leak.txt', reason: 'symlink points outside the component'}]);
    expect(files.find((f) => f.path === 'sensor.py')!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['__pycache__', true, true],
    ['.git', true, true],
    ['helpers', true, false],
    ['x.pyc', false, true],
    ['#sensor.py#', false, true],
    ['.#sensor.py', false, true],
    ['sensor.py', false, false],
    // editors' temporary files (tool-behaviour.md, "File watching")
    ['.sensor.py.swp', false, true],
    ['.sensor.py.swx', false, true],
    ['4913', false, true],
    ['sensor.py~', false, true],
    ['sensor.py___jb_tmp___', false, true],
    ['sensor.py___jb_old___', false, true],
    ['.goutputstream-A1B2C3', false, true],
    ['sensor.py.crswap', false, true],
    ['sensor.py.tmp', false, true],
    ['._sensor.py', false, true],
    ['4913.py', false, false],
    ['switch.py', false, false],
  ])('Given %s (dir: %s), When checked, Then excluded is %s', (name, dir, excluded) => {
    expect(isExcluded(name, dir)).toBe(excluded);
  });
});

describe('--ignore globs', () => {
  it('Given globs with and without a slash, When matched, Then a bare name matches at any depth and a path glob only where it points', () => {
    const ignored = compileIgnores(['*.bak', 'www/dev-*.js']);
    expect(ignored('old.bak')).toBe(true);
    expect(ignored('helpers/old.bak')).toBe(true);
    expect(ignored('www/dev-preview.js')).toBe(true);
    expect(ignored('www/cards/dev-preview.js')).toBe(false);
    expect(ignored('sensor.py')).toBe(false);
  });

  it('Given a remote listing, When the ignored paths are taken out, Then files under an ignored folder go too and the rest stay (they are compared, the ignored ones never deleted)', () => {
    const remote = new Map([
      ['a.py', '1'],
      ['scratch/x.py', '2'],
      ['www/dev-a.js', '3'],
      ['www/card.js', '4'],
    ]);
    const kept = withoutIgnored(remote, compileIgnores(['scratch', 'www/dev-*.js']));
    expect([...kept!.keys()]).toEqual(['a.py', 'www/card.js']);
    expect(withoutIgnored(remote, compileIgnores([]))).toBe(remote);
  });

  it.each([
    [['/etc/*'], 'not absolute'],
    [['../other/*'], 'cannot climb out'],
    [['www/../../x'], 'cannot climb out'],
    [['  '], 'needs a glob'],
  ])('Given --ignore %j, When compiled, Then it is bad input (exit 2) naming why', (globs, why) => {
    expect(() => compileIgnores(globs)).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringContaining(why)}));
  });
});
