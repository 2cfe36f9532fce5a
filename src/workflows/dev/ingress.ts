/**
 * ingress-nginx for kind, from a manifest pinned inside kp (never fetched from a branch): applied
 * only when missing or at another version, then awaited. The no-op path is one `kubectl get`.
 */
import path from 'node:path';
import type {KpContext} from '../context.js';
import {installDir} from '../../config/paths.js';
import {fail} from '../../core/errors.js';
import type {Kubectl} from '../../tools/kubectl.js';

/** The pinned ingress-nginx release kp installs into the dev cluster. */
export const INGRESS_NGINX = {
  version: '1.12.1',
  namespace: 'ingress-nginx',
  deployment: 'ingress-nginx-controller',
  manifest: path.join(installDir, 'assets', 'ingress-nginx', 'controller-v1.12.1-kind.yaml'),
} as const;

/** What the cluster has now. */
export interface IngressObservation {
  installed: boolean;
  /** `app.kubernetes.io/version` of the controller Deployment (or its image tag). */
  version: string | undefined;
  ready: boolean;
}

/** What kp will do about ingress-nginx. */
export type IngressAction = 'none' | 'wait' | 'apply';

/** Decide (pure): apply when missing or at another version, wait when right but not ready. */
export function planIngress(observed: IngressObservation, pinnedVersion: string = INGRESS_NGINX.version): {action: IngressAction; reason: string} {
  if (!observed.installed) return {action: 'apply', reason: `ingress-nginx is not installed; applying the pinned ${pinnedVersion}`};
  if (observed.version !== pinnedVersion) {
    return {action: 'apply', reason: `ingress-nginx ${observed.version ?? '(unknown version)'} is installed; kp pins ${pinnedVersion}`};
  }
  if (!observed.ready) return {action: 'wait', reason: `ingress-nginx ${pinnedVersion} is installed but not ready yet`};
  return {action: 'none', reason: `ingress-nginx ${pinnedVersion} is installed and ready`};
}

interface DeploymentJson {
  metadata?: {labels?: Record<string, string>};
  spec?: {replicas?: number; template?: {spec?: {containers?: Array<{image?: string}>}}};
  status?: {readyReplicas?: number; updatedReplicas?: number};
}

/** Read the controller Deployment's version and readiness from `kubectl get deployment -o json`. */
export function ingressFromDeployment(deployment: DeploymentJson | undefined): IngressObservation {
  if (!deployment) return {installed: false, version: undefined, ready: false};
  const label = deployment.metadata?.labels?.['app.kubernetes.io/version'];
  const image = deployment.spec?.template?.spec?.containers?.[0]?.image ?? '';
  const fromImage = /:v?(\d+\.\d+\.\d+)/.exec(image)?.[1];
  const wanted = deployment.spec?.replicas ?? 1;
  return {installed: true, version: label ?? fromImage, ready: (deployment.status?.readyReplicas ?? 0) >= wanted};
}

/** One `kubectl get deployment` against the cluster. */
export async function observeIngress(kubectl: Kubectl): Promise<IngressObservation> {
  return ingressFromDeployment(await kubectl.getJson<DeploymentJson>('deployment', INGRESS_NGINX.deployment, INGRESS_NGINX.namespace));
}

/** Apply and/or wait as planned; a rollout that does not finish in time is a timeout error. */
export async function applyIngress(ctx: KpContext, kubectl: Kubectl, action: IngressAction, timeoutSeconds: number): Promise<void> {
  if (action === 'none') return;
  if (action === 'apply') await kubectl.apply(INGRESS_NGINX.manifest);
  if (ctx.dryRun) {
    ctx.out.info(`[dry-run] would wait for deployment/${INGRESS_NGINX.deployment} to roll out`);
    return;
  }
  const result = await kubectl.rolloutStatus(`deployment/${INGRESS_NGINX.deployment}`, INGRESS_NGINX.namespace, timeoutSeconds);
  if (result.exitCode !== 0) {
    throw fail.timeout(
      `ingress-nginx did not become ready within ${timeoutSeconds}s: ${result.stderr.trim().split('\n').pop() ?? ''}`,
      `kubectl --context ${kubectl.context} -n ${INGRESS_NGINX.namespace} describe pods -l app.kubernetes.io/component=controller`,
    );
  }
}
