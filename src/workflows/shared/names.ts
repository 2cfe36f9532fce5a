/**
 * The names kp uses when the user names none, and the rules a user-given name must follow before
 * it reaches a tool. Shared by the features that meet on them (HA runs in the dev cluster or in the
 * compose project).
 */
import {fail} from '../../core/errors.js';

/** The kind cluster of `kp dev` (kube context `kind-kamerplanter`). */
export const DEFAULT_CLUSTER_NAME = 'kamerplanter';

/** The Compose project of `kp compose` (also what upstream's docker-compose.yml is run as). */
export const DEFAULT_PROJECT_NAME = 'kamerplanter';

/** Compose's own rule for project names (lower-case letters, digits, `-`, `_`; starting with a letter or digit). */
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** kind's rule for cluster names (they become container and context names). */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9.]{0,48}[a-z0-9])?$/;

/** Check a Compose project name; a bad one is a usage error naming the rule. */
export function validateProjectName(name: string, flag = '--project-name'): string {
  if (!PROJECT_NAME.test(name)) {
    throw fail.usage(
      `${flag} ${JSON.stringify(name)} is not a valid Compose project name.`,
      'Use lower-case letters, digits, "-" and "_", starting with a letter or digit (at most 63 characters).',
    );
  }
  return name;
}

/** Check a kind cluster name; a bad one is a usage error naming the rule. */
export function validateClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) {
    throw fail.usage(
      `Invalid cluster name ${JSON.stringify(name)}.`,
      'Use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit (at most 50 characters).',
    );
  }
  return name;
}
