/**
 * kp's `--json` contract: schemas/*.json are generated from src/cli/json-contract.ts
 * (`npm run schemas`), cover every command, ship in the package, and reject output that drifts
 * from them (a renamed or added field, an undeclared error detail, a wrong exit code).
 */
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {projectRoot} from '../../helpers/cli.js';
import {commandIdOf, jsonContractProblems, printsJson, SCHEMA_DIR, schemaFileOf, schemaProblems} from '../../helpers/json-contract.js';

interface Generated {
  files: Record<string, object>;
  withoutJson: Record<string, string>;
}

const generator = (await import(path.join(projectRoot, 'scripts', 'schemas.mjs'))) as {
  generateSchemas: () => Generated;
  schemaText: (schema: object) => string;
  schemaFileOf: (id: string) => string;
};
// One generation for the whole file: it reads the TypeScript program (about two seconds).
const generated = generator.generateSchemas();
const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, unknown>}>;
};
const committed = readdirSync(SCHEMA_DIR).filter((name) => name.endsWith('.json'));

describe('the committed schemas', () => {
  it('Given the result types, When the schemas are generated again, Then schemas/ holds exactly those files (run `npm run schemas` after changing a result type)', () => {
    expect(committed.sort(), 'schemas/ has stale or missing files: run `npm run schemas`').toEqual(Object.keys(generated.files).sort());
    for (const [name, schema] of Object.entries(generated.files)) {
      expect(readFileSync(path.join(SCHEMA_DIR, name), 'utf8'), `schemas/${name} differs from its TypeScript type: run \`npm run schemas\` and commit it`).toBe(
        generator.schemaText(schema),
      );
    }
  });

  it('Given every command in oclif.manifest.json, When its --json flag is looked up, Then it has a schema or is listed as printing no JSON, and no schema names a command that is gone', () => {
    const ids = Object.keys(manifest.commands);
    expect(ids.length).toBeGreaterThanOrEqual(17);
    for (const id of ids) {
      expect(manifest.commands[id]!.flags, id).toHaveProperty('json');
      const file = schemaFileOf(id);
      expect(file in generated.files !== id in generated.withoutJson, `${id}: a schema (${file}) or an entry in CommandsWithoutJson, exactly one`).toBe(true);
    }
    const commandSchemas = Object.keys(generated.files).filter((file) => !['error.json', 'ha-sync-watch-line.json'].includes(file));
    expect(commandSchemas.sort()).toEqual(
      ids
        .filter((id) => !(id in generated.withoutJson))
        .map(schemaFileOf)
        .sort(),
    );
    // The test helper and the generator name files alike.
    for (const id of ids) expect(generator.schemaFileOf(id)).toBe(schemaFileOf(id));
  });

  it('Given a schema, When it is read, Then it names its command, says what it holds, and lets no undeclared field through', () => {
    for (const [name, schema] of Object.entries(generated.files) as Array<[string, Record<string, any>]>) {
      expect(schema.$id).toBe(name);
      expect(schema.title).toMatch(/^kp .*--json/);
      expect(schema.description, name).toMatch(/\w{3,}/);
      // Every object with declared properties is closed (a typo'd or renamed field fails validation).
      const open: string[] = [];
      const walk = (node: unknown, where: string): void => {
        if (!node || typeof node !== 'object') return;
        const object = node as Record<string, unknown>;
        if (object.properties && object.additionalProperties !== false) open.push(where);
        for (const [key, value] of Object.entries(object)) walk(value, `${where}/${key}`);
      };
      walk(schema, name);
      expect(open).toEqual([]);
    }
  });

  it('Given package.json, When its files are read, Then the schemas ship with kp (users reference them)', () => {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {files: string[]; scripts: Record<string, string>};
    expect(pkg.files).toContain('schemas/*.json');
    expect(pkg.scripts.schemas).toBe('node scripts/schemas.mjs');
  });
});

/** A `kp compose stop --json` result that keeps the contract. */
const stopped = {project: 'kp-unit', stopped: ['backend'], alreadyStopped: false, dryRun: false};

