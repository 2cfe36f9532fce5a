/**
 * `kp dev up`: workspace and names checked first, a parallel preflight, the cluster state machine,
 * the context fence, the pinned ingress-nginx, then Skaffold (`dev` in the foreground or `run`).
 * Safe to repeat: on a ready cluster it creates and applies nothing.
 */
import type {KpContext} from '../context.js';
import {loadKindConfig} from '../../config/kind-config.js';
import {loadSkaffoldConfig} from '../../config/skaffold-config.js';
import {Engine} from '../../tools/docker.js';
import {kindContextName} from '../../tools/kind.js';
import {Kubectl} from '../../tools/kubectl.js';
import {Skaffold, devArgs, targetArgs, type SkaffoldTarget} from '../../tools/skaffold.js';
import {applyClusterPlan, observeCluster, observeNodes, planCluster, type ClusterState} from './cluster.js';
import {enforceFence, restorePendingCurrentContext} from './kube-context.js';
import {applyIngress, INGRESS_NGINX, observeIngress, planIngress, type IngressAction} from './ingress.js';
import {describeCollision, findPortCollisions, skaffoldLocalPorts} from './port-collisions.js';
import {inotifyAdvice, readInotifyLimits, requireTools} from './preflight.js';
import {validateSelection} from './selection.js';
import {resolveDevWorkspace, workspaceInputs, type DevWorkspace} from './workspace.js';
import {fail} from '../../core/errors.js';
import {busyPorts} from '../shared/host-ports.js';
import {validateClusterName} from '../shared/names.js';
import {probeDevTools} from '../shared/tool-versions.js';

/** What `kp dev up` was asked to do. */
export interface DevUpOptions {
  workspace: string | undefined;
  name: string;
  profiles: string[];
  modules: string[];
  detach: boolean;
  autoBuild: boolean;
  autoDeploy: boolean;
  recreate: boolean;
  /** How long to wait for the cluster API and ingress-nginx. */
  timeoutSeconds: number;
}

/** The documented JSON of `kp dev up --json`. */
export interface DevUpResult {
  workspace: Pick<DevWorkspace, 'root' | 'skaffoldFile' | 'skaffoldFromCheckout' | 'kindConfigFile' | 'kindConfigFromCheckout'>;
  cluster: {
    name: string;
    context: string;
    server: string;
    /** The state kp found before acting. */
    stateBefore: ClusterState;
    /** What kp did (empty on the no-op path). */
    actions: string[];
  };
  ingress: {version: string; action: IngressAction};
  skaffold: {mode: 'run' | 'dev'; args: string[]; exitCode: number};
  warnings: string[];
}

