// Fake `helm` v3: version and `list -o json` from the fake cluster's releases.
import {clusterOfContext, clusterRecord, contextServer, finish, loadClusters, parseArgs, readKubeconfig, recordCall, unreachableMessage} from './common.mjs';

const VERSION = () => process.env.KP_FAKE_HELM_VERSION ?? '3.16.2';

/** helm's flags that take a value (everything else is a boolean), and its short names. */
const HELM_FLAGS = {
  values: ['--kube-context', '--kubeconfig', '--namespace', '--output', '--filter', '--selector', '--max'],
  aliases: {'-n': '--namespace', '-o': '--output', '-A': '--all-namespaces', '-l': '--selector', '-f': '--filter', '-m': '--max', '-a': '--all'},
};

export async function main(args) {
  recordCall('helm', args);
  const parsed = parseArgs(args, HELM_FLAGS);
  const [verb] = parsed.positionals;
  if (verb === 'version') return finish({stdout: parsed.has('--short') ? `v${VERSION()}+g13654a5` : `version.BuildInfo{Version:"v${VERSION()}", GitCommit:"13654a52f7c70a143b1dd51416d633e1071faffb", GitTreeState:"clean", GoVersion:"go1.22.7"}`});
  const context = parsed.value('--kube-context') ?? readKubeconfig()['current-context'];
  if (verb === 'list' || verb === 'ls') {
    if (!context || contextServer(context) === undefined) return finish({stderr: `Error: Kubernetes cluster unreachable: context "${context}" does not exist`, exitCode: 1});
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
