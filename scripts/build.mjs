#!/usr/bin/env node
/**
 * `npm run bundle`: type-check, then bundle src/ into dist/ with esbuild, then write oclif's manifest.
 * (Not called `build`: npm prepares a git dependency that has a `build`, `prepare` or install script by
 * running `npm install` in its clone, and for a global install that inner install goes to the global
 * prefix and leaves a broken kp behind, npm/cli#8440. kp's bundle is committed instead.)
 *
 * Why a bundle: Node 20 pays per module file (resolve, read, compile, link), and kp's dependencies
 * are hundreds of small files: unbundled, `kp compose status` spent ~5x a bare `node -e 0` before its
 * first spawn. oclif finds the commands through the bundle's `COMMANDS` export (its "explicit"
 * command discovery, package.json `oclif.commands`).
 *
 * dist/bundle-map.json records which npm packages each output file carries, so the start-up test
 * can tell "help loaded @oclif/core" from the list of loaded dist/ files.
 */
import {execFileSync} from 'node:child_process';
import {rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');

/** The npm package a metafile input path belongs to, or undefined for kp's own sources. */
function packageOf(input) {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const quiet = process.argv.includes('--quiet');
const log = (line) => quiet || process.stderr.write(`${line}\n`);

log('build: type-check (tsc --noEmit)');
execFileSync(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], {cwd: root, stdio: 'inherit'});

rmSync(dist, {recursive: true, force: true});
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  metafile: true,
  minify: process.env.KP_BUILD_PLAIN !== '1',
  // Class and function names stay readable in errors and in oclif's command ids.
  keepNames: true,
  logLevel: 'warning',
  // oclif's optional TypeScript support (ts-node) is never used by a built kp.
  external: ['typescript', 'ts-node'],
  // The shell scripts kp runs in the HA container (src/workflows/ha/sh) are bundled as text.
  loader: {'.sh': 'text'},
};

// 1. The whole CLI as ONE CommonJS file. CommonJS because Node 20 can cache V8's compiled code only
//    for scripts it compiles through vm.Script (bin/run.cjs does, see there), not for ES modules;
//    one file because that cache is per script. Lazy `import()`s stay lazy: esbuild wraps those
//    modules in init functions that run on first import.
log('build: bundle the CLI (dist/kp.cjs) with esbuild');
const cli = await build({
  ...common,
  entryPoints: [path.join(src, 'main.ts')],
  outfile: path.join(dist, 'kp.cjs'),
  format: 'cjs',
  // Two of oclif's dependencies that a built kp never uses but would evaluate at every start
  // (scripts/stubs/ says why each is safe).
  alias: {debug: './scripts/stubs/debug.cjs', tinyglobby: './scripts/stubs/tinyglobby.cjs'},
  // ES-module dependencies (execa, chalk, listr2) and src/config/paths.ts read import.meta.url.
  define: {'import.meta.url': '__kpImportMetaUrl'},
  banner: {js: "var __kpImportMetaUrl = require('node:url').pathToFileURL(__filename).href;"},
});

// 2. The fast help, a small CommonJS file bin/run.cjs requires without loading the CLI bundle.
log('build: bundle the fast help (dist/help.cjs)');
const help = await build({
  ...common,
  entryPoints: [path.join(src, 'cli/help.ts')],
  outfile: path.join(dist, 'help.cjs'),
  format: 'cjs',
});

const bundleMap = {};
for (const metafile of [cli.metafile, help.metafile]) {
  for (const [output, info] of Object.entries(metafile.outputs)) {
    const packages = [...new Set(Object.keys(info.inputs).map(packageOf).filter(Boolean))].sort();
    bundleMap[path.relative(dist, path.join(root, output))] = {packages};
  }
}
writeFileSync(path.join(dist, 'bundle-map.json'), `${JSON.stringify(bundleMap, null, 1)}\n`);

log('build: oclif manifest');
// oclif's own CLI would otherwise ask the npm registry for a newer oclif and print the answer.
execFileSync(bin('oclif'), ['manifest'], {
  cwd: root,
  stdio: quiet ? 'ignore' : ['ignore', 'ignore', 'inherit'],
  env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'},
});
