/**
 * Ruff's configuration as the ruff CLI resolves it for one file, for kp's in-process ruff (the
 * WebAssembly build reads no files and knows no paths: kp hands it each file's settings). Sources,
 * astral-sh/ruff at 0.15:
 * - Discovery (docs/configuration.md "Config file discovery"): the closest folder in the file's
 *   ancestry holding `.ruff.toml`, `ruff.toml` or a `pyproject.toml` with `[tool.ruff]`, in that
 *   order of precedence; none: the user's `$XDG_CONFIG_HOME/ruff/` (same three names), else ruff's
 *   defaults. Paths in a config are relative to its folder (the project root); with no config the
 *   root is ruff's working directory (kp runs the binary from the component's parent folder).
 * - target-version, when unset, comes from `requires-python` (BREAKING_CHANGES.md 0.10/0.11): the
 *   config's own `[project]`, the `pyproject.toml` beside a `ruff.toml`, or with no config the
 *   closest `pyproject.toml` in the ancestry.
 * - Exclusion of a file named on the command line with `--force-exclude` (ruff_workspace
 *   resolver.rs `is_file_excluded`): each folder from the file up to its config's project root is
 *   matched, path and basename, against `exclude` (default: `DEFAULT_EXCLUDE`) and `extend-exclude`;
 *   `lint.exclude` / `format.exclude` match the file itself.
 * - per-file-ignores (ruff_linter settings/types.rs `CompiledPerFileList::iter_matches`): a pattern
 *   matches the file's basename or, joined to the project root, its absolute path; `!pattern`
 *   applies when neither matches. The wasm build lints every file as `<filename>`, so kp resolves the
 *   patterns here and hands it `{"<filename>": [matched codes]}`; the same for per-file-target-version.
 * - `extend` chains configs with merge rules of their own (configuration.rs `combine`): kp does not
 *   imitate them, the caller says so (`RuffConfigUnsupported`).
 * Globs follow the globset crate ruff uses: `*` and `?` also match `/` (literal_separator off).
 */
import {existsSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fail, type KpError} from '../core/errors.js';

type Table = Record<string, unknown>;

/** smol-toml's `parse`, loaded only when a config is read (kp's start-up never pays for it). */
export type TomlParse = (text: string) => Table;

/** One ruff configuration file, read. */
export interface RuffConfigFile {
  /** Absolute path of the file. */
  path: string;
  /** The ruff options: the whole file, or a pyproject.toml's `[tool.ruff]`. */
  options: Table;
  /** `[project].requires-python` of this pyproject.toml (or of the one beside a ruff.toml). */
  requiresPython?: string;
  /** The file's text, to point at a key (`file:line:col`). */
  text: string;
  /** A pyproject.toml only: does it have a `[tool.ruff]` table (else ruff passes it over)? */
  hasToolRuff?: boolean;
}

/** The settings the in-process ruff uses for one file, or why it leaves the file out. */
export type FileSettings = {excluded: false; options: Table; config: RuffConfigFile | undefined} | {excluded: true; by: string};

/** A config the in-process ruff cannot follow (only the binary can): where and why. */
export class RuffConfigUnsupported extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

/** ruff 0.15's default `exclude` (`ruff check --show-settings`: file_resolver.exclude). */
export const DEFAULT_EXCLUDE = [
  '.bzr',
  '.direnv',
  '.eggs',
  '.git',
  '.git-rewrite',
  '.hg',
  '.ipynb_checkpoints',
  '.mypy_cache',
  '.nox',
  '.pants.d',
  '.pyenv',
  '.pytest_cache',
  '.pytype',
  '.ruff_cache',
  '.svn',
  '.tox',
  '.venv',
  '.vscode',
  '__pypackages__',
  '_build',
  'buck-out',
  'dist',
  'node_modules',
  'site-packages',
  'venv',
];

/** The name the wasm build gives every file it lints (crates/ruff_wasm/src/lib.rs `check`). */
export const WASM_FILENAME = '<filename>';

