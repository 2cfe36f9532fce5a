/**
 * Turn the command-line target options into one HaTarget (pod by default, container on request).
 */
import {fail} from '../../../core/errors.js';
import {Engine} from '../../../tools/docker.js';
import {kindContextName} from '../../../tools/kind.js';
import {Kubectl} from '../../../tools/kubectl.js';
import type {KpContext} from '../../context.js';
import {assertContextAllowed, viewOfContext} from '../../shared/kube-fence.js';
import {DEFAULT_CLUSTER_NAME, DEFAULT_PROJECT_NAME, validateProjectName} from '../../shared/names.js';
import type {Runner} from '../../../tools/runner.js';
import {ContainerTarget} from './container.js';
import {PodTarget} from './pod.js';
import type {HaTarget} from './target.js';

/** Defaults of the dev cluster's HA (shared/spec/kamerplanter-workflow.md). */
export const HA_DEFAULTS = {
  context: kindContextName(DEFAULT_CLUSTER_NAME),
  namespace: 'default',
  pod: 'homeassistant-0',
  container: 'homeassistant',
  service: 'homeassistant',
  configDir: '/config',
} as const;

/** Target options as the `kp ha` commands accept them. */
export interface TargetOptions {
  /** Undefined: pick the target (the dev cluster's HA pod, else the compose stack's HA service). */
  target: 'kubernetes' | 'docker' | undefined;
  context?: string;
  namespace?: string;
  pod?: string;
  selector?: string;
  /** Pod container (kubernetes) or container name (docker). */
  container?: string;
  composeProject?: string;
  service?: string;
}

/** Kubernetes names (RFC 1123 labels): pod, namespace and container names. */
const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Pod names may also hold dots (RFC 1123 subdomain). */
const K8S_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** Docker's own rule for container names. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

function checkName(value: string | undefined, flag: string, pattern: RegExp, rule: string): void {
  if (value !== undefined && !pattern.test(value)) {
    throw fail.usage(`${flag} ${JSON.stringify(value)} is not a valid name.`, `${rule} A value that starts with "-" would be read as a flag by the tool.`);
  }
}

/**
 * HA's config dir in the target: absolute and normal (no `.`/`..` segment, no double slash), and not
 * `/` itself, so every path kp derives from it stays where it says (`/config/..` would write onto
 * the container's root filesystem).
 */
export function validateConfigDir(configDir: string): string {
  const trimmed = configDir.length > 1 ? configDir.replace(/\/+$/, '') : configDir;
  const segments = trimmed.split('/').slice(1);
  if (!trimmed.startsWith('/') || trimmed === '/' || segments.some((s) => s === '' || s === '.' || s === '..') || /[\u0000-\u001f]/.test(trimmed)) {
    throw fail.usage(
      `--config-dir ${JSON.stringify(configDir)} must be an absolute, normal path below / (no "." or ".." segments).`,
      "HA's config dir in the official image is /config.",
    );
  }
  return trimmed;
}

/** The first line of a run: which target, and for a pod the context's API server. */
export function announceTarget(ctx: KpContext, target: HaTarget): void {
  const context = target.describe().context;
  const server = context ? viewOfContext(context).server : undefined;
  ctx.out.step(`Target: ${target.label}${server ? ` (API server ${server})` : ''}`);
}

/** Every name a target option carries, checked before any process (a value like `-A` would be read as a flag). */
function checkTargetNames(options: TargetOptions, kind: 'kubernetes' | 'docker'): void {
  checkName(options.namespace, '--namespace', K8S_NAME, 'Namespaces are lower-case letters, digits and "-" (at most 63).');
  checkName(options.pod, '--pod', K8S_SUBDOMAIN, 'Pod names are lower-case letters, digits, "-" and "." (at most 253).');
  checkName(options.service, '--service', K8S_NAME, 'Compose service names here are lower-case letters, digits and "-".');
  checkName(
    options.container,
    '--container',
    kind === 'docker' ? CONTAINER_NAME : K8S_NAME,
    kind === 'docker'
      ? "Docker container names are letters, digits, '_', '.' and '-'."
      : 'Container names are lower-case letters, digits and "-" (at most 63).',
  );
}

/**
 * The target the options name, or with no target flag the one that exists: the dev cluster's
 * `homeassistant-0` (its context present and on this machine), else a running `homeassistant`
 * service of the compose stack; neither -> exit 3 with the hint `kp ha up`.
 */
