#!/usr/bin/env node
/**
 * schemas/*.json, the JSON Schemas of kp's `--json` output, generated from the TypeScript types in
 * src/cli/json-contract.ts by ts-json-schema-generator: one per command (`<topic>-<verb>.json`), the
 * error object (`error.json`) and the NDJSON line of `kp ha sync --watch` (`ha-sync-watch-line.json`).
 * Strict: an object takes no property its type does not declare, so a renamed or added field fails
 * validation. `npm run schemas` writes them (and removes stale ones); test/unit/cli/json-schemas.test.ts
 * fails when the committed files and the types differ.
 */
import {readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {createGenerator} from 'ts-json-schema-generator';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_DIR = path.join(root, 'schemas');
const CONTRACT = path.join(root, 'src', 'cli', 'json-contract.ts');

/** The schema file of a command: `compose:start` -> `compose-start.json`. */
export function schemaFileOf(commandId) {
  return `${commandId.replaceAll(':', '-')}.json`;
}

/** The schema file of the `--json` error object, and of one `kp ha sync --watch --json` line. */
export const ERROR_SCHEMA = 'error.json';
export const WATCH_LINE_SCHEMA = 'ha-sync-watch-line.json';

/** The definitions a schema needs: those its `$ref`s reach, transitively. */
function reachable(node, definitions, found = new Set()) {
  if (Array.isArray(node)) {
    for (const item of node) reachable(item, definitions, found);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
        const name = decodeURIComponent(value.slice('#/definitions/'.length));
        if (found.has(name)) continue;
        if (!definitions[name]) throw new Error(`schema generator: ${value} names no definition`);
        found.add(name);
        reachable(definitions[name], definitions, found);
      } else reachable(value, definitions, found);
    }
  }
  return found;
}

/** One standalone schema file: `root` (a schema that `$ref`s the definitions) with what it reaches. */
function standalone(file, title, description, rootSchema, definitions) {
  const names = [...reachable(rootSchema, definitions)].sort();
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: file,
    title,
    description,
    ...rootSchema,
    definitions: Object.fromEntries(names.map((name) => [name, definitions[name]])),
  };
}

/**
 * Every schema file, generated in memory: `files` (file name -> schema) and `withoutJson`
 * (command id -> why it prints no JSON).
 */
export function generateSchemas() {
  const generator = createGenerator({
    path: CONTRACT,
    tsconfig: path.join(root, 'tsconfig.json'),
    type: '*',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    // `npm run typecheck` checks the types; the generator only reads them.
    skipTypeCheck: true,
    additionalProperties: false,
  });
  const {definitions} = generator.createSchema('*');
  const results = definitions.JsonResults;
  const files = {};
  for (const [id, property] of Object.entries(results.properties)) {
    const {description, ...schema} = property;
    const file = schemaFileOf(id);
    files[file] = standalone(file, `kp ${id.replaceAll(':', ' ')} --json`, description, schema, definitions);
  }
  const byType = (type) => [definitions[type].description, {$ref: `#/definitions/${type}`}, definitions];
  files[ERROR_SCHEMA] = standalone(ERROR_SCHEMA, 'kp --json error', ...byType('JsonError'));
  files[WATCH_LINE_SCHEMA] = standalone(WATCH_LINE_SCHEMA, 'kp ha sync --watch --json line', ...byType('HaSyncWatchLine'));
  const withoutJson = Object.fromEntries(Object.entries(definitions.CommandsWithoutJson.properties).map(([id, p]) => [id, p.description]));
  return {files, withoutJson};
}

/** A schema file's text: two-space JSON, one trailing newline. */
export function schemaText(schema) {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const {files} = generateSchemas();
  mkdirSync(SCHEMA_DIR, {recursive: true});
  for (const stale of readdirSync(SCHEMA_DIR).filter((name) => name.endsWith('.json') && !(name in files))) {
    rmSync(path.join(SCHEMA_DIR, stale));
    process.stderr.write(`removed schemas/${stale}\n`);
  }
  let written = 0;
  for (const [name, schema] of Object.entries(files)) {
    const target = path.join(SCHEMA_DIR, name);
    const text = schemaText(schema);
    let current;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    writeFileSync(target, text);
    written += 1;
  }
  process.stderr.write(`schemas/: ${Object.keys(files).length} schemas, ${written} written\n`);
}
