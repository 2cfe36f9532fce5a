#!/usr/bin/env node
/**
 * docs/commands.md, generated from the commands themselves: oclif.manifest.json (written by
 * `npm run bundle` from each command's description, flags and examples) and package.json's topics.
 * `npm run docs` writes it; test/unit/docs/command-reference.test.ts fails when it and the commands
 * differ.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REFERENCE_FILE = path.join(root, 'docs', 'commands.md');

/** The flags every command takes, said once at the top rather than under each command. */
const GLOBAL_FLAGS = ['json', 'verbose', 'dry-run'];

/** A flag's usage: `-n, --namespace=<value>` (or `--[no-]lint` for a negatable boolean). */
function flagUsage(flag) {
  const name = flag.allowNo ? `--[no-]${flag.name}` : `--${flag.name}`;
  const value = flag.type === 'option' ? (flag.options ? `=<${flag.options.join('|')}>` : '=<value>') : '';
  return `${flag.char ? `-${flag.char}, ` : ''}${name}${value}`;
}

/** Text for a table cell: one line, pipes escaped. */
function cell(text) {
  return String(text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|');
}

function commandSection(bin, command) {
  const id = command.id.split(':').join(' ');
  const lines = [`### \`${bin} ${id}\``, ''];
  if (command.description) lines.push(command.description.trim(), '');
  const args = Object.values(command.args ?? {});
  const usage = [`${bin} ${id}`, ...args.map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`)), '[FLAGS]'].join(' ');
  lines.push('```', usage, '```', '');
  if (args.length > 0) {
    lines.push('| argument | description |', '| --- | --- |');
    for (const arg of args) lines.push(`| \`${arg.name.toUpperCase()}\` | ${cell(arg.description)} |`);
    lines.push('');
  }
  const flags = Object.values(command.flags ?? {}).filter((f) => !f.hidden && !GLOBAL_FLAGS.includes(f.name));
  if (flags.length > 0) {
    lines.push('| flag | default | description |', '| --- | --- | --- |');
    for (const flag of flags.sort((a, b) => a.name.localeCompare(b.name))) {
      const fallback = flag.default === undefined || flag.default === false ? '' : `\`${Array.isArray(flag.default) ? flag.default.join(',') : flag.default}\``;
      lines.push(`| \`${flagUsage(flag)}\` | ${fallback} | ${cell(flag.description)} |`);
    }
    lines.push('');
  }
  const examples = (command.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command)).map((e) => e.replace('<%= config.bin %>', bin));
  if (examples.length > 0) lines.push('Examples:', '', '```sh', ...examples, '```', '');
  return lines.join('\n');
}

/** The whole reference as Markdown. */
export function commandReference() {
  const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const bin = pkg.oclif.bin;
  const commands = Object.values(manifest.commands)
    .filter((c) => !c.hidden)
    .sort((a, b) => a.id.localeCompare(b.id));
  const topics = pkg.oclif.topics ?? {};
  const out = [
    `# ${bin} command reference`,
    '',
    `Generated from the commands (\`npm run docs\`): every command, its flags and examples, as \`${bin} COMMAND --help\` shows them.`,
    `Every command also takes \`--json\`, \`--verbose\` and \`--dry-run\` (see the [README](../README.md)).`,
    '',
  ];
  const topicOf = (c) => (c.id.includes(':') ? c.id.split(':')[0] : '');
  // The topics first (compose, dev, ha), then the commands of no topic.
  const order = [...new Set(commands.map(topicOf))].sort((a, b) => (a === '') - (b === '') || a.localeCompare(b));
  for (const topic of order) {
    out.push(`## ${topic ? `\`${bin} ${topic}\`: ${topics[topic]?.description ?? ''}` : 'Other commands'}`, '');
    for (const command of commands.filter((c) => topicOf(c) === topic)) out.push(commandSection(bin, command));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(REFERENCE_FILE, commandReference());
  process.stderr.write(`wrote ${path.relative(root, REFERENCE_FILE)}\n`);
}
