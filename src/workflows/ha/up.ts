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
import {readCredentials, removeCredentials} from '../../config/ha-credentials.js';
import {clearReloadsPendingFor} from '../../config/pending-reload.js';
import {ExitCode, fail, InterruptedError, KpError, ToolError} from '../../core/errors.js';
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
import {assertLintPossible, lintGate, lintScope, type LintMode} from './lint.js';
import {DEFAULT_HA_IMAGE, HA_MANIFEST_NAMES, haManifest, hostTimeZone, parseApplyOutput, type ApplyLine} from './manifest.js';
import {haUrlOverride, onboard, OnboardingFailure, type OnboardingResult} from './onboarding.js';
import type {CompanionResult} from './companion.js';
import {installCompanion} from './companion-install.js';
import {wireBackend, type BackendLocation, type WiringResult} from './wire.js';
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

/** The backend's compose service and port (compose/docker-compose.yml; the chart's Service listens on the same port). */
const BACKEND_SERVICE = 'backend';
const BACKEND_PORT = 8000;
/** The backend Service in the dev cluster (upstream skaffold.yaml portForward: service kamerplanter-backend, namespace default). */
const CLUSTER_BACKEND = {service: 'kamerplanter-backend', namespace: 'default'} as const;

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
  /** Onboard HA right after it answers (default true; --no-onboard leaves it to the browser). */
  onboard: boolean;
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
  /** How kp left HA's onboarding (undefined under --no-onboard or --dry-run). */
  onboarding: OnboardingResult | undefined;
  /** The first sync's report, or why there was none. */
  sync: HaSyncReport | {skipped: string};
  /** The kamerplanter config entry: created for the running backend, kept, or why not (undefined when kp holds no token). */
  wiring: WiringResult | undefined;
  /** kp's code-reload companion (kp_reload): installed, kept, or why not (undefined when kp does not own this HA, or under --dry-run). */
  companion: CompanionResult | undefined;
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

/** What both targets of `kp ha up` start from: the checked inputs and the run's start time. */
interface UpInputs {
  started: number;
  target: HaLifecycleTarget;
  clusterName: string;
  image: string;
  source: ReturnType<typeof findSource>;
}

/** Run `kp ha up`: inputs checked first, then HA on the dev cluster or in the compose stack. */
export async function haUp(ctx: KpContext, options: HaUpOptions): Promise<HaUpResult> {
  const started = Date.now();
  const clusterName = validateClusterName(options.clusterName);
  const image = haImage();
  haUrlOverride(); // a bad KP_HA_URL is bad input, refused before anything starts
  const target = chooseLifecycleTarget(options.target, clusterName);
  // The component is looked for before anything starts: a --source that is wrong fails first.
  const source = findSource(options);
  if (source) await assertLintPossible(ctx, options.lintMode);
  const inputs: UpInputs = {started, target, clusterName, image, source};
  return target === 'kubernetes' ? upOnCluster(ctx, options, inputs) : upWithCompose(ctx, options, inputs);
}

/** HA as kp's StatefulSet on the dev cluster: apply, await the rollout, onboard, sync, wire. */
async function upOnCluster(ctx: KpContext, options: HaUpOptions, inputs: UpInputs): Promise<HaUpResult> {
  const {image} = inputs;
  const context = kindContextName(inputs.clusterName);
  assertContextAllowed(context, {explicit: false, mustExist: true});
  const kubectl = new Kubectl(ctx.runner, context);
  const manifest = haManifest({image, timeZone: hostTimeZone(), podCidr: KIND_POD_CIDR});
  const pod = podTarget(kubectl);
  announceTarget(ctx, pod);
  ctx.out.step(`Applying kp's Home Assistant manifest (StatefulSet, Service, Ingress ${HA_MANIFEST_NAMES.host}, seed ConfigMap; image ${image})`);
  const applied = await kubectl.applyManifest(manifest);
  const url = `http://${HA_MANIFEST_NAMES.host}/`;
  const where = {target: inputs.target, image, where: context, url};
  if (applied.skipped) {
    // Nothing was applied: a dry run claims no change.
    return upResult(inputs, {...where, changed: false, applied: undefined, compose: undefined}, undefined);
  }
  const {changed, lines} = parseApplyOutput(applied.stdout);
  const scaleToZero = () =>
    kubectl.run(['scale', `statefulset/${HA_MANIFEST_NAMES.statefulSet}`, '-n', HA_MANIFEST_NAMES.namespace, '--replicas=0'], {mutating: true});
  await awaitRollout(ctx, options, kubectl, pod, scaleToZero);
  ctx.out.success(changed ? `Home Assistant is up in ${context}: ${url}` : `Home Assistant was already up in ${context}: nothing changed (${url}).`);
  const onboarding = await onboardOrStop(ctx, pod, options, scaleToZero);
  const sync = await firstSync(ctx, pod, options, inputs.source);
  const companion = await companionIfOwned(ctx, pod, options, onboarding);
  const wiring = await wireIfOwned(ctx, pod, onboarding, () => clusterBackend(kubectl));
  return upResult(inputs, {...where, changed, applied: lines, compose: undefined}, {onboarding, sync, wiring, companion});
}

