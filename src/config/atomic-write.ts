/**
 * The one way kp writes its own files (state, caches, derived configs): a new file beside the
 * target, created exclusively, then renamed over it. A reader never sees half a file, and a
 * symlink planted at the target is replaced, never written through.
 */
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

/** Write `data` to `file` atomically (parent created with `dirMode`; the file gets `mode`). */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: {mode?: number; dirMode?: number} = {}): void {
  mkdirSync(path.dirname(file), {recursive: true, mode: options.dirMode ?? 0o700});
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.partial`);
  try {
    writeFileSync(partial, data, {flag: 'wx', mode: options.mode ?? 0o600});
    renameSync(partial, file);
  } finally {
    rmSync(partial, {force: true});
  }
}
