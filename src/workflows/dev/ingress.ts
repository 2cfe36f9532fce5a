/**
 * The dev cluster's ingress controller, in this one module (moving to another controller is a
 * change here only). ingress-nginx for kind, from its genuine upstream manifest of the final
 * release: downloaded once from its tag-pinned URL, checked against its sha256, cached under
 * $XDG_CACHE_HOME/kp/, and applied only when the controller is missing or older. A newer
 * controller is reported and left alone (never downgraded). The no-op path is one `kubectl get`.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
// One function per import: semver's index loads (and compiles regexes for) all of semver at start-up.
import coerce from 'semver/functions/coerce.js';
import gt from 'semver/functions/gt.js';
import lt from 'semver/functions/lt.js';
import {writeFileAtomic} from '../../config/atomic-write.js';
import {cacheDir} from '../../config/paths.js';
import {InterruptedError, ToolError, fail} from '../../core/errors.js';
import {interruption} from '../../core/interruption.js';
import type {Kubectl} from '../../tools/kubectl.js';
import type {KpContext} from '../context.js';

/** The pinned controller: the last ingress-nginx release (the project is retired upstream). */
export const INGRESS_CONTROLLER = {
  name: 'ingress-nginx',
  version: '1.15.1',
  namespace: 'ingress-nginx',
  deployment: 'ingress-nginx-controller',
  /** Tag-pinned, never a branch. */
  manifestUrl: 'https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml',
  sha256: '2a3ae008c8786431115502644e77ab398fdebfb721a5d1195ed3089cde3299df',
} as const;

/**
 * Where the manifest is fetched from. Tests serve the genuine file from a local server through
 * KP_TEST_INGRESS_MANIFEST_URL; the digest check is the same either way.
 */
export function manifestUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.KP_TEST_INGRESS_MANIFEST_URL || INGRESS_CONTROLLER.manifestUrl;
}

/** The cached manifest's path. */
export function cachedManifestPath(): string {
  return path.join(cacheDir(), `ingress-nginx-controller-v${INGRESS_CONTROLLER.version}-kind.yaml`);
}

/** What the cluster has now. */
export interface IngressObservation {
  installed: boolean;
  /** `app.kubernetes.io/version` of the controller Deployment (or its image tag). */
  version: string | undefined;
  ready: boolean;
}

/** What kp will do about the controller: nothing, wait for it, apply the pinned one, or keep a newer one. */
export type IngressAction = 'none' | 'wait' | 'apply' | 'keep-newer';

/** Decide (pure): apply when missing or older, wait when right but not ready, keep a newer one. */
export function planIngress(observed: IngressObservation, pinnedVersion: string = INGRESS_CONTROLLER.version): {action: IngressAction; reason: string} {
  if (!observed.installed) return {action: 'apply', reason: `ingress-nginx is not installed; applying the pinned ${pinnedVersion}`};
  const installed = observed.version ? coerce(observed.version) : null;
  if (installed && gt(installed, pinnedVersion)) {
    return {
      action: 'keep-newer',
      reason: `ingress-nginx ${observed.version} is installed, newer than kp's ${pinnedVersion}: left as it is (kp never downgrades it)`,
    };
  }
  if (!installed || lt(installed, pinnedVersion)) {
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
  return ingressFromDeployment(await kubectl.getJson<DeploymentJson>('deployment', INGRESS_CONTROLLER.deployment, INGRESS_CONTROLLER.namespace));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Where the manifest came from on this run. */
export type ManifestSource = 'cache' | 'download';

/**
 * The verified manifest file: the cache when it holds the right bytes, else one download (checked
 * before it is cached; a mismatch is refused and nothing is kept).
 */
export async function verifiedManifest(ctx: KpContext, timeoutMs = 60_000): Promise<{file: string; source: ManifestSource}> {
  const file = cachedManifestPath();
  try {
    if (sha256(readFileSync(file)) === INGRESS_CONTROLLER.sha256) return {file, source: 'cache'};
  } catch {
    // not cached yet
  }
  const url = manifestUrl();
  ctx.out.step(`Downloading the ingress-nginx ${INGRESS_CONTROLLER.version} kind manifest (${url})`);
  let bytes: Uint8Array;
  try {
    // Ctrl-C ends the download at once, not after the timeout.
    const response = await fetch(url, {signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), interruption.signal]), redirect: 'follow'});
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (interruption.signal.aborted) throw new InterruptedError();
    const cause = (error as {cause?: {code?: string}}).cause?.code ?? (error as Error).message;
    throw fail.toolFailed(
      `Could not download the ingress-nginx manifest from ${url}: ${cause}.`,
      `Check the network, or put the file (sha256 ${INGRESS_CONTROLLER.sha256}) at ${file} yourself.`,
    );
  }
  const digest = sha256(bytes);
  if (digest !== INGRESS_CONTROLLER.sha256) {
    throw fail.toolFailed(
      `The ingress-nginx manifest from ${url} has sha256 ${digest}, not the pinned ${INGRESS_CONTROLLER.sha256}: refused, nothing applied.`,
      'Someone changed the file at that address, or a proxy rewrote it. Do not apply it; report it.',
    );
  }
  writeFileAtomic(file, bytes, {mode: 0o644});
  return {file, source: 'download'};
}

/** Apply and/or wait as planned; a rollout that does not finish in time is a timeout error. */
export async function applyIngress(
  ctx: KpContext,
  kubectl: Kubectl,
  action: IngressAction,
  timeoutSeconds: number,
): Promise<{manifest: ManifestSource | undefined}> {
  if (action === 'none' || action === 'keep-newer') return {manifest: undefined};
  let manifest: ManifestSource | undefined;
  if (action === 'apply') {
    if (ctx.dryRun) {
      ctx.out.info(
        `[dry-run] would apply the ingress-nginx ${INGRESS_CONTROLLER.version} manifest (${manifestUrl()}, sha256 ${INGRESS_CONTROLLER.sha256.slice(0, 12)}…)`,
      );
    } else {
      const verified = await verifiedManifest(ctx);
      manifest = verified.source;
      await kubectl.apply(verified.file);
    }
  }
  if (ctx.dryRun) {
    ctx.out.info(`[dry-run] would wait for deployment/${INGRESS_CONTROLLER.deployment} to roll out`);
    return {manifest};
  }
  const result = await kubectl.rolloutStatus(`deployment/${INGRESS_CONTROLLER.deployment}`, INGRESS_CONTROLLER.namespace, timeoutSeconds);
  if (result.exitCode !== 0 && !result.timedOut)
    throw new ToolError(
      `kubectl --context ${kubectl.context} rollout status deployment/${INGRESS_CONTROLLER.deployment}`,
      result.exitCode,
      result.stderr || result.stdout,
    );
  if (result.exitCode !== 0) {
    throw fail.timeout(
      `ingress-nginx did not become ready within ${timeoutSeconds}s: ${result.stderr.trim().split('\n').pop() ?? ''}`,
      `kubectl --context ${kubectl.context} -n ${INGRESS_CONTROLLER.namespace} describe pods -l app.kubernetes.io/component=controller`,
    );
  }
  return {manifest};
}