/** The result in its documented key order; without `after` (onboarding, sync, wiring) it is a dry run's. */
function upResult(
  inputs: UpInputs,
  head: Pick<HaUpResult, 'target' | 'image' | 'where' | 'url' | 'changed' | 'applied' | 'compose'>,
  after: Pick<HaUpResult, 'onboarding' | 'sync' | 'wiring' | 'companion'> | undefined,
): HaUpResult {
  return {
    target: head.target,
    image: head.image,
    where: head.where,
    url: head.url,
    changed: head.changed,
    applied: head.applied,
    compose: head.compose,
    onboarding: after?.onboarding,
    sync: after ? after.sync : {skipped: 'dry run'},
    wiring: after?.wiring,
    companion: after?.companion,
    dryRun: after === undefined,
    durationMs: Date.now() - inputs.started,
  };
}

/**
 * Wait for HA's StatefulSet to roll out. kubectl failing at once is its own failure (exit 4); a
 * rollout that runs out of time is a timeout, and an HA kp does not own yet is scaled to zero: it
 * may come up after kp gave up, un-onboarded, and is not left to whoever reaches it first.
 */
async function awaitRollout(ctx: KpContext, options: HaUpOptions, kubectl: Kubectl, pod: HaTarget, scaleToZero: () => Promise<unknown>): Promise<void> {
  const context = kubectl.context;
  const rollout = await kubectl.rolloutStatus(`statefulset/${HA_MANIFEST_NAMES.statefulSet}`, HA_MANIFEST_NAMES.namespace, options.timeoutSeconds);
  if (rollout.exitCode === 0) return;
  if (!rollout.timedOut) {
    throw new ToolError(
      `kubectl --context ${context} rollout status statefulset/${HA_MANIFEST_NAMES.statefulSet}`,
      rollout.exitCode,
      rollout.stderr || rollout.stdout,
    );
  }
  const stopped = options.onboard && !ownedByKp(pod) ? `; ${await stopUnowned(ctx, scaleToZero)}` : '';
  throw fail.timeout(
    `Home Assistant did not become ready in ${context} within ${options.timeoutSeconds}s${stopped}.`,
    `kubectl --context ${context} -n ${HA_MANIFEST_NAMES.namespace} describe pod ${HA_MANIFEST_NAMES.pod} says why (image pull, PVC, probe); raise --timeout for a first start.`,
  );
}

/** HA as the compose stack's homeassistant profile: start the stack with it, onboard, sync, wire. */
async function upWithCompose(ctx: KpContext, options: HaUpOptions, inputs: UpInputs): Promise<HaUpResult> {
  const engine = new Engine(ctx.runner);
  const stopComposeHa = async (project: string) => {
    const ids = (await engine.findContainers([`com.docker.compose.project=${project}`, `com.docker.compose.service=${HA_COMPOSE_PROFILE}`]))
      .filter((c) => c.running)
      .map((c) => c.id);
    await engine.stop(ids);
  };
  const stack = await startComposeHa(ctx, options, engine, stopComposeHa);
  const ha = stack.services.find((s) => s.service === HA_COMPOSE_PROFILE);
  const port = ha?.ports.find((p) => p.containerPort === 8123)?.hostPort ?? 8123;
  const url = `http://127.0.0.1:${port}/`;
  const changed = stack.action !== 'already-up' && !ctx.dryRun;
  const head = {
    target: inputs.target,
    image: inputs.image,
    where: stack.project,
    url,
    changed,
    applied: undefined,
    compose: {action: stack.action, reason: stack.reason},
  };
  if (ctx.dryRun) return upResult(inputs, head, undefined);
  const container = new ContainerTarget(engine, {composeProject: stack.project, service: HA_COMPOSE_PROFILE});
  announceTarget(ctx, container);
  ctx.out.success(`Home Assistant answers at ${url}`);
  const onboarding = await onboardOrStop(ctx, container, options, () => stopComposeHa(stack.project));
  const sync = await firstSync(ctx, container, options, inputs.source);
  const companion = await companionIfOwned(ctx, container, options, onboarding);
  const wiring = await wireIfOwned(ctx, container, onboarding, () => composeBackend(engine, stack.project));
  return upResult(inputs, head, {onboarding, sync, wiring, companion});
}

