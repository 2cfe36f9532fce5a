/**
 * `kp dev up`: every input checked first (names, modules, profiles, Chart.lock files, the
 * kubeconfig, Skaffold's own validation), a parallel preflight, the cluster state machine (created
 * from an effective kind config without host ports Skaffold forwards to), the context fence, the
 * pinned ingress controller, the Helm repositories the charts need, then Skaffold (`dev` or `debug`
 * in the foreground, or `run`). Safe to repeat: on a ready cluster it creates and applies nothing.
 */
import {loadKindConfig} from '../../config/kind-config.js';
import {loadSkaffoldConfig, moduleNames, type SkaffoldConfig} from '../../config/skaffold-config.js';
import {fail} from '../../core/errors.js';
import {Engine} from '../../tools/docker.js';
import {kindContextName} from '../../tools/kind.js';
import {Kubectl} from '../../tools/kubectl.js';
import {loopArgs, runArgs, Skaffold, type SkaffoldLoop, type SkaffoldTarget} from '../../tools/skaffold.js';
import type {KpContext} from '../context.js';
import {busyPorts, isLoopbackAddress, validateBindAddress} from '../shared/host-ports.js';
import {validateClusterName} from '../shared/names.js';
import {probeDevTools} from '../shared/tool-versions.js';
import {applyClusterPlan, observeCluster, observeNodes, planCluster, type ClusterState, type NodeObservation} from './cluster.js';
import {chartReleases, ensureHelmRepos} from './helm-repos.js';
import {applyIngress, INGRESS_CONTROLLER, observeIngress, planIngress, type IngressAction, type ManifestSource} from './ingress.js';
import {assertLocalContext, enforceFence, restorePendingCurrentContext} from './kube-context.js';
import {describeCollision, effectiveKindConfig, findPortCollisions, skaffoldLocalPorts} from './port-collisions.js';
import {inotifyAdvice, readInotifyLimits, requireTools} from './preflight.js';
import {validateSelection} from './selection.js';
import {validateWithSkaffold} from './skaffold-check.js';
import {resolveDevWorkspace, workspaceInputs, type DevWorkspace} from './workspace.js';

/** The module the upstream wrapper (`scripts/skaffold-dev.sh`) runs when none is named. */
export const DEFAULT_MODULE = 'kp';

/** The profile that `skaffold debug` activates by itself (and `skaffold dev -p debug` does not). */
export const DEBUG_PROFILE = 'debug';

/** What `kp dev up` was asked to do. */
export interface DevUpOptions {
  workspace: string | undefined;
  name: string;
  profiles: string[];
  modules: string[];
  /** Run every module (otherwise `kp` when the file has it). */
  allModules: boolean;
  /** Run `skaffold debug` (also implied by `-p debug`). */
  debug: boolean;
  /** Arguments after `--`, passed to Skaffold unchanged. */
  skaffoldArgs: string[];
  detach: boolean;
  autoBuild: boolean;
  autoDeploy: boolean;
  recreate: boolean;
  /** Create the cluster from the workspace's kind config as it is, colliding host ports included. */
  keepHostPorts: boolean;
  /**
   * Where host ports whose mapping names no listen address are published (kind would use 0.0.0.0);
   * default 127.0.0.1: nothing of the dev cluster is reachable from another machine unless asked.
   */
  bindAddress?: string;
  /** How long to wait for the cluster API and the ingress controller. */
  timeoutSeconds: number;
}

/** The documented JSON of `kp dev up --json`. */
export interface DevUpResult {
  workspace: Pick<DevWorkspace, 'root' | 'skaffoldFile' | 'skaffoldFromCheckout' | 'kindConfigFile' | 'kindConfigFromCheckout'>;
  /** The modules Skaffold runs and why. */
  modules: {selected: string[]; how: 'flag' | 'default' | 'all'};
  cluster: {
    name: string;
    context: string;
    server: string;
    /** The state kp found before acting. */
    stateBefore: ClusterState;
    /** What kp did (empty on the no-op path). */
    actions: string[];
    /** The kind config a new cluster is (or would be) created from, and the host ports left out of it. */
    kindConfig: {file: string; derived: boolean; removedHostPorts: number[]; listenAddress: {address: string; ports: number[]}};
  };
  ingress: {controller: string; version: string; action: IngressAction; manifest: ManifestSource | undefined};
  helm: {charts: string[]; reposAdded: Array<{name: string; url: string}>; reposMissing: Array<{name: string; url: string}>};
  skaffold: {mode: 'run' | SkaffoldLoop; args: string[]; exitCode: number; validated: 'cached' | 'skaffold'};
  warnings: string[];
}