describe('validating a run against the schemas', () => {
  it('Given kp arguments, When the command is looked up, Then the longest command id wins and flags, values and Skaffold arguments are not words', () => {
    expect(commandIdOf(['compose', 'stop', '--json'])).toBe('compose:stop');
    expect(commandIdOf(['autocomplete', 'script', 'bash'])).toBe('autocomplete:script');
    expect(commandIdOf(['autocomplete', 'bash'])).toBe('autocomplete');
    expect(commandIdOf(['doctor', '--json'])).toBe('doctor');
    expect(commandIdOf(['compose', 'strat', '--json'])).toBeUndefined();
    expect(printsJson(['dev', 'up', '--', '--json'])).toBe(false);
    expect(printsJson(['compose', 'stop', '--json', '--help'])).toBe(false);
    expect(printsJson(['compose', 'stop', '--json'])).toBe(true);
  });

  it('Given a result that keeps its schema, When it is checked, Then there is nothing to say', () => {
    expect(jsonContractProblems(['compose', 'stop', '--json'], {stdout: JSON.stringify(stopped, null, 2), exitCode: 0})).toEqual([]);
  });

  it('Given a result with a renamed field, When it is checked, Then the schema names the missing and the unknown field with the keyword', () => {
    const {stopped: services, ...rest} = stopped;
    const problems = jsonContractProblems(['compose', 'stop', '--json'], {stdout: JSON.stringify({...rest, stoppedServices: services}), exitCode: 0});
    expect(problems).toEqual([
      expect.stringMatching(/^compose-stop\.json: \(the root\) must have required property 'stopped' \(keyword required/),
      expect.stringMatching(/^compose-stop\.json: \(the root\) must NOT have additional properties: "stoppedServices" \(keyword additionalProperties/),
    ]);
  });

  it('Given a nested value of the wrong type or outside its enum, When it is checked, Then the path to it is named', () => {
    const problems = schemaProblems('ha-down.json', {target: 'podman', where: 'x', removed: [1], volumeRemoved: false, dryRun: false});
    expect(problems.join('\n')).toMatch(/\/target must be equal to one of the allowed values: \["kubernetes","docker"\]/);
    expect(problems.join('\n')).toMatch(/\/removed\/0 must be string \(keyword type/);
  });

  it('Given error objects, When they are checked, Then a declared detail passes, and an undeclared one or an exit code that is not the process exit code fails', () => {
    const error = {message: 'Cannot start: port 8080 (frontend) is in use.', hint: 'Stop whatever holds the port.', exitCode: 3};
    const run = (body: object, exitCode: number) => jsonContractProblems(['compose', 'start', '--json'], {stdout: JSON.stringify({error: body}), exitCode});
    expect(run({...error, conflicts: [{port: 8080, service: 'frontend'}]}, 3)).toEqual([]);
    expect(run({...error, conflict: [{port: 8080, service: 'frontend'}]}, 3)).toEqual([
      expect.stringMatching(/^error\.json: \/error must NOT have additional properties: "conflict"/),
    ]);
    expect(run(error, 2)).toEqual(['error.json: /error/exitCode is 3 but kp exited 2']);
    expect(run({...error, exitCode: 7}, 7)).toEqual([expect.stringMatching(/\/error\/exitCode must be equal to one of the allowed values/)]);
  });

  it('Given output that is not one JSON object, When it is checked, Then empty or mixed stdout fails (nothing but the object may be on stdout)', () => {
    expect(jsonContractProblems(['compose', 'stop', '--json'], {stdout: '', exitCode: 0})).toEqual([expect.stringMatching(/stdout is empty/)]);
    expect(jsonContractProblems(['compose', 'stop', '--json'], {stdout: `backend | started\n${JSON.stringify(stopped)}`, exitCode: 0})).toEqual([
      expect.stringMatching(/^stdout is not JSON/),
    ]);
    // Without --json, or killed mid-output, there is no contract to check.
    expect(jsonContractProblems(['compose', 'stop'], {stdout: 'Stopped backend.', exitCode: 0})).toEqual([]);
    expect(jsonContractProblems(['compose', 'stop', '--json'], {stdout: '{"proj', exitCode: null, signal: 'SIGKILL'})).toEqual([]);
  });

  it('Given a command that prints no JSON, When it printed a result anyway, Then that is a contract break; its refusal (an error object) is fine', () => {
    const args = ['autocomplete', 'script', 'bash', '--json'];
    expect(jsonContractProblems(args, {stdout: '{"shell":"bash"}', exitCode: 0})).toEqual([expect.stringMatching(/has no result schema/)]);
    const refusal = {error: {message: 'kp autocomplete script prints shell code, not JSON.', hint: 'Run it without --json.', exitCode: 2}};
    expect(jsonContractProblems(args, {stdout: JSON.stringify(refusal), exitCode: 2})).toEqual([]);
  });

  it('Given the NDJSON of kp ha sync --watch, When each line is checked, Then rounds, the summary and an error line pass and a drifted line is named by number', () => {
    const args = ['ha', 'sync', '--watch', '--json'];
    const failedRound = {round: 1, ok: false, error: {message: 'Lint failed.', hint: 'Fix the findings.', exitCode: 2}};
    const summary = {watch: true, failedRounds: 1, interruptedRounds: 0, summary: true, rounds: 1, exitCode: 130};
    const lines = (...values: object[]) => values.map((v) => JSON.stringify(v)).join('\n') + '\n';
    expect(jsonContractProblems(args, {stdout: lines(failedRound, summary), exitCode: 130})).toEqual([]);
    expect(jsonContractProblems(args, {stdout: lines({error: {message: 'No component here.', hint: 'Pass --source.', exitCode: 2}}), exitCode: 2})).toEqual([]);
    const drifted = jsonContractProblems(args, {stdout: lines(failedRound, {...summary, roundsDone: 1}), exitCode: 130});
    expect(drifted).toEqual([
      expect.stringMatching(/^line 2: ha-sync-watch-line\.json \(HaWatchSummaryLine\): \(the root\) must NOT have additional properties: "roundsDone"/),
    ]);
  });
});
