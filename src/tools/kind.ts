/**
 * Adapter for kind (Kubernetes in Docker). Parsers follow shared/spec/tool-behaviour.md:
 * `kind version` prints `kind v0.32.0 go1.x linux/amd64`, `kind get clusters` prints
 * `No kind clusters found.` on stderr with exit 0, and `kind delete cluster` succeeds when absent.
 */
import {fail, ToolError} from '../core/errors.js';
import type {Runner, RunResult} from './runner.js';
import {readToolVersion} from './version.js';

/** The oldest kind release kp supports (v1alpha4 config, `--wait`, kubeconfig handling). */
export const KIND_MIN_VERSION = '0.20.0';

/** The label kind puts on every node container; its value is the cluster name. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

/** The kube context kind writes for cluster `name`. */
export function kindContextName(name: string): string {
  return `kind-${name}`;
}

/** Parse `kind version` (`kind v0.32.0 go1.24.2 linux/amd64`) or `kind version -q` (`0.32.0`). */
export function parseKindVersion(stdout: string): string | undefined {
  return /(?:^|\s)v?(\d+\.\d+\.\d+)(?:[-+][\w.+-]*)?(?:\s|$)/.exec(stdout.trim())?.[1];
}

/** Parse `kind get clusters`: names on stdout; the "none" message goes to stderr. */
export function parseKindClusters(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^No kind clusters found\.?$/.test(line));
}

/** Is this kind stderr the "cluster already exists" refusal of `kind create cluster`? */
export function isAlreadyExists(stderr: string): boolean {
  return /node\(s\) already exist for a cluster with the name/.test(stderr);
}

/** kind bound to the container engine kp uses (podman via KIND_EXPERIMENTAL_PROVIDER). */
export class Kind {
  constructor(
    private readonly runner: Runner,
    readonly bin = 'kind',
    private readonly engine: 'docker' | 'podman' = 'docker',
  ) {}

  private env(): Record<string, string> | undefined {
    // kind picks its provider itself; tell it explicitly when kp drives podman.
    return this.engine === 'podman' ? {KIND_EXPERIMENTAL_PROVIDER: 'podman'} : undefined;
  }

  /** The installed version (`0.32.0`), or undefined when kind is not on PATH. */
  static version(runner: Runner, bin = 'kind'): Promise<string | undefined> {
    return readToolVersion(runner, bin, ['version'], parseKindVersion);
  }

  /** Names of the clusters kind knows (from labelled node containers). */
  async getClusters(): Promise<string[]> {
    const result = await this.runner.run(this.bin, ['get', 'clusters'], {env: this.env()});
    return parseKindClusters(result.stdout);
  }

  /** `kind create cluster --name N --config F --wait W`; progress streams to stderr. */
  async createCluster(options: {name: string; configFile: string; waitSeconds: number; image?: string}): Promise<RunResult> {
    const args = ['create', 'cluster', '--name', options.name, '--config', options.configFile, '--wait', `${options.waitSeconds}s`];
    if (options.image) args.push('--image', options.image);
    try {
      return await this.runner.run(this.bin, args, {mutating: true, output: 'stderr', env: this.env()});
    } catch (error) {
      if (error instanceof ToolError && isAlreadyExists(error.stderr)) {
        throw fail.toolFailed(
          `kind reports that node containers for cluster "${options.name}" already exist.`,
          `Run \`kp dev up --name ${options.name}\` again (it repairs what exists) or \`kp dev up --recreate\`.`,
          {cause: error},
        );
      }
      throw error;
    }
  }

  /** `kind delete cluster --name N` (exits 0 when the cluster does not exist). */
  deleteCluster(name: string): Promise<RunResult> {
    return this.runner.run(this.bin, ['delete', 'cluster', '--name', name], {mutating: true, output: 'stderr', env: this.env()});
  }

  /** Re-write the `kind-N` kubeconfig entry (after an interrupted create lost it). */
  exportKubeconfig(name: string): Promise<RunResult> {
    return this.runner.run(this.bin, ['export', 'kubeconfig', '--name', name], {mutating: true, env: this.env()});
  }
}
