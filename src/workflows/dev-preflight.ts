/**
 * Preflight for `kp dev`: which tools are installed at which version (probed in parallel, cached
 * per binary so the no-op path spends no process on them), the Linux inotify limits Skaffold's
 * file watching needs, and whether the host ports a new cluster publishes are free.
 */
import {accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {connect} from 'node:net';
import {homedir} from 'node:os';
import path from 'node:path';
import semver from 'semver';
import type {KpContext} from '../base-command.js';
import {ExitCode, KpError} from '../errors.js';
import {Helm, HELM_MIN_VERSION} from '../tools/helm.js';
import {Kind, KIND_MIN_VERSION} from '../tools/kind.js';
import {parseKubectlClientVersion} from '../tools/kubectl.js';
import {Skaffold, SKAFFOLD_MIN_VERSION} from '../tools/skaffold.js';
import type {Runner} from '../tools/runner.js';

/** The CLIs the dev loop drives besides the container engine. */
export type DevTool = 'kind' | 'kubectl' | 'skaffold' | 'helm';

/** The oldest kubectl kp supports. */
export const KUBECTL_MIN_VERSION = '1.28.0';

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
  if (tool === 'skaffold' && semver.major(version) < 2) {
    return {
      ...base,
      ok: false,
      problem: `Skaffold ${version} is v1: it cannot read skaffold/v4beta configs (those need Skaffold v2), so kp refuses it.`,
      hint: INSTALL_HINTS.skaffold,
    };
  }
  if (semver.lt(version, minimum)) {
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
export function versionCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'kp', 'tool-versions.json');
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
    mkdirSync(path.dirname(file), {recursive: true});
    writeFileSync(file, `${JSON.stringify(cache, null, 2)}\n`);
  } catch {
    // a cache that cannot be written only costs a few processes next time
  }
}

const VERSION_READERS: Record<DevTool, (runner: Runner) => Promise<string | undefined>> = {
  kind: (runner) => new Kind(runner).version(),
  kubectl: async (runner) => {
    // A client-only probe talks to no cluster, so it needs no --context.
    const result = await runner.run('kubectl', ['version', '--client', '-o', 'json'], {allowFailure: true, timeoutMs: 20_000});
    return result.exitCode === 0 ? parseKubectlClientVersion(result.stdout) : undefined;
  },
  skaffold: (runner) => new Skaffold(runner).version(),
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

/** Throw one prerequisite error naming every unusable tool. */
export function requireTools(probes: readonly ToolProbe[]): void {
  const bad = probes.filter((p) => !p.ok);
  if (bad.length === 0) return;
  throw new KpError(`Missing prerequisites for kp dev:\n${bad.map((p) => `  - ${p.problem}`).join('\n')}`, {
    exitCode: ExitCode.Prerequisite,
    hint: bad.map((p) => p.hint).filter(Boolean).join('\n'),
    details: {tools: bad.map(({tool, version, minimum, problem}) => ({tool, version, minimum, problem}))},
  });
}

/** The inotify limits Skaffold's watcher needs on Linux. */
export const INOTIFY_MINIMUMS = {max_user_watches: 524_288, max_user_instances: 512} as const;

/** Current inotify limits, undefined where unreadable (not Linux). */
export function readInotifyLimits(procDir = '/proc/sys/fs/inotify'): Partial<Record<keyof typeof INOTIFY_MINIMUMS, number>> {
  const limits: Partial<Record<keyof typeof INOTIFY_MINIMUMS, number>> = {};
  for (const key of Object.keys(INOTIFY_MINIMUMS) as Array<keyof typeof INOTIFY_MINIMUMS>) {
    try {
      const value = Number(readFileSync(path.join(procDir, key), 'utf8').trim());
      if (Number.isFinite(value)) limits[key] = value;
    } catch {
      // not Linux, or /proc not mounted
    }
  }
  return limits;
}

/** The exact sysctl lines that raise too-low inotify limits (empty when all is fine). */
export function inotifyAdvice(limits: Partial<Record<keyof typeof INOTIFY_MINIMUMS, number>>): string[] {
  const lines: string[] = [];
  for (const [key, minimum] of Object.entries(INOTIFY_MINIMUMS) as Array<[keyof typeof INOTIFY_MINIMUMS, number]>) {
    const value = limits[key];
    if (value !== undefined && value < minimum) lines.push(`sudo sysctl fs.inotify.${key}=${minimum}`);
  }
  return lines;
}

/** Is something listening on host:port? (A connect probe: it does not race other probes for the port.) */
export function isPortListening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({port, host});
    const done = (busy: boolean) => {
      socket.destroy();
      resolve(busy);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The subset of `ports` something already listens on. */
export async function busyPorts(ports: ReadonlyArray<{port: number; host?: string}>): Promise<number[]> {
  const results = await Promise.all(
    ports.map(async ({port, host}) => ((await isPortListening(port, host && host !== '0.0.0.0' ? host : '127.0.0.1')) ? port : undefined)),
  );
  return results.filter((p): p is number => p !== undefined);
}

/** Convenience for commands: a KpContext's runner probing with the cache. */
export function probeForUp(ctx: KpContext): Promise<ToolProbe[]> {
  return probeDevTools(ctx.runner, {useCache: true});
}
