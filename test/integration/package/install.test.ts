/**
 * Installing kp is one command. The built bundle is committed (dist/kp.cjs, dist/help.cjs,
 * oclif.manifest.json), so installing builds nothing and runs no script. kp's one runtime dependency,
 * Ruff's WebAssembly build (the lint gate's in-process ruff: ~10 MB that cannot live inside the
 * bundle), is pinned exactly and fetched from the registry like any dependency, by both
 * `npm install -g <tarball>` and `npm install -g <git URL>`. (Not a bundled dependency: a git install
 * packs the clone, which has no node_modules, and would go without it. A `prepare` build is not an
 * option either: npm prepares a global git install without its devDependencies and leaves a broken
 * install, npm/cli#8440, and npm 11 refuses a git package's scripts unless --allow-scripts names it.)
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {homeEnv, projectRoot} from '../../helpers/cli.js';
import {assertJsonContract} from '../../helpers/json-contract.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs();

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** kp's one runtime dependency: the lint gate's in-process ruff. */
const WASM = '@astral-sh/ruff-wasm-nodejs';

/** An isolated home for npm and kp: a throwaway npm cache and user config too. */
const npmEnv = (home: string) => homeEnv(home, {npm_config_cache: path.join(home, 'npm-cache'), npm_config_userconfig: path.join(home, 'npmrc')});

/** The tarball npm would publish, installed once into an empty prefix (throwaway npm cache and home; its one dependency from the registry). */
interface Installed {
  files: string[];
  prefix: string;
  home: string;
  env: NodeJS.ProcessEnv;
}
const fileDir = useTempDirs({scope: 'file'});
let installed: Installed;

beforeAll(() => {
  // npm test has built dist/ already, so pack does not run `prepare` again
  const work = fileDir('kp-pack-');
  const packed = JSON.parse(execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {cwd: projectRoot, encoding: 'utf8'})) as [
    {filename: string; files: {path: string}[]},
  ];
  const prefix = fileDir('kp-prefix-');
  const home = fileDir('kp-home-');
  const env = npmEnv(home);
  execFileSync(npm, ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', path.join(work, packed[0].filename)], {
    env,
    stdio: 'pipe',
  });
  installed = {files: packed[0].files.map((file) => file.path), prefix, home, env};
}, 120_000);

