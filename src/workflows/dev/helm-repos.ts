/**
 * The Helm repositories the selected modules' charts need. Skaffold runs `helm dep build` before
 * every deploy, and Helm refuses a chart whose https dependency repositories it does not know (it
 * matches them by URL). kp reads every Helm release of the selected modules, checks each
 * Chart.lock against its Chart.yaml before anything is created, and adds only the missing
 * repositories (no `helm repo update`; nothing at all when they are known).
 */
import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {httpRepositories, lockInSync, readChartDependencies, type ChartDependencies} from '../../config/helm-chart.js';
import {selectedModules, type SkaffoldConfig} from '../../config/skaffold-config.js';
import {fail} from '../../core/errors.js';
import {Helm, type HelmRepo} from '../../tools/helm.js';
import type {KpContext} from '../context.js';

/** One Helm release of a selected module whose chart lives in the checkout. */
export interface ChartRelease {
  module: string;
  release: string;
  chart: ChartDependencies;
}

/** A repository kp adds, under a name of its own. */
export interface RepoToAdd {
  name: string;
  url: string;
  /** Which charts need it. */
  neededBy: string[];
}

interface RawRelease {
  name?: unknown;
  chartPath?: unknown;
  skipBuildDependencies?: unknown;
}

/**
 * The releases of the selected modules whose dependencies Skaffold builds (a local chartPath and no
 * `skipBuildDependencies`), with their Chart.yaml and Chart.lock read. An out-of-sync lock or a
 * missing chart is a usage error, before anything is created.
 */
export function chartReleases(config: SkaffoldConfig, modules: readonly string[], root: string): ChartRelease[] {
  const selected = selectedModules(config, modules);
  const releases: ChartRelease[] = [];
  const seen = new Map<string, ChartDependencies>();
  for (const module of selected) {
    const raw = ((module.raw.deploy as {helm?: {releases?: RawRelease[]}} | undefined)?.helm?.releases ?? []) as RawRelease[];
    for (const release of raw) {
      if (typeof release.chartPath !== 'string' || release.skipBuildDependencies === true) continue;
      const dir = path.resolve(root, release.chartPath);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw fail.usage(`${config.file} (module ${module.name}): chartPath ${release.chartPath} is not a directory in ${root}.`);
      }
      let chart = seen.get(dir);
      if (!chart) {
        chart = readChartDependencies(dir);
        if (!lockInSync(chart)) {
          const relative = path.relative(root, dir) || '.';
          throw fail.usage(
            `${chart.lock!.file} is out of sync with ${chart.chartFile}: helm dependency build (run by Skaffold) would refuse it.`,
            `Run \`helm dependency update ${relative}\` in ${root} and commit the new Chart.lock.`,
          );
        }
        seen.set(dir, chart);
      }
      releases.push({module: module.name ?? '(unnamed)', release: String(release.name ?? chart.name), chart});
    }
  }
  return releases;
}

/** Helm compares repository URLs without caring for a trailing slash. */
function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** A repository name of kp's own for `url` (`kp-` + host and path), unique among `taken`. */
export function repoNameFor(url: string, taken: ReadonlySet<string>): string {
  let base: string;
  try {
    const parsed = new URL(url);
    base = `kp-${parsed.hostname}${parsed.pathname}`;
  } catch {
    base = `kp-${url}`;
  }
  base = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/-+$/, '')
    .slice(0, 60);
  let name = base;
  for (let n = 2; taken.has(name); n += 1) name = `${base}-${n}`;
  return name;
}

/** The repositories to add (pure): every chart repository URL no known repo has. */
export function planHelmRepos(releases: readonly ChartRelease[], known: readonly HelmRepo[]): RepoToAdd[] {
  const taken = new Set(known.map((r) => r.name));
  const toAdd: RepoToAdd[] = [];
  for (const {chart} of releases) {
    for (const url of httpRepositories(chart)) {
      if (known.some((r) => sameUrl(r.url, url))) continue;
      const pending = toAdd.find((r) => sameUrl(r.url, url));
      if (pending) {
        if (!pending.neededBy.includes(chart.name)) pending.neededBy.push(chart.name);
        continue;
      }
      const name = repoNameFor(url, taken);
      taken.add(name);
      toAdd.push({name, url, neededBy: [chart.name]});
    }
  }
  return toAdd;
}

/** Add what is missing (one `helm repo list`, then one `helm repo add` per missing repository). */
export async function ensureHelmRepos(ctx: KpContext, releases: readonly ChartRelease[]): Promise<RepoToAdd[]> {
  if (releases.every((r) => httpRepositories(r.chart).length === 0)) return [];
  const missing = planHelmRepos(releases, await Helm.repoList(ctx.runner));
  for (const repo of missing) {
    ctx.out.step(
      `Helm repository ${repo.url} (needed by chart ${repo.neededBy.join(', ')}) is unknown to Helm: ${ctx.dryRun ? 'would add' : 'adding'} it as ${repo.name}`,
    );
    await Helm.repoAdd(ctx.runner, repo.name, repo.url);
  }
  return missing;
}
