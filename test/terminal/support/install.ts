/**
 * The installed kp of the terminal layer: the tarball npm would publish, installed into a prefix of
 * the run's own (throwaway npm cache; kp's one dependency, Ruff's WebAssembly build, from the
 * registry), so the terminal tests run `<prefix>/bin/kp` exactly as a user's shell finds it. No vitest import: the e2e global setup runs it once per run.
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import path from 'node:path';

/** Pack the checkout and install the tarball under `dir`; returns the installed `kp` executable. */
export function installKp(projectRoot: string, dir: string): string {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const pack = path.join(dir, 'pack');
  const prefix = path.join(dir, 'prefix');
  mkdirSync(pack, {recursive: true});
  const env = {
    ...process.env,
    npm_config_cache: path.join(dir, 'npm-cache'),
    npm_config_userconfig: path.join(dir, 'npmrc'),
    npm_config_update_notifier: 'false',
  };
  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', pack], {cwd: projectRoot, env, encoding: 'utf8'}),
  ) as [{filename: string}];
  execFileSync(npm, ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', path.join(pack, packed[0].filename)], {
    env,
    stdio: 'pipe',
  });
  return path.join(prefix, 'bin', 'kp');
}