/** Config file names, in ruff's precedence within one folder. */
const CONFIG_NAMES = ['.ruff.toml', 'ruff.toml', 'pyproject.toml'] as const;

/** The oldest and newest `target-version` ruff 0.15 knows. */
const TARGET_MINORS = {min: 7, max: 15};

const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/**
 * A globset pattern (literal_separator off) as a RegExp over a POSIX path: `*` any run of
 * characters, `?` one, `**` across folders, `[...]` / `[!...]` a class, `{a,b}` alternatives, `\x` x.
 */
export function globRegExp(pattern: string): RegExp {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) out += escapeChar(pattern[++i]!);
    else if (c === '*') {
      const start = i;
      while (pattern[i + 1] === '*') i += 1;
      // `**/` as a whole component also matches no folder; a lone `*` crosses `/` anyway.
      if (i > start && (start === 0 || pattern[start - 1] === '/') && pattern[i + 1] === '/') {
        out += '(?:.*/)?';
        i += 1;
      } else out += '.*';
    } else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === '{') {
      depth += 1;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth -= 1;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else out += escapeChar(c);
  }
  return new RegExp(`^${out}$`);
}

const escapeChar = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Does a ruff glob match this path (its absolute form against the root) or its basename? */
function globMatches(pattern: string, root: string, file: string): boolean {
  const basename = path.basename(file);
  const absolute = path.posix.normalize(path.resolve(root, pattern).split(path.sep).join('/'));
  return globRegExp(pattern).test(basename) || globRegExp(absolute).test(file.split(path.sep).join('/'));
}

/** The lowest Python minor version a `requires-python` specifier allows (`>=3.12,<4` -> 12). */
export function minimumMinor(requiresPython: string): number | undefined {
  const bounds = requiresPython
    .split(',')
    .map((spec) => /^\s*(>=|~=|==|===|>)\s*3\.(\d+)/.exec(spec)?.[2])
    .filter((minor): minor is string => minor !== undefined)
    .map(Number);
  if (bounds.length === 0) return undefined;
  return Math.min(Math.max(...bounds, TARGET_MINORS.min), TARGET_MINORS.max);
}

/** `file:line:col` of the first line that sets `key` or names it in a table header, or where it is quoted as a value; else the file alone. */
export function keyPosition(config: Pick<RuffConfigFile, 'path' | 'text'>, key: string): string {
  const name = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const assignment = new RegExp(`^(\\s*)(["']?)${name}\\2\\s*=`);
  const header = new RegExp(`^(\\s*)\\[+[^\\]]*(?:^|[."'\\[])${name}(?:$|[."'\\]])`);
  const lines = config.text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const match = assignment.exec(lines[i]!) ?? header.exec(lines[i]!);
    if (match) return `${config.path}:${i + 1}:${match[1]!.length + 1}`;
  }
  // Not a key: a value (`Unknown rule selector \`XYZ\``), quoted somewhere.
  for (let i = 0; i < lines.length; i += 1) {
    const col = Math.max(lines[i]!.indexOf(`"${key}"`), lines[i]!.indexOf(`'${key}'`));
    if (col >= 0) return `${config.path}:${i + 1}:${col + 1}`;
  }
  return config.path;
}

/** Finds and reads ruff configs for files, each folder looked at once. */
export class RuffConfigResolver {
  private readonly closest = new Map<string, RuffConfigFile | undefined>();
  private readonly pyprojects = new Map<string, RuffConfigFile | undefined>();
  private userConfig: RuffConfigFile | undefined | null = null;

  /**
   * @param defaultRoot ruff's working directory: the project root when no config applies.
   * @param parse the TOML parser.
   */
  constructor(
    readonly defaultRoot: string,
    private readonly parse: TomlParse,
  ) {}

