/**
 * The CLI's start-up path, root help and version: the real bin/run.cjs, nothing faked.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
// @ts-expect-error plain ESM fixture without types
import {smallFiles, writeComponent} from '../../fixtures/ha/make-component.mjs';
import {homeEnv, kpBin, projectRoot, runKp} from '../../helpers/cli.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs();
const HEAVY = ['execa', 'listr2', 'chalk', 'yaml', 'dotenv', '@oclif/core'];

/** Every module file kp loads while running `args` (written by test/helpers/record-modules.cjs). */
function modulesOf(args: string[], env: NodeJS.ProcessEnv = {}, status = 0, cwd?: string): string[] {
  const log = path.join(tempDir('kp-modules-'), 'modules.log');
  const home = tempDir('kp-home-');
  const result = spawnSync(process.execPath, ['--require', path.join(projectRoot, 'test/helpers/record-modules.cjs'), kpBin, ...args], {
    env: homeEnv(home, {...env, KP_MODULE_LOG: log}),
    encoding: 'utf8',
    cwd,
  });
  expect(result.status, result.stderr).toBe(status);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

/** The npm packages inside the loaded files: node_modules paths, and what dist/bundle-map.json says a bundle carries. */
function packagesIn(files: string[]): string[] {
  const bundleMap = JSON.parse(readFileSync(path.join(projectRoot, 'dist', 'bundle-map.json'), 'utf8')) as Record<string, {packages: string[]}>;
  const dist = path.join(projectRoot, 'dist') + path.sep;
  return files.flatMap((file) => {
    if (file.startsWith(dist)) return bundleMap[file.slice(dist.length)]?.packages ?? [];
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    return match ? [match[1]!] : [];
  });
}

describe('Given the start-up path (help, version, a topic)', () => {
  it.each([[['--version']], [['--help']], [['compose', 'start', '--help']], [['dev', 'up', '--help']], [['ha', 'sync', '-h']], [['compose']]])(
    'When kp %j runs, Then it loads none of execa, listr2, chalk, yaml, dotenv, @oclif/core',
    (args) => {
      const files = modulesOf(args);
      // the recorder saw kp's own entry, so an empty list cannot pass for "nothing heavy"
      expect(files).toContain(kpBin);
      expect(files.filter((file) => file.endsWith(`${path.sep}kp.cjs`))).toEqual([]);
      for (const heavy of HEAVY) expect(packagesIn(files)).not.toContain(heavy);
    },
  );

  it('When a real command runs, Then the same recorder does see the CLI bundle and its packages', () => {
    // The control for the test above: a command refused for its flags has loaded the CLI.
    const files = modulesOf(['compose', 'stop', '--profile', 'nope'], {NO_COLOR: '1'}, 2);
    expect(files.some((file) => file.endsWith(`${path.sep}kp.cjs`))).toBe(true);
    expect(packagesIn(files)).toEqual(expect.arrayContaining(['@oclif/core', 'execa']));
    expect(packagesIn(files)).not.toContain('@astral-sh/ruff-wasm-nodejs');
  });

  it('When `kp ha sync --lint` runs with no ruff on PATH and stops before any file is compared, Then the in-process ruff satisfied --lint without being loaded', () => {
    // Given: a component, no ruff on PATH, no Docker engine at that address (exit 3 after the lint check)
    const checkout = tempDir('kp-lint-startup-');
    writeComponent(path.join(checkout, 'custom_components'), smallFiles());
    const env = {PATH: `${path.dirname(process.execPath)}${path.delimiter}/usr/bin:/bin`, DOCKER_HOST: 'unix:///nonexistent/kp-test.sock', NO_COLOR: '1'};
    // When
    const files = modulesOf(['ha', 'sync', '--lint', '--target', 'docker'], env, 3, checkout);
    // Then: the CLI ran (the control), the ~10 MB WebAssembly did not load
    expect(files.some((file) => file.endsWith(`${path.sep}kp.cjs`))).toBe(true);
    expect(packagesIn(files)).not.toContain('@astral-sh/ruff-wasm-nodejs');
  });
});

describe("Given the bundle stand-in for oclif's debug logger (scripts/stubs/debug.cjs)", () => {
  it('When DEBUG names oclif, Then its diagnostics still appear; without DEBUG, none do', () => {
    const home = tempDir('kp-debug-');
    const env = homeEnv(home);
    const withDebug = spawnSync(process.execPath, [kpBin, 'compose', 'stop', '--profile', 'nope'], {env: {...env, DEBUG: 'oclif:*'}, encoding: 'utf8'});
    expect(withDebug.stderr).toMatch(/oclif:main process\.argv/);
    const without = spawnSync(process.execPath, [kpBin, 'compose', 'stop', '--profile', 'nope'], {env: {...env, DEBUG: ''}, encoding: 'utf8'});
    expect(without.stderr).not.toMatch(/oclif:/);
    expect(without.status).toBe(2);
  });
});

/** Every regular file under the code-cache folder (Node's own cache keeps its files in a folder per Node version). */
function cacheFiles(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter((name) => lstatSync(path.join(dir, name)).isFile());
}

/** Node 22.1 and later cache compiled code themselves (module.enableCompileCache); on Node 20 kp does it with vm.Script. */
const builtInCompileCache = typeof (Module as {enableCompileCache?: unknown}).enableCompileCache === 'function';

describe('Given the code cache of the CLI bundle', () => {
  it(`When a command runs on this Node (${process.version}), Then the cache is ${builtInCompileCache ? "Node's own compile cache" : "kp's vm.Script cache"}, in kp's private folder`, () => {
    const home = tempDir('kp-cache-');
    const cacheDir = path.join(home, 'cache', 'kp', 'code-cache');
    const result = spawnSync(process.execPath, [kpBin, 'compose', 'stop', '--profile', 'nope'], {env: homeEnv(home), encoding: 'utf8'});
    expect(result.status, result.stderr).toBe(2);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    const [file] = cacheFiles(cacheDir);
    // Node's layout: <folder>/v<version>-<arch>-<hash>-<uid>/<hash of the file name>; kp's: one file named by the bundle's hash
    if (builtInCompileCache) expect(file).toMatch(new RegExp(`^${process.version.replaceAll('.', '\\.')}-${process.arch}-[0-9a-f]+-\\d+/[0-9a-f]+$`));
    else expect(file).toMatch(new RegExp(`^kp-[0-9a-f]{40}-${process.version.replaceAll('.', '\\.')}-${process.arch}\\.bin$`));
  });

  it('When a command runs twice with the same cache dir, Then the first run writes one cache file (mode 0600) and the second reuses it', () => {
    const home = tempDir('kp-cache-');
    const env = homeEnv(home);
    const cacheDir = path.join(home, 'cache', 'kp', 'code-cache');
    const first = spawnSync(process.execPath, [kpBin, 'compose', 'stop', '--profile', 'nope'], {env, encoding: 'utf8'});
    expect(first.status, first.stderr).toBe(2);
    const written = cacheFiles(cacheDir);
    expect(written).toHaveLength(1);
    expect(statSync(path.join(cacheDir, written[0]!)).mode & 0o777).toBe(0o600);
    const before = statSync(path.join(cacheDir, written[0]!)).mtimeMs;
    const second = spawnSync(process.execPath, [kpBin, 'compose', 'stop', '--profile', 'nope'], {env, encoding: 'utf8'});
    expect(second.status).toBe(2);
    expect(second.stderr).toBe(first.stderr);
    expect(cacheFiles(cacheDir)).toEqual(written);
    expect(statSync(path.join(cacheDir, written[0]!)).mtimeMs).toBe(before); // accepted, so not written again
  });

  it('When the bundle changes but keeps its size and mtime (an mtime-preserving copy), Then the new code runs, not the cached old one', () => {
    // Given: a copy of the installed package, run once so its cache exists
    const home = tempDir('kp-cache-');
    const pkg = path.join(home, 'pkg');
    for (const entry of ['bin', 'dist', 'compose', 'package.json', 'oclif.manifest.json', 'kind-config.yaml', 'skaffold.yaml']) {
      cpSync(path.join(projectRoot, entry), path.join(pkg, entry), {recursive: true, preserveTimestamps: true});
    }
    const env = homeEnv(home);
    const bin = path.join(pkg, 'bin', 'run.cjs');
    const bundle = path.join(pkg, 'dist', 'kp.cjs');
    expect(spawnSync(process.execPath, [bin, 'frobnicate'], {env, encoding: 'utf8'}).stderr).toContain('Unknown command');
    // When: the same-length edit, with size and mtime kept
    const {mtime, atime} = statSync(bundle);
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replace('Unknown command', 'Unknwon command'));
    utimesSync(bundle, atime, mtime);
    // Then
    expect(spawnSync(process.execPath, [bin, 'frobnicate'], {env, encoding: 'utf8'}).stderr).toContain('Unknwon command');
  });

  it('When the cache folder is writable by others (a shared XDG_CACHE_HOME), Then kp neither reads nor writes a cache there', () => {
    const home = tempDir('kp-cache-');
    const cacheDir = path.join(home, 'cache', 'kp', 'code-cache');
    mkdirSync(cacheDir, {recursive: true});
    chmodSync(cacheDir, 0o777);
    const env = homeEnv(home);
    const result = spawnSync(process.execPath, [kpBin, 'compose', 'stop', '--profile', 'nope'], {env, encoding: 'utf8'});
    expect(result.status, result.stderr).toBe(2);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('When the cache file is garbage or a symlink, Then kp still runs, and the garbage is replaced without writing through the link', () => {
    const home = tempDir('kp-cache-');
    const env = homeEnv(home);
    const cacheDir = path.join(home, 'cache', 'kp', 'code-cache');
    spawnSync(process.execPath, [kpBin, 'compose', 'stop', '--profile', 'nope'], {env});
    const [name] = cacheFiles(cacheDir);
    const cacheFile = path.join(cacheDir, name!);
    // Given: garbage where the cache was
    writeFileSync(cacheFile, 'not a code cache');
    const garbage = spawnSync(process.execPath, [kpBin, 'compose', 'stop', '--profile', 'nope'], {env, encoding: 'utf8'});
    expect(garbage.status, garbage.stderr).toBe(2);
    expect(readFileSync(cacheFile).subarray(0, 16).toString()).not.toBe('not a code cache');
    // Given: a symlink planted at the cache's name, pointing at a file of the user's
    const victim = path.join(home, 'victim.txt');
    writeFileSync(victim, 'precious');
    rmSync(cacheFile);
    symlinkSync(victim, cacheFile);
    const linked = spawnSync(process.execPath, [kpBin, 'compose', 'stop', '--profile', 'nope'], {env, encoding: 'utf8'});
    expect(linked.status, linked.stderr).toBe(2);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });
});

describe('Given the root command', () => {
  it('When kp --help runs, Then it lists every command and the exit-code table', async () => {
    const result = await runKp(['--help']);
    expect(result.exitCode).toBe(0);
    for (const command of ['compose start', 'compose stop', 'compose down', 'compose status', 'compose logs', 'doctor']) {
      expect(result.stdout).toContain(command);
    }
    expect(result.stdout).toMatch(/EXIT CODES[\s\S]*130\s+interrupted/);
  });

  it('When kp --version runs, Then it prints the version', async () => {
    const result = await runKp(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^kp\/\d+\.\d+\.\d+ /);
  });
});
