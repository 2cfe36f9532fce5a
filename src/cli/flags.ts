/**
 * Flag sets shared by several commands (kept outside src/commands, where oclif would take a file
 * for a command), and their mapping to workflow options.
 */
import * as Flags from '@oclif/core/flags';
import type {StackOptions} from '../workflows/compose/stack.js';
import {HA_DEFAULTS, type TargetOptions} from '../workflows/ha/targets/select.js';
import {DEFAULT_CLUSTER_NAME, DEFAULT_PROJECT_NAME} from '../workflows/shared/names.js';

/** Which compose stack a command acts on: project name, compose file, env file. */
export const composeStackFlags = {
  'project-name': Flags.string({
    description: `Compose project to act on (a second stack beside the first needs its own; default ${DEFAULT_PROJECT_NAME}).`,
    env: 'KP_COMPOSE_PROJECT',
    helpValue: 'NAME',
  }),
  file: Flags.string({
    description: 'Compose file to use instead of the one kp ships.',
    helpValue: 'FILE',
  }),
  // Compose's name. Node reads `--env-file` anywhere in its argv, even after the script; bin/kp.cjs
  // starts Node with `--` so that it never does. `--env-path` was kp's name while it did.
  'env-file': Flags.string({
    description: 'Env file to use instead of $XDG_CONFIG_HOME/kp/compose.env (compose-<project>.env for another project).',
    helpValue: 'FILE',
    aliases: ['env-path'],
  }),
};

/** How long start/stop/down wait for another kp run on the same project. */
export const projectLockFlag = {
  'lock-timeout': Flags.integer({description: 'Seconds to wait for another kp run on the same project (another terminal) to finish.', default: 300, min: 0}),
};

/** Map the parsed stack flags to the workflow's stack options. */
export function stackOptions(flags: {'project-name'?: string; file?: string; 'env-file'?: string; 'lock-timeout'?: number}): StackOptions {
  return {
    projectName: flags['project-name'],
    file: flags.file,
    envFile: flags['env-file'],
    lockTimeoutMs: flags['lock-timeout'] === undefined ? undefined : flags['lock-timeout'] * 1000,
  };
}

/** Which kind cluster a dev command acts on. */
export const clusterNameFlag = {
  name: Flags.string({description: 'kind cluster name (context kind-<name>).', default: DEFAULT_CLUSTER_NAME}),
};

/** Which checkout a dev command works on. */
export const workspaceFlag = {
  workspace: Flags.string({description: 'Kamerplanter checkout (default: KP_WORKSPACE, else the nearest parent with skaffold.yaml or helm/kamerplanter).'}),
};

/** The flags that choose the HA target (pod by default, container with --target docker). */
export const haTargetFlags = {
  target: Flags.string({
    description:
      "Where HA runs: a pod in a cluster, or a container. Default: the dev cluster's homeassistant-0 when it exists, else the compose stack's homeassistant service.",
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
  // The same name as every other command's compose project (`--compose-project` still works, unlisted).
  // No `env`: KP_COMPOSE_PROJECT is the default project (select.ts), and must not make every run a docker one.
  'project-name': Flags.string({
    description: `With --target docker: find HA as a service of this Compose project (default KP_COMPOSE_PROJECT, else ${DEFAULT_PROJECT_NAME}).`,
    helpGroup: 'TARGET',
    helpValue: 'NAME',
    aliases: ['compose-project'],
  }),
  service: Flags.string({description: `Compose service of HA (default ${HA_DEFAULTS.service}).`, helpGroup: 'TARGET'}),
  'config-dir': Flags.string({description: "HA's config dir in the target.", default: HA_DEFAULTS.configDir, helpGroup: 'TARGET'}),
  source: Flags.string({
    char: 's',
    description: 'The custom_components/<domain> folder (default: auto-detected in the current directory).',
  }),
};

/** Where `kp ha up` / `kp ha down` run HA. */
export const haLifecycleTargetFlag = {
  target: Flags.string({
    description: "Where HA runs: the dev kind cluster (default when it exists) or Docker (the compose stack's homeassistant profile).",
    options: ['kubernetes', 'docker'],
  }),
};

/** Map the parsed target flags to target options. */
export function haTargetOptions(flags: {
  target?: string;
  context?: string;
  namespace?: string;
  pod?: string;
  selector?: string;
  container?: string;
  'project-name'?: string;
  service?: string;
}): TargetOptions {
  // No target flag: the workflow picks the HA that exists. A flag only one kind of target has decides it.
  const kubernetesOnly = flags.context ?? flags.namespace ?? flags.pod ?? flags.selector;
  const target: TargetOptions['target'] =
    flags.target === 'docker' || flags.target === 'kubernetes'
      ? flags.target
      : flags['project-name'] || flags.service
        ? 'docker'
        : kubernetesOnly
          ? 'kubernetes'
          : undefined;
  return {
    target,
    context: flags.context,
    namespace: flags.namespace,
    pod: flags.pod,
    selector: flags.selector,
    container: flags.container,
    composeProject: flags['project-name'],
    service: flags.service,
  };
}

/** Split repeated and comma-separated flag values (`-m kp,ki -m x`). */
export function listFlag(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
