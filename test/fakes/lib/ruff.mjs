// Fake `ruff` (0.14.5 by KP_FAKE_RUFF_VERSION): `--version`, `check --output-format concise` and
// `format --check`. It really walks the paths it is given for *.py / *.pyi files:
// - a line containing KP_TEST_LINT is a finding `path:line:col: F401 [*] \`os\` imported but unused`;
// - a file containing KP_TEST_UNFORMATTED is one `format --check` would reformat;
// - a ruff.toml / .ruff.toml (closest in a checked path's ancestry) containing KP_TEST_RUFF_ERROR is
//   a configuration ruff cannot parse: `ruff failed` on stderr, exit 2.
// Wording and exit codes follow ruff's source (astral-sh/ruff): crates/ruff/src/printer.rs
// (`Found 1 error.`, `[*] 1 fixable with the \`--fix\` option.`, `All checks passed!`),
// crates/ruff/src/commands/format.rs (`Would reformat: path`, `1 file would be reformatted, 3 files
// already formatted`, `warning: No Python files found under the given path(s)` with exit 0),
// crates/ruff/src/lib.rs (exit 0 clean, 1 findings, 2 ruff's own error), and
// crates/ruff/tests/cli/snapshots/cli__lint__output_format_concise.snap (the concise line). Paths are
// printed relative to the working directory when under it (ruff_linter/src/fs.rs relativize_path);
// a missing path is `path:1:1: E902 No such file or directory (os error 2)`.
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {finish, parseArgs, recordCall} from './common.mjs';

const VERSION = () => process.env.KP_FAKE_RUFF_VERSION ?? '0.14.5';

/** ruff's flags that take a value (everything else is a boolean), and its short names. */
const RUFF_FLAGS = {
  values: [
    '--output-format',
    '--output-file',
    '--config',
    '--select',
    '--ignore',
    '--extend-select',
    '--target-version',
    '--cache-dir',
    '--stdin-filename',
    '--exclude',
    '--extend-exclude',
    '--per-file-ignores',
    '--extend-per-file-ignores',
    '--line-length',
    '--extension',
    '--range',
    '--fixable',
    '--unfixable',
    '--extend-fixable',
    '--color',
  ],
  aliases: {'-o': '--output-file', '-n': '--no-cache', '-e': '--exit-zero', '-q': '--quiet', '-s': '--silent', '-V': '--version', '-h': '--help'},
};

/** Directories ruff's default `exclude` leaves out (docs/configuration.md), plus caches. */
const EXCLUDED = new Set([
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
  'build',
  'dist',
  'node_modules',
  'site-packages',
  'venv',
]);

const isPython = (name) => name.endsWith('.py') || name.endsWith('.pyi');

/** The Python files under `target` (a file passed directly is always checked), sorted. */
function pythonFiles(target) {
  if (statSync(target).isFile()) return [target];
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!EXCLUDED.has(entry.name)) walk(full);
      } else if (entry.isFile() && isPython(entry.name)) {
        found.push(full);
      }
    }
  };
  walk(target);
  return found;
}

/** relativize_path: strip the working directory when the path lies under it. */
function relativize(file) {
  const absolute = path.resolve(file);
  const cwd = process.cwd();
  return absolute.startsWith(`${cwd}${path.sep}`) ? absolute.slice(cwd.length + 1) : file;
}

