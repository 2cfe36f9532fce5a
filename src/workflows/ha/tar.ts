/**
 * A tiny in-memory ustar writer for the upload stream, plus the path guard every archive
 * path (and every remote path kp deletes) goes through. Pure: no I/O.
 */
import {fail} from '../../core/errors.js';

/** One regular file or directory entry of an upload archive. */
export interface TarEntry {
  /** Relative POSIX path (no leading `./`); directories may end with `/`. */
  path: string;
  type: 'file' | 'directory';
  /** File content (ignored for directories). */
  content?: Uint8Array;
  /** Permission bits; defaults 0644 for files, 0755 for directories. */
  mode?: number;
  /** Modification time in seconds since the epoch; defaults to now. */
  mtime?: number;
}

const BLOCK = 512;

/**
 * Return `path` if it is safe to place inside the component folder, else throw: refuses empty,
 * absolute, drive-letter, backslash, `.`/`..` segments, empty segments and control characters,
 * so nothing kp writes or deletes can land outside `/config/custom_components/<domain>`.
 */
export function assertSafeArchivePath(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const reason = unsafeReason(trimmed);
  if (reason) {
    throw fail.usage(
      `Refusing archive path ${JSON.stringify(path)}: ${reason}.`,
      'Component files must stay inside the component folder; rename or remove the offending file.',
    );
  }
  return trimmed;
}

/** Why a path is unsafe, or undefined when it is fine. */
export function unsafeReason(path: string): string | undefined {
  if (path.length === 0) return 'empty path';
  if (path.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'drive-letter path';
  if (path.includes('\\')) return 'backslash in path';
  // Control characters would break the line-oriented remote listing.
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control character in path';
  for (const segment of path.split('/')) {
    if (segment === '..') return 'parent-directory segment';
    if (segment === '.') return 'current-directory segment';
    if (segment === '') return 'empty segment';
  }
  return undefined;
}

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  const text = Math.floor(value).toString(8);
  if (text.length > width - 1) throw fail.internal(`tar field overflow (${value})`);
  return `${text.padStart(width - 1, '0')}\0`;
}

/** Split a path into ustar `prefix` and `name` (name <= 100 bytes, prefix <= 155 bytes). */
function splitUstarPath(path: string): {prefix: string; name: string} {
  if (Buffer.byteLength(path) <= 100) return {prefix: '', name: path};
  for (let index = path.indexOf('/'); index !== -1; index = path.indexOf('/', index + 1)) {
    const prefix = path.slice(0, index);
    const name = path.slice(index + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return {prefix, name};
  }
  throw fail.usage(
    `Path too long for the upload archive: ${path}`,
    'Shorten the file path (ustar allows 255 bytes, with at most 100 after the last split point).',
  );
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK, 0);
  const isDir = entry.type === 'directory';
  const path = assertSafeArchivePath(entry.path) + (isDir ? '/' : '');
  const {prefix, name} = splitUstarPath(path);
  const write = (text: string, offset: number, length: number) => {
    block.write(text, offset, Math.min(length, Buffer.byteLength(text)), 'utf8');
  };
  write(name, 0, 100);
  write(octal(entry.mode ?? (isDir ? 0o755 : 0o644), 8), 100, 8);
  write(octal(0, 8), 108, 8); // uid root: HA runs as root and owns /config
  write(octal(0, 8), 116, 8); // gid
  write(octal(isDir ? 0 : size, 12), 124, 12);
  write(octal(entry.mtime ?? Date.now() / 1000, 12), 136, 12);
  write('        ', 148, 8); // checksum placeholder: eight spaces while summing
  write(isDir ? '5' : '0', 156, 1);
  write('ustar\0', 257, 6);
  write('00', 263, 2);
  write(prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

/** Build a complete ustar archive (with the two zero end blocks) in memory. */
export function buildTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.type === 'file' ? Buffer.from(entry.content ?? new Uint8Array()) : Buffer.alloc(0);
    parts.push(header(entry, content.length));
    if (content.length > 0) {
      parts.push(content);
      const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
      if (padding > 0) parts.push(Buffer.alloc(padding, 0));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

/** The directory entries needed so every file's parent exists (shallowest first, deduplicated). */
export function parentDirectories(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const segments = path.split('/');
    for (let depth = 1; depth < segments.length; depth += 1) dirs.add(segments.slice(0, depth).join('/'));
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}
