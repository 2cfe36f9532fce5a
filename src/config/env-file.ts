/**
 * The compose stack's env file: created from compose/.env.example with generated secrets,
 * never overwritten, completed with missing keys, and validated (placeholders refused).
 * Errors point at file:line:col.
 */
import {randomBytes} from 'node:crypto';
import {appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {parse as parseDotenv} from 'dotenv';
import {fail, KpError} from '../core/errors.js';

/** One KEY=VALUE line with its position in the file. */
export interface EnvEntry {
  key: string;
  value: string;
  line: number;
  column: number;
}

/** A parsed env file: values plus where each key stands. */
export interface ParsedEnvFile {
  file: string;
  entries: Map<string, EnvEntry>;
}

/** The placeholder JWT secret upstream documents; it must never be used. */
export const JWT_PLACEHOLDER = 'change-me-in-production-use-openssl-rand-hex-32';

const PLACEHOLDERS = new Set(['changeme', 'change-me', 'change_me', 'changeit', 'changethis', 'password', 'secret', JWT_PLACEHOLDER]);

/** How each secret is generated (node:crypto, 32 random bytes). */
export const SECRET_GENERATORS: Record<string, () => string> = {
  ARANGO_ROOT_PASSWORD: () => randomBytes(32).toString('base64url'),
  ARANGODB_PASSWORD: () => randomBytes(32).toString('base64url'),
  JWT_SECRET_KEY: () => randomBytes(32).toString('hex'),
  TIMESCALEDB_PASSWORD: () => randomBytes(32).toString('base64url'),
};

/** Keys whose values are secrets (redacted, placeholder-checked). */
export function isSecretKey(key: string): boolean {
  return key in SECRET_GENERATORS || /(PASSWORD|SECRET|TOKEN|API_KEY)/.test(key);
}

const ASSIGNMENT = /^(\s*)(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/;

/**
 * Parse env-file text; dotenv decides the values, a line scan gives the positions. A line that is
 * neither `KEY=value`, a comment nor blank is refused with file:line:col (dotenv would skip it
 * silently, and the setting the user meant would not take effect). A quoted value may span lines.
 */
export function parseEnvText(text: string, file: string): ParsedEnvFile {
  const values = parseDotenv(text);
  const entries = new Map<string, EnvEntry>();
  let openQuote: string | undefined;
  text.split(/\r?\n/).forEach((lineText, index) => {
    if (openQuote) {
      // Inside a multi-line quoted value: it ends at the line holding the closing quote.
      if (lineText.includes(openQuote)) openQuote = undefined;
      return;
    }
    const match = ASSIGNMENT.exec(lineText);
    if (!match) {
      const trimmed = lineText.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const column = lineText.length - lineText.trimStart().length + 1;
      throw fail.usage(
        `${file}:${index + 1}:${column}: not a KEY=value line: ${JSON.stringify(trimmed.length > 60 ? `${trimmed.slice(0, 57)}...` : trimmed)}`,
        'Each line is KEY=value, a # comment, or blank: fix or delete that line.',
      );
    }
    const rest = lineText.slice(match[0].length).trimStart();
    const quote = rest[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !rest.slice(1).includes(quote)) openQuote = quote;
    const key = match[2]!;
    if (key in values) entries.set(key, {key, value: values[key] ?? '', line: index + 1, column: match[1]!.length + 1});
  });
  return {file, entries};
}

/** Read and parse an env file: a directory is a usage error, an unreadable file a prerequisite, both with the fix. */
export function readEnvFile(file: string): ParsedEnvFile {
  let text: string;
  try {
    if (statSync(file).isDirectory()) {
      throw fail.usage(
        `${file} is a directory, not an env file.`,
        'Name a file with --env-file (kp creates it when it does not exist), or move the directory away.',
      );
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof KpError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw fail.prerequisite(
        `Cannot read the env file ${file}: permission denied.`,
        `It must be yours and readable: \`chmod 600 ${file}\` (and \`chown\` it to you if it is not).`,
      );
    }
    throw fail.prerequisite(`Cannot read the env file ${file}: ${(error as Error).message}`, 'Check the path given with --env-file.');
  }
  return parseEnvText(text, file);
}

/** Is this value a known placeholder that must be replaced? */
export function isPlaceholder(value: string): boolean {
  const normalised = value.trim().toLowerCase();
  // Upstream's own placeholders all start with "change-me"/"changeme"; the set holds the other usual ones.
  return PLACEHOLDERS.has(normalised) || /^change[-_]?me/.test(normalised);
}

function position(parsed: ParsedEnvFile, entry: EnvEntry): string {
  return `${parsed.file}:${entry.line}:${entry.column}`;
}

/** Refuse placeholders, empty secrets and a backend password that does not match root's. */
export function validateEnv(parsed: ParsedEnvFile): void {
  for (const entry of parsed.entries.values()) {
    if (!isSecretKey(entry.key)) continue;
    if (isPlaceholder(entry.value)) {
      throw fail.usage(
        `${position(parsed, entry)}: ${entry.key} is the placeholder "${entry.value}".`,
        `Delete the ${entry.key} line and run the command again: kp generates a random value. Or set your own (at least 16 characters).`,
      );
    }
    if (entry.value === '' && entry.key in SECRET_GENERATORS) {
      throw fail.usage(
        `${position(parsed, entry)}: ${entry.key} is empty.`,
        `Delete the ${entry.key} line and run the command again: kp generates a random value.`,
      );
    }
  }
  const user = parsed.entries.get('ARANGODB_USERNAME')?.value ?? 'root';
  const backendPassword = parsed.entries.get('ARANGODB_PASSWORD');
  const rootPassword = parsed.entries.get('ARANGO_ROOT_PASSWORD');
  if (user === 'root' && backendPassword && rootPassword && backendPassword.value !== rootPassword.value) {
    throw fail.usage(
      `${position(parsed, backendPassword)}: ARANGODB_PASSWORD differs from ARANGO_ROOT_PASSWORD (line ${rootPassword.line}) while ARANGODB_USERNAME is root.`,
      'With user root both must be equal: copy ARANGO_ROOT_PASSWORD into ARANGODB_PASSWORD.',
    );
  }
}

/** The values to add for missing keys: generated secrets, example defaults otherwise. */
export function valuesForMissingKeys(example: ParsedEnvFile, existing: ReadonlyMap<string, string>): Array<[string, string]> {
  const added: Array<[string, string]> = [];
  const known = new Map(existing);
  // Generate the root password before the backend password, which may have to equal it.
  const keys = [...example.entries.keys()].sort((a, b) => Number(b === 'ARANGO_ROOT_PASSWORD') - Number(a === 'ARANGO_ROOT_PASSWORD'));
  for (const key of keys) {
    if (known.has(key)) continue;
    let value = example.entries.get(key)!.value;
    if (key === 'ARANGODB_PASSWORD' && (known.get('ARANGODB_USERNAME') ?? 'root') === 'root' && known.get('ARANGO_ROOT_PASSWORD')) {
      value = known.get('ARANGO_ROOT_PASSWORD')!;
    } else if (key in SECRET_GENERATORS) {
      value = SECRET_GENERATORS[key]!();
    }
    known.set(key, value);
    added.push([key, value]);
  }
  const order = [...example.entries.keys()];
  return added.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
}

/** Render the example file with generated values filled into its empty secret lines. */
export function renderNewEnvFile(exampleText: string, example: ParsedEnvFile): string {
  const values = new Map(valuesForMissingKeys(example, new Map()));
  return exampleText
    .split('\n')
    .map((line) => {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=$/.exec(line);
      return match && SECRET_GENERATORS[match[1]!] ? `${match[1]}=${values.get(match[1]!)}` : line;
    })
    .join('\n');
}

/** What ensuring the env file did. */
export interface EnvFileReport {
  file: string;
  created: boolean;
  /** Keys appended to an existing file. */
  addedKeys: string[];
  /** The file was readable by others and kp set it to 0600. */
  permissionsTightened: boolean;
  /** The effective values (secrets included: never print them). */
  values: Record<string, string>;
}

/** Read and validate an existing env file without changing it (placeholders, empty secrets, mismatched passwords). */
export function checkEnvFile(file: string): void {
  if (existsSync(file)) validateEnv(readEnvFile(file));
}

/** Make sure the env file exists, is complete, private and free of placeholders. */
export function ensureEnvFile(file: string, examplePath: string, options: {dryRun: boolean}): EnvFileReport {
  const exampleText = readFileSync(examplePath, 'utf8');
  const example = parseEnvText(exampleText, examplePath);
  if (!existsSync(file)) {
    const text = renderNewEnvFile(exampleText, example);
    if (!options.dryRun) {
      mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
      // 'wx': never clobber a file that appeared meanwhile; 0600 from the first byte.
      writeFileSync(file, text, {mode: 0o600, flag: 'wx'});
    }
    const parsed = parseEnvText(text, file);
    return {file, created: true, addedKeys: [], permissionsTightened: false, values: valuesOf(parsed)};
  }
  const parsed = readEnvFile(file);
  validateEnv(parsed);
  const existing = new Map([...parsed.entries.values()].map((e) => [e.key, e.value] as [string, string]));
  const missing = valuesForMissingKeys(example, existing);
  if (missing.length > 0 && !options.dryRun) {
    const current = readFileSync(file, 'utf8');
    const lead = current.endsWith('\n') || current === '' ? '' : '\n';
    const block = missing.map(([key, value]) => `${key}=${value}`).join('\n');
    appendFileSync(file, `${lead}\n# Added by kp on ${new Date().toISOString().slice(0, 10)} (missing from this file)\n${block}\n`);
  }
  let permissionsTightened = false;
  if ((statSync(file).mode & 0o077) !== 0) {
    permissionsTightened = true;
    if (!options.dryRun) chmodSync(file, 0o600);
  }
  const values = {...Object.fromEntries(existing), ...Object.fromEntries(missing)};
  return {file, created: false, addedKeys: missing.map(([key]) => key), permissionsTightened, values};
}

function valuesOf(parsed: ParsedEnvFile): Record<string, string> {
  return Object.fromEntries([...parsed.entries.values()].map((e) => [e.key, e.value]));
}
