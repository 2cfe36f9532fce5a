/**
 * The local component: where it is (`--source` or auto-detected), what its manifest says, and
 * which files belong to it (exclusions, symlink fence, hashes).
 */
import {createHash} from 'node:crypto';
import {existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync} from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import {fail} from '../../core/errors.js';
import type {LocalFile} from './plan.js';
import {unsafeReason} from './tar.js';

/** The hash algorithms the remote listing can produce. */
export type HashAlgorithm = 'sha256' | 'md5';

/** A located component folder and its manifest. */
export interface ComponentSource {
  /** Absolute path of `custom_components/<domain>`. */
  dir: string;
  domain: string;
  version: string;
  name: string | undefined;
}

/** A file left out of the sync, and why (reported, never silent). */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** HA domains are lowercase identifiers; anything else cannot be a folder HA loads. */
const DOMAIN = /^[a-z0-9_]+$/;

const EXCLUDED_DIRS = new Set(['__pycache__', '.git', '.idea', '.vscode', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.hg', '.svn']);
const EXCLUDED_FILES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '.git', '.gitignore', '.directory']);

/** Is this directory entry excluded from sync (caches, VCS, editor and OS droppings)? */
export function isExcluded(name: string, isDirectory: boolean): boolean {
  if (isDirectory) return EXCLUDED_DIRS.has(name);
  if (EXCLUDED_FILES.has(name)) return true;
  // What editors write while saving (../shared/spec/tool-behaviour.md, "File watching"): never
  // shipped, never a reason for a round or a restart.
  return (
    name.endsWith('.pyc') ||
    name.endsWith('.pyo') ||
    name.endsWith('~') || // backups
    /\.sw[a-z]$/.test(name) || // vim swap files (.swp, .swo, ... .swx)
    name === '4913' || // vim's write probe
    name.startsWith('.#') || // emacs lock files (dangling symlinks)
    (name.startsWith('#') && name.endsWith('#')) || // emacs auto-save
    name.endsWith('___jb_tmp___') || // JetBrains safe-write
    name.endsWith('___jb_old___') ||
    name.startsWith('.goutputstream-') || // GNOME/gedit
    name.endsWith('.crswap') || // browser-based editors
    name.endsWith('.tmp') ||
    name.startsWith('._') // macOS resource forks
  );
}

/** Read and validate `manifest.json` of the folder `dir`. */
export function readManifest(dir: string): ComponentSource {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw fail.usage(`${dir} has no manifest.json, so it is not a Home Assistant component folder.`, 'Point --source at custom_components/<domain>/.');
  }
  let manifest: {domain?: unknown; version?: unknown; name?: unknown};
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as typeof manifest;
  } catch (error) {
    throw fail.usage(`${manifestPath} is not valid JSON: ${(error as Error).message}`, 'HA would refuse it too; fix the manifest.');
  }
  // `null`, a list or a number is valid JSON but no manifest.
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw fail.usage(`${manifestPath} is not a JSON object.`, 'A manifest is an object with at least "domain", "name" and "version".');
  }
  if (typeof manifest.domain !== 'string' || !DOMAIN.test(manifest.domain)) {
    throw fail.usage(`${manifestPath} has no valid "domain" (lowercase letters, digits, underscores).`);
  }
  if (typeof manifest.version !== 'string' || manifest.version.trim() === '') {
    throw fail.usage(`${manifestPath} has no "version": HA refuses custom integrations without one.`);
  }
  const folder = path.basename(path.resolve(dir));
  if (folder !== manifest.domain) {
    throw fail.usage(
      `The folder name "${folder}" differs from the manifest domain "${manifest.domain}": HA would not load it.`,
      `Rename the folder to custom_components/${manifest.domain}/.`,
    );
  }
  return {dir: path.resolve(dir), domain: manifest.domain, version: manifest.version, name: typeof manifest.name === 'string' ? manifest.name : undefined};
}

/**
 * Locate the component: `--source` if given, else in `cwd`: `custom_components/<single domain>/`,
 * the older `src/ha-integration/custom_components/kamerplanter/`, or cwd itself when it is one.
 */
export function detectSource(cwd: string, source?: string): ComponentSource {
  if (source) {
    const dir = path.resolve(cwd, source);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw fail.usage(`--source ${source}: no such directory.`);
    return readManifest(dir);
  }
  const customComponents = path.join(cwd, 'custom_components');
  if (existsSync(customComponents) && statSync(customComponents).isDirectory()) {
    const candidates = readdirSync(customComponents, {withFileTypes: true})
      .filter((entry) => entry.isDirectory() && existsSync(path.join(customComponents, entry.name, 'manifest.json')))
      .map((entry) => entry.name)
      .sort();
    if (candidates.length === 1) return readManifest(path.join(customComponents, candidates[0]!));
    if (candidates.length > 1) {
      throw fail.usage(`custom_components/ holds several components (${candidates.join(', ')}).`, `Pick one with --source custom_components/${candidates[0]}.`);
    }
  }
  const legacy = path.join(cwd, 'src', 'ha-integration', 'custom_components', 'kamerplanter');
  if (existsSync(path.join(legacy, 'manifest.json'))) return readManifest(legacy);
  if (existsSync(path.join(cwd, 'manifest.json')) && path.basename(path.dirname(cwd)) === 'custom_components') return readManifest(cwd);
  throw fail.usage(
    `No Home Assistant component found in ${cwd}.`,
    'Run kp in the folder holding custom_components/<domain>/ (or src/ha-integration/...), or pass --source DIR.',
  );
}