/** Which modules run (pure): the named ones, every one with --all-modules, else `kp` when the file has it. */
export function selectModules(config: SkaffoldConfig, options: Pick<DevUpOptions, 'modules' | 'allModules'>): DevUpResult['modules'] {
  if (options.allModules && options.modules.length > 0) throw fail.usage('Give either -m/--module or --all-modules, not both.');
  if (options.modules.length > 0) return {selected: options.modules, how: 'flag'};
  const names = moduleNames(config);
  if (!options.allModules && names.includes(DEFAULT_MODULE)) return {selected: [DEFAULT_MODULE], how: 'default'};
  return {selected: [], how: 'all'};
}

/** `dev`, `debug` or `run`, and the profiles Skaffold gets (pure): `-p debug` means `skaffold debug`, which activates that profile itself. */
export function skaffoldMode(options: Pick<DevUpOptions, 'detach' | 'debug' | 'profiles'>): {mode: 'run' | SkaffoldLoop; profiles: string[]} {
  const wantsDebug = options.debug || options.profiles.includes(DEBUG_PROFILE);
  if (wantsDebug && options.detach) throw fail.usage('--debug (or -p debug) runs the foreground `skaffold debug`; it cannot be combined with --detach.');
  if (wantsDebug) return {mode: 'debug', profiles: options.profiles.filter((p) => p !== DEBUG_PROFILE)};
  return {mode: options.detach ? 'run' : 'dev', profiles: options.profiles};
}

/**
 * Skaffold flags kp decides itself and checks before anything starts: passed after `--` they would
 * come last and win, pointing Skaffold at another cluster (past the fence) or at a selection kp never
 * validated.
 */
const OWNED_SKAFFOLD_FLAGS: Record<string, string> = {
  '--kube-context': '--name (the cluster is always kind-<name>)',
  '--kubeconfig': 'KUBECONFIG',
  '--filename': '--workspace',
  '-f': '--workspace',
  '--module': '-m/--module or --all-modules',
  '-m': '-m/--module or --all-modules',
  '--profile': '-p/--profile',
  '-p': '-p/--profile',
};

/** Refuse pass-through arguments that would override what kp chose and checked (pure). */
export function checkSkaffoldArgs(args: readonly string[]): void {
  for (const arg of args) {
    const name = arg.startsWith('--') ? arg.split('=')[0]! : arg.startsWith('-') ? arg.slice(0, 2) : undefined;
    if (name && name in OWNED_SKAFFOLD_FLAGS) {
      throw fail.usage(`${arg} after -- would override what kp checked and chose for Skaffold.`, `Use kp's own ${OWNED_SKAFFOLD_FLAGS[name]} instead.`);
    }
  }
}

/** Every input of `kp dev up`, read and checked before anything changes. */
interface DevInputs {
  workspace: ReturnType<typeof resolveDevWorkspace>;
  skaffoldConfig: ReturnType<typeof loadSkaffoldConfig>;
  modules: ReturnType<typeof selectModules>;
  mode: ReturnType<typeof skaffoldMode>['mode'];
  profiles: string[];
  kindConfig: ReturnType<typeof loadKindConfig>;
  releases: ReturnType<typeof chartReleases>;
  bindAddress: string;
  /** What Skaffold is pointed at (the kube context is added once the cluster is known). */
  skaffoldBase: Omit<SkaffoldTarget, 'kubeContext' | 'extraArgs'>;
}

