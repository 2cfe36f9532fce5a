// Fake `skaffold` v2: selects modules/profiles from the real skaffold.yaml with Skaffold's
// wording for unknown names, "deploys" the helm releases into the fake cluster, and for `dev`
// stays in the foreground until SIGINT, then cleans up. KP_FAKE_SKAFFOLD_DEV_EXIT_AFTER_MS and
// KP_FAKE_SKAFFOLD_DEV_EXIT_CODE make `dev` end by itself with that code.
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {dependencyBuild} from './helm-charts.mjs';
import {
  clusterOfContext,
  clusterRecord,
  contextServer,
  finish,
  loadClusters,
  parseArgs,
  recordCall,
  saveClusters,
  sleep,
  stateDir,
  unreachableMessage,
  writeJson,
} from './common.mjs';

const VERSION = () => process.env.KP_FAKE_SKAFFOLD_VERSION ?? '2.16.1';
/** Skaffold's flags that take a value (everything else is a boolean, `--auto-build=false` included), and its short names. */
const SKAFFOLD_FLAGS = {
  values: ['--kube-context', '--kubeconfig', '--filename', '--profile', '--module', '--trigger', '--namespace', '--default-repo', '--verbosity'],
  aliases: {'-f': '--filename', '-p': '--profile', '-m': '--module', '-n': '--namespace', '-d': '--default-repo', '-v': '--verbosity'},
};

/** The 1-based line of the first `artifacts:` key in `file`. */
function artifactsLine(file) {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => /^\s*artifacts:/.test(line)) + 1
  );
}

function deploy(cluster, configs) {
  const clusters = loadClusters();
  const record = clusterRecord(clusters, cluster);
  for (const config of configs) {
    for (const release of config.deploy?.helm?.releases ?? []) {
      record.helmReleases = record.helmReleases.filter((r) => r.name !== release.name);
      record.helmReleases.push({
        name: release.name,
        namespace: release.namespace ?? 'default',
        revision: '1',
        updated: new Date().toISOString(),
        status: 'deployed',
        chart: `${path.basename(release.chartPath ?? release.name)}-0.1.0`,
        app_version: '0.0.12',
        pods: [{name: `${release.name}-backend-7c9d8f6b5-abcde`, status: {phase: 'Running', conditions: [{type: 'Ready', status: 'True'}]}}],
      });
    }
  }
  saveClusters(clusters);
}

function undeploy(cluster, configs) {
  const clusters = loadClusters();
  const record = clusterRecord(clusters, cluster);
  const names = configs.flatMap((c) => (c.deploy?.helm?.releases ?? []).map((r) => r.name));
  record.helmReleases = record.helmReleases.filter((r) => !names.includes(r.name));
  saveClusters(clusters);
  return names;
}

