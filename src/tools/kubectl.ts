/**
 * Adapter for kubectl. Every call is bound to one explicit `--context`: kp never acts on
 * whatever the current context happens to be (the context fence). Behaviour follows
 * shared/spec/tool-behaviour.md.
 */
import {fail, ToolError} from '../core/errors.js';
import type {Runner, RunOptions, RunResult} from './runner.js';
import {readToolVersion} from './version.js';

/** The oldest kubectl kp supports. */
export const KUBECTL_MIN_VERSION = '1.28.0';

/** Parse `kubectl version --client -o json` into a bare semver (`1.32.4`). */
export function parseKubectlClientVersion(stdout: string): string | undefined {
  try {
    const parsed = JSON.parse(stdout) as {clientVersion?: {gitVersion?: string}};
    return /v?(\d+\.\d+\.\d+)/.exec(parsed.clientVersion?.gitVersion ?? '')?.[1];
  } catch {
    return undefined;
  }
}

/** The parts of a Pod object kp reads. */
export interface PodJson {
  metadata?: {name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string};
  spec?: {
    containers?: Array<{name: string; volumeMounts?: Array<{name: string; mountPath: string; readOnly?: boolean; subPath?: string}>}>;
    initContainers?: Array<{name: string}>;
    volumes?: Array<Record<string, unknown> & {name: string}>;
  };
  status?: {
    phase?: string;
    reason?: string;
    conditions?: Array<{type?: string; status?: string}>;
    containerStatuses?: Array<{
      name?: string;
      ready?: boolean;
      restartCount?: number;
      state?: ContainerStateJson;
      lastState?: ContainerStateJson;
    }>;
  };
}

/** A container's state in a Pod's status (one of the three is set). */
export interface ContainerStateJson {
  running?: {startedAt?: string};
  waiting?: {reason?: string; message?: string};
  terminated?: {reason?: string; exitCode?: number; finishedAt?: string};
}

/** Is this kubectl stderr a NotFound answer from the API server? */
export function isNotFound(stderr: string): boolean {
  return /Error from server \(NotFound\)/.test(stderr);
}

/** Is this kubectl stderr an unreachable API server? */
export function isUnreachable(stderr: string): boolean {
  return /The connection to the server .* was refused|Unable to connect to the server|dial tcp .*: connect: connection refused/.test(stderr);
}

/** kubectl bound to one context. */
export class Kubectl {
  constructor(
    /** The runner every call goes through (a target that also asks the engine uses the same one). */
    readonly runner: Runner,
    readonly context: string,
    readonly bin = 'kubectl',
  ) {}

  /** The client version (`1.32.4`); a client-only probe talks to no cluster, so it needs no --context. */
  static clientVersion(runner: Runner, bin = 'kubectl'): Promise<string | undefined> {
    return readToolVersion(runner, bin, ['version', '--client', '-o', 'json'], parseKubectlClientVersion);
  }

