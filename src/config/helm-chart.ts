/**
 * A Helm chart's dependency files as kp needs them before Skaffold runs `helm dep build`:
 * the dependencies of Chart.yaml, the Chart.lock, and whether the lock is in sync (Helm's own
 * digest, recomputed here so an out-of-sync lock is reported before a cluster exists).
 */
import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {isMap, isSeq} from 'yaml';
import {configError, positionIn, readYamlFile} from './yaml-file.js';

/** One entry of `dependencies:` in Chart.yaml or Chart.lock, with Helm's field names. */
export interface ChartDependency {
  name: string;
  version?: string;
  repository: string;
  condition?: string;
  tags?: string[];
  enabled?: boolean;
  'import-values'?: unknown[];
  'export-values'?: unknown[];
  alias?: string;
}

/** A chart directory's dependency declaration and lock. */
export interface ChartDependencies {
  /** The chart directory (absolute). */
  dir: string;
  chartFile: string;
  name: string;
  dependencies: ChartDependency[];
  /** Undefined when the chart has no Chart.lock. */
  lock: {file: string; digest: string; dependencies: ChartDependency[]} | undefined;
}

function dependencyList(raw: unknown, where: string): ChartDependency[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw configError(where, 'dependencies must be a list.');
  return raw.map((entry, index) => {
    const dep = entry as Record<string, unknown>;
    if (typeof dep?.name !== 'string') throw configError(where, `dependency #${index + 1} has no name.`);
    return {...dep, name: dep.name, repository: typeof dep.repository === 'string' ? dep.repository : ''} as ChartDependency;
  });
}

/** Read `Chart.yaml` (and `Chart.lock` when present) of a chart directory. */
export function readChartDependencies(chartDir: string): ChartDependencies {
  const dir = path.resolve(chartDir);
  const chartFile = path.join(dir, 'Chart.yaml');
  const chart = readYamlFile(chartFile);
  const doc = chart.documents[0];
  if (!doc || !isMap(doc.contents)) throw configError(chartFile, 'expected a Helm chart (a mapping with name and version).');
  const raw = doc.toJS() as {name?: unknown; dependencies?: unknown};
  const dependencies = dependencyList(raw.dependencies, positionIn(chart, doc, ['dependencies']));
  const lockFile = path.join(dir, 'Chart.lock');
  let lock: ChartDependencies['lock'];
  if (existsSync(lockFile)) {
    const parsed = readYamlFile(lockFile);
    const lockDoc = parsed.documents[0];
    if (!lockDoc || !isMap(lockDoc.contents)) throw configError(lockFile, 'expected a Chart.lock (a mapping with dependencies and digest).');
    const lockRaw = lockDoc.toJS() as {digest?: unknown; dependencies?: unknown};
    if (lockDoc.getIn(['dependencies'], true) !== undefined && !isSeq(lockDoc.getIn(['dependencies'], true))) {
      throw configError(positionIn(parsed, lockDoc, ['dependencies']), 'dependencies must be a list.');
    }
    lock = {
      file: lockFile,
      digest: typeof lockRaw.digest === 'string' ? lockRaw.digest : '',
      dependencies: dependencyList(lockRaw.dependencies, positionIn(parsed, lockDoc, ['dependencies'])),
    };
  }
  return {dir, chartFile, name: typeof raw.name === 'string' ? raw.name : path.basename(dir), dependencies, lock};
}

/** Helm's field order and omitempty rules for a Dependency (pkg/chart/dependency.go, json tags). */
function goDependency(dep: ChartDependency): Record<string, unknown> {
  const out: Record<string, unknown> = {name: dep.name};
  if (dep.version) out.version = dep.version;
  out.repository = dep.repository;
  if (dep.condition) out.condition = dep.condition;
  if (dep.tags?.length) out.tags = dep.tags;
  if (dep.enabled) out.enabled = dep.enabled;
  if (dep['import-values']?.length) out['import-values'] = dep['import-values'];
  if (dep['export-values']?.length) out['export-values'] = dep['export-values'];
  if (dep.alias) out.alias = dep.alias;
  return out;
}

/** Go's json.Marshal escapes these for HTML safety; the digest is over Go's bytes. */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Helm's lock digest: sha256 over the JSON of [Chart.yaml dependencies, locked dependencies]
 * (internal/resolver/resolver.go, HashReq; helm dependency build compares it with Chart.lock's digest).
 */
export function lockDigest(requested: readonly ChartDependency[], locked: readonly ChartDependency[]): string {
  const locks = locked.map((d) => ({name: d.name, version: d.version, repository: d.repository}));
  return `sha256:${createHash('sha256')
    .update(goJson([requested.map(goDependency), locks.map(goDependency)]))
    .digest('hex')}`;
}

/**
 * Can kp recompute Helm's digest exactly? Helm rewrites `@name`/`alias:name` repositories to URLs
 * and Go orders map keys of import/export values before hashing; kp does neither, so for such charts
 * it leaves the judgement to `helm dependency build` rather than refuse a lock Helm would accept.
 */
function digestIsPortable(dependencies: readonly ChartDependency[]): boolean {
  const plainRepo = (repo: string) => repo === '' || /^(https?|oci|file):\/\//.test(repo);
  const plainValues = (values: unknown[] | undefined) => (values ?? []).every((v) => typeof v === 'string');
  return dependencies.every((d) => plainRepo(d.repository) && plainValues(d['import-values']) && plainValues(d['export-values']));
}

/** Is the chart's Chart.lock in sync with its Chart.yaml (true without a lock, or when only Helm can tell)? */
export function lockInSync(chart: ChartDependencies): boolean {
  if (!chart.lock || !digestIsPortable(chart.dependencies)) return true;
  return lockDigest(chart.dependencies, chart.lock.dependencies) === chart.lock.digest;
}

/** The repositories `helm dependency build` needs as known Helm repos: every distinct https/http URL. */
export function httpRepositories(chart: ChartDependencies): string[] {
  const source = chart.lock?.dependencies ?? chart.dependencies;
  return [...new Set(source.map((d) => d.repository).filter((url) => /^https?:\/\//.test(url)))];
}
