/**
 * Target flags shared by `kp ha sync` and `kp ha status`.
 */
import {Flags} from '@oclif/core';
import {HA_DEFAULTS, type TargetOptions} from './select-target.js';

/** The flags that choose the HA target (pod by default, container with --target docker). */
export const targetFlags = {
  target: Flags.string({
    description: 'Where HA runs: a pod in the dev cluster (default), or a container (default with --compose-project).',
    options: ['kubernetes', 'docker'],
    helpGroup: 'TARGET',
  }),
  context: Flags.string({description: `kube context (always explicit; default ${HA_DEFAULTS.context}).`, helpGroup: 'TARGET'}),
  namespace: Flags.string({char: 'n', description: `Namespace of the HA pod (default ${HA_DEFAULTS.namespace}).`, helpGroup: 'TARGET'}),
  pod: Flags.string({description: `HA pod name (default ${HA_DEFAULTS.pod}).`, helpGroup: 'TARGET'}),
  selector: Flags.string({char: 'l', description: 'Find the HA pod by label selector instead of by name.', helpGroup: 'TARGET'}),
  container: Flags.string({
    char: 'c',
    description: `Container in the pod (default ${HA_DEFAULTS.container}), or with --target docker the container name.`,
    helpGroup: 'TARGET',
  }),
  'compose-project': Flags.string({description: 'With --target docker: find HA as a service of this Compose project.', helpGroup: 'TARGET'}),
  service: Flags.string({description: `Compose service of HA (default ${HA_DEFAULTS.service}).`, helpGroup: 'TARGET'}),
  'config-dir': Flags.string({description: "HA's config dir in the target.", default: HA_DEFAULTS.configDir, helpGroup: 'TARGET'}),
  source: Flags.string({
    char: 's',
    description: 'The custom_components/<domain> folder (default: auto-detected in the current directory).',
  }),
};

/** Map parsed flags to target options. */
export function targetOptions(flags: {
  target?: string;
  context?: string;
  namespace?: string;
  pod?: string;
  selector?: string;
  container?: string;
  'compose-project'?: string;
  service?: string;
}): TargetOptions {
  const target = (flags.target ?? (flags['compose-project'] ? 'docker' : 'kubernetes')) === 'docker' ? 'docker' : 'kubernetes';
  return {
    target,
    context: flags.context,
    namespace: flags.namespace,
    pod: flags.pod,
    selector: flags.selector,
    container: flags.container,
    composeProject: flags['compose-project'],
    service: flags.service,
  };
}