/**
 * `kp compose start` with the homeassistant profile. Timed out, HA may still come up after kp gave
 * up, un-onboarded: an HA kp does not own is stopped, not left to whoever reaches it first.
 */
async function startComposeHa(
  ctx: KpContext,
  options: HaUpOptions,
  engine: Engine,
  stopComposeHa: (project: string) => Promise<void>,
): Promise<ComposeStartResult> {
  try {
    return await composeStart(ctx, {projectName: options.projectName, profiles: [HA_COMPOSE_PROFILE], timeoutSeconds: options.timeoutSeconds, wait: true});
  } catch (error) {
    if (!(error instanceof KpError && error.exitCode === ExitCode.Timeout) || !options.onboard || ctx.dryRun) throw error;
    const project = resolveStack({projectName: options.projectName}).project;
    if (ownedByKp(new ContainerTarget(engine, {composeProject: project, service: HA_COMPOSE_PROFILE}))) throw error;
    const stopped = await stopUnowned(ctx, () => stopComposeHa(project));
    throw fail.withCode(error.exitCode, `${error.message.replace(/\.$/, '')}; Home Assistant: ${stopped}.`, error.hint, {details: error.details});
  }
}

/**
 * Onboard HA before anyone else can. When that fails, HA is stopped rather than left reachable and
 * unowned (the next `kp ha up` starts it and tries again); Ctrl-C stops kp and nothing more runs.
 */
async function onboardOrStop(ctx: KpContext, target: HaTarget, options: HaUpOptions, stopHa: () => Promise<unknown>): Promise<OnboardingResult | undefined> {
  if (!options.onboard) {
    ctx.out.info('Onboarding left to you (--no-onboard): until someone completes it in the browser, whoever reaches HA first owns it.');
    return undefined;
  }
  try {
    return await onboard(ctx, target, Math.min(options.timeoutSeconds * 1000, 120_000));
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    const exitCode = error instanceof KpError ? error.exitCode : ExitCode.ToolFailed;
    if (!(error instanceof OnboardingFailure && error.unowned)) {
      // HA has an owner (kp's, or someone's): stopping it would protect nothing.
      throw fail.withCode(
        exitCode,
        `Could not complete Home Assistant's onboarding (${reason}).`,
        '`kp ha up` tries again (`--verbose` shows each API call, secrets redacted).',
      );
    }
    const stopped = await stopUnowned(ctx, stopHa);
    throw fail.withCode(
      exitCode,
      `Could not onboard Home Assistant (${reason}); ${stopped}.`,
      '`kp ha up` starts it and tries again (`--verbose` shows each API call, secrets redacted); `--no-onboard` leaves onboarding to the browser.',
    );
  }
}

/** kp completed this HA's onboarding before: it has an owner, so a slow start is no reason to stop it. */
function ownedByKp(target: HaTarget): boolean {
  return readCredentials(target.credentialsKey)?.state === 'onboarded';
}

/** Stop an HA that may have no owner, rather than leave it reachable; says what happened (never throws). */
async function stopUnowned(ctx: KpContext, stopHa: () => Promise<unknown>): Promise<string> {
  ctx.out.warn('Stopping Home Assistant rather than leaving it reachable and unowned.');
  try {
    await stopHa();
    return 'it is stopped';
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    return `stopping it failed too (${(error as Error).message.split('\n')[0]}): stop it yourself until it is onboarded`;
  }
}

/** Wire the integration where kp owns HA (onboarded it, now or before). */
async function wireIfOwned(
  ctx: KpContext,
  target: HaTarget,
  onboarding: OnboardingResult | undefined,
  findBackend: () => Promise<BackendLocation>,
): Promise<WiringResult | undefined> {
  if (!onboarding || !['onboarded', 'resumed', 'already'].includes(onboarding.outcome)) return undefined;
  return wireBackend(ctx, target, await findBackend());
}

