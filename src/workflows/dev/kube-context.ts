/**
 * The kube-context guard of `kp dev`: the `kind-N` context's server must be on this machine
 * (the fence), and the user's current context is never left changed (kind switches it; kp
 * switches it back, even across a Ctrl-C, through a note in the state dir).
 */
import {existsSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {readKubeconfig, type KubeconfigView} from '../../config/kubeconfig.js';
import {assertContextAllowed, viewOfContext, type ContextView} from '../shared/kube-fence.js';
import {writeFileAtomic} from '../../config/atomic-write.js';
import {stateDir} from '../../config/paths.js';
import {fail} from '../../core/errors.js';
import {interruption} from '../../core/interruption.js';
import {kindContextName} from '../../tools/kind.js';
import {Kubectl} from '../../tools/kubectl.js';
import type {KpContext} from '../context.js';

/** Look at the kubeconfig entry of `kind-N` (in-process: no process spent). */
export function observeContext(name: string, view: KubeconfigView = readKubeconfig()): ContextView {
  return viewOfContext(kindContextName(name), view);
}

export type {ContextView};

/**
 * The fence, read from the kubeconfig alone (no process): refuse when the kind-N context points at
 * an API server off this machine. A missing context passes (there is nothing to act on yet). Every
 * dev command calls this before its first process; a kubeconfig that does not parse is refused
 * first, so a kind-N entry in a broken file can never count as "no context".
 */
export function assertLocalContext(name: string): ContextView {
  return assertContextAllowed(kindContextName(name), {explicit: false, mustExist: false});
}

/** After the cluster work: the kind-N context must now exist, and (the fence again) be local. */
export function enforceFence(name: string): {server: string} {
  const view = assertLocalContext(name);
  if (view.server === undefined) {
    throw fail.toolFailed(
      `The kube context ${kindContextName(name)} does not exist after setting up the cluster.`,
      `Check \`kind get clusters\`; \`kp dev up --recreate --name ${name}\` starts over.`,
    );
  }
  return {server: view.server};
}

/** Where kp remembers the current context it must put back (survives an interrupted create). */
function pendingContextFile(name: string): string {
  return path.join(stateDir(), `dev-${name}-current-context.json`);
}

/**
 * Put back a current context remembered by an interrupted run (kind had switched it, and the
 * Ctrl-C came before kp could switch it back). Returns true when it did.
 */
export async function restorePendingCurrentContext(ctx: KpContext, name: string): Promise<boolean> {
  const file = pendingContextFile(name);
  if (!existsSync(file) || ctx.dryRun) return false;
  let before: string | undefined;
  try {
    ({before} = JSON.parse(readFileSync(file, 'utf8')) as {before?: string});
  } catch {
    // A note kp cannot read helps nobody: say so, drop it, and leave the current context alone.
    ctx.out.warn(`Ignoring an unreadable note of an interrupted run (${file}); your current kube context is left as it is.`);
    rmSync(file, {force: true});
    return false;
  }
  const now = readKubeconfig().currentContext;
  let restored = false;
  if (now !== before && now === kindContextName(name)) {
    await new Kubectl(ctx.runner, kindContextName(name)).useContext(before);
    ctx.out.info(`Put back your current kube context ${before ?? '(none)'} (an earlier run was interrupted).`);
    restored = true;
  }
  rmSync(file, {force: true});
  return restored;
}

/**
 * Run a kind command that writes the kubeconfig, then put the user's current context back:
 * kind switches it to kind-N, and kp promises never to change it. The previous context is written
 * down first, so a run interrupted in between is repaired by the next one.
 */
export async function withCurrentContextKept<T>(ctx: KpContext, kubectl: Kubectl, name: string, action: () => Promise<T>): Promise<T> {
  const before = readKubeconfig().currentContext;
  const file = pendingContextFile(name);
  if (!ctx.dryRun) {
    writeFileAtomic(file, JSON.stringify({before}));
  }
  try {
    return await action();
  } finally {
    // After Ctrl-C no process may be started: the pending file lets the next run finish this.
    if (!ctx.dryRun && !interruption.signal.aborted) {
      const after = readKubeconfig().currentContext;
      if (after !== before) {
        await kubectl.useContext(before);
        ctx.out.info(`Kept your current kube context ${before ?? '(none)'}; kp always passes --context ${kubectl.context}.`);
      }
      rmSync(file, {force: true});
    }
  }
}