/** Run `kp dev up`. */
export async function devUp(ctx: KpContext, options: DevUpOptions): Promise<DevUpResult> {
  const {out} = ctx;
  validateClusterName(options.name);
  // 1. Names first: an unknown module or profile must stop kp before anything starts.
  const workspace = resolveDevWorkspace(workspaceInputs(options.workspace));
  const skaffoldConfig = loadSkaffoldConfig(workspace.skaffoldFile);
  validateSelection(skaffoldConfig, {modules: options.modules, profiles: options.profiles});
  const kindConfig = loadKindConfig(workspace.kindConfigFile);
  out.step(
    `Workspace ${workspace.root} (skaffold.yaml: ${workspace.skaffoldFromCheckout ? 'checkout' : 'kp default'}, ` +
      `kind-config.yaml: ${workspace.kindConfigFromCheckout ? 'checkout' : 'kp default'})`,
  );

  // 2. Preflight, in parallel: tools (cached per binary), engine + node containers, local checks.
  const warnings: string[] = [];
  const engine = new Engine(ctx.runner);
  const forwardPorts = options.detach ? [] : [...new Set(skaffoldLocalPorts(skaffoldConfig).map((p) => p.port))];
  const [tools, nodes, busyForwards] = await Promise.all([
    probeDevTools(ctx.runner, {useCache: true}),
    observeNodes(engine, options.name),
    busyPorts(forwardPorts.map((port) => ({port}))),
  ]);
  requireTools(tools);
  const sysctl = inotifyAdvice(readInotifyLimits());
  if (sysctl.length > 0) {
    warnings.push(`fs.inotify limits are too low for Skaffold's file watching ("too many open files"); raise them with:\n    ${sysctl.join('\n    ')}`);
  }
  for (const collision of findPortCollisions(kindConfig, skaffoldConfig)) {
    warnings.push(`${describeCollision(collision, skaffoldConfig.file)}: Skaffold will forward to another port.`);
  }
  if (busyForwards.length > 0) {
    warnings.push(`local port(s) ${busyForwards.join(', ')} already in use: Skaffold will pick other ports for those forwards.`);
  }
  for (const warning of warnings) out.warn(warning);

  // 3. The cluster state machine (the fence is part of the plan).
  await restorePendingCurrentContext(ctx, options.name);
  const {observed, alongside: earlyIngress} = await observeCluster(ctx, options.name, nodes, observeIngress);
  const plan = planCluster(observed, {recreate: options.recreate});
  if (plan.refusal) {
    throw fail.prerequisite(plan.refusal, 'Rename or delete that context, or pick another cluster with --name.');
  }
  if (plan.steps.length === 0) out.success(`Cluster ${options.name} is running and ready`);
  else {
    const why = plan.reasons.length > 0 ? `: ${plan.reasons.join('; ')}` : '';
    if (plan.state === 'unusable' && !options.recreate) {
      out.warn(`Cluster ${options.name} exists but is not usable${why}. Repairing it (use --recreate to start over instead).`);
    } else out.step(`Cluster ${options.name} is ${plan.state}${why}`);
    await applyClusterPlan(ctx, plan, {
      name: options.name,
      kindConfig,
      timeoutSeconds: options.timeoutSeconds,
      onStep: (title) => out.step(title),
    });
  }

  // 4. The fence again, now that the context certainly exists.
  const context = kindContextName(options.name);
  const {server} = ctx.dryRun && observed.server === undefined ? {server: '(not created: dry run)'} : enforceFence(options.name);
  const kubectl = new Kubectl(ctx.runner, context);

  // 5. ingress-nginx, pinned.
  let ingressAction: IngressAction = 'apply';
  if (ctx.dryRun && plan.steps.length > 0) {
    // The cluster was not really touched, so its API cannot be asked about ingress-nginx.
    out.info(`[dry-run] would make sure ingress-nginx ${INGRESS_NGINX.version} from ${INGRESS_NGINX.manifest} is applied and ready`);
  } else {
    // On the no-op path the ingress was read together with the API probe; after any change, read it again.
    const ingressNow = plan.steps.length === 0 && earlyIngress ? earlyIngress : await observeIngress(kubectl);
    const ingressPlan = planIngress(ingressNow);
    ingressAction = ingressPlan.action;
    if (ingressAction !== 'none') out.step(ingressPlan.reason);
    await applyIngress(ctx, kubectl, ingressAction, options.timeoutSeconds);
  }

  // 6. Skaffold.
  const target: SkaffoldTarget = {
    file: workspace.skaffoldFile,
    cwd: workspace.root,
    kubeContext: context,
    profiles: options.profiles,
    modules: options.modules,
  };
  const skaffold = new Skaffold(ctx.runner);
  const result: DevUpResult = {
    workspace: {
      root: workspace.root,
      skaffoldFile: workspace.skaffoldFile,
      skaffoldFromCheckout: workspace.skaffoldFromCheckout,
      kindConfigFile: workspace.kindConfigFile,
      kindConfigFromCheckout: workspace.kindConfigFromCheckout,
    },
    cluster: {name: options.name, context, server, stateBefore: plan.state, actions: plan.steps.map((s) => s.kind)},
    ingress: {version: INGRESS_NGINX.version, action: ingressAction},
    skaffold: {mode: options.detach ? 'run' : 'dev', args: [], exitCode: 0},
    warnings,
  };
  if (options.detach) {
    result.skaffold.args = ['run', ...targetArgs(target)];
    out.step(`skaffold run (context ${context})`);
    await skaffold.run(target);
  } else {
    const devOptions = {autoBuild: options.autoBuild, autoDeploy: options.autoDeploy, portForward: true};
    result.skaffold.args = devArgs(target, devOptions);
    out.step(`skaffold dev (context ${context}); Ctrl-C stops it and Skaffold cleans up what it deployed`);
    result.skaffold.exitCode = await skaffold.dev(target, {...devOptions, inheritTerminal: !ctx.json});
  }
  return result;
}