/** Install kp's code-reload companion where kp owns HA (onboarded it, now or before); never in another's. */
async function companionIfOwned(
  ctx: KpContext,
  target: HaTarget,
  options: HaUpOptions,
  onboarding: OnboardingResult | undefined,
): Promise<CompanionResult | undefined> {
  if (!onboarding || !['onboarded', 'resumed', 'already'].includes(onboarding.outcome)) return undefined;
  return installCompanion(ctx, target, syncOptionsFor(ctx, options, undefined));
}

/** The compose stack's backend, as HA in the same project reaches it (the service name on the project network). */
async function composeBackend(engine: Engine, project: string): Promise<BackendLocation> {
  const found = await engine.findContainers([`com.docker.compose.project=${project}`, `com.docker.compose.service=${BACKEND_SERVICE}`]);
  return found.some((c) => c.running)
    ? {url: `http://${BACKEND_SERVICE}:${BACKEND_PORT}`, where: `compose service ${project}/${BACKEND_SERVICE}`}
    : {none: `no running ${BACKEND_SERVICE} service in compose project ${project}`};
}

/** The dev cluster's backend Service (the chart's `kamerplanter-backend`, which Skaffold forwards), by its cluster DNS name. */
async function clusterBackend(kubectl: Kubectl): Promise<BackendLocation> {
  const service = await kubectl.getJson('service', CLUSTER_BACKEND.service, CLUSTER_BACKEND.namespace);
  return service
    ? {
        url: `http://${CLUSTER_BACKEND.service}.${CLUSTER_BACKEND.namespace}.svc.cluster.local:${BACKEND_PORT}`,
        where: `Service ${CLUSTER_BACKEND.namespace}/${CLUSTER_BACKEND.service} in ${kubectl.context}`,
      }
    : {none: `no Service ${CLUSTER_BACKEND.namespace}/${CLUSTER_BACKEND.service} in ${kubectl.context}`};
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
  return runSyncRound(ctx, target, syncOptionsFor(ctx, options, source));
}

/** The sync options of `kp ha up`'s rounds (the component's, and the companion's). */
function syncOptionsFor(ctx: KpContext, options: HaUpOptions, source: string | undefined): HaSyncOptions {
  return {
    cwd: options.cwd,
    source,
    configDir: HA_DEFAULTS.configDir,
    restart: 'auto',
    force: false,
    timeoutMs: options.timeoutSeconds * 1000,
    settleMs: 2000,
    lockTimeoutMs: options.lockTimeoutMs,
    lint: (componentDir, plan) => lintGate(ctx, {componentDir, mode: options.lintMode, ...lintScope(plan)}),
  };
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
    const removed = result.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => / deleted( from .+)?$/.test(line));
    if (!result.skipped) {
      ctx.out.success(removed.length > 0 ? `Removed ${removed.length} objects from ${where}.` : `Nothing to remove: no Home Assistant in ${where}.`);
      if (!options.volumes) ctx.out.info(`Kept the config volume (PVC ${n.pvc}); \`kp ha down --volumes --yes\` deletes it.`);
    }
    const volumeRemoved = Boolean(options.volumes && !result.skipped && removed.some((line) => line.includes(n.pvc)));
    if (volumeRemoved) forgetLogin(ctx, podTarget(kubectl));
    return {target, where, removed, volumeRemoved, dryRun: ctx.dryRun};
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
    if (volumeRemoved) {
      ctx.out.warn(`Deleted HA's config volume ${volumes.join(', ')}.`);
      forgetLogin(ctx, new ContainerTarget(engine, {composeProject: stack.project, service: HA_COMPOSE_PROFILE}));
    }
  } else if (volumes.length > 0) {
    ctx.out.info(`Kept HA's config volume ${volumes.join(', ')}; \`kp ha down --target docker --volumes --yes\` deletes it.`);
  }
  return {target, where: stack.project, removed, volumeRemoved, dryRun: ctx.dryRun};
}

/** The volume held HA's users (and the companion): the login kp kept for it opens nothing any more, and no reload waits in it. */
function forgetLogin(ctx: KpContext, target: HaTarget): void {
  clearReloadsPendingFor(target.credentialsKey);
  if (!readCredentials(target.credentialsKey)) return;
  removeCredentials(target.credentialsKey);
  ctx.out.info('Forgot the login kp kept for that Home Assistant (its users were on the volume).');
}

function removeService(compose: Compose) {
  return compose.removeServices([HA_COMPOSE_PROFILE]);
}