describe('Given kp packed as npm would publish it', () => {
  it('When the tarball is installed into an empty prefix, Then `kp --version` and `kp doctor --json` run from that prefix alone', () => {
    // Given: what the tarball holds
    const {files, prefix, home, env} = installed;
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/kp.cjs',
        'bin/run.cjs',
        'dist/kp.cjs',
        'dist/help.cjs',
        'oclif.manifest.json',
        'compose/docker-compose.yml',
        'schemas/error.json',
      ]),
    );
    expect(files.filter((file) => file.startsWith('src/') || file.startsWith('test/') || file.startsWith('node_modules/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      scripts: Record<string, string>;
    };
    // Everything kp runs is in the bundle but Ruff's WebAssembly build, pinned to one exact version.
    // Installing runs no script: none of those that make npm "prepare" a git dependency either
    // (pacote's git fetcher: build, prepare, prepack, preinstall, install, postinstall), which
    // breaks a global git install.
    expect(pkg.dependencies).toEqual({[WASM]: expect.stringMatching(/^\d+\.\d+\.\d+$/)});
    expect(Object.keys(pkg.scripts).filter((name) => /^(build|prepare|prepack|preinstall|install|postinstall)$/.test(name))).toEqual([]);

    // When: installed globally into an empty prefix (beforeAll)
    const kp = path.join(prefix, 'bin', 'kp');
    expect(existsSync(kp)).toBe(true);

    // Then: kp answers from the prefix, through the PATH entry npm made
    const pathEnv = {...env, PATH: `${path.join(prefix, 'bin')}${path.delimiter}${env.PATH ?? ''}`};
    const version = spawnSync('kp', ['--version'], {env: pathEnv, encoding: 'utf8'});
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^kp\/\d+\.\d+\.\d+ /);
    const doctor = spawnSync('kp', ['doctor', '--json'], {env: {...pathEnv, DOCKER_HOST: 'unix:///nonexistent/kp-test.sock'}, encoding: 'utf8'});
    // doctor fails a check here (no engine at that address) and says so as JSON: exit 3, not a crash
    expect(doctor.stderr).not.toMatch(/\n\s+at /);
    const report = JSON.parse(doctor.stdout) as {checks: {name: string; ok: boolean}[]};
    expect(report.checks.length).toBeGreaterThan(3);
    expect([0, 3]).toContain(doctor.status);
    // ...in the shape of the schema that shipped beside it (users validate against those files)
    const shippedSchemas = path.join(prefix, 'lib', 'node_modules', 'kp', 'schemas');
    assertJsonContract(['doctor', '--json'], {stdout: doctor.stdout, exitCode: doctor.status}, shippedSchemas);
    // and the installed copy found its shipped files (the compose file sits in the prefix, not here)
    const start = spawnSync('kp', ['compose', 'start', '--dry-run', '--json'], {
      env: {...pathEnv, DOCKER_HOST: 'unix:///nonexistent/kp-test.sock', KP_COMPOSE_PROJECT: `kp-pack-${process.pid}`},
      encoding: 'utf8',
      cwd: home,
    });
    // exit 3 (no engine) comes only after the shipped compose file was found and parsed (a missing one is exit 2)
    expect(start.status, start.stdout).toBe(3);
    expect(JSON.parse(start.stdout).error.exitCode).toBe(3);
    assertJsonContract(['compose', 'start', '--dry-run', '--json'], {stdout: start.stdout, exitCode: start.status}, shippedSchemas);
    // and the lint gate's in-process ruff loads from the installed bundle's place, as kp loads it
    // (tools/ruff-wasm.ts: require resolved from dist/kp.cjs), at the pinned version, and lints
    const requireFromBundle = createRequire(path.join(prefix, 'lib', 'node_modules', 'kp', 'dist', 'kp.cjs'));
    expect(requireFromBundle.resolve(WASM).startsWith(path.join(prefix, 'lib', 'node_modules', 'kp', 'node_modules'))).toBe(true);
    const ruff = requireFromBundle(WASM) as {
      Workspace: {new (options: object, encoding: number): {check(source: string): {code: string}[]}; version(): string};
      PositionEncoding: {Utf32: number};
    };
    expect(ruff.Workspace.version()).toBe(pkg.dependencies![WASM]);
    expect(new ruff.Workspace({}, ruff.PositionEncoding.Utf32).check('import os\n').map((d) => d.code)).toEqual(['F401']);
  });
});

describe('Given the committed bundle', () => {
  it('When npm test has just built the sources, Then the committed dist/ and oclif.manifest.json are that build (run `npm run bundle` and commit them)', () => {
    // npm test builds first: a difference here means sources changed without their bundle.
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'dist/kp.cjs', 'dist/help.cjs', 'oclif.manifest.json'], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect(changed, 'the bundle differs from the committed one: run `npm run bundle` and commit dist/ and oclif.manifest.json').toBe('');
  });

  it('When kp is installed from its git URL into an empty prefix, Then kp runs from there (no build, no registry)', () => {
    const prefix = tempDir('kp-git-prefix-');
    const home = tempDir('kp-git-home-');
    const env = npmEnv(home);
    // the committed HEAD, as `npm install -g git+https://...` would fetch it
    execFileSync(npm, ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', `git+file://${projectRoot}`], {env, stdio: 'pipe'});
    const version = spawnSync(path.join(prefix, 'bin', 'kp'), ['--version'], {env, encoding: 'utf8'});
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^kp\/\d+\.\d+\.\d+ /);
    const status = spawnSync(path.join(prefix, 'bin', 'kp'), ['compose', 'status', '--json', '--project-name', `kp-git-${process.pid}`], {
      env: {...env, DOCKER_HOST: 'unix:///nonexistent/kp-test.sock'},
      encoding: 'utf8',
    });
    // no engine at that address: exit 3 with kp's JSON error, not a missing-module crash
    expect(status.status, status.stderr).toBe(3);
    expect(JSON.parse(status.stdout).error.exitCode).toBe(3);
    assertJsonContract(
      ['compose', 'status', '--json'],
      {stdout: status.stdout, exitCode: status.status},
      path.join(prefix, 'lib', 'node_modules', 'kp', 'schemas'),
    );
    // and the lint gate's in-process ruff came along
    expect(existsSync(path.join(prefix, 'lib', 'node_modules', 'kp', 'node_modules', WASM, 'ruff_wasm_bg.wasm'))).toBe(true);
  }, 180_000);
});

