/**
 * kp's Helm adapter and its Chart.lock check against the real Helm (built from the Go module proxy,
 * pinned in scripts/test-tools/versions.sh), no cluster: `helm repo list/add` as kp reads them, a
 * chart repository of the test's own served over HTTP on 127.0.0.1 (charts packaged by the real
 * helm), and the lock digest as helm itself computes and checks it. The real chart's https
 * repositories cannot be reached from here, so the repository is local.
 */
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import path from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {lockDigest, lockInSync, readChartDependencies} from '../../../src/config/helm-chart.js';
import {Helm, parseRepoList} from '../../../src/tools/helm.js';
import {Runner} from '../../../src/tools/runner.js';
import {realTool} from '../../helpers/real-tools.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs({scope: 'file'});
let helm: string;
let work: string;
let server: Server;
let repoUrl: string;

const runner = () => new Runner({dryRun: false, verbose: false, log: () => undefined});
// Asynchronous: the repository is served by this process, which a blocking call would starve.
const helmCli = async (args: string[], cwd = work) => (await promisify(execFile)(helm, args, {cwd, encoding: 'utf8'})).stdout;

/** A minimal chart `name` at `version` under `dir` (what `helm package` needs). */
function writeChart(dir: string, name: string, version: string, dependencies = ''): string {
  const chart = path.join(dir, name);
  mkdirSync(path.join(chart, 'templates'), {recursive: true});
  writeFileSync(path.join(chart, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\n${dependencies}`);
  writeFileSync(path.join(chart, 'templates', 'configmap.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-${name}\n`);
  return chart;
}

beforeAll(async () => {
  helm = realTool('KP_REAL_HELM');
  work = tempDir('kp-real-helm-');
  // The repository: two charts packaged by the real helm, indexed by it, served on loopback.
  const repo = path.join(work, 'repo');
  mkdirSync(repo);
  for (const [name, version] of [['common', '4.1.0'], ['valkey', '0.9.0']] as const) await helmCli(['package', writeChart(path.join(work, 'src'), name, version), '--destination', repo]);
  server = createServer((req, res) => {
    const file = path.join(repo, path.basename(req.url ?? '/'));
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  repoUrl = `http://127.0.0.1:${(server.address() as {port: number}).port}/`;
  await helmCli(['repo', 'index', repo, '--url', repoUrl]);
});

afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

beforeEach(() => {
  // Helm's own files in the test's dirs, never the developer's.
  const home = tempDir('kp-real-helm-home-');
  for (const [key, dir] of [['HELM_CONFIG_HOME', 'config'], ['HELM_CACHE_HOME', 'cache'], ['HELM_DATA_HOME', 'data']]) vi.stubEnv(key, path.join(home, dir));
  return () => vi.unstubAllEnvs();
});

describe('kp and the real helm', () => {
  it('Given no repositories, When kp lists them, Then it reads the real helm answer as none', async () => {
    expect(await Helm.repoList(runner(), helm)).toEqual([]);
  });

  it('Given a chart repository on loopback, When kp adds it and lists again, Then the real JSON is parsed into name and URL', async () => {
    await Helm.repoAdd(runner(), 'kp-local', repoUrl, helm);
    expect(await Helm.repoList(runner(), helm)).toEqual([{name: 'kp-local', url: repoUrl}]);
    // the same text, recorded from the real helm, parses the same way
    expect(parseRepoList(await helmCli(['repo', 'list', '-o', 'json']))).toEqual([{name: 'kp-local', url: repoUrl}]);
  });

  it("Given a chart whose lock the real `helm dependency update` wrote, When kp recomputes the digest, Then it is helm's, and a bumped dependency makes both kp and `helm dependency build` call the lock out of sync", async () => {
    // Given: a chart depending on both charts of the repository, locked by the real helm
    await Helm.repoAdd(runner(), 'kp-local', repoUrl, helm);
    const app = writeChart(
      tempDir('kp-real-helm-app-'),
      'app',
      '0.1.0',
      `dependencies:\n  - name: common\n    version: 4.1.0\n    repository: ${repoUrl}\n  - name: valkey\n    version: ~0.9.0\n    repository: ${repoUrl}\n`,
    );
    await helmCli(['dependency', 'update', app]);
    const chart = readChartDependencies(app);
    // When / Then: kp's digest is the one helm wrote, and the lock is in sync
    expect(chart.lock?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lockDigest(chart.dependencies, chart.lock!.dependencies)).toBe(chart.lock!.digest);
    expect(lockInSync(chart)).toBe(true);
    await helmCli(['dependency', 'build', app]);

    // Given: Chart.yaml asks for another version than the lock holds
    const chartFile = path.join(app, 'Chart.yaml');
    writeFileSync(chartFile, readFileSync(chartFile, 'utf8').replace('version: 4.1.0', 'version: 4.2.0'));
    // Then: kp says out of sync, and so does the real helm
    expect(lockInSync(readChartDependencies(app))).toBe(false);
    let helmSaid = '';
    try {
      await helmCli(['dependency', 'build', app]);
    } catch (error) {
      helmSaid = String((error as {stderr?: string}).stderr);
    }
    expect(helmSaid).toMatch(/out of sync/i);
  });
});
