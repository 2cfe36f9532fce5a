/**
 * `kp ha up` / `kp ha down`: a dev Home Assistant in one command, and gone again in one.
 * Kubernetes (default when the dev cluster exists): kp's own manifest (manifest.ts) applied with
 * `--context kind-<name>`, then a first sync once HA answers. Docker: the `homeassistant` profile of
 * kp's compose stack, through compose's own start workflow (the one feature crossing: it IS that
 * stack's profile, and `kp compose start --profile homeassistant` must stay the same thing).
 * Both idempotent: a second `up` applies nothing new and restarts nothing.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {ExitCode, fail, KpError} from '../../core/errors.js';
import {Engine} from '../../tools/docker.js';
import {kindContextName} from '../../tools/kind.js';
import {Kubectl} from '../../tools/kubectl.js';
import {Compose} from '../../tools/compose.js';
import type {KpContext} from '../context.js';
import {composeStart, type ComposeStartResult} from '../compose/start.js';
import {composeFor, requireCompose, resolveStack, withTeardownEnvFile} from '../compose/stack.js';
import {confirmOrRefuse} from '../shared/confirm.js';
import {assertContextAllowed, viewOfContext} from '../shared/kube-fence.js';
import {validateClusterName} from '../shared/names.js';
import {detectSource} from './component.js';
import {assertLintPossible, lintGate, pythonChanged, type LintMode} from './lint.js';
import {DEFAULT_HA_IMAGE, HA_MANIFEST_NAMES, haManifest, hostTimeZone, parseApplyOutput, type ApplyLine} from './manifest.js';
import type {HaSyncReport} from './report.js';
import {runSyncRound, type HaSyncOptions} from './round.js';
import {ContainerTarget} from './targets/container.js';
import {PodTarget} from './targets/pod.js';
import {HA_DEFAULTS, announceTarget} from './targets/select.js';
import type {HaTarget} from './targets/target.js';

/**
 * kind's default pod subnet, which the upstream kind-config.yaml also sets explicitly
 * (`networking.podSubnet: "10.244.0.0/16"`): ingress-nginx reaches HA from an address in it.
 */
export const KIND_POD_CIDR = '10.244.0.0/16';

/** The compose profile (and service) that runs the dev HA in Docker. */
export const HA_COMPOSE_PROFILE = 'homeassistant';

/** Where a dev HA runs. */
export type HaLifecycleTarget = 'kubernetes' | 'docker';

/** What `kp ha up` was asked for. */
export interface HaUpOptions {
  target: HaLifecycleTarget | undefined;
  /** kind cluster name (context kind-<name>). */
  clusterName: string;
  /** Compose project (docker target). */
  projectName: string | undefined;
  cwd: string;
  source: string | undefined;
  timeoutSeconds: number;
  /** Sync the local component once HA answers (default true). */
  sync: boolean;
  lintMode: LintMode;
  lockTimeoutMs: number;
}

/** The result of `kp ha up` (`--json` prints exactly this). */
export interface HaUpResult {
  target: HaLifecycleTarget;
  image: string;
  /** kube context (kubernetes) or compose project (docker). */
  where: string;
  url: string;
  /** False when everything was already in place (nothing applied or started). */
  changed: boolean;
  /** kubectl apply's lines (kubernetes). */
  applied: ApplyLine[] | undefined;
  /** Compose start's action (docker). */
  compose: Pick<ComposeStartResult, 'action' | 'reason'> | undefined;
  /** The first sync's report, or why there was none. */
  sync: HaSyncReport | {skipped: string};
  dryRun: boolean;
  durationMs: number;
}

/** The image of the dev HA: HA_IMAGE when set (tests run a stand-in), else the pinned one. */
export function haImage(env: NodeJS.ProcessEnv = process.env): string {
  const image = env.HA_IMAGE?.trim() || DEFAULT_HA_IMAGE;
  // A reference, never an option: no leading "-", no whitespace or shell metacharacters.
  if (!/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(image)) {
    throw fail.usage(`HA_IMAGE ${JSON.stringify(image)} is not an image reference.`, `e.g. HA_IMAGE=${DEFAULT_HA_IMAGE}`);
  }
  return image;
}

/** Kubernetes when the dev cluster's context exists on this machine, else Docker (or what was asked for). */
export function chooseLifecycleTarget(requested: HaLifecycleTarget | undefined, clusterName: string): HaLifecycleTarget {
  if (requested) return requested;
  const view = viewOfContext(kindContextName(clusterName));
  return view.server !== undefined && view.serverIsLocal ? 'kubernetes' : 'docker';
}

function podTarget(kubectl: Kubectl): PodTarget {
  return new PodTarget(kubectl, {pod: HA_MANIFEST_NAMES.pod, namespace: HA_MANIFEST_NAMES.namespace, container: HA_MANIFEST_NAMES.container});
}