/** Run `kp dev up`: inputs, preflight, cluster, fence, ingress, Helm repositories, Skaffold. */
export async function devUp(ctx: KpContext, options: DevUpOptions): Promise<DevUpResult> {
  const inputs = readInputs(ctx, options);
  const {nodes, validation, warnings} = await preflight(ctx, options, inputs);
  const cluster = await ensureCluster(ctx, options, inputs, nodes, warnings);
  // The fence again, now that the context certainly exists.
  const context = kindContextName(options.name);
  const {server} = ctx.dryRun && cluster.observed.server === undefined ? {server: '(not created: dry run)'} : enforceFence(options.name);
  const kubectl = new Kubectl(ctx.runner, context);
  const ingress = await ensureIngress(ctx, options, kubectl, cluster);
  // The Helm repositories the charts' `helm dep build` needs.
  const missingRepos = await ensureHelmRepos(ctx, inputs.releases);
  const target: SkaffoldTarget = {...inputs.skaffoldBase, kubeContext: context, extraArgs: options.skaffoldArgs};
  const result = devUpResult(ctx, options, inputs, {context, server, cluster, ingress, missingRepos, validated: validation.ran, warnings});
  await runSkaffold(ctx, options, inputs.mode, target, result);
  return result;
}

/** 1. Every input before anything changes: names, modules, profiles, charts, kubeconfig (the fence decided from it alone). */
function readInputs(ctx: KpContext, options: DevUpOptions): DevInputs {
  validateClusterName(options.name);
  checkSkaffoldArgs(options.skaffoldArgs);
  const bindAddress = validateBindAddress(options.bindAddress);
  const workspace = resolveDevWorkspace(workspaceInputs(options.workspace));
  const skaffoldConfig = loadSkaffoldConfig(workspace.skaffoldFile);
  const modules = selectModules(skaffoldConfig, options);
  const {mode, profiles} = skaffoldMode(options);
  validateSelection(skaffoldConfig, {modules: modules.selected, profiles});
  const kindConfig = loadKindConfig(workspace.kindConfigFile);
  const releases = chartReleases(skaffoldConfig, modules.selected, workspace.root);
  // A kind-N context off this machine stops kp before any process.
  assertLocalContext(options.name);
  ctx.out.step(
    `Workspace ${workspace.root} (skaffold.yaml: ${workspace.skaffoldFromCheckout ? 'checkout' : 'kp default'}, ` +
      `kind-config.yaml: ${workspace.kindConfigFromCheckout ? 'checkout' : 'kp default'}); ` +
      `module${modules.selected.length === 1 ? '' : 's'} ${modules.selected.length > 0 ? modules.selected.join(', ') : 'all'}` +
      `${modules.how === 'default' ? ' (default; --all-modules for every one)' : ''}`,
  );
  const skaffoldBase = {file: workspace.skaffoldFile, cwd: workspace.root, profiles, modules: modules.selected};
  return {workspace, skaffoldConfig, modules, mode, profiles, kindConfig, releases, bindAddress, skaffoldBase};
}

/**
 * 2. Preflight, in parallel: tools (cached per binary), engine + node containers, local checks; then
 * Skaffold's own validation of the selection (cached by the file's hash). Returns the warnings so far.
 */
async function preflight(ctx: KpContext, options: DevUpOptions, inputs: DevInputs) {
  const warnings: string[] = [];
  const engine = new Engine(ctx.runner);
  const forwardPorts = options.detach ? [] : [...new Set(skaffoldLocalPorts(inputs.skaffoldConfig).map((p) => p.port))];
  const [tools, nodes, busyForwards] = await Promise.all([
    probeDevTools(ctx.runner, {useCache: true}),
    observeNodes(engine, options.name),
    busyPorts(forwardPorts.map((port) => ({port}))),
  ]);
  requireTools(tools);
  const validation = await validateWithSkaffold(ctx, inputs.skaffoldBase, tools.find((t) => t.tool === 'skaffold')?.version ?? 'unknown');
  const sysctl = inotifyAdvice(readInotifyLimits());
  if (sysctl.length > 0) {
    warnings.push(`fs.inotify limits are too low for Skaffold's file watching ("too many open files"); raise them with:\n    ${sysctl.join('\n    ')}`);
  }
  if (busyForwards.length > 0) {
    warnings.push(`local port(s) ${busyForwards.join(', ')} already in use: Skaffold will pick other ports for those forwards.`);
  }
  return {nodes, validation, warnings};
}

