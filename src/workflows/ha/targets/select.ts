/**
 * Turn the command-line target options into one HaTarget (pod by default, container on request).
 */
import {fail} from '../../../core/errors.js';
import {Engine} from '../../../tools/docker.js';
import {kindContextName} from '../../../tools/kind.js';
import {Kubectl} from '../../../tools/kubectl.js';
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

/** Build the target the options describe; refuses contradictory combinations. */
export function selectTarget(runner: Runner, options: TargetOptions): HaTarget {
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
  // The context is always explicit: never whatever `kubectl config current-context` says.
  const kubectl = new Kubectl(runner, options.context ?? HA_DEFAULTS.context);
  const namespace = options.namespace ?? HA_DEFAULTS.namespace;
  const container = options.container ?? HA_DEFAULTS.container;
  return options.selector
    ? new PodTarget(kubectl, {selector: options.selector, namespace, container})
    : new PodTarget(kubectl, {pod: options.pod ?? HA_DEFAULTS.pod, namespace, container});
}
