/**
 * Adapter for Helm v3 (read-only here: Skaffold does the deploying). `helm version --short`
 * prints `v3.16.2+g13654a5`. Every cluster call carries `--kube-context`.
 */
import type {Runner, RunResult} from './runner.js';
import {readToolVersion} from './version.js';

/** The oldest Helm kp supports. */
export const HELM_MIN_VERSION = '3.14.0';

/**
 * Parse `helm version --short` (`v3.16.2+g13654a5`, or `v3.22.0` from a build without a commit)
 * into `3.16.2`. A source build without release flags says only its minor line (`v3.22`): that
 * reads as `3.22.0`, the oldest release it can be.
 */
export function parseHelmVersion(stdout: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?=$|[+\s-])/.exec(stdout.trim());
  return match ? `${match[1]}.${match[2]}.${match[3] ?? '0'}` : undefined;
}

/** One row of `helm list -o json`. */
export interface HelmRelease {
  name: string;
  namespace: string;
  revision: string;
  status: string;
  chart: string;
  appVersion: string;
}

/** Parse `helm list -o json` (an array; helm prints `[]` when empty). */
export function parseHelmList(stdout: string): HelmRelease[] {
  const trimmed = stdout.trim();
  if (!trimmed) return [];
  const rows = JSON.parse(trimmed) as Array<Record<string, unknown>>;
  return rows.map((row) => ({
    name: String(row.name ?? ''),
    namespace: String(row.namespace ?? ''),
    revision: String(row.revision ?? ''),
    status: String(row.status ?? ''),
    chart: String(row.chart ?? ''),
    appVersion: String(row.app_version ?? ''),
  }));
}

/** One known chart repository (`helm repo list -o json`). */
export interface HelmRepo {
  name: string;
  url: string;
}

/** Parse `helm repo list -o json` (`[]` when none; Helm 3 and 4 print the same JSON). */
export function parseRepoList(stdout: string): HelmRepo[] {
  const trimmed = stdout.trim();
  if (!trimmed) return [];
  return (JSON.parse(trimmed) as Array<{name?: unknown; url?: unknown}>).map((r) => ({name: String(r.name ?? ''), url: String(r.url ?? '')}));
}

/** Helm bound to one kube context. */
export class Helm {
  constructor(
    private readonly runner: Runner,
    readonly kubeContext: string,
    readonly bin = 'helm',
  ) {}

  /** Installed version (`3.16.2`), undefined when not on PATH. */
  static version(runner: Runner, bin = 'helm'): Promise<string | undefined> {
    return readToolVersion(runner, bin, ['version', '--short'], parseHelmVersion);
  }

  /** The chart repositories Helm knows (local config only: no network). */
  static async repoList(runner: Runner, bin = 'helm'): Promise<HelmRepo[]> {
    const result = await runner.run(bin, ['repo', 'list', '-o', 'json'], {timeoutMs: 30_000});
    return parseRepoList(result.stdout);
  }

  /** `helm repo add NAME URL`: fetches the repository's index (network). */
  static repoAdd(runner: Runner, name: string, url: string, bin = 'helm'): Promise<RunResult> {
    return runner.run(bin, ['repo', 'add', name, url], {
      mutating: true,
      timeoutMs: 120_000,
      hint: `Check the network and the URL; \`helm repo add ${name} ${url}\` by hand shows the same error.`,
    });
  }

  /** Releases in every namespace of the bound context. */
  async listReleases(): Promise<HelmRelease[]> {
    const result = await this.runner.run(this.bin, ['list', '--kube-context', this.kubeContext, '--all-namespaces', '-o', 'json']);
    return parseHelmList(result.stdout);
  }
}
