/**
 * `kp ha credentials`: the login kp created when it onboarded the target's HA, for the browser.
 * Read-only; the refresh token never leaves the state file.
 */
import {credentialsFile, keptCredentialKeys, readCredentials} from '../../config/ha-credentials.js';
import {ExitCode, fail, KpError} from '../../core/errors.js';
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
  let target;
  try {
    target = await resolveTarget(ctx, options.target);
  } catch (error) {
    // No running HA (e.g. kp ha up stopped it when onboarding failed): the login is what is needed then.
    const keys = keptCredentialKeys();
    if (!(error instanceof KpError && error.exitCode === ExitCode.Prerequisite) || keys.length !== 1) throw error;
    ctx.out.info(`No running Home Assistant found (${error.message.replace(/\.$/, '')}); showing the one login kp keeps (${keys[0]}).`);
    return resultOf({kind: 'kept', key: keys[0]!}, keys[0]!);
  }
  announceTarget(ctx, target);
  const credentials = readCredentials(target.credentialsKey);
  if (!credentials) {
    throw fail.prerequisite(
      `kp keeps no login for ${target.label}: it did not onboard this Home Assistant.`,
      '`kp ha up` onboards the dev HA it starts; an HA someone else onboarded has their login.',
    );
  }
  return resultOf(target.describe(), target.credentialsKey);
}

function resultOf(target: Record<string, string>, key: string): HaCredentialsResult {
  const credentials = readCredentials(key);
  if (!credentials) throw fail.prerequisite(`kp keeps no readable login under ${key}.`);
  return {
    target,
    url: `${credentials.url.replace(/\/+$/, '')}/`,
    username: credentials.username,
    password: credentials.password,
    state: credentials.state,
    createdAt: credentials.createdAt,
    file: credentialsFile(key),
  };
}
