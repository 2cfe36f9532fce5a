/**
 * The context fence every feature that talks to Kubernetes applies before its first process: a
 * kubeconfig that does not parse is refused, and a `kind-*` context whose API server is not on this
 * machine is never acted on. Read in-process from the kubeconfig: the decision costs no process.
 */
import {assertKubeconfigParses, contextServer, isLocalServer, localAddresses, readKubeconfig, type KubeconfigView} from '../../config/kubeconfig.js';
import {fail} from '../../core/errors.js';

/** What the kubeconfig says about one context. */
export interface ContextView {
  /** The context's API server URL, undefined when the context is missing. */
  server: string | undefined;
  /** Whether that server is on this machine (undefined without a context). */
  serverIsLocal: boolean | undefined;
  currentContext: string | undefined;
}

/** Look at one context's entry (in-process). */
export function viewOfContext(context: string, view: KubeconfigView = readKubeconfig()): ContextView {
  const server = contextServer(view, context);
  return {server, serverIsLocal: server === undefined ? undefined : isLocalServer(server, localAddresses()), currentContext: view.currentContext};
}

/**
 * Refuse a `kind-*` context that points off this machine (kind clusters are local by nature: such an
 * entry is someone else's cluster under a dev name). A context of another name is honoured only when
 * the user named it explicitly. `mustExist` refuses a missing context.
 */
export function assertContextAllowed(context: string, options: {explicit: boolean; mustExist: boolean}): ContextView {
  assertKubeconfigParses();
  const view = viewOfContext(context);
  if (view.server === undefined) {
    if (!options.mustExist) return view;
    throw fail.prerequisite(
      `The kube context ${context} does not exist.`,
      '`kubectl config get-contexts` lists them; `kp dev up` creates the dev cluster and its kind context.',
    );
  }
  const named = options.explicit && !context.startsWith('kind-');
  if (!view.serverIsLocal && !named) {
    throw fail.prerequisite(
      `The kube context ${context} points at ${view.server}, which is not on this machine; kp will not act on it or on anything it names.`,
      'Rename or delete that context (kubectl config rename-context / delete-context); a non-kind cluster must be named explicitly with --context.',
    );
  }
  return view;
}