  /** The settings for one file (absolute path) under `lint` (check) or `format`. */
  settingsFor(file: string, purpose: 'lint' | 'format'): FileSettings {
    const config = this.configFor(path.dirname(file));
    const excludedBy = this.excludedBy(file) ?? this.sectionExcludedBy(file, config, purpose);
    if (excludedBy) return {excluded: true, by: excludedBy};
    if (config && config.options.extend !== undefined) {
      throw new RuffConfigUnsupported(keyPosition(config, 'extend'), '`extend` (a chain of configs merged by rules only the ruff binary applies)');
    }
    return {excluded: false, options: this.optionsFor(file, config), config};
  }

  /** The closest config at or above `dir`, else the user's, else none (ruff's defaults). */
  configFor(dir: string): RuffConfigFile | undefined {
    return this.inAncestry(dir) ?? this.user();
  }

  private inAncestry(dir: string): RuffConfigFile | undefined {
    if (this.closest.has(dir)) return this.closest.get(dir);
    const found = this.inFolder(dir) ?? (path.dirname(dir) === dir ? undefined : this.inAncestry(path.dirname(dir)));
    this.closest.set(dir, found);
    return found;
  }

  /** The config ruff takes from this one folder, if any. */
  private inFolder(dir: string): RuffConfigFile | undefined {
    for (const name of CONFIG_NAMES) {
      const file = path.join(dir, name);
      if (!existsSync(file)) continue;
      if (name === 'pyproject.toml') {
        const pyproject = this.pyproject(dir);
        if (pyproject?.hasToolRuff) return pyproject;
        continue;
      }
      const {table, text} = this.read(file);
      return {path: file, options: table, text, requiresPython: this.pyproject(dir)?.requiresPython};
    }
    return undefined;
  }

  /** The pyproject.toml in `dir` (its `[tool.ruff]` as options, possibly empty), cached. */
  private pyproject(dir: string): RuffConfigFile | undefined {
    if (this.pyprojects.has(dir)) return this.pyprojects.get(dir);
    const file = path.join(dir, 'pyproject.toml');
    let found: RuffConfigFile | undefined;
    if (existsSync(file)) {
      const {table, text} = this.read(file);
      const tool = isTable(table.tool) ? table.tool : {};
      const project = isTable(table.project) ? table.project : {};
      found = {
        path: file,
        options: isTable(tool.ruff) ? tool.ruff : {},
        hasToolRuff: isTable(tool.ruff),
        text,
        requiresPython: typeof project['requires-python'] === 'string' ? project['requires-python'] : undefined,
      };
    }
    this.pyprojects.set(dir, found);
    return found;
  }

  /** `$XDG_CONFIG_HOME/ruff/{.ruff.toml,ruff.toml,pyproject.toml}` (etcetera's XDG strategy). */
  private user(): RuffConfigFile | undefined {
    if (this.userConfig === null) {
      const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
      this.userConfig = this.inFolder(path.join(base, 'ruff'));
    }
    return this.userConfig;
  }

