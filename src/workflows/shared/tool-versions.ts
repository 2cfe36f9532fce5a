/**
 * Which dev tools are installed at which version: probed in parallel, judged against kp's
 * minimums, and cached per binary (path, size, mtime) so repeated runs spend no process on them.
 * `kp dev up` requires them; `kp doctor` reports them.
 */
import {accessSync, constants, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
// One function per import: semver's index loads (and compiles regexes for) all of semver at start-up.
import major from 'semver/functions/major.js';
import lt from 'semver/functions/lt.js';
import {writeFileAtomic} from '../../config/atomic-write.js';
import {cacheDir} from '../../config/paths.js';
import {Helm, HELM_MIN_VERSION} from '../../tools/helm.js';
import {Kind, KIND_MIN_VERSION} from '../../tools/kind.js';
import {Kubectl, KUBECTL_MIN_VERSION} from '../../tools/kubectl.js';
import type {Runner} from '../../tools/runner.js';
import {Skaffold, SKAFFOLD_MIN_VERSION} from '../../tools/skaffold.js';

/** The CLIs the dev loop drives besides the container engine. */
export type DevTool = 'kind' | 'kubectl' | 'skaffold' | 'helm';

/** Minimum versions, from the Kamerplanter prerequisites. */
export const DEV_TOOL_MINIMUMS: Record<DevTool, string> = {
  kind: KIND_MIN_VERSION,
  kubectl: KUBECTL_MIN_VERSION,
  skaffold: SKAFFOLD_MIN_VERSION,
  helm: HELM_MIN_VERSION,
};

const INSTALL_HINTS: Record<DevTool, string> = {
  kind: 'Install kind >= 0.20: https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  kubectl: 'Install kubectl >= 1.28: https://kubernetes.io/docs/tasks/tools/',
  skaffold: 'Install Skaffold v2 (>= 2.10): https://skaffold.dev/docs/install/',
  helm: 'Install Helm >= 3.14: https://helm.sh/docs/intro/install/',
};

/** What kp found out about one tool. */
export interface ToolProbe {
  tool: DevTool;
  found: boolean;
  version: string | undefined;
  minimum: string;
  ok: boolean;
  /** Why the tool is not usable (absent, too old, Skaffold v1). */
  problem: string | undefined;
  hint: string | undefined;
  /** True when the version came from the per-binary cache (no process spawned). */
  cached: boolean;
}

/** Judge one tool's version against kp's minimum (pure). */
export function judgeToolVersion(tool: DevTool, version: string | undefined, found = version !== undefined): Omit<ToolProbe, 'cached'> {
  const minimum = DEV_TOOL_MINIMUMS[tool];
  const base = {tool, found, version, minimum};
  if (!found) return {...base, ok: false, problem: `${tool} is not installed (not found on PATH).`, hint: INSTALL_HINTS[tool]};
  if (!version) return {...base, ok: false, problem: `${tool} is installed but its version could not be read.`, hint: INSTALL_HINTS[tool]};
  if (tool === 'skaffold' && major(version) < 2) {
    return {
      ...base,
      ok: false,
      problem: `Skaffold ${version} is v1: it cannot read skaffold/v4beta configs (those need Skaffold v2), so kp refuses it.`,
      hint: INSTALL_HINTS.skaffold,
    };
  }
  if (lt(version, minimum)) {
    return {...base, ok: false, problem: `${tool} ${version} is older than the required ${minimum}.`, hint: INSTALL_HINTS[tool]};
  }
  return {...base, ok: true, problem: undefined, hint: undefined};
}

/** Find an executable on PATH without spawning anything. */
export function findOnPath(bin: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, bin);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface CacheEntry {
  path: string;
  size: number;
  mtimeMs: number;
  version: string;
}

/** Where the per-binary version cache lives (XDG cache dir). */
export function versionCacheFile(): string {
  return path.join(cacheDir(), 'tool-versions.json');
}

function readCache(file: string): Record<string, CacheEntry> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, CacheEntry>;
  } catch {
    return {};
  }
}

function writeCache(file: string, cache: Record<string, CacheEntry>): void {
  try {
    writeFileAtomic(file, `${JSON.stringify(cache, null, 2)}\n`);
  } catch {
    // a cache that cannot be written only costs a few processes next time
  }
}

/** Each tool's version, read through its own adapter (one shape: `Adapter.version(runner)`). */
const VERSION_READERS: Record<DevTool, (runner: Runner) => Promise<string | undefined>> = {
  kind: (runner) => Kind.version(runner),
  kubectl: (runner) => Kubectl.clientVersion(runner),
  skaffold: (runner) => Skaffold.version(runner),
  helm: (runner) => Helm.version(runner),
};

/**
 * Probe the dev tools in parallel. A binary whose path, size and mtime match the cache is not run
 * again: its version cannot have changed.
 */
export async function probeDevTools(runner: Runner, options: {useCache: boolean; tools?: readonly DevTool[]}): Promise<ToolProbe[]> {
  const tools = options.tools ?? (['kind', 'kubectl', 'skaffold', 'helm'] as const);
  const cacheFile = versionCacheFile();
  const cache = options.useCache ? readCache(cacheFile) : {};
  let cacheChanged = false;
  const probes = await Promise.all(
    tools.map(async (tool): Promise<ToolProbe> => {
      const binPath = findOnPath(tool);
      if (!binPath) return {...judgeToolVersion(tool, undefined, false), cached: false};
      const stat = statSync(binPath);
      const hit = cache[tool];
      if (hit && hit.path === binPath && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) {
        return {...judgeToolVersion(tool, hit.version, true), cached: true};
      }
      const version = await VERSION_READERS[tool](runner);
      if (version) {
        cache[tool] = {path: binPath, size: stat.size, mtimeMs: stat.mtimeMs, version};
        cacheChanged = true;
      }
      return {...judgeToolVersion(tool, version, true), cached: false};
    }),
  );
  if (options.useCache && cacheChanged) writeCache(cacheFile, cache);
  return probes;
}
