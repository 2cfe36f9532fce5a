/**
 * Which Kamerplanter checkout `kp dev` works on, and which skaffold.yaml / kind-config.yaml it uses:
 * the checkout's own when present, kp's shipped ones otherwise (found next to kp's install, never
 * relative to the cwd).
 */
import {existsSync, lstatSync, readlinkSync, statSync} from 'node:fs';
import path from 'node:path';
import {installDir} from '../../config/paths.js';
import {fail} from '../../core/errors.js';

/** kp's install directory (holds the shipped kind-config.yaml, skaffold.yaml and assets/). */
export const KP_HOME = installDir;

/** The shipped files, by their name in a checkout. */
export const SHIPPED_FILES = {
  skaffold: path.join(KP_HOME, 'skaffold.yaml'),
  kindConfig: path.join(KP_HOME, 'kind-config.yaml'),
} as const;

/** The checkout kp dev works on and the config files it uses. */
export interface DevWorkspace {
  root: string;
  /** How the root was found. */
  source: 'flag' | 'env' | 'search';
  skaffoldFile: string;
  skaffoldFromCheckout: boolean;
  kindConfigFile: string;
  kindConfigFromCheckout: boolean;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Does `dir` look like a Kamerplanter checkout (skaffold.yaml or helm/kamerplanter)? */
export function isCheckout(dir: string): boolean {
  return existsSync(path.join(dir, 'skaffold.yaml')) || isDirectory(path.join(dir, 'helm', 'kamerplanter'));
}

/** The nearest directory from `start` upwards that looks like a checkout. */
export function findCheckoutUpwards(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (isCheckout(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Resolve the workspace root: --workspace, else KP_WORKSPACE, else the nearest checkout above cwd. */
export function resolveWorkspaceRoot(options: {flag?: string; env?: string; cwd: string}): {root: string; source: DevWorkspace['source']} {
  if (options.flag) {
    const root = path.resolve(options.cwd, options.flag);
    if (!isDirectory(root)) throw fail.usage(`--workspace ${options.flag}: no such directory.`);
    return {root, source: 'flag'};
  }
  if (options.env) {
    const root = path.resolve(options.cwd, options.env);
    if (!isDirectory(root)) throw fail.usage(`KP_WORKSPACE=${options.env}: no such directory.`);
    return {root, source: 'env'};
  }
  const found = findCheckoutUpwards(options.cwd);
  if (!found) {
    throw fail.usage(
      `No Kamerplanter checkout found at or above ${options.cwd} (looked for skaffold.yaml or helm/kamerplanter).`,
      'Run kp dev inside your checkout, or pass --workspace DIR (or set KP_WORKSPACE).',
    );
  }
  return {root: found, source: 'search'};
}

/**
 * Does the checkout have this file of its own? A symlink whose target is missing is an error naming
 * both: kp never silently puts its own file in place of one the checkout links to.
 */
function checkoutHas(file: string): boolean {
  let link: string | undefined;
  try {
    link = lstatSync(file).isSymbolicLink() ? readlinkSync(file) : undefined;
  } catch {
    return false;
  }
  if (link !== undefined && !existsSync(file)) {
    throw fail.usage(
      `${file} is a symlink to ${link}, which does not exist.`,
      `Fix or remove the link: kp uses its own ${path.basename(file)} only where the checkout has none.`,
    );
  }
  return true;
}

/** Resolve the workspace and pick its config files. */
export function resolveDevWorkspace(options: {flag?: string; env?: string; cwd: string}): DevWorkspace {
  const {root, source} = resolveWorkspaceRoot(options);
  const ownSkaffold = path.join(root, 'skaffold.yaml');
  const ownKind = path.join(root, 'kind-config.yaml');
  const skaffoldFromCheckout = checkoutHas(ownSkaffold);
  const kindConfigFromCheckout = checkoutHas(ownKind);
  return {
    root,
    source,
    skaffoldFile: skaffoldFromCheckout ? ownSkaffold : SHIPPED_FILES.skaffold,
    skaffoldFromCheckout,
    kindConfigFile: kindConfigFromCheckout ? ownKind : SHIPPED_FILES.kindConfig,
    kindConfigFromCheckout,
  };
}

/** Where a dev command looks for the workspace: its --workspace flag, KP_WORKSPACE, the cwd. */
export function workspaceInputs(flag: string | undefined): {flag?: string; env?: string; cwd: string} {
  return {flag, env: process.env.KP_WORKSPACE || undefined, cwd: process.cwd()};
}
