/**
 * docs/commands.md is the commands' own reference (scripts/command-reference.mjs, from the oclif
 * manifest the bundle writes): it must say what the commands say, and every command must be in it.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {projectRoot} from '../../helpers/cli.js';

describe('the command reference', () => {
  it('Given the commands as built, When the reference is generated again, Then docs/commands.md is exactly that (run `npm run docs` after changing a command)', async () => {
    const {commandReference, REFERENCE_FILE} = (await import(path.join(projectRoot, 'scripts', 'command-reference.mjs'))) as {
      commandReference: () => string;
      REFERENCE_FILE: string;
    };
    expect(readFileSync(REFERENCE_FILE, 'utf8'), 'docs/commands.md differs from the commands: run `npm run docs` and commit it').toBe(commandReference());
  });

  it('Given the command files, When the reference is read, Then every command has its section and every flag of `kp ha sync` is in it', () => {
    const reference = readFileSync(path.join(projectRoot, 'docs', 'commands.md'), 'utf8');
    const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, {hidden?: boolean; flags: Record<string, {name: string}>}>;
    };
    const visible = Object.entries(manifest.commands).filter(([, command]) => !command.hidden);
    expect(visible.length).toBeGreaterThanOrEqual(16);
    for (const [id] of visible) expect(reference, id).toContain(`### \`kp ${id.split(':').join(' ')}\``);
    for (const flag of Object.values(manifest.commands['ha:sync']!.flags).filter((f) => !['json', 'verbose', 'dry-run'].includes(f.name))) {
      expect(reference).toContain(`--${flag.name}`);
    }
  });
});
