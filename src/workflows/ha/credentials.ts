/**
 * `kp ha credentials`: the login kp created when it onboarded the target's HA, for the browser.
 * Read-only; the refresh token never leaves the state file.
 */
import {credentialsFile, readCredentials} from '../../config/ha-credentials.js';
import {fail} from '../../core/errors.js';
import type {KpContext} from '../context.js';
import {haUrlOverride} from './onboarding.js';
import {announceTarget, resolveTarget, type TargetOptions} from './targets/select.js';

/** The login of one HA (what `kp ha credentials --json` prints). */
export interface HaCredentialsResult {
  target: Record<string, string>;
  url: string;
  username: string;
  password: string;
  /** `onboarded`, or how far an interrupted onboarding got. */
  state: string;
  createdAt: string;
  /** Where kp keeps it (mode 0600). */
  file: string;
}

/** Read the login kp keeps for the target's HA; exit 3 when kp keeps none. */
export async function haCredentials(ctx: KpContext, options: {target: TargetOptions}): Promise<HaCredentialsResult> {
  haUrlOverride(); // bad input before anything is looked for
  const target = await resolveTarget(ctx, options.target);
  announceTarget(ctx, target);
  const credentials = readCredentials(target.credentialsKey);
  if (!credentials) {
    throw fail.prerequisite(`kp keeps no login for ${target.label}: it did not onboard this Home Assistant.`, '`kp ha up` onboards the dev HA it starts; an HA someone else onboarded has their login.');
  }
  return {
    target: target.describe(),
    url: `${credentials.url.replace(/\/+$/, '')}/`,
    username: credentials.username,
    password: credentials.password,
    state: credentials.state,
    createdAt: credentials.createdAt,
    file: credentialsFile(target.credentialsKey),
  };
}
