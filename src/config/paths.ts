/**
 * Where kp keeps per-user files (XDG base directories) and where its shipped files live.
 */
import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * The nearest folder at or above `from` that holds kp's package.json. Walked up rather than a fixed
 * `../..`, because the built module lands wherever the bundler puts its chunk (dist/chunks/), while
 * tests run it from src/config/.
 */
function packageRootAbove(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'compose'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..');
  }
}

/** kp's install directory (the package root holding compose/, skaffold.yaml, ...). */
export const installDir = packageRootAbove(path.dirname(fileURLToPath(import.meta.url)));

/** `$XDG_CONFIG_HOME/kp` (default `~/.config/kp`): the user's settings and secrets. */
export function configDir(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'kp');
}

/** `$XDG_STATE_HOME/kp` (default `~/.local/state/kp`): what kp remembers between runs. */
export function stateDir(): string {
  const base = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'kp');
}

/** `$XDG_CACHE_HOME/kp` (default `~/.cache/kp`): what kp can recompute (tool versions). */
export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kp');
}

/** The env file of the default compose stack: `$XDG_CONFIG_HOME/kp/compose.env`. */
export function defaultComposeEnvFile(): string {
  return path.join(configDir(), 'compose.env');
}

/** The compose file and env template kp ships. */
export const shippedCompose = {
  file: path.join(installDir, 'compose', 'docker-compose.yml'),
  envExample: path.join(installDir, 'compose', '.env.example'),
};

/** `$XDG_STATE_HOME/kp/locks`: one lock file per target a kp run is working on. */
export function locksDir(): string {
  return path.join(stateDir(), 'locks');
}