  /** Run kubectl with `--context` always first; NotFound/unreachable become clear KpErrors. */
  async run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    let result: RunResult;
    try {
      result = await this.runner.run(this.bin, ['--context', this.context, ...args], {...options, allowFailure: true});
    } catch (error) {
      // Not on PATH (or not startable): a missing prerequisite, not a failed tool.
      if (error instanceof ToolError && error.toolExitCode === undefined) {
        throw fail.prerequisite(`${this.bin} is not installed (not found on PATH).`, 'Install kubectl >= 1.28: https://kubernetes.io/docs/tasks/tools/');
      }
      throw error;
    }
    if (result.exitCode !== 0 && !options.allowFailure) {
      if (isUnreachable(result.stderr)) {
        throw fail.prerequisite(
          `The Kubernetes API of context ${this.context} is not reachable.`,
          'Is the cluster running? `kp dev status` shows it; `kp dev up` starts it.',
        );
      }
      throw new ToolError(`kubectl --context ${this.context} ${args.join(' ')}`, result.exitCode, result.stderr, options.hint);
    }
    return result;
  }

  /**
   * `get pod NAME -n NS --watch -o name`: one line per change of the pod (kubectl prints the pod
   * first, then one line per watch event) until `signal` aborts or the watch ends. Read-only.
   */
  watchPod(name: string, namespace: string, onChange: () => void, signal: AbortSignal): Promise<{exitCode: number | undefined; stderr: string}> {
    return this.runner.follow(this.bin, ['--context', this.context, 'get', 'pod', name, '-n', namespace, '--watch', '-o', 'name'], onChange, {signal});
  }

  /** `get KIND NAME -n NS -o json`, parsed; undefined when NotFound. */
  async getJson<T>(kind: string, name: string, namespace: string): Promise<T | undefined> {
    const result = await this.run(['get', kind, name, '-n', namespace, '-o', 'json'], {allowFailure: true});
    if (result.exitCode !== 0) {
      if (isNotFound(result.stderr)) return undefined;
      await this.run(['get', kind, name, '-n', namespace, '-o', 'json']); // rethrows with the proper error
    }
    return JSON.parse(result.stdout) as T;
  }

  /** `exec [-i] -n NS POD -c CONTAINER -- CMD...`. */
  exec(
    pod: string,
    namespace: string,
    container: string,
    command: readonly string[],
    options: {input?: string | Uint8Array; mutating?: boolean; allowFailure?: boolean} = {},
  ): Promise<RunResult> {
    const args = ['exec', ...(options.input === undefined ? [] : ['-i']), '-n', namespace, pod, '-c', container, '--', ...command];
    return this.run(args, {input: options.input, mutating: options.mutating, allowFailure: options.allowFailure});
  }

  /** `logs POD -n NS -c CONTAINER --since-time=RFC3339`. */
  async logs(pod: string, namespace: string, container: string, options: {sinceTime?: string; since?: string} = {}): Promise<string> {
    const args = ['logs', pod, '-n', namespace, '-c', container];
    if (options.sinceTime) args.push(`--since-time=${options.sinceTime}`);
    if (options.since) args.push(`--since=${options.since}`);
    const result = await this.run(args);
    return result.stdout;
  }

  /** `get KIND [-n NS | -A] [-l SELECTOR] -o json` items (a list get never answers NotFound). */
  async listJson<T>(kind: string, options: {namespace?: string; allNamespaces?: boolean; selector?: string} = {}): Promise<T[]> {
    const args = ['get', kind];
    if (options.allNamespaces) args.push('--all-namespaces');
    else if (options.namespace) args.push('-n', options.namespace);
    if (options.selector) args.push('-l', options.selector);
    args.push('-o', 'json');
    const result = await this.run(args);
    return (JSON.parse(result.stdout) as {items?: T[]}).items ?? [];
  }

  /** `apply -f FILE` (mutating: skipped under --dry-run). */
  apply(file: string): Promise<RunResult> {
    return this.run(['apply', '-f', file], {mutating: true, output: 'stderr'});
  }

  /** `apply -f -` with the manifest on stdin (mutating); kubectl's answer is captured and streamed as progress. */
  applyManifest(manifest: string): Promise<RunResult> {
    return this.run(['apply', '-f', '-'], {input: manifest, mutating: true, output: 'stderr'});
  }

  /** `delete KIND/NAME... -n NS --ignore-not-found` (mutating): removing what is gone is no error. */
  deleteResources(resources: readonly string[], namespace: string): Promise<RunResult> {
    return this.run(['delete', ...resources, '-n', namespace, '--ignore-not-found'], {mutating: true, output: 'stderr'});
  }

  /** `rollout status KIND/NAME -n NS --timeout=Ns`; returns the result (non-zero when not rolled out in time). */
  async rolloutStatus(resource: string, namespace: string, timeoutSeconds: number): Promise<RunResult & {timedOut: boolean}> {
    const started = Date.now();
    const result = await this.run(['rollout', 'status', resource, '-n', namespace, `--timeout=${timeoutSeconds}s`], {
      allowFailure: true,
      timeoutMs: (timeoutSeconds + 30) * 1000,
    });
    // Only a wait that ran its course is a timeout (kubectl: "timed out waiting for the condition");
    // a quick failure (no such object, API unreachable) is kubectl failing, with its own message.
    const timedOut = result.exitCode !== 0 && (/timed out waiting/i.test(result.stderr) || Date.now() - started >= timeoutSeconds * 1000);
    return {...result, timedOut};
  }

  /**
   * `config use-context NAME`: only used to put back the user's current context after a tool
   * (kind) switched it; `--context` still comes first like on every call.
   */
  useContext(name: string | undefined): Promise<RunResult> {
    // No previous current context: unset it rather than leave the tool's choice in place.
    const args = name === undefined ? ['config', 'unset', 'current-context'] : ['config', 'use-context', name];
    return this.run(args, {mutating: true});
  }
}
