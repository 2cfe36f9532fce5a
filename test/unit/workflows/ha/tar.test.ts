import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {assertSafeArchivePath, buildTar, parentDirectories, unsafeReason} from '../../../../src/workflows/ha/tar.js';

const work = mkdtempSync(path.join(tmpdir(), 'kp-ha-tar-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

describe('archive path guard', () => {
  it.each([
    ['../evil.py', 'parent-directory segment'],
    ['helpers/../../x', 'parent-directory segment'],
    ['/etc/passwd', 'absolute path'],
    ['C:/x', 'drive-letter path'],
    ['a\\b', 'backslash in path'],
    ['a//b', 'empty segment'],
    ['./a', 'current-directory segment'],
    ['a\nb', 'control character in path'],
    ['', 'empty path'],
  ])('Given %j, When checked, Then it is refused (%s)', (input, reason) => {
    expect(unsafeReason(input)).toBe(reason);
    expect(() => assertSafeArchivePath(input)).toThrow(/Refusing archive path/);
  });

  it.each(['manifest.json', 'helpers/care.py', 'www/illustrations/plant-1.svg', '..hidden', 'a..b/c'])(
    'Given %j, When checked, Then it is accepted',
    (input) => {
      expect(assertSafeArchivePath(input)).toBe(input);
    },
  );

  it('Given an entry with an unsafe path, When the archive is built, Then building refuses', () => {
    expect(() => buildTar([{path: '../x', type: 'file', content: Buffer.from('x')}])).toThrow(/parent-directory/);
  });
});

describe('buildTar', () => {
  it('Given files in sub-folders and a long path, When the archive is extracted by the system tar, Then names, content and modes survive', () => {
    // Given
    const longPath = `${'deep/'.repeat(25)}file.txt`;
    const entries = [
      ...parentDirectories(['helpers/care.py', longPath]).map((p) => ({path: p, type: 'directory' as const})),
      {path: 'helpers/care.py', type: 'file' as const, content: Buffer.from('def water():\n    pass\n'), mode: 0o644},
      {path: 'run.sh', type: 'file' as const, content: Buffer.from('#!/bin/sh\n'), mode: 0o755},
      {path: longPath, type: 'file' as const, content: Buffer.alloc(1000, 7)},
      {path: 'empty.txt', type: 'file' as const, content: Buffer.alloc(0)},
    ];
    // When
    const archive = buildTar(entries);
    // Then
    expect(archive.length % 512).toBe(0);
    const tarFile = path.join(work, 'a.tar');
    writeFileSync(tarFile, archive);
    const out = path.join(work, 'out');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['-xf', tarFile, '-C', out]);
    expect(readFileSync(path.join(out, 'helpers/care.py'), 'utf8')).toBe('def water():\n    pass\n');
    expect(readFileSync(path.join(out, longPath)).length).toBe(1000);
    expect(readFileSync(path.join(out, 'empty.txt')).length).toBe(0);
    expect(execFileSync('stat', ['-c', '%a', path.join(out, 'run.sh')], {encoding: 'utf8'}).trim()).toBe('755');
  });

  it('Given one 36-byte file, When archived with the end marker, Then the overhead stays a few blocks', () => {
    const archive = buildTar([
      {path: 'sensor.py', type: 'file', content: Buffer.alloc(36)},
      {path: '.kp-complete-x', type: 'file', content: Buffer.from('x')},
    ]);
    expect(archive.length).toBe(512 * 6);
  });
});
