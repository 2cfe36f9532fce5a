/**
 * kp's `--json` contract, checked on every run a test makes: whatever a `kp ... --json` run prints on
 * stdout must validate against the committed schema of its command (schemas/, generated from
 * src/cli/json-contract.ts by `npm run schemas`), an `{"error": ...}` object against error.json with
 * the exit code it names, and each NDJSON line of `kp ha sync --watch` against ha-sync-watch-line.json.
 * runKp (test/helpers/cli.ts) calls it, so no test that reads `--json` can forget it.
 */
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv';
import ajvFormats from 'ajv-formats';

const addFormats = ajvFormats as unknown as (ajv: Ajv) => Ajv;
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the schemas are: the checkout's (an installed package's own copy can be named instead). */
export const SCHEMA_DIR = path.join(projectRoot, 'schemas');
export const ERROR_SCHEMA = 'error.json';
export const WATCH_LINE_SCHEMA = 'ha-sync-watch-line.json';

/** The schema file of a command: `compose:start` -> `compose-start.json` (as scripts/schemas.mjs names it). */
export function schemaFileOf(commandId: string): string {
  return `${commandId.replaceAll(':', '-')}.json`;
}

/** What one kp run printed and how it ended (a CliResult, or spawnSync's answer mapped to it). */
export interface JsonRun {
  stdout: string;
  exitCode: number | null;
  signal?: NodeJS.Signals | null;
}

const validators = new Map<string, Ajv>();

/** One Ajv per schema folder holding every schema in it, compiled once per test process. */
function ajvFor(dir: string): Ajv {
  let ajv = validators.get(dir);
  if (!ajv) {
    ajv = new Ajv({strict: true, allErrors: true, allowUnionTypes: true});
    addFormats(ajv);
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as object, file);
    }
    validators.set(dir, ajv);
  }
  return ajv;
}

/** The compiled schema `file` in `dir`, or undefined when there is none. */
export function schemaValidator(file: string, dir = SCHEMA_DIR): ValidateFunction | undefined {
  return ajvFor(dir).getSchema(file);
}

/** At most this many problems are listed per value (a union that fails lists every branch's errors). */
const MAX_PROBLEMS = 20;

/** Ajv's errors as lines a reader can act on: where, what, and the keyword that failed. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const lines = (errors ?? []).map((error) => {
    const where = error.instancePath || '(the root)';
    const extra =
      error.keyword === 'additionalProperties'
        ? `: ${JSON.stringify((error.params as {additionalProperty: string}).additionalProperty)}`
        : error.keyword === 'enum'
          ? `: ${JSON.stringify((error.params as {allowedValues: unknown[]}).allowedValues)}`
          : '';
    return `${where} ${error.message ?? 'is invalid'}${extra} (keyword ${error.keyword}, schema ${error.schemaPath})`;
  });
  const unique = [...new Set(lines)];
  return unique.length > MAX_PROBLEMS ? [...unique.slice(0, MAX_PROBLEMS), `... and ${unique.length - MAX_PROBLEMS} more`] : unique;
}

/** The problems of `value` against schema `file` (empty when it validates). */
export function schemaProblems(file: string, value: unknown, dir = SCHEMA_DIR): string[] {
  const validate = schemaValidator(file, dir);
  if (!validate) return [`there is no schema ${file} in ${path.relative(projectRoot, dir) || dir} (run \`npm run schemas\`)`];
  return validate(value) ? [] : describeErrors(validate.errors);
}

/**
 * The problems of one `--watch` line: against the whole line schema, explained by the branch the
 * line means (a round, the summary, or an error), whose errors read better than every branch's.
 */
function watchLineProblems(value: unknown, dir: string): string[] {
  if (schemaProblems(WATCH_LINE_SCHEMA, value, dir).length === 0) return [];
  const object = value && typeof value === 'object' ? value : {};
  const branch = 'round' in object ? 'WatchRound' : 'summary' in object ? 'HaWatchSummaryLine' : 'JsonError';
  const targeted = schemaProblems(`${WATCH_LINE_SCHEMA}#/definitions/${branch}`, value, dir);
  return (targeted.length > 0 ? targeted : schemaProblems(WATCH_LINE_SCHEMA, value, dir)).map((p) => `${WATCH_LINE_SCHEMA} (${branch}): ${p}`);
}

let commandIds: string[] | undefined;
/** Every command id the built CLI has (oclif.manifest.json), longest first. */
function knownCommands(): string[] {
  commandIds ??= Object.keys((JSON.parse(readFileSync(path.join(projectRoot, 'oclif.manifest.json'), 'utf8')) as {commands: object}).commands).sort(
    (a, b) => b.length - a.length,
  );
  return commandIds;
}