/** 3. The cluster state machine (the fence is part of the plan): observe, plan, say, apply. */
async function ensureCluster(ctx: KpContext, options: DevUpOptions, inputs: DevInputs, nodes: NodeObservation[], warnings: string[]) {
  const {out} = ctx;
  await restorePendingCurrentContext(ctx, options.name);
  const {observed, alongside: earlyIngress} = await observeCluster(ctx, options.name, nodes, observeIngress);
  const plan = planCluster(observed, {recreate: options.recreate});
  if (plan.refusal) throw fail.prerequisite(plan.refusal, 'Rename or delete that context, or pick another cluster with --name.');
  const creates = plan.steps.some((s) => s.kind === 'create-cluster');
  const effective = effectiveKindConfig(options.name, inputs.kindConfig, inputs.skaffoldConfig, {
    keepHostPorts: options.keepHostPorts,
    write: creates && !ctx.dryRun,
    bindAddress: inputs.bindAddress,
  });
  if (creates) announceHostPorts(ctx, options, inputs, effective, warnings);
  for (const warning of warnings) out.warn(warning);
  if (plan.steps.length === 0) out.success(`Cluster ${options.name} is running and ready`);
  else {
    const why = plan.reasons.length > 0 ? `: ${plan.reasons.join('; ')}` : '';
    if (plan.state === 'unusable' && !options.recreate) {
      out.warn(`Cluster ${options.name} exists but is not usable${why}. Repairing it (use --recreate to start over instead).`);
    } else out.step(`Cluster ${options.name} is ${plan.state}${why}`);
    const removed = new Set(effective.removed.map((c) => c.port));
    const {kindConfig, bindAddress} = inputs;
    await applyClusterPlan(ctx, plan, {
      name: options.name,
      kindConfig: {
        ...kindConfig,
        file: effective.file,
        hostPorts: kindConfig.hostPorts
          .filter((p) => !removed.has(p.hostPort))
          .map((p) => (p.listenAddressSet ? p : {...p, listenAddress: bindAddress, listenAddressSet: true})),
      },
      timeoutSeconds: options.timeoutSeconds,
      onStep: (title) => out.step(title),
    });
  }
  return {observed, earlyIngress, plan, effective};
}

/** Before a create: which host ports the cluster publishes where, and which kp leaves out (Skaffold forwards to them). */
function announceHostPorts(
  ctx: KpContext,
  options: DevUpOptions,
  {kindConfig, skaffoldConfig, bindAddress}: DevInputs,
  effective: ReturnType<typeof effectiveKindConfig>,
  warnings: string[],
): void {
  const {out} = ctx;
  if (effective.bound.ports.length > 0) {
    const ports = effective.bound.ports.join(', ');
    if (isLoopbackAddress(bindAddress)) {
      out.step(
        `Publishing host port${effective.bound.ports.length === 1 ? '' : 's'} ${ports} on ${bindAddress} only: ${kindConfig.file} names no listenAddress for ${effective.bound.ports.length === 1 ? 'it' : 'them'}, and kind would publish on every interface (--bind-address opts in to more).`,
      );
    } else {
      warnings.push(
        `host port${effective.bound.ports.length === 1 ? '' : 's'} ${ports} of the dev cluster (ingress, and whatever else ${kindConfig.file} publishes) will be reachable from other machines on ${bindAddress} (--bind-address).`,
      );
    }
  }
  if (effective.removed.length > 0) {
    out.step(
      `Creating the cluster without host port${effective.removed.length === 1 ? '' : 's'} ${effective.removed.map((c) => c.port).join(', ')} of ${kindConfig.file} ` +
        `(Skaffold forwards to ${effective.removed.length === 1 ? 'it' : 'them'}): from ${effective.file}; your file is unchanged (--keep-host-ports keeps them).`,
    );
  } else if (options.keepHostPorts) {
    for (const collision of findPortCollisions(kindConfig, skaffoldConfig))
      warnings.push(`${describeCollision(collision, skaffoldConfig.file)}: kept (--keep-host-ports); Skaffold will forward to another port.`);
  }
}

