/**
 * kp's Helm adapter and its Chart.lock check against the real Helm (built from the Go module proxy,
 * pinned in scripts/test-tools/versions.sh), no cluster: `helm repo list/add` as kp reads them, a
 * chart repository of the test's own served over HTTP on 127.0.0.1 (charts packaged by the real
 * helm), and the lock digest as helm itself computes and checks it. The real chart's https
 * repositories cannot be reached from here, so the repository is local.
 */
import {cpSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {lockDigest, lockInSync, readChartDependencies} from '../../../src/config/helm-chart.js';
import {Helm, parseRepoList} from '../../../src/tools/helm.js';
import {Runner} from '../../../src/tools/runner.js';
import {serveChartRepo, runHelm, stubHelmHome, writeChart, type ChartRepo} from '../../helpers/chart-repo.js';
import {projectRoot} from '../../helpers/cli.js';
import {realTool} from '../../helpers/real-tools.js';
import {expectRecorded} from '../../helpers/recorded.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs({scope: 'file'});
let helm: string;
let work: string;
let served: ChartRepo;
let repoUrl: string;

const runner = () => new Runner({dryRun: false, verbose: false, log: () => undefined});
const helmCli = (args: string[], cwd = work) => runHelm(helm, args, cwd);

beforeAll(async () => {
  helm = realTool('KP_REAL_HELM');
  work = tempDir('kp-real-helm-');
  // The repository: two charts packaged by the real helm, indexed by it, served on loopback.
  served = await serveChartRepo(helm, work, [
    {name: 'common', version: '4.1.0'},
    {name: 'valkey', version: '0.9.0'},
  ]);
  repoUrl = served.url;
});

afterAll(() => served?.close());

beforeEach(() => {
  // Helm's own files in the test's dirs, never the developer's.
  stubHelmHome(tempDir('kp-real-helm-home-'));
  return () => vi.unstubAllEnvs();
});

describe('kp and the real helm', () => {
  it('Given the real helm, When kp reads its version, Then it is the pinned one, as the recording holds', async () => {
    const pinned = /^HELM_VERSION=v(\S+)/m.exec(readFileSync(path.join(projectRoot, 'scripts', 'test-tools', 'versions.sh'), 'utf8'))![1]!;
    expect(await Helm.version(runner(), helm)).toBe(pinned);
    expectRecorded('helm/version-short.txt', await helmCli(['version', '--short']));
  });

  it('Given no repositories, When kp lists them, Then it reads the real helm answer as none', async () => {
    expectRecorded('helm/repo-list-empty.json', await helmCli(['repo', 'list', '-o', 'json']));
    expect(await Helm.repoList(runner(), helm)).toEqual([]);
  });

  it('Given a chart repository on loopback, When kp adds it and lists again, Then the real JSON is parsed into name and URL', async () => {
    await Helm.repoAdd(runner(), 'kp-local', repoUrl, helm);
    expect(await Helm.repoList(runner(), helm)).toEqual([{name: 'kp-local', url: repoUrl}]);
    // the same text, recorded from the real helm (its port made fixed), parses the same way
    const listed = await helmCli(['repo', 'list', '-o', 'json']);
    expect(parseRepoList(listed)).toEqual([{name: 'kp-local', url: repoUrl}]);
    expectRecorded('helm/repo-list.json', listed.replaceAll(repoUrl, 'http://127.0.0.1:8879/'));
  });

  it("Given a chart whose lock the real `helm dependency update` wrote, When kp recomputes the digest, Then it is helm's, and a bumped dependency makes both kp and `helm dependency build` call the lock out of sync", async () => {
    // Given: a chart depending on both charts of the repository, locked by the real helm
    await Helm.repoAdd(runner(), 'kp-local', repoUrl, helm);
    const app = writeChart(tempDir('kp-real-helm-app-'), {
      name: 'app',
      version: '0.1.0',
      extra: `dependencies:\n  - name: common\n    version: 4.1.0\n    repository: ${repoUrl}\n  - name: valkey\n    version: ~0.9.0\n    repository: ${repoUrl}\n`,
    });
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
    expectRecorded('helm/dependency-build-out-of-sync.stderr', helmSaid.replaceAll(app, 'CHART'));
  });

  it("Given the app repo's real chart and lock, When kp and the real `helm dependency build` check them, Then both find the lock in sync: helm's only complaint is the unknown repositories", async () => {
    // Given: a copy of the upstream chart (helm writes charts/ into it)
    const chartDir = path.join(tempDir('kp-real-helm-upstream-'), 'kamerplanter');
    cpSync(path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter', 'helm', 'kamerplanter'), chartDir, {recursive: true});
    expect(lockInSync(readChartDependencies(chartDir))).toBe(true);
    // When: helm checks the lock's digest first, then looks for the https repositories (which it matches by URL)
    const helmSaid = await helmCli(['dependency', 'build', chartDir]).then(
      () => 'accepted',
      (error: {stderr?: string}) => String(error.stderr),
    );
    // Then: no "out of sync"; the OCI repository needs no definition
    expect(helmSaid).not.toMatch(/out of sync/i);
    expectRecorded('helm/dependency-build-no-repository.stderr', helmSaid);
    expect(helmSaid.trim()).toBe(
      "Error: no repository definition for https://bjw-s-labs.github.io/helm-charts/, https://otwld.github.io/ollama-helm/. Please add the missing repos via 'helm repo add'",
    );
  });
});