  /** Read and parse one TOML file; a syntax error is exit 2 naming `file:line:col`. */
  private read(file: string): {table: Table; text: string} {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw fail.usage(
        `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        'Make the file readable (ruff reads it too), or pass --no-lint to sync without the lint.',
      );
    }
    try {
      return {table: this.parse(text), text};
    } catch (error) {
      throw tomlError(file, error);
    }
  }

  /**
   * Is this the user's config? Compared with the one already read, never by reading it: ruff looks at
   * the user's config only when no project config applies, so a broken one must not fail a project that has its own.
   */
  private isUserConfig(config: RuffConfigFile): boolean {
    return this.userConfig !== null && config === this.userConfig;
  }

  /** The project root a config's paths are relative to (ruff's cwd for the user's config or none). */
  private rootOf(config: RuffConfigFile | undefined): string {
    return config && !this.isUserConfig(config) ? path.dirname(config.path) : this.defaultRoot;
  }

  /** `exclude` / `extend-exclude` matched on the path and each folder up to its config's project root: what excludes it, if anything. */
  excludedBy(file: string): string | undefined {
    for (let at = file; path.dirname(at) !== at; at = path.dirname(at)) {
      const config = this.configFor(at === file ? path.dirname(file) : at);
      const root = this.rootOf(config);
      const options = config?.options ?? {};
      const exclude = options.exclude === undefined ? DEFAULT_EXCLUDE : strings(options.exclude);
      for (const [key, patterns] of [
        ['exclude', exclude],
        ['extend-exclude', strings(options['extend-exclude'])],
      ] as const) {
        const hit = patterns.find((pattern) => globMatches(pattern, root, at));
        if (hit !== undefined) return `${key} ${JSON.stringify(hit)}${config ? ` (${config.path})` : ''}`;
      }
      if (at === root) break;
    }
    return undefined;
  }

  /** `lint.exclude` or `format.exclude`, matched on the file itself. */
  private sectionExcludedBy(file: string, config: RuffConfigFile | undefined, purpose: 'lint' | 'format'): string | undefined {
    const section = config?.options[purpose];
    const hit = isTable(section) ? strings(section.exclude).find((pattern) => globMatches(pattern, this.rootOf(config), file)) : undefined;
    return hit === undefined ? undefined : `${purpose}.exclude ${JSON.stringify(hit)} (${config!.path})`;
  }

  /** The config's options with what depends on the file's path resolved for it. */
  private optionsFor(file: string, config: RuffConfigFile | undefined): Table {
    const root = this.rootOf(config);
    const options: Table = structuredClone(config?.options ?? {});
    const lint: Table = isTable(options.lint) ? options.lint : {};
    // per-file-ignores: lint's table wins over the deprecated top-level one; the extend- tables add.
    const tables = [lint['per-file-ignores'] ?? options['per-file-ignores'], lint['extend-per-file-ignores'], options['extend-per-file-ignores']];
    const ignored = new Set<string>();
    for (const table of tables.filter(isTable)) {
      for (const [pattern, codes] of Object.entries(table)) {
        const negated = pattern.startsWith('!');
        if (globMatches(negated ? pattern.slice(1) : pattern, root, file) !== negated) for (const code of strings(codes)) ignored.add(code);
      }
    }
    for (const key of ['per-file-ignores', 'extend-per-file-ignores']) {
      delete options[key];
      delete lint[key];
    }
    if (ignored.size > 0) lint['per-file-ignores'] = {[WASM_FILENAME]: [...ignored]};
    if (Object.keys(lint).length > 0 || options.lint !== undefined) options.lint = lint;

    // target-version: a per-file one that matches, else the config's, else requires-python's.
    const perFile = isTable(options['per-file-target-version']) ? options['per-file-target-version'] : {};
    delete options['per-file-target-version'];
    const matched = Object.entries(perFile).find(([pattern]) =>
      pattern.startsWith('!') ? !globMatches(pattern.slice(1), root, file) : globMatches(pattern, root, file),
    );
    if (matched) options['target-version'] = matched[1];
    else if (options['target-version'] === undefined) {
      const requires = config && !this.isUserConfig(config) ? config.requiresPython : this.closestRequiresPython(path.dirname(file));
      const minor = requires === undefined ? undefined : minimumMinor(requires);
      if (minor !== undefined) options['target-version'] = `py3${minor}`;
    }
    return options;
  }

  /** With no project config: the closest pyproject.toml's requires-python in the ancestry. */
  private closestRequiresPython(dir: string): string | undefined {
    for (let at = dir; ; at = path.dirname(at)) {
      const requires = this.pyproject(at)?.requiresPython;
      if (requires !== undefined) return requires;
      if (path.dirname(at) === at) return undefined;
    }
  }
}

/** A TOML syntax error as kp's config error: exit 2, `file:line:col: invalid TOML: ...`. */
function tomlError(file: string, error: unknown): KpError {
  const {line, column, message} = error as {line?: number; column?: number; message?: string};
  const where = line === undefined ? file : `${file}:${line}:${column ?? 1}`;
  const reason = (message ?? String(error)).split('\n')[0]!.replace(/^Invalid TOML document: /, '');
  return fail.usage(`${where}: invalid TOML: ${reason}`, 'Fix the file (ruff reads it too), or pass --no-lint to sync without the lint.');
}
