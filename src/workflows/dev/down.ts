/**
 * `kp dev down`: delete the kind cluster (its PVC data goes with it, so this needs a confirmation
 * or --yes), and with --clean the docker volumes/networks labelled for it. Nothing there -> nothing done.
 */
import type {KpContext} from '../context.js';
import {validateClusterName} from '../shared/names.js';
import {readKubeconfig} from '../../config/kubeconfig.js';
import {Engine} from '../../tools/docker.js';
import {Kind, KIND_CLUSTER_LABEL, kindContextName} from '../../tools/kind.js';
import {confirmOrRefuse} from '../shared/confirm.js';
import {observeNodes} from './cluster.js';
import {assertLocalContext} from './kube-context.js';

/** What `kp dev down` was asked to do. */
export interface DevDownOptions {
  name: string;
  clean: boolean;
  yes: boolean;
}

/** The documented JSON of `kp dev down --json`. */
export interface DevDownResult {
  name: string;
  /** True when kp ran `kind delete cluster`. */
  deleted: boolean;
  /** Node containers that existed before. */
  nodes: string[];
  /** True when --clean pruned labelled docker resources. */
  cleaned: boolean;
  /** True under --dry-run: nothing was deleted (`deleted` and `cleaned` stay false). */
  dryRun: boolean;
}

/** What there is to remove (pure decision). */
export function planDown(
  observed: {nodes: string[]; contextExists: boolean},
  clean: boolean,
): {deleteCluster: boolean; needsConfirmation: boolean; prune: boolean} {
  const deleteCluster = observed.nodes.length > 0 || observed.contextExists;
  // Only node containers hold data (PVCs); a stale context alone is removed without asking.
  return {deleteCluster, needsConfirmation: observed.nodes.length > 0, prune: clean};
}

/** Run `kp dev down`. */
export async function devDown(ctx: KpContext, options: DevDownOptions): Promise<DevDownResult> {
  validateClusterName(options.name);
  // The fence, before anything: `kind delete cluster` also deletes the kind-N context, which may be someone else's.
  const contextView = assertLocalContext(options.name);
  const engine = new Engine(ctx.runner);
  const nodes = (await observeNodes(engine, options.name)).map((n) => n.name);
  const contextExists = contextView.server !== undefined || readKubeconfig().contexts.has(kindContextName(options.name));
  const plan = planDown({nodes, contextExists}, options.clean);
  const result: DevDownResult = {name: options.name, deleted: false, nodes, cleaned: false, dryRun: ctx.dryRun};
  if (!plan.deleteCluster && !plan.prune) {
    ctx.out.success(`No kind cluster ${options.name}: nothing to delete`);
    return result;
  }
  if (plan.needsConfirmation) {
    ctx.out.warn(
      `Deleting kind cluster ${options.name} (${nodes.join(', ')}) deletes its persistent volumes: ArangoDB data and Home Assistant config are lost.`,
    );
    await confirmOrRefuse(`Delete kind cluster ${options.name}?`, {yes: options.yes, what: `delete kind cluster ${options.name}`});
  }
  if (plan.deleteCluster) {
    await new Kind(ctx.runner, 'kind', engine.bin).deleteCluster(options.name);
    result.deleted = !ctx.dryRun;
  } else ctx.out.info(`No kind cluster ${options.name} to delete.`);
  if (plan.prune) {
    ctx.out.step(`Removing docker volumes and networks labelled ${KIND_CLUSTER_LABEL}=${options.name}`);
    await engine.pruneLabelled(`${KIND_CLUSTER_LABEL}=${options.name}`);
    result.cleaned = !ctx.dryRun;
  }
  return result;
}