/** Run `kp ha up`. */
export async function haUp(ctx: KpContext, options: HaUpOptions): Promise<HaUpResult> {
  const started = Date.now();
  const clusterName = validateClusterName(options.clusterName);
  const image = haImage();
  const target = chooseLifecycleTarget(options.target, clusterName);
  // The component is looked for before anything starts: a --source that is wrong fails first.
  const source = findSource(options);
  if (source) await assertLintPossible(ctx, options.lintMode);

  if (target === 'kubernetes') {
    const context = kindContextName(clusterName);
    assertContextAllowed(context, {explicit: false, mustExist: true});
    const kubectl = new Kubectl(ctx.runner, context);
    const manifest = haManifest({image, timeZone: hostTimeZone(), podCidr: KIND_POD_CIDR});
    const pod = podTarget(kubectl);
    announceTarget(ctx, pod);
    ctx.out.step(`Applying kp's Home Assistant manifest (StatefulSet, Service, Ingress ${HA_MANIFEST_NAMES.host}, seed ConfigMap; image ${image})`);
    const applied = await kubectl.applyManifest(manifest);
    const url = `http://${HA_MANIFEST_NAMES.host}/`;
    if (applied.skipped) {
      // Nothing was applied: a dry run claims no change.
      return {target, image, where: context, url, changed: false, applied: undefined, compose: undefined, sync: {skipped: 'dry run'}, dryRun: true, durationMs: Date.now() - started};
    }
    const {changed, lines} = parseApplyOutput(applied.stdout);
    const rollout = await kubectl.rolloutStatus(`statefulset/${HA_MANIFEST_NAMES.statefulSet}`, HA_MANIFEST_NAMES.namespace, options.timeoutSeconds);
    if (rollout.exitCode !== 0) {
      throw new KpError(`Home Assistant did not become ready in ${context} within ${options.timeoutSeconds}s.`, {
        exitCode: ExitCode.Timeout,
        hint: `kubectl --context ${context} -n ${HA_MANIFEST_NAMES.namespace} describe pod ${HA_MANIFEST_NAMES.pod} says why (image pull, PVC, probe); raise --timeout for a first start.`,
      });
    }
    ctx.out.success(changed ? `Home Assistant is up in ${context}: ${url}` : `Home Assistant was already up in ${context}: nothing changed (${url}).`);
    const sync = await firstSync(ctx, pod, options, source);
    return {target, image, where: context, url, changed, applied: lines, compose: undefined, sync, dryRun: false, durationMs: Date.now() - started};
  }

  const started_ = await composeStart(ctx, {projectName: options.projectName, profiles: [HA_COMPOSE_PROFILE], timeoutSeconds: options.timeoutSeconds, wait: true});
  const ha = started_.services.find((s) => s.service === HA_COMPOSE_PROFILE);
  const port = ha?.ports.find((p) => p.containerPort === 8123)?.hostPort ?? 8123;
  const url = `http://127.0.0.1:${port}/`;
  const changed = started_.action !== 'already-up' && !ctx.dryRun;
  if (ctx.dryRun) {
    return {target, image, where: started_.project, url, changed, applied: undefined, compose: {action: started_.action, reason: started_.reason}, sync: {skipped: 'dry run'}, dryRun: true, durationMs: Date.now() - started};
  }
  const container = new ContainerTarget(new Engine(ctx.runner), {composeProject: started_.project, service: HA_COMPOSE_PROFILE});
  announceTarget(ctx, container);
  ctx.out.success(`Home Assistant answers at ${url}`);
  const sync = await firstSync(ctx, container, options, source);
  return {target, image, where: started_.project, url, changed, applied: undefined, compose: {action: started_.action, reason: started_.reason}, sync, dryRun: false, durationMs: Date.now() - started};
}

/** The component to sync after up: --source, else the one in the current directory, else none (said once). */
function findSource(options: HaUpOptions): string | undefined {
  if (!options.sync) return undefined;
  if (options.source) return detectSource(options.cwd, options.source).dir;
  // No component folder here at all: nothing to sync. One that is there but broken (a bad
  // manifest.json, two domains) is an error, said before anything starts.
  const candidates = ['custom_components', path.join('src', 'ha-integration', 'custom_components')];
  if (!candidates.some((dir) => existsSync(path.join(options.cwd, dir)))) return undefined;
  return detectSource(options.cwd, undefined).dir;
}

async function firstSync(ctx: KpContext, target: HaTarget, options: HaUpOptions, source: string | undefined): Promise<HaSyncReport | {skipped: string}> {
  if (!options.sync) return {skipped: '--no-sync'};
  if (!source) {
    ctx.out.info('No custom component here: run `kp ha sync` from your component checkout (or pass --source).');
    return {skipped: 'no component found in the current directory'};
  }
  const syncOptions: HaSyncOptions = {
    cwd: options.cwd,
    source,
    configDir: HA_DEFAULTS.configDir,
    restart: 'auto',
    force: false,
    timeoutMs: options.timeoutSeconds * 1000,
    settleMs: 2000,
    lockTimeoutMs: options.lockTimeoutMs,
    lint: (componentDir, plan) => lintGate(ctx, {componentDir, mode: options.lintMode, pythonChanged: pythonChanged(plan)}),
  };
  return runSyncRound(ctx, target, syncOptions);
}