export async function resolveTarget(ctx: KpContext, options: TargetOptions, composeProject: string = defaultComposeProject()): Promise<HaTarget> {
  if (options.target !== undefined) return selectTarget(ctx.runner, options);
  // Names are checked before any process, as for an explicit target.
  checkTargetNames(options, 'kubernetes');
  const looked: string[] = [];
  const context = HA_DEFAULTS.context;
  const view = viewOfContext(context);
  if (view.server === undefined) looked.push(`no kube context ${context}`);
  else if (!view.serverIsLocal) looked.push(`${context} points off this machine (${view.server})`);
  else {
    const kubectl = new Kubectl(ctx.runner, context);
    const pod = options.pod ?? HA_DEFAULTS.pod;
    const namespace = options.namespace ?? HA_DEFAULTS.namespace;
    try {
      if (await kubectl.getJson('pod', pod, namespace)) return selectTarget(ctx.runner, {...options, target: 'kubernetes'});
      looked.push(`no pod ${namespace}/${pod} in ${context}`);
    } catch (error) {
      looked.push(`${context} did not answer (${firstLine(error)})`);
    }
  }
  const service = options.service ?? HA_DEFAULTS.service;
  try {
    const engine = new Engine(ctx.runner);
    const found = await engine.findContainers([`com.docker.compose.project=${composeProject}`, `com.docker.compose.service=${service}`]);
    if (found.some((c) => c.running)) {
      return selectTarget(ctx.runner, {target: 'docker', composeProject, service: options.service});
    }
    looked.push(found.length > 0 ? `compose service ${composeProject}/${service} is not running` : `no compose service ${composeProject}/${service}`);
  } catch (error) {
    looked.push(`Docker did not answer (${firstLine(error)})`);
  }
  throw fail.prerequisite(
    `No Home Assistant to sync into: ${looked.join('; ')}.`,
    'Start one with `kp ha up` (in the dev cluster when `kp dev up` made one, else with Docker), or name the target (--target, --context, --container).',
  );
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}

/** The compose project `kp compose` acts on by default (KP_COMPOSE_PROJECT, else kamerplanter). */
export function defaultComposeProject(): string {
  const fromEnv = process.env.KP_COMPOSE_PROJECT;
  return fromEnv ? validateProjectName(fromEnv, 'KP_COMPOSE_PROJECT') : DEFAULT_PROJECT_NAME;
}

/** Build the target the options describe; refuses contradictory combinations, bad names and fenced contexts before any process. */
export function selectTarget(runner: Runner, options: TargetOptions): HaTarget {
  checkTargetNames(options, options.target ?? 'kubernetes');
  if (options.target === 'docker') {
    if (options.pod || options.selector || options.namespace || options.context) {
      throw fail.usage('--pod, --selector, --namespace and --context apply to --target kubernetes only.');
    }
    const engine = new Engine(runner);
    if (options.container) {
      if (options.composeProject || options.service) throw fail.usage('Give either --container or --project-name/--service, not both.');
      return new ContainerTarget(engine, {container: options.container});
    }
    // No container named: the HA service of a compose project (kp's own stack unless --project-name).
    const project = options.composeProject ? validateProjectName(options.composeProject, '--project-name') : defaultComposeProject();
    return new ContainerTarget(engine, {composeProject: project, service: options.service ?? HA_DEFAULTS.service});
  }
  if (options.composeProject || options.service) throw fail.usage('--project-name and --service apply to --target docker only.');
  if (options.pod && options.selector) throw fail.usage('Give either --pod or --selector, not both.');
  // The context is always explicit: never whatever `kubectl config current-context` says. The fence:
  // a kind-* context off this machine is refused; another cluster only when named with --context.
  const context = options.context ?? HA_DEFAULTS.context;
  assertContextAllowed(context, {explicit: options.context !== undefined, mustExist: true});
  const kubectl = new Kubectl(runner, context);
  const namespace = options.namespace ?? HA_DEFAULTS.namespace;
  const container = options.container ?? HA_DEFAULTS.container;
  return options.selector
    ? new PodTarget(kubectl, {selector: options.selector, namespace, container})
    : new PodTarget(kubectl, {pod: options.pod ?? HA_DEFAULTS.pod, namespace, container});
}
