/**
 * Fast help: renders `kp --help`, `kp TOPIC --help` and `kp COMMAND --help` straight from the
 * oclif manifest, without loading oclif (whose start-up alone costs over twice a bare
 * `node -e 0`). Imports nothing but node:fs and the exit-code table.
 */
import {readFileSync} from 'node:fs';
import {EXIT_CODE_TABLE} from '../core/errors.js';

interface ManifestFlag {
  name: string;
  char?: string;
  description?: string;
  helpGroup?: string;
  helpValue?: string;
  type: 'boolean' | 'option';
  multiple?: boolean;
  default?: unknown;
  allowNo?: boolean;
  hidden?: boolean;
}

interface ManifestCommand {
  id: string;
  summary?: string;
  description?: string;
  examples?: string[];
  flags: Record<string, ManifestFlag>;
  args: Record<string, {name: string; description?: string}>;
  strict?: boolean;
  hidden?: boolean;
}

interface Manifest {
  commands: Record<string, ManifestCommand>;
}

interface PackageJson {
  version: string;
  description?: string;
  oclif: {bin: string; topics?: Record<string, {description: string}>};
}

const HELP_FLAGS = new Set(['--help', '-h']);

/** Is this argv a help request we can answer from the manifest? Returns the command/topic words. */
export function helpTarget(argv: readonly string[], manifest: Manifest, topics: readonly string[]): string[] | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const wantsHelp = argv.some((a) => HELP_FLAGS.has(a)) || words[0] === 'help' || argv.length === 0;
  const target = words[0] === 'help' ? words.slice(1) : words;
  const id = target.join(':');
  if (wantsHelp && (id === '' || manifest.commands[id] || topics.includes(id))) return target;
  // A bare topic (`kp compose`) shows that topic's commands.
  if (!wantsHelp && target.length === 1 && argv.length === 1 && topics.includes(id)) return target;
  return undefined;
}

function wrap(text: string, indent: number, width = 100): string {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + word.length + 1 > width - indent) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}

function table(rows: Array<[string, string]>, indent = 2): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${' '.repeat(indent)}${left.padEnd(width)}  ${right}`).join('\n');
}

function flagLabel(flag: ManifestFlag): string {
  const long = flag.allowNo ? `--[no-]${flag.name}` : `--${flag.name}`;
  const value = flag.type === 'option' ? `=${flag.helpValue ?? flag.name.toUpperCase().replace(/-/g, '_')}${flag.multiple ? '...' : ''}` : '';
  return `${flag.char ? `-${flag.char}, ` : '    '}${long}${value}`;
}

function flagText(flag: ManifestFlag): string {
  const fallback = flag.default !== undefined && flag.type === 'option' ? ` [default: ${String(flag.default)}]` : '';
  return `${flag.description ?? ''}${fallback}`;
}

function exitCodes(): string {
  return `EXIT CODES\n${table(EXIT_CODE_TABLE.map(([code, text]) => [String(code), text]))}`;
}

/** Render help for the root, a topic, or a command. */
export function renderHelp(target: readonly string[], manifest: Manifest, pkg: PackageJson): string {
  const bin = pkg.oclif.bin;
  const topics = pkg.oclif.topics ?? {};
  const id = target.join(':');
  const visible = Object.values(manifest.commands)
    .filter((c) => !c.hidden)
    .sort((a, b) => a.id.localeCompare(b.id));
  const command = manifest.commands[id];
  if (command) {
    const flags = Object.values(command.flags).filter((f) => !f.hidden);
    const own = flags.filter((f) => f.helpGroup !== 'GLOBAL');
    const global = flags.filter((f) => f.helpGroup === 'GLOBAL');
    const args = Object.values(command.args);
    const usage = `$ ${bin} ${target.join(' ')}${args.map((a) => ` [${a.name.toUpperCase()}${command.strict === false ? '...' : ''}]`).join('')} [FLAGS]`;
    const parts = [command.summary ?? command.description ?? '', `USAGE\n  ${usage}`];
    if (args.length > 0) parts.push(`ARGUMENTS\n${table(args.map((a) => [a.name.toUpperCase(), a.description ?? '']))}`);
    if (own.length > 0) parts.push(`FLAGS\n${table(own.map((f) => [flagLabel(f), flagText(f)]))}`);
    if (global.length > 0) parts.push(`GLOBAL FLAGS\n${table(global.map((f) => [flagLabel(f), flagText(f)]))}`);
    if (command.summary && command.description) parts.push(`DESCRIPTION\n${wrap(command.description, 2)}`);
    if (command.examples?.length) {
      parts.push(`EXAMPLES\n${command.examples.map((e) => `  $ ${e.replace('<%= config.bin %>', bin)}`).join('\n')}`);
    }
    parts.push(`Exit codes: see \`${bin} --help\`.`);
    return `${parts.filter(Boolean).join('\n\n')}\n`;
  }
  const inTopic = id ? visible.filter((c) => c.id.startsWith(`${id}:`)) : visible;
  const rows = inTopic.map((c): [string, string] => [c.id.replace(/:/g, ' '), (c.summary ?? c.description ?? '').split('\n')[0]!]);
  if (id) {
    return `${topics[id]?.description ?? ''}\n\nUSAGE\n  $ ${bin} ${id} COMMAND\n\nCOMMANDS\n${table(rows)}\n`;
  }
  return (
    [
      `${bin}/${pkg.version} — ${pkg.description ?? ''}`,
      `USAGE\n  $ ${bin} COMMAND [FLAGS]`,
      `TOPICS\n${table(Object.entries(topics).map(([name, t]) => [name, t.description]))}`,
      `COMMANDS\n${table(rows)}`,
      `GLOBAL FLAGS (every command)\n${table([
        ['--json', 'print only the result object as JSON on stdout'],
        ['--verbose', 'echo every external command to stderr (secrets redacted)'],
        ['--dry-run', 'print the mutating commands and run none (read-only probes still run)'],
        ['-h, --help', 'show help for a command'],
      ])}`,
      exitCodes(),
      `Run \`${bin} COMMAND --help\` for a command's flags and examples.`,
    ].join('\n\n') + '\n'
  );
}

/** Answer a help request from the manifest; false when argv is not one (oclif handles it). */
export function tryFastHelp(argv: readonly string[], root: URL): boolean {
  let manifest: Manifest;
  let pkg: PackageJson;
  try {
    manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', root), 'utf8')) as Manifest;
    pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as PackageJson;
  } catch {
    return false; // no manifest (a dev checkout before `npm run bundle`): let oclif answer
  }
  const target = helpTarget(argv, manifest, Object.keys(pkg.oclif.topics ?? {}));
  if (!target) return false;
  process.stdout.write(renderHelp(target, manifest, pkg));
  return true;
}
