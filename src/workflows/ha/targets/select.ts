/**
 * Turn the command-line target options into one HaTarget (pod by default, container on request).
 */
import {fail} from '../../../core/errors.js';
import {Engine} from '../../../tools/docker.js';
import {kindContextName} from '../../../tools/kind.js';
import {Kubectl} from '../../../tools/kubectl.js';
import type {KpContext} from '../../context.js';
import {assertContextAllowed, viewOfContext} from '../../shared/kube-fence.js';
import {DEFAULT_CLUSTER_NAME, validateProjectName} from '../../shared/names.js';
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
  target: 'kubernetes' | 'docker';
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
    throw fail.usage(`--config-dir ${JSON.stringify(configDir)} must be an absolute, normal path below / (no "." or ".." segments).`, "HA's config dir in the official image is /config.");
  }
  return trimmed;
}

/** The first line of a run: which target, and for a pod the context's API server. */
export function announceTarget(ctx: KpContext, target: HaTarget): void {
  const context = target.describe().context;
  const server = context ? viewOfContext(context).server : undefined;
  ctx.out.step(`Target: ${target.label}${server ? ` (API server ${server})` : ''}`);
}

/** Build the target the options describe; refuses contradictory combinations, bad names and fenced contexts before any process. */
export function selectTarget(runner: Runner, options: TargetOptions): HaTarget {
  checkName(options.namespace, '--namespace', K8S_NAME, 'Namespaces are lower-case letters, digits and "-" (at most 63).');
  checkName(options.pod, '--pod', K8S_SUBDOMAIN, 'Pod names are lower-case letters, digits, "-" and "." (at most 253).');
  checkName(options.service, '--service', K8S_NAME, 'Compose service names here are lower-case letters, digits and "-".');
  checkName(options.container, '--container', options.target === 'docker' ? CONTAINER_NAME : K8S_NAME, options.target === 'docker' ? "Docker container names are letters, digits, '_', '.' and '-'." : 'Container names are lower-case letters, digits and "-" (at most 63).');
  if (options.target === 'docker') {
    if (options.pod || options.selector || options.namespace || options.context) {
      throw fail.usage('--pod, --selector, --namespace and --context apply to --target kubernetes only.');
    }
    const engine = new Engine(runner);
    if (options.composeProject) {
      if (options.container) throw fail.usage('Give either --container or --compose-project, not both.');
      return new ContainerTarget(engine, {
        composeProject: validateProjectName(options.composeProject, '--compose-project'),
        service: options.service ?? HA_DEFAULTS.service,
      });
    }
    if (!options.container) {
      throw fail.usage('--target docker needs --container NAME or --compose-project PROJECT.', 'e.g. kp ha sync --target docker --container homeassistant');
    }
    return new ContainerTarget(engine, {container: options.container});
  }
  if (options.composeProject || options.service) throw fail.usage('--compose-project and --service apply to --target docker only.');
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
