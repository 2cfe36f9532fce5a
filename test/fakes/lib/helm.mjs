// Fake `helm` v3: version and `list -o json` from the fake cluster's releases.
import {clusterOfContext, clusterRecord, contextServer, finish, loadClusters, readKubeconfig, recordCall, unreachableMessage} from './common.mjs';

const VERSION = () => process.env.KP_FAKE_HELM_VERSION ?? '3.16.2';

function option(args, name) {
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

export async function main(args) {
  recordCall('helm', args);
  const [verb] = args;
  if (verb === 'version') return finish({stdout: args.includes('--short') ? `v${VERSION()}+g13654a5` : `version.BuildInfo{Version:"v${VERSION()}", GitCommit:"13654a52f7c70a143b1dd51416d633e1071faffb", GitTreeState:"clean", GoVersion:"go1.22.7"}`});
  const context = option(args, '--kube-context') ?? readKubeconfig()['current-context'];
  if (verb === 'list' || verb === 'ls') {
    if (!context || contextServer(context) === undefined) return finish({stderr: `Error: Kubernetes cluster unreachable: context "${context}" does not exist`, exitCode: 1});
    const unreachable = unreachableMessage(context);
    if (unreachable) return finish({stderr: `Error: Kubernetes cluster unreachable: ${unreachable}`, exitCode: 1});
    const record = clusterRecord(loadClusters(), clusterOfContext(context));
    const all = args.includes('-A') || args.includes('--all-namespaces');
    const namespace = option(args, '-n') ?? option(args, '--namespace') ?? 'default';
    const rows = record.helmReleases.filter((r) => all || r.namespace === namespace).map(({pods, ...row}) => row);
    return finish({stdout: JSON.stringify(rows)});
  }
  return finish({stderr: `Error: unknown command "${verb}" for "helm"`, exitCode: 1});
}