/** Hash bytes the way the remote listing does. */
export function hashBytes(content: Uint8Array, algorithm: HashAlgorithm): string {
  return createHash(algorithm).update(content).digest('hex');
}

/** The component's files (exclusions applied, symlinks fenced) with hashes, plus what was skipped. */
export function collectFiles(
  dir: string,
  algorithm: HashAlgorithm = 'sha256',
  ignored: IgnoreMatcher = NOTHING_IGNORED,
): {files: LocalFile[]; skipped: SkippedFile[]} {
  const root = realpathSync(dir);
  const files: LocalFile[] = [];
  const skipped: SkippedFile[] = [];
  const walk = (relativeDir: string) => {
    const absoluteDir = path.join(root, relativeDir);
    for (const entry of readdirSync(absoluteDir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      const absolute = path.join(absoluteDir, entry.name);
      let stat = lstatSync(absolute);
      if (stat.isSymbolicLink()) {
        // Follow a link only when it stays inside the component: never ship a file from elsewhere.
        let target: string;
        try {
          target = realpathSync(absolute);
        } catch {
          skipped.push({path: relative, reason: 'dangling symlink'});
          continue;
        }
        if (target !== root && !target.startsWith(`${root}${path.sep}`)) {
          skipped.push({path: relative, reason: 'symlink points outside the component'});
          continue;
        }
        stat = statSync(target);
        if (stat.isDirectory()) {
          skipped.push({path: relative, reason: 'symlinked directory (its target is synced as itself)'});
          continue;
        }
      }
      if (isExcluded(entry.name, stat.isDirectory()) || ignored(relative)) continue;
      const unsafe = unsafeReason(relative);
      if (unsafe) {
        skipped.push({path: relative, reason: unsafe});
        continue;
      }
      if (stat.isDirectory()) walk(relative);
      else if (stat.isFile()) {
        const content = readFileSync(absolute);
        files.push({
          path: relative,
          absolutePath: absolute,
          size: content.length,
          hash: hashBytes(content, algorithm),
          mode: stat.mode & 0o111 ? 0o755 : 0o644,
          mtime: Math.floor(stat.mtimeMs / 1000),
        });
      } else skipped.push({path: relative, reason: 'not a regular file'});
    }
  };
  walk('');
  return {files, skipped};
}

/** Does a component-relative path (`/`-separated) match one of the user's `--ignore` globs? */
export type IgnoreMatcher = (relativePath: string) => boolean;

const NOTHING_IGNORED: IgnoreMatcher = () => false;

/**
 * Compile `--ignore` globs (relative to the component folder; a glob without `/` matches a name at
 * any depth, as in .gitignore). Validated before anything runs: an absolute glob, one that climbs
 * out with `..`, or an empty one is bad input (exit 2). picomatch rather than Node's
 * path.matchesGlob, which is experimental on Node 20 and warns on stderr.
 */
export function compileIgnores(globs: readonly string[]): IgnoreMatcher {
  if (globs.length === 0) return NOTHING_IGNORED;
  const matchers = globs.map((glob) => {
    const trimmed = glob.trim();
    if (!trimmed) throw fail.usage('--ignore needs a glob, got an empty one.', 'Example: --ignore "www/dev-*.js" --ignore "*.bak"');
    if (trimmed.startsWith('/') || /^[A-Za-z]:[\\/]/.test(trimmed)) {
      throw fail.usage(`--ignore ${glob}: globs are relative to the component folder, not absolute.`, 'Example: --ignore "www/dev-*.js"');
    }
    if (trimmed.split('/').includes('..'))
      throw fail.usage(`--ignore ${glob}: a glob cannot climb out of the component folder with "..".`, 'Example: --ignore "www/dev-*.js"');
    const clean = trimmed.replace(/^\.\//, '').replace(/\/+$/, '');
    return picomatch(clean, {dot: true, basename: !clean.includes('/')});
  });
  return (relativePath) => matchers.some((match) => match(relativePath));
}

/** The remote listing without the paths the user ignores: never compared, so never deleted or replaced. */
export function withoutIgnored<T>(remote: ReadonlyMap<string, T> | undefined, ignored: IgnoreMatcher): Map<string, T> | undefined {
  if (!remote || ignored === NOTHING_IGNORED) return remote as Map<string, T> | undefined;
  // A file under an ignored folder is ignored too.
  const under = (relative: string) => {
    const parts = relative.split('/');
    return parts.some((_part, index) => ignored(parts.slice(0, index + 1).join('/')));
  };
  return new Map([...remote].filter(([relative]) => !under(relative)));
}