/**
 * `kp` as a shell starts it: npm's link on PATH -> bin/kp.cjs, whose `#!/bin/sh` line starts
 * `node -- <file> args`, so Node never reads kp's arguments (it reads `--env-file` anywhere after the
 * script, and exits 9 when the file is missing). Each way a user's machine may start it: the kernel
 * through the shebang (dash is Debian's /bin/sh), bash and BusyBox sh reading the file, and GNU and
 * BusyBox env finding it on PATH (BusyBox env has no -S, so the launcher must not need it).
 */
describe('Given kp installed from the tarball, started the way a shell starts it', () => {
  const launchers: [string, (kp: string) => [string, string[]]][] = [
    ['the kernel (shebang, /bin/sh)', (kp) => [kp, []]],
    ['bash', (kp) => ['bash', [kp]]],
    ['BusyBox sh', (kp) => ['busybox', ['sh', kp]]],
    ['GNU env', () => ['env', ['kp']]],
    ['BusyBox env', () => ['busybox', ['env', 'kp']]],
  ];
  const run = (launcher: (kp: string) => [string, string[]], args: string[], extraEnv: Record<string, string> = {}) => {
    const kp = path.join(installed.prefix, 'bin', 'kp');
    const [command, prefixArgs] = launcher(kp);
    return spawnSync(command, [...prefixArgs, ...args], {
      env: {
        ...installed.env,
        PATH: `${path.join(installed.prefix, 'bin')}${path.delimiter}${installed.env.PATH ?? ''}`,
        DOCKER_HOST: 'unix:///nonexistent/kp-test.sock',
        KP_COMPOSE_PROJECT: `kp-launch-${process.pid}`,
        ...extraEnv,
      },
      cwd: installed.home,
      encoding: 'utf8',
    });
  };

  it.each(launchers)(
    'When %s runs `kp compose start --env-file missing.env --dry-run`, Then kp (not Node) takes the flag and names the file it would create',
    (_name, launcher) => {
      // When: a relative path, as a Compose user types it
      const result = run(launcher, ['compose', 'start', '--env-file', 'missing.env', '--dry-run']);
      // Then: Node did not exit 9 with "node: missing.env: not found"; kp resolved the file against the cwd
      expect(result.stderr).not.toMatch(/^node:|not found/m);
      expect(result.stderr).toContain(`Env file ${path.join(installed.home, 'missing.env')} would be created`);
      // and stopped only at the engine (none at that address): exit 3, after the flag was taken
      expect(result.status, result.stderr).toBe(3);
      expect(existsSync(path.join(installed.home, 'missing.env'))).toBe(false);
    },
  );

  it.each([['--env-file', 'FILE'] as const, ['--env-file=FILE'] as const, ['--env-path', 'FILE'] as const])(
    'When an existing env file is named as %s, Then kp reads it itself (its own file:line:col error), and Node loads nothing from it',
    (...form) => {
      // Given: a file with the upstream placeholder, which kp refuses, and a key Node would export if it read the file
      const file = path.join(installed.home, 'placeholder.env');
      writeFileSync(file, 'ARANGO_ROOT_PASSWORD=changeme\nNODE_OPTIONS=--definitely-not-a-node-flag\n', {mode: 0o600});
      const args = form.map((part) => part.replace('FILE', file));
      // When
      const result = run(launchers[0]![1], ['compose', 'start', ...args]);
      // Then
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${file}:1:1: ARANGO_ROOT_PASSWORD is the placeholder "changeme"`);
      expect(result.stderr).not.toMatch(/definitely-not-a-node-flag|^node:/m);
    },
  );
});