export async function main(args) {
  recordCall('skaffold', args);
  const parsed = parseArgs(args, SKAFFOLD_FLAGS);
  const [verb] = parsed.positionals;
  if (verb === 'version') return finish({stdout: `v${VERSION()}`});
  if (!['run', 'dev', 'delete', 'render', 'diagnose', 'build', 'deploy', 'debug'].includes(verb)) {
    return finish({stderr: `Error: unknown command "${verb}" for "skaffold"\nRun 'skaffold --help' for usage.`, exitCode: 127});
  }
  const options = {profiles: parsed.list('--profile'), modules: parsed.list('--module')};
  const file = parsed.value('--filename') ?? 'skaffold.yaml';
  if (!existsSync(file))
    return finish({stderr: `skaffold config file ${file} not found - check your current working directory, or try running \`skaffold init\``, exitCode: 1});
  const configs = YAML.parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS())
    .filter(Boolean);
  const selected = options.modules.length === 0 ? configs : configs.filter((c) => options.modules.includes(c.metadata?.name));
  const missingModules = options.modules.filter((m) => !configs.some((c) => c.metadata?.name === m));
  if (missingModules.length > 0) return finish({stderr: `did not find any configs matching selection [${missingModules.join(' ')}]`, exitCode: 1});
  for (const profile of options.profiles) {
    if (!selected.some((c) => (c.profiles ?? []).some((p) => p.name === profile))) return finish({stderr: `couldn't find profile ${profile}`, exitCode: 1});
  }
  // Skaffold's schema: a config whose build.artifacts is not a list does not parse.
  for (const config of selected) {
    const artifacts = config.build?.artifacts;
    if (artifacts !== undefined && !Array.isArray(artifacts)) {
      return finish({
        // The real skaffold's words (recorded: test/fixtures/recorded/skaffold/diagnose-broken.stderr);
        // its line is the document's, which this fake approximates by the file's first `artifacts:`.
        stderr: `error parsing skaffold configuration file: unable to parse config: yaml: unmarshal errors:\n  line ${artifactsLine(file)}: cannot unmarshal !!${typeof artifacts === 'number' ? 'int' : 'str'} \`${artifacts}\` into []*latest.Artifact`,
        exitCode: 1,
      });
    }
  }
  if (verb === 'diagnose') {
    if (!parsed.has('--yaml-only')) return finish({stderr: 'fake skaffold: only `diagnose --yaml-only` is modelled', exitCode: 1});
    return finish({stdout: selected.map((c) => YAML.stringify(c)).join('---\n')});
  }
  const context = parsed.value('--kube-context');
  if (!context) return finish({stderr: 'fake skaffold: refusing to guess the kube context (pass --kube-context)', exitCode: 1});
  if (contextServer(context) === undefined) return finish({stderr: `getting cluster: context "${context}" does not exist`, exitCode: 1});
  const unreachable = unreachableMessage(context);
  if (unreachable) return finish({stderr: `deploy failed: ${unreachable}`, exitCode: 1});
  const cluster = clusterOfContext(context);

  if (verb === 'delete') {
    const names = undeploy(cluster, selected);
    return finish({stdout: `Cleaning up...\n${names.map((n) => ` - release "${n}" uninstalled`).join('\n')}`});
  }
  process.stdout.write('Generating tags...\n - kamerplanter-backend -> kamerplanter-backend:a1b2c3d\nStarting deploy...\n');
  // Skaffold's helm deployer runs `helm dep build <chartPath>` before every deploy unless skipBuildDependencies.
  for (const config of selected) {
    for (const release of config.deploy?.helm?.releases ?? []) {
      if (!release.chartPath || release.skipBuildDependencies) continue;
      const built = dependencyBuild(path.resolve(release.chartPath));
      // Skaffold logs helm's own words at level info only (checked on the real skaffold v2.16.1:
      // test/integration/real/skaffold.test.ts); at its default level it says just this.
      const verbosity = parsed.value('--verbosity') ?? 'warn';
      const helmSaid = ['info', 'debug', 'trace'].includes(verbosity)
        ? `time="2026-01-01T00:00:00Z" level=info msg=${JSON.stringify(built.stderr)} subtask=0 task=Deploy\n`
        : '';
      if (built.exitCode !== 0) return finish({stderr: `${helmSaid}building helm dependencies: exit status 1`, exitCode: 1});
    }
  }
  deploy(cluster, selected);
  if (verb !== 'dev' && verb !== 'debug')
    return finish({
      stdout: 'Waiting for deployments to stabilize...\nDeployments stabilized in 1.2 seconds\nYou can also run [skaffold run --tail] to get the logs',
    });

  process.stdout.write(
    'Port forwarding service/kamerplanter-backend in namespace default, remote port 8000 -> http://127.0.0.1:8000\nPress Ctrl+C to exit\nWatching for changes...\n',
  );
  const exitAfter = process.env.KP_FAKE_SKAFFOLD_DEV_EXIT_AFTER_MS;
  const keepAlive = setInterval(() => {}, 1000); // a signal listener alone does not keep node running
  const signalled = new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const outcome = await Promise.race([signalled, exitAfter === undefined ? new Promise(() => {}) : sleep(Number(exitAfter)).then(() => 'exit')]);
  clearInterval(keepAlive);
  if (outcome === 'exit') {
    process.exitCode = Number(process.env.KP_FAKE_SKAFFOLD_DEV_EXIT_CODE ?? 0);
    process.exit();
  }
  process.stdout.write('Cleaning up...\n');
  const names = undeploy(cluster, selected);
  writeJson(path.join(stateDir(), 'skaffold-dev.json'), {signal: outcome, cleanedUp: names});
  finish({stdout: names.map((n) => ` - release "${n}" uninstalled`).join('\n')});
  process.exit();
}
