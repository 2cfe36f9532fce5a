/**
 * Temporary directories that are removed again: `useTempDirs()` in a test file gives a `tempDir()`
 * whose directories are deleted after each test (or after all tests with `{scope: 'file'}`).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, afterEach} from 'vitest';

/** Register cleanup and return a factory for temp dirs named `<prefix>XXXXXX` under the OS temp dir. */
export function useTempDirs(options: {scope?: 'test' | 'file'} = {}): (prefix: string) => string {
  const dirs: string[] = [];
  const cleanup = () => {
    while (dirs.length > 0) rmSync(dirs.pop()!, {recursive: true, force: true});
  };
  if (options.scope === 'file') afterAll(cleanup);
  else afterEach(cleanup);
  return (prefix) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
