// Fake `helm` (3.20 or 4 by KP_FAKE_HELM_VERSION): version, `list -o json` from the fake cluster's releases,
// `repo list/add` and `dependency build` (helm-charts.mjs) as ../shared/spec/tool-behaviour.md describes them.
import {dependencyBuild, knownRepos, repoAdd} from './helm-charts.mjs';
import {clusterOfContext, clusterRecord, contextServer, finish, loadClusters, parseArgs, readKubeconfig, recordCall, unreachableMessage} from './common.mjs';

const VERSION = () => process.env.KP_FAKE_HELM_VERSION ?? '3.20.2';

/** helm's flags that take a value (everything else is a boolean), and its short names. */
const HELM_FLAGS = {
  values: ['--kube-context', '--kubeconfig', '--namespace', '--output', '--filter', '--selector', '--max'],
  aliases: {'-n': '--namespace', '-o': '--output', '-A': '--all-namespaces', '-l': '--selector', '-f': '--filter', '-m': '--max', '-a': '--all'},
};

export async function main(args) {
  recordCall('helm', args);
  const parsed = parseArgs(args, HELM_FLAGS);
  const [verb] = parsed.positionals;
  if (verb === 'version')
    return finish({
      stdout: parsed.has('--short')
        ? `v${VERSION()}+g13654a5`
        : `version.BuildInfo{Version:"v${VERSION()}", GitCommit:"13654a52f7c70a143b1dd51416d633e1071faffb", GitTreeState:"clean", GoVersion:"go1.22.7"}`,
    });
  if (verb === 'repo') {
    const [, sub, name, url] = parsed.positionals;
    if (sub === 'add') return finish(repoAdd(name, url));
    if (sub === 'list' || sub === 'ls') {
      const repos = knownRepos();
      if (parsed.value('--output') === 'json') return finish({stdout: `${JSON.stringify(repos)}\n`});
      if (repos.length === 0) {
        // Helm 3 fails here; Helm 4 says the same on stderr and exits 0.
        return VERSION().startsWith('3.') ? finish({stderr: 'Error: no repositories to show', exitCode: 1}) : finish({stderr: 'no repositories to show'});
      }
      return finish({stdout: ['NAME\tURL', ...repos.map((r) => `${r.name}\t${r.url}`)].join('\n')});
    }
    return finish({stderr: `Error: unknown command "${sub}" for "helm repo"`, exitCode: 1});
  }
  if (verb === 'dependency' || verb === 'dep') {
    const [, sub, chartDir] = parsed.positionals;
    if (sub === 'build') return finish(dependencyBuild(chartDir ?? '.'));
    return finish({stderr: `Error: unknown command "${sub}" for "helm dependency"`, exitCode: 1});
  }
  const context = parsed.value('--kube-context') ?? readKubeconfig()['current-context'];
  if (verb === 'list' || verb === 'ls') {
    if (!context || contextServer(context) === undefined)
      return finish({stderr: `Error: Kubernetes cluster unreachable: context "${context}" does not exist`, exitCode: 1});
    const unreachable = unreachableMessage(context);
    if (unreachable) return finish({stderr: `Error: Kubernetes cluster unreachable: ${unreachable}`, exitCode: 1});
    const record = clusterRecord(loadClusters(), clusterOfContext(context));
    const all = parsed.has('--all-namespaces');
    const namespace = parsed.value('--namespace') ?? 'default';
    const rows = record.helmReleases.filter((r) => all || r.namespace === namespace).map(({pods, ...row}) => row);
    return finish({stdout: JSON.stringify(rows)});
  }
  return finish({stderr: `Error: unknown command "${verb}" for "helm"`, exitCode: 1});
}