/** What `kp ha down` was asked for. */
export interface HaDownOptions {
  target: HaLifecycleTarget | undefined;
  clusterName: string;
  projectName: string | undefined;
  volumes: boolean;
  yes: boolean;
}

/** The result of `kp ha down`. */
export interface HaDownResult {
  target: HaLifecycleTarget;
  where: string;
  /** What was removed (kubectl's lines, or the compose service). */
  removed: string[];
  /** True only when HA's config volume was really deleted. */
  volumeRemoved: boolean;
  dryRun: boolean;
}

/** Run `kp ha down`: HA goes, its config volume stays unless --volumes is confirmed. */
export async function haDown(ctx: KpContext, options: HaDownOptions): Promise<HaDownResult> {
  const clusterName = validateClusterName(options.clusterName);
  const target = chooseLifecycleTarget(options.target, clusterName);
  const where = target === 'kubernetes' ? kindContextName(clusterName) : resolveStack({projectName: options.projectName}).project;
  if (target === 'kubernetes') assertContextAllowed(where, {explicit: false, mustExist: true});
  if (options.volumes) {
    // Asked before anything is removed: the volume holds HA's whole configuration (users, integrations).
    await confirmOrRefuse(`Remove Home Assistant in ${where} AND its config volume (users, integrations, history)?`, {
      yes: options.yes,
      what: "delete Home Assistant's config volume",
    });
  }
  if (target === 'kubernetes') {
    const kubectl = new Kubectl(ctx.runner, where);
    ctx.out.step(`Target: Home Assistant in ${where}`);
    const n = HA_MANIFEST_NAMES;
    const resources = [`statefulset/${n.statefulSet}`, `service/${n.service}`, `ingress/${n.ingress}`, `configmap/${n.configMap}`];
    if (options.volumes) resources.push(`persistentvolumeclaim/${n.pvc}`);
    const result = await kubectl.deleteResources(resources, n.namespace);
    const removed = result.stdout.split('\n').map((line) => line.trim()).filter((line) => / deleted( from .+)?$/.test(line));
    if (!result.skipped) {
      ctx.out.success(removed.length > 0 ? `Removed ${removed.length} objects from ${where}.` : `Nothing to remove: no Home Assistant in ${where}.`);
      if (!options.volumes) ctx.out.info(`Kept the config volume (PVC ${n.pvc}); \`kp ha down --volumes --yes\` deletes it.`);
    }
    return {target, where, removed, volumeRemoved: Boolean(options.volumes && !result.skipped && removed.some((line) => line.includes(n.pvc))), dryRun: ctx.dryRun};
  }

  const stack = resolveStack({projectName: options.projectName, profiles: [HA_COMPOSE_PROFILE]});
  const engine = new Engine(ctx.runner);
  await engine.ensureDaemon();
  ctx.out.step(`Target: Home Assistant of compose project ${stack.project}`);
  const containers = await engine.findContainers([`com.docker.compose.project=${stack.project}`, `com.docker.compose.service=${HA_COMPOSE_PROFILE}`]);
  const removed: string[] = [];
  if (containers.length > 0) {
    const info = await requireCompose(ctx.runner, engine);
    await withTeardownEnvFile(stack, (envFile) => removeService(composeFor(ctx.runner, info, stack, envFile)));
    // Under --dry-run nothing was removed, and the result says so.
    if (!ctx.dryRun) {
      removed.push(...containers.map((c) => c.name));
      ctx.out.success(`Removed ${removed.join(', ')}.`);
    }
  } else {
    ctx.out.success(`Nothing to remove: no Home Assistant in compose project ${stack.project}.`);
  }
  let volumeRemoved = false;
  const volumes = await engine.listVolumes([`com.docker.compose.project=${stack.project}`, 'com.docker.compose.volume=homeassistant-config']);
  if (options.volumes && volumes.length > 0) {
    const result = await engine.removeVolumes(volumes);
    volumeRemoved = !result.skipped;
    if (volumeRemoved) ctx.out.warn(`Deleted HA's config volume ${volumes.join(', ')}.`);
  } else if (volumes.length > 0) {
    ctx.out.info(`Kept HA's config volume ${volumes.join(', ')}; \`kp ha down --target docker --volumes --yes\` deletes it.`);
  }
  return {target, where: stack.project, removed, volumeRemoved, dryRun: ctx.dryRun};
}

function removeService(compose: Compose) {
  return compose.removeServices([HA_COMPOSE_PROFILE]);
}