/** kp's own arguments: those before `--` (after it they belong to Skaffold). */
function ownArgs(args: readonly string[]): readonly string[] {
  const separator = args.indexOf('--');
  return separator >= 0 ? args.slice(0, separator) : args;
}

/** The command id `args` run (`['compose', 'start', ...]` -> `compose:start`), undefined for an unknown one. */
export function commandIdOf(args: readonly string[]): string | undefined {
  const words = [];
  for (const arg of ownArgs(args)) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  return knownCommands().find((id) => {
    const parts = id.split(':');
    return parts.every((part, i) => words[i] === part);
  });
}

/** Does this run promise JSON on stdout (`--json`, and not help or the version, which are text)? */
export function printsJson(args: readonly string[]): boolean {
  const own = ownArgs(args);
  return own.includes('--json') && !own.some((arg) => ['--help', '-h', '--version'].includes(arg) || arg === 'help');
}

/** The problems of one printed JSON value: an error object against error.json (and its exit code), else the command's schema. */
function valueProblems(value: unknown, resultSchema: string | undefined, exitCode: number | null, dir: string): string[] {
  if (value && typeof value === 'object' && 'error' in value) {
    const problems = schemaProblems(ERROR_SCHEMA, value, dir);
    const named = (value as {error: {exitCode?: unknown}}).error.exitCode;
    if (problems.length === 0 && named !== exitCode) problems.push(`/error/exitCode is ${String(named)} but kp exited ${String(exitCode)}`);
    return problems.map((p) => `${ERROR_SCHEMA}: ${p}`);
  }
  if (!resultSchema) return ['printed a result object, but this command has no result schema (it should refuse --json)'];
  return schemaProblems(resultSchema, value, dir).map((p) => `${resultSchema}: ${p}`);
}

/** Parse `text` as JSON, or say why it is not. */
function parse(text: string): {value: unknown} | {problem: string} {
  try {
    return {value: JSON.parse(text) as unknown};
  } catch (error) {
    return {problem: `is not JSON (${(error as Error).message})`};
  }
}

/**
 * Everything wrong with what a `kp ...args --json` run printed (empty when it keeps the contract, or
 * when the run promised no JSON or was killed mid-output).
 */
export function jsonContractProblems(args: readonly string[], run: JsonRun, dir = SCHEMA_DIR): string[] {
  if (!printsJson(args) || run.signal) return [];
  const id = commandIdOf(args);
  const watch = id === 'ha:sync' && ownArgs(args).some((arg) => arg === '--watch' || arg === '-w');
  const resultSchema = id && !watch && schemaValidator(schemaFileOf(id), dir) ? schemaFileOf(id) : undefined;
  if (watch) {
    const lines = run.stdout.split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) return ['stdout is empty: a --watch --json run prints one JSON line per round and a summary (or an error line)'];
    return lines.flatMap((line, index) => {
      const parsed = parse(line);
      if ('problem' in parsed) return [`line ${index + 1} ${parsed.problem}`];
      // A failed round carries an `error` too; only a line without a round is kp's own error object.
      const isError = parsed.value && typeof parsed.value === 'object' && 'error' in parsed.value && !('round' in parsed.value);
      const problems = isError ? valueProblems(parsed.value, undefined, run.exitCode, dir) : [];
      return [...problems, ...watchLineProblems(parsed.value, dir)].map((p) => `line ${index + 1}: ${p}`);
    });
  }
  if (run.stdout.trim() === '') return ['stdout is empty: a --json run prints its result or an {"error": ...} object'];
  const parsed = parse(run.stdout);
  if ('problem' in parsed) return [`stdout ${parsed.problem}`];
  return valueProblems(parsed.value, resultSchema, run.exitCode, dir);
}

/** Throw, with a message naming the command, the schema and each failing path, when a run breaks the contract. */
export function assertJsonContract(args: readonly string[], run: JsonRun, dir = SCHEMA_DIR): void {
  const problems = jsonContractProblems(args, run, dir);
  if (problems.length === 0) return;
  const shown = run.stdout.length > 2_000 ? `${run.stdout.slice(0, 2_000)}...` : run.stdout;
  throw new Error(
    [
      `\`kp ${args.join(' ')}\` (exit ${String(run.exitCode)}) broke its --json contract (schemas/; \`npm run schemas\` regenerates them from src/cli/json-contract.ts):`,
      ...problems.map((p) => `  - ${p}`),
      'stdout:',
      shown,
    ].join('\n'),
  );
}