/** The closest ruff.toml / .ruff.toml above `target` that is marked broken, if any. */
function brokenConfig(target) {
  let dir = path.resolve(target);
  if (existsSync(dir) && statSync(dir).isFile()) dir = path.dirname(dir);
  for (;;) {
    for (const name of ['.ruff.toml', 'ruff.toml']) {
      const file = path.join(dir, name);
      if (existsSync(file)) return readFileSync(file, 'utf8').includes('KP_TEST_RUFF_ERROR') ? file : undefined;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function configError(targets) {
  const broken = targets.map(brokenConfig).find(Boolean);
  if (!broken) return undefined;
  return {
    stderr: `ruff failed\n  Cause: Failed to parse ${broken}\n  Cause: TOML parse error at line 1, column 1\n  |\n1 | KP_TEST_RUFF_ERROR\n  | ^\nexpected \`.\`, \`=\``,
    exitCode: 2,
  };
}

function check(parsed, targets) {
  const format = parsed.value('--output-format') ?? process.env.RUFF_OUTPUT_FORMAT;
  if (format !== 'concise') {
    // Not modelled: fail loudly instead of printing a format the real ruff would not.
    return finish({stderr: `fake ruff: only \`check --output-format concise\` is modelled (got ${format ?? 'the default'})`, exitCode: 2});
  }
  const broken = configError(targets);
  if (broken) return finish(broken);
  const findings = [];
  let files = 0;
  for (const target of targets) {
    if (!existsSync(target)) {
      findings.push({file: relativize(target), line: 1, col: 1, text: 'E902 No such file or directory (os error 2)', fixable: false});
      continue;
    }
    for (const file of pythonFiles(target)) {
      files += 1;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const col = line.indexOf('KP_TEST_LINT');
          if (col >= 0) findings.push({file: relativize(file), line: index + 1, col: col + 1, text: 'F401 [*] `os` imported but unused', fixable: true});
        });
    }
  }
  const warning = files === 0 && findings.length === 0 ? 'warning: No Python files found under the given path(s)' : '';
  if (findings.length === 0) return finish({stdout: parsed.has('--quiet', '--silent') ? '' : 'All checks passed!', stderr: warning});
  const fixable = findings.filter((f) => f.fixable).length;
  const out = findings.map((f) => `${f.file}:${f.line}:${f.col}: ${f.text}`);
  if (!parsed.has('--quiet', '--silent')) {
    out.push(`Found ${findings.length} error${findings.length === 1 ? '' : 's'}.`);
    if (fixable > 0) out.push(`[*] ${fixable} fixable with the \`--fix\` option.`);
  }
  return finish({stdout: parsed.has('--silent') ? '' : out.join('\n'), stderr: warning, exitCode: parsed.has('--exit-zero') ? 0 : 1});
}

function format(parsed, targets) {
  if (!parsed.has('--check')) {
    // kp only ever checks; a fake that rewrote files would hide a kp bug that did.
    return finish({stderr: 'fake ruff: `format` without --check is not modelled (kp must never reformat a checkout)', exitCode: 2});
  }
  const broken = configError(targets);
  if (broken) return finish(broken);
  const missing = targets.find((t) => !existsSync(t));
  if (missing) {
    return finish({stderr: `error: Failed to format ${relativize(missing)}: No such file or directory (os error 2)`, exitCode: 2});
  }
  const files = targets.flatMap(pythonFiles);
  if (files.length === 0) return finish({stderr: 'warning: No Python files found under the given path(s)'});
  const changed = files
    .filter((file) => readFileSync(file, 'utf8').includes('KP_TEST_UNFORMATTED'))
    .map(relativize)
    .sort();
  const unchanged = files.length - changed.length;
  const s = (n) => (n === 1 ? '' : 's');
  const summary =
    changed.length > 0 && unchanged > 0
      ? `${changed.length} file${s(changed.length)} would be reformatted, ${unchanged} file${s(unchanged)} already formatted`
      : changed.length > 0
        ? `${changed.length} file${s(changed.length)} would be reformatted`
        : `${unchanged} file${s(unchanged)} already formatted`;
  const out = [...changed.map((file) => `Would reformat: ${file}`), ...(parsed.has('--quiet', '--silent') ? [] : [summary])];
  return finish({stdout: out.join('\n'), exitCode: changed.length > 0 ? 1 : 0});
}

export async function main(args) {
  recordCall('ruff', args);
  const parsed = parseArgs(args, RUFF_FLAGS);
  const [verb, ...paths] = parsed.positionals;
  if (verb === undefined && parsed.has('--version')) return finish({stdout: `ruff ${VERSION()}`});
  if (verb === 'version') return finish({stdout: `ruff ${VERSION()}`});
  const targets = paths.length > 0 ? paths : ['.'];
  if (verb === 'check') return check(parsed, targets);
  if (verb === 'format') return format(parsed, targets);
  return finish({
    stderr: `error: unrecognized subcommand '${verb ?? ''}'\n\nUsage: ruff [OPTIONS] <COMMAND>\n\nFor more information, try '--help'.`,
    exitCode: 2,
  });
}
