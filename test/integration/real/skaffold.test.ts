/**
 * kp's Skaffold check against the real Skaffold (built from the Go module proxy, pinned in
 * scripts/test-tools/versions.sh), no cluster: its version as kp reads it, its own validation
 * (`skaffold diagnose --yaml-only`) of kp's shipped skaffold.yaml and of the app repo's
 * (../shared/upstream/kamerplanter), its words for a broken one, which kp passes on, and
 * `skaffold render` of the app's real chart with the real helm once kp has added the chart's
 * repositories (served on loopback: the real ones cannot be reached from here).
 */
import {cpSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {parse as parseYaml, parseAllDocuments} from 'yaml';
import {loadSkaffoldConfig} from '../../../src/config/skaffold-config.js';
import {Helm} from '../../../src/tools/helm.js';
import {chartReleases, ensureHelmRepos} from '../../../src/workflows/dev/helm-repos.js';
import {ExitCode, KpError} from '../../../src/core/errors.js';
import {Runner} from '../../../src/tools/runner.js';
import {Skaffold} from '../../../src/tools/skaffold.js';
import {validateWithSkaffold} from '../../../src/workflows/dev/skaffold-check.js';
import type {KpContext} from '../../../src/workflows/context.js';
import {runHelm, serveChartRepo, stubHelmHome, type ChartRepo} from '../../helpers/chart-repo.js';
import {projectRoot} from '../../helpers/cli.js';
import {realTool} from '../../helpers/real-tools.js';
import {expectRecorded} from '../../helpers/recorded.js';
import {recordingOutput} from '../../helpers/scripted-runner.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs();
const fileTempDir = useTempDirs({scope: 'file'});
const upstream = path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter');
const pinned = /^SKAFFOLD_VERSION=v(\S+)/m.exec(readFileSync(path.join(projectRoot, 'scripts', 'test-tools', 'versions.sh'), 'utf8'))![1]!;

function realContext(): KpContext {
  const out = recordingOutput();
  return {runner: new Runner({dryRun: false, verbose: false, log: out.info}), out, dryRun: false, json: true, verbose: false};
}

// Read before beforeEach moves XDG_CACHE_HOME (where install.sh's tools.env is found) into the test's dirs.
const tools = {skaffold: '', helm: ''};
beforeAll(() => {
  tools.skaffold = realTool('KP_REAL_SKAFFOLD');
  tools.helm = realTool('KP_REAL_HELM');
});

beforeEach(() => {
  // The real skaffold first on PATH (kp calls `skaffold`), its cache and kp's own in the test's dirs.
  // The real skaffold and helm first on PATH (kp and skaffold call them by name); their caches, helm's
  // repositories and kp's own in the test's dirs.
  vi.stubEnv(
    'PATH',
    [tools.skaffold, tools.helm]
      .map((bin) => path.dirname(bin))
      .concat(process.env.PATH ?? '')
      .join(path.delimiter),
  );
  vi.stubEnv('XDG_CACHE_HOME', tempDir('kp-real-skaffold-cache-'));
  vi.stubEnv('HOME', tempDir('kp-real-skaffold-home-'));
  stubHelmHome(tempDir('kp-real-skaffold-helm-'));
  return () => vi.unstubAllEnvs();
});

describe('kp and the real skaffold', () => {
  it('Given the real skaffold, When kp reads its version, Then it is the pinned one', async () => {
    expect(await Skaffold.version(realContext().runner)).toBe(pinned);
    expectRecorded('skaffold/version.txt', (await realContext().runner.run('skaffold', ['version'])).stdout);
  });

  it.each([
    ["kp's shipped skaffold.yaml (module kp)", path.join(projectRoot, 'skaffold.yaml'), projectRoot, ['kp']],
    ["the app repo's skaffold.yaml", path.join(upstream, 'skaffold.yaml'), upstream, []],
  ])('Given %s, When kp validates it with the real skaffold, Then skaffold accepts it', async (_what, file, cwd, modules) => {
    expect(await validateWithSkaffold(realContext(), {file, cwd, modules, profiles: []}, pinned)).toEqual({ran: true});
  });

  it("Given a skaffold.yaml with `artifacts: 5`, When kp validates it, Then exit 2 carries the real skaffold's own words", async () => {
    const dir = tempDir('kp-real-skaffold-');
    const file = path.join(dir, 'skaffold.yaml');
    writeFileSync(file, readFileSync(path.join(projectRoot, 'skaffold.yaml'), 'utf8').replace('artifacts:', 'artifacts: 5\n  unusedArtifacts:'));
    const error = (await validateWithSkaffold(realContext(), {file, cwd: dir, modules: [], profiles: []}, pinned).catch((e: unknown) => e)) as KpError;
    expect(error).toBeInstanceOf(KpError);
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toContain('cannot unmarshal !!int `5` into []*latest.Artifact');
    expect(error.message).toContain('field unusedArtifacts not found in type latest.BuildConfig');
    const said = await new Skaffold(realContext().runner).diagnose({file, cwd: dir, modules: [], profiles: []});
    expect(said.exitCode).not.toBe(0);
    expectRecorded('skaffold/diagnose-broken.stderr', said.stderr.replaceAll(dir, 'DIR'));
  });
});

describe('skaffold render of the real chart, with the real helm', () => {
  let served: ChartRepo;
  beforeAll(async () => {
    // Stand-ins under the real dependencies' names and versions (bjw-s common is a library chart).
    served = await serveChartRepo(tools.helm, fileTempDir('kp-real-chart-repo-'), [
      {name: 'common', version: '4.6.2', library: true},
      {name: 'valkey', version: '0.9.4'},
      {name: 'ollama', version: '1.54.0'},
    ]);
  });
  afterAll(() => served?.close());

  /** A checkout of the app repo's skaffold.yaml and chart whose three repositories point at the served one, locked by the real helm. */
  async function appCheckout(): Promise<string> {
    const root = tempDir('kp-real-render-');
    cpSync(path.join(upstream, 'skaffold.yaml'), path.join(root, 'skaffold.yaml'));
    cpSync(path.join(upstream, 'helm'), path.join(root, 'helm'), {recursive: true});
    const chartFile = path.join(root, 'helm', 'kamerplanter', 'Chart.yaml');
    writeFileSync(chartFile, readFileSync(chartFile, 'utf8').replaceAll(/repository: (?:https|oci):\/\/\S+/g, `repository: ${served.url}`));
    // `helm dependency update` needs no known repository; `helm dependency build` (Skaffold's) does.
    await runHelm(tools.helm, ['dependency', 'update', path.join('helm', 'kamerplanter')], root);
    return root;
  }

  const render = (root: string, ...extra: string[]) =>
    realContext().runner.run('skaffold', ['render', '-m', 'kp', '--digest-source=none', '--offline=true', ...extra], {cwd: root, allowFailure: true});

  it("Given the chart's repository unknown to helm, When skaffold renders, Then helm's dependency build refuses it: the reason kp adds repositories", async () => {
    // skaffold logs helm's own words at level info only; by default it says just `building helm dependencies: exit status 1`
    const result = await render(await appCheckout(), '-v', 'info');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(`no repository definition for ${served.url}`);
    expect(result.stderr).toContain('building helm dependencies: exit status 1');
  });

  it("Given kp's Helm step has run, When skaffold renders module kp, Then the real chart renders with the dev values and skaffold's setValueTemplates, and a second step adds nothing", async () => {
    // Given: kp's own pre-flight on the checkout (the lock check, then the missing repositories)
    const root = await appCheckout();
    const releases = chartReleases(loadSkaffoldConfig(path.join(root, 'skaffold.yaml')), ['kp'], root);
    expect(releases.map((r) => `${r.module}/${r.release}`)).toEqual(['kp/kamerplanter']);
    const added = await ensureHelmRepos(realContext(), releases);
    expect(added.map((r) => r.url)).toEqual([served.url]);
    expect(await Helm.repoList(realContext().runner)).toEqual([{name: added[0]!.name, url: served.url}]);
    // When
    const result = await render(root);
    // Then: skaffold ran helm dependency build and helm template; the subcharts got the values
    expect(result.exitCode, result.stderr).toBe(0);
    // skaffold render prints its note on --digest-source to stdout too, ahead of the manifests
    expect(result.stdout.split('\n')[0]).toBe("--digest-source set to 'none', tags listed in Kubernetes manifests will be used for render");
    const manifests = parseAllDocuments(result.stdout.slice(result.stdout.indexOf('---')))
      .map((doc) => doc.toJS() as {kind?: string; metadata: {name: string}; data: {values: string}} | null)
      .filter((doc) => doc?.kind);
    // valkey is on (values.yaml), ollama off (values-dev.yaml); common is a library chart
    expect(manifests.map((doc) => `${doc!.kind}/${doc!.metadata.name}`)).toEqual(['ConfigMap/kamerplanter-valkey']);
    const valkey = parseYaml(manifests[0]!.data.values) as {dataStorage?: Record<string, unknown>};
    expect(valkey.dataStorage).toEqual({enabled: true, size: '1Gi', keepPvc: true});
    // And: a second run of kp's step finds the repository known
    expect(await ensureHelmRepos(realContext(), releases)).toEqual([]);
  });
});
