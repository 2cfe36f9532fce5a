/**
 * The import rule of README's "Architecture" section, checked on every source file: imports point
 * down the layer list only, a workflow never reaches into another feature (the doctor, which
 * reports on all of them, excepted), and runner.ts is the only module that imports execa.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {projectRoot} from '../helpers/cli.js';

const srcRoot = path.join(projectRoot, 'src');

/** The layers, top to bottom; a module may import its own layer or any layer below it. */
const LAYERS = ['main', 'commands', 'cli', 'workflows/feature', 'workflows/shared', 'tools', 'config', 'core', 'ui'] as const;
type Layer = (typeof LAYERS)[number];

function layerOf(file: string): Layer {
  const rel = path.relative(srcRoot, file).split(path.sep).join('/');
  if (rel.startsWith('workflows/shared/') || rel === 'workflows/context.ts') return 'workflows/shared';
  if (rel.startsWith('workflows/')) return 'workflows/feature';
  if (rel === 'main.ts') return 'main';
  const top = rel.split('/')[0]!;
  if ((LAYERS as readonly string[]).includes(top)) return top as Layer;
  throw new Error(`${rel} is in no layer: every source file belongs under one of ${LAYERS.join(', ')}`);
}

/** `compose`, `dev`, `ha`, `doctor` for a feature workflow; undefined otherwise. */
function featureOf(file: string): string | undefined {
  const rel = path.relative(srcRoot, file).split(path.sep).join('/');
  const match = /^workflows\/([^/]+)\//.exec(rel);
  return match && match[1] !== 'shared' ? match[1] : undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** Every module specifier a file imports, statically or with import(). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

const files = sourceFiles(srcRoot);
const edges = files.flatMap((from) =>
  importsOf(from)
    // a relative path into node_modules is a package import (cli/autocomplete.ts, see there)
    .filter((spec) => spec.startsWith('.') && !spec.includes('/node_modules/'))
    .map((spec) => ({from, to: path.resolve(path.dirname(from), spec).replace(/\.js$/, '.ts'), spec})),
);
const rel = (file: string) => path.relative(srcRoot, file);

describe('the import rule', () => {
  it('Given the source tree, When its imports are read, Then there are files and relative imports to check', () => {
    // A check over nothing would pass vacuously.
    expect(files.length).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(150);
  });

  it('Given every relative import, When its layers are compared, Then it points to the same layer or down', () => {
    const upward = edges
      .filter((e) => LAYERS.indexOf(layerOf(e.to)) < LAYERS.indexOf(layerOf(e.from)))
      .map((e) => `${rel(e.from)} (${layerOf(e.from)}) imports ${rel(e.to)} (${layerOf(e.to)})`);
    expect(upward).toEqual([]);
  });

  it('Given the feature workflows, When one imports another, Then it is only the doctor reading the features it reports on, or ha/up.ts running the compose stack it is a profile of', () => {
    // `kp ha up --target docker` IS the compose stack's homeassistant profile: it runs compose's own
    // start workflow instead of a second copy of it. Only that file may cross, and only into compose.
    const allowed = (e: (typeof edges)[number]) =>
      featureOf(e.from) === 'doctor' || (rel(e.from) === path.join('workflows', 'ha', 'up.ts') && featureOf(e.to) === 'compose');
    const crossing = edges
      .filter((e) => featureOf(e.from) && featureOf(e.to) && featureOf(e.from) !== featureOf(e.to) && !allowed(e))
      .map((e) => `${rel(e.from)} imports ${rel(e.to)}`);
    expect(crossing).toEqual([]);
    // The exception is used (else it would be dead weight in the rule).
    expect(edges.some((e) => rel(e.from) === path.join('workflows', 'ha', 'up.ts') && featureOf(e.to) === 'compose')).toBe(true);
  });

  it('Given the whole tree, When execa imports are listed, Then runner.ts is the only one', () => {
    const importers = files.filter((file) => importsOf(file).includes('execa')).map(rel);
    expect(importers).toEqual([path.join('tools', 'runner.ts')]);
  });

  it('Given the whole tree, When failures are built, Then only core/errors.ts calls new KpError (everything else uses its constructors per exit code)', () => {
    const builders = files.filter((file) => /\bnew KpError\(/.test(readFileSync(file, 'utf8'))).map(rel);
    expect(builders).toEqual([path.join('core', 'errors.ts')]);
  });

  it('Given the whole tree, When waits are listed, Then every deadline loop goes through core/poll.ts (only the watch sleeps itself: its event stream reconnects with a back-off, no deadline)', () => {
    const sleepers = files.filter((file) => /\bawait sleep\(/.test(readFileSync(file, 'utf8'))).map(rel);
    expect(sleepers.sort()).toEqual([path.join('core', 'poll.ts'), path.join('workflows', 'ha', 'watch.ts')]);
    const loops = files.filter((file) => /while \([^)]*Date\.now\(\)/.test(readFileSync(file, 'utf8'))).map(rel);
    expect(loops).toEqual([]);
  });

  it('Given the fast help path, When cli/help.ts is read, Then it imports nothing but node:fs and the exit-code table', () => {
    expect(importsOf(path.join(srcRoot, 'cli', 'help.ts')).sort()).toEqual(['../core/errors.js', 'node:fs']);
  });

  it('Given src/commands/, When the bundle entry src/main.ts is read, Then COMMANDS names every command file under its oclif id', () => {
    const commandFiles = files
      .map((file) => path.relative(path.join(srcRoot, 'commands'), file).split(path.sep).join('/'))
      .filter((rel) => !rel.startsWith('..'))
      .map((rel) => rel.replace(/\.ts$/, ''));
    expect(commandFiles.length).toBeGreaterThan(10);
    const main = readFileSync(path.join(srcRoot, 'main.ts'), 'utf8');
    for (const rel of commandFiles) {
      const imported = new RegExp(`import (\\w+) from '\\./commands/${rel}\\.js';`).exec(main);
      expect(imported, `src/main.ts does not import commands/${rel}`).not.toBeNull();
      const id = rel.replace(/\/index$/, '').replace('/', ':');
      expect(main).toContain(`${id.includes(':') ? `'${id}'` : id}: ${imported![1]},`);
    }
  });

  it('Given a made-up upward import, When the layers are compared, Then the rule catches it (the check has teeth)', () => {
    const fake = {from: path.join(srcRoot, 'tools', 'docker.ts'), to: path.join(srcRoot, 'workflows', 'compose', 'stack.ts')};
    expect(LAYERS.indexOf(layerOf(fake.to))).toBeLessThan(LAYERS.indexOf(layerOf(fake.from)));
  });
});