/** 5. The ingress controller, pinned: applied and awaited unless it is already there. */
async function ensureIngress(ctx: KpContext, options: DevUpOptions, kubectl: Kubectl, cluster: Awaited<ReturnType<typeof ensureCluster>>) {
  const {out} = ctx;
  if (ctx.dryRun && cluster.plan.steps.length > 0) {
    // The cluster was not really touched, so its API cannot be asked about the controller.
    out.info(`[dry-run] would make sure ${INGRESS_CONTROLLER.name} ${INGRESS_CONTROLLER.version} is applied and ready`);
    return {action: 'apply' as IngressAction, manifest: undefined};
  }
  // On the no-op path the controller was read together with the API probe; after any change, read it again.
  const ingressNow = cluster.plan.steps.length === 0 && cluster.earlyIngress ? cluster.earlyIngress : await observeIngress(kubectl);
  const ingressPlan = planIngress(ingressNow);
  if (ingressPlan.action === 'keep-newer') out.warn(ingressPlan.reason);
  else if (ingressPlan.action !== 'none') out.step(ingressPlan.reason);
  const {manifest} = await applyIngress(ctx, kubectl, ingressPlan.action, options.timeoutSeconds);
  return {action: ingressPlan.action, manifest: manifest as ManifestSource | undefined};
}

/** The result before Skaffold runs (Skaffold's args and exit code are filled in by runSkaffold). */
function devUpResult(
  ctx: KpContext,
  options: DevUpOptions,
  {workspace, modules, mode, releases}: DevInputs,
  done: {
    context: string;
    server: string;
    cluster: Awaited<ReturnType<typeof ensureCluster>>;
    ingress: Awaited<ReturnType<typeof ensureIngress>>;
    missingRepos: Awaited<ReturnType<typeof ensureHelmRepos>>;
    validated: boolean;
    warnings: string[];
  },
): DevUpResult {
  const {plan, effective} = done.cluster;
  return {
    workspace: {
      root: workspace.root,
      skaffoldFile: workspace.skaffoldFile,
      skaffoldFromCheckout: workspace.skaffoldFromCheckout,
      kindConfigFile: workspace.kindConfigFile,
      kindConfigFromCheckout: workspace.kindConfigFromCheckout,
    },
    modules,
    cluster: {
      name: options.name,
      context: done.context,
      server: done.server,
      stateBefore: plan.state,
      actions: plan.steps.map((s) => s.kind),
      kindConfig: {file: effective.file, derived: effective.derived, removedHostPorts: effective.removed.map((c) => c.port), listenAddress: effective.bound},
    },
    ingress: {controller: INGRESS_CONTROLLER.name, version: INGRESS_CONTROLLER.version, action: done.ingress.action, manifest: done.ingress.manifest},
    // Under --dry-run nothing was added: the repositories are listed as missing instead.
    helm: {
      charts: [...new Set(releases.map((r) => r.chart.dir))],
      reposAdded: ctx.dryRun ? [] : done.missingRepos.map(({name, url}) => ({name, url})),
      reposMissing: ctx.dryRun ? done.missingRepos.map(({name, url}) => ({name, url})) : [],
    },
    skaffold: {mode, args: [], exitCode: 0, validated: done.validated ? 'skaffold' : 'cached'},
    warnings: done.warnings,
  };
}

/** 7. Skaffold: `run` once, or the dev/debug loop in the foreground until Ctrl-C. */
async function runSkaffold(ctx: KpContext, options: DevUpOptions, mode: DevInputs['mode'], target: SkaffoldTarget, result: DevUpResult): Promise<void> {
  const skaffold = new Skaffold(ctx.runner);
  if (mode === 'run') {
    result.skaffold.args = runArgs(target);
    ctx.out.step(`skaffold run (context ${target.kubeContext})`);
    await skaffold.run(target);
    return;
  }
  const loopOptions = {autoBuild: options.autoBuild, autoDeploy: options.autoDeploy};
  result.skaffold.args = loopArgs(mode, target, loopOptions);
  ctx.out.step(`skaffold ${mode} (context ${target.kubeContext}); Ctrl-C stops it and Skaffold cleans up what it deployed`);
  result.skaffold.exitCode = await skaffold.loop(mode, target, {...loopOptions, inheritTerminal: !ctx.json});
}
