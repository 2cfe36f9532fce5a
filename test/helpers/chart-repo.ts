/**
 * A Helm chart repository of a test's own, on loopback: stand-in charts packaged and indexed by the
 * real helm and served over HTTP by the test process. The real chart's repositories (two https, one
 * OCI on ghcr.io) cannot be reached from here, so tests point a copy of the chart at this one.
 */
import {execFile} from 'node:child_process';
import {createReadStream, existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import path from 'node:path';
import {promisify} from 'node:util';
import {vi} from 'vitest';

/** A stand-in chart: its name and version, and whether it is a library chart (renders nothing). */
export interface StandInChart {
  name: string;
  version: string;
  library?: boolean;
  /** Extra Chart.yaml lines (e.g. a `dependencies:` block). */
  extra?: string;
}

/** A served repository: its URL (with a trailing slash, as Chart.yaml files write it) and its server. */
export interface ChartRepo {
  url: string;
  close(): Promise<void>;
}

/** Run the real helm asynchronously: the repository is served by this process, which a blocking call would starve. */
export async function runHelm(helm: string, args: string[], cwd?: string): Promise<string> {
  return (await promisify(execFile)(helm, args, {cwd, encoding: 'utf8'})).stdout;
}

/**
 * Write a minimal chart under `dir`. An application chart renders one ConfigMap that carries the
 * values it received (so a test can read what Helm and Skaffold passed down to it).
 */
export function writeChart(dir: string, chart: StandInChart): string {
  const root = path.join(dir, chart.name);
  mkdirSync(path.join(root, 'templates'), {recursive: true});
  const type = chart.library ? 'library' : 'application';
  writeFileSync(path.join(root, 'Chart.yaml'), `apiVersion: v2\nname: ${chart.name}\nversion: ${chart.version}\ntype: ${type}\n${chart.extra ?? ''}`);
  if (chart.library) {
    writeFileSync(path.join(root, 'templates', '_helpers.tpl'), `{{- define "${chart.name}.standin" -}}stand-in{{- end -}}\n`);
  } else {
    writeFileSync(
      path.join(root, 'templates', 'configmap.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-${chart.name}\ndata:\n  values: {{ toJson .Values | quote }}\n`,
    );
  }
  return root;
}

/** Package `charts` with the real helm into `work/repo`, index them for the served URL, and serve them. */
export async function serveChartRepo(helm: string, work: string, charts: readonly StandInChart[]): Promise<ChartRepo> {
  const repo = path.join(work, 'repo');
  mkdirSync(repo, {recursive: true});
  for (const chart of charts) await runHelm(helm, ['package', writeChart(path.join(work, 'src'), chart), '--destination', repo]);
  const server: Server = createServer((req, res) => {
    const file = path.join(repo, path.basename(req.url ?? '/'));
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as {port: number}).port}/`;
  await runHelm(helm, ['repo', 'index', repo, '--url', url]);
  return {url, close: () => new Promise<void>((resolve) => server.close(() => resolve()))};
}

/** Point Helm's own config, cache and data at `home` for this test (never the developer's); vi.unstubAllEnvs() undoes it. */
export function stubHelmHome(home: string): void {
  for (const [key, dir] of [
    ['HELM_CONFIG_HOME', 'config'],
    ['HELM_CACHE_HOME', 'cache'],
    ['HELM_DATA_HOME', 'data'],
  ] as const)
    vi.stubEnv(key, path.join(home, dir));
}
