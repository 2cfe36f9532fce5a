/**
 * Build tiny local images for the e2e layer from Debian's busybox-static with `docker import`
 * (no registry is reachable, so nothing is ever pulled).
 */
import {execFileSync} from 'node:child_process';
import {chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

/** The applets every stand-in gets as /bin/<name> symlinks to busybox. */
const APPLETS = [
  'sh',
  'ash',
  'cat',
  'echo',
  'printf',
  'ls',
  'mkdir',
  'rm',
  'rmdir',
  'mv',
  'cp',
  'ln',
  'touch',
  'chmod',
  'find',
  'xargs',
  'tar',
  'sha256sum',
  'md5sum',
  'sleep',
  'kill',
  'ps',
  'date',
  'grep',
  'sed',
  'awk',
  'head',
  'tail',
  'wc',
  'cut',
  'tr',
  'sort',
  'uniq',
  'stat',
  'test',
  '[',
  'true',
  'false',
  'env',
  'httpd',
  'wget',
  'nc',
  'hostname',
  'id',
  'dirname',
  'basename',
  'readlink',
  'realpath',
  'timeout',
  'pidof',
  'seq',
  'du',
  'df',
  'mount',
  'uname',
  'which',
  'tee',
  'base64',
  'mktemp',
  'xargs',
];

/** A file placed in the image: text content and optional mode (default 0644; scripts 0755). */
export interface StandinFile {
  content: string;
  mode?: number;
}

/** Locate busybox-static on PATH (Debian installs it as /bin/busybox). */
export function busyboxPath(): string {
  return execFileSync('sh', ['-c', 'command -v busybox'], {encoding: 'utf8'}).trim();
}

/** Build (or rebuild) image `tag` from busybox plus `files` (absolute paths inside the image). */
export function buildStandinImage(tag: string, files: Record<string, StandinFile>, options: {cmd?: string[]} = {}): void {
  const root = mkdtempSync(path.join(tmpdir(), 'kp-standin-'));
  try {
    mkdirSync(path.join(root, 'bin'), {recursive: true});
    for (const dir of ['tmp', 'etc', 'var', 'root', 'proc', 'sys', 'dev', 'usr/bin', 'usr/sbin', 'sbin']) {
      mkdirSync(path.join(root, dir), {recursive: true});
    }
    chmodSync(path.join(root, 'tmp'), 0o1777);
    copyFileSync(busyboxPath(), path.join(root, 'bin', 'busybox'));
    chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    for (const applet of new Set(APPLETS)) {
      symlinkSync('busybox', path.join(root, 'bin', applet));
    }
    writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    for (const [filePath, file] of Object.entries(files)) {
      const target = path.join(root, filePath);
      mkdirSync(path.dirname(target), {recursive: true});
      writeFileSync(target, file.content);
      chmodSync(target, file.mode ?? 0o644);
    }
    const changes = ['ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'];
    if (options.cmd) changes.push(`CMD ${JSON.stringify(options.cmd)}`);
    const tarball = path.join(root, '..', `${path.basename(root)}.tar`);
    execFileSync('tar', ['-C', root, '-cf', tarball, '.']);
    try {
      execFileSync('docker', ['import', ...changes.flatMap((c) => ['--change', c]), tarball, tag], {stdio: 'pipe'});
    } finally {
      rmSync(tarball, {force: true});
    }
  } finally {
    rmSync(root, {recursive: true, force: true});
  }
}
