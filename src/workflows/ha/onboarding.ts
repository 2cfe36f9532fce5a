/**
 * Onboarding a fresh dev HA before anyone else can (until it is onboarded, whoever reaches its port
 * creates the owner or restores a backup): observe the steps and kp's kept credentials, plan (pure),
 * apply. And the session every later API call needs: a fresh access token from the kept refresh
 * token, or the reason there is none (someone else onboarded this HA, kp never did, it is not
 * reachable from here).
 */
import {randomBytes} from 'node:crypto';
import {readCredentials, writeCredentials, type HaCredentials} from '../../config/ha-credentials.js';
import {InterruptedError} from '../../core/errors.js';
import {sleep} from '../../core/interruption.js';
import {HaApi, HaApiError, type OnboardingStep} from '../../tools/ha-api.js';
import type {KpContext} from '../context.js';
import type {HaTarget} from './targets/target.js';

/** The steps HA's onboarding has, in order (`homeassistant/components/onboarding/const.py`). */
export const ONBOARDING_STEPS = ['user', 'core_config', 'analytics', 'integration'] as const;
/** The owner kp creates. */
export const KP_OWNER = {name: 'Kamerplanter developer', username: 'kp-dev', language: 'en'} as const;

/** What kp decided about an HA's onboarding. */
export type OnboardingPlan =
  | {action: 'onboard'; steps: string[]}
  | {action: 'resume'; steps: string[]}
  | {action: 'done'}
  | {action: 'foreign'; why: string};

/** Decide from the observed steps and kp's kept credentials (pure). */
export function planOnboarding(steps: readonly OnboardingStep[], credentials: HaCredentials | undefined): OnboardingPlan {
  const open = ONBOARDING_STEPS.filter((name) => !steps.find((s) => s.step === name)?.done);
  const userDone = !open.includes('user');
  if (!userDone) return {action: 'onboard', steps: [...open]};
  if (!credentials || credentials.state === 'creating-owner' || !credentials.refreshToken) {
    const why = credentials?.state === 'creating-owner' ? 'an earlier kp ha up was interrupted while creating the owner, so kp holds no token for it' : 'someone else onboarded it, so kp holds no token for it';
    return {action: 'foreign', why};
  }
  return open.length === 0 ? {action: 'done'} : {action: 'resume', steps: [...open]};
}

/** How `kp ha up` left an HA's onboarding (part of its JSON). */
export interface OnboardingResult {
  /** `onboarded` (just now), `resumed`, `already` (kp's, nothing to do), `foreign` (someone else's), `unreachable`. */
  outcome: 'onboarded' | 'resumed' | 'already' | 'foreign' | 'unreachable';
  /** kp's owner, when kp holds the login. */
  owner: string | undefined;
  /** The steps kp completed in this run. */
  completed: string[];
  /** Why kp holds no token (foreign, unreachable). */
  reason: string | undefined;
  url: string | undefined;
}

/** The API client of a target (settings from the context). */
export function apiFor(ctx: KpContext, url: string): HaApi {
  return new HaApi({url}, {dryRun: ctx.dryRun, verbose: ctx.verbose, log: (line) => ctx.out.info(line)});
}

/** The URL of a target's API, or why there is none. */
export async function endpointOf(target: HaTarget): Promise<{url: string} | {unreachable: string}> {
  const override = process.env.KP_HA_URL?.trim();
  if (override && target.kind === 'pod') return {url: override.replace(/\/+$/, '')};
  return target.apiEndpoint();
}

/**
 * Wait until HA's onboarding view answers (the port answers a moment before HA's HTTP routes are
 * registered), then return the steps.
 */
async function readSteps(api: HaApi, timeoutMs: number): Promise<OnboardingStep[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await api.onboardingSteps();
    } catch (error) {
      if (error instanceof InterruptedError) throw error;
      const retryable = error instanceof HaApiError && (error.status === undefined || error.status === 404 || error.status >= 500);
      if (!retryable || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** Onboard the target's HA as far as kp can (`kp ha up`); throws when it cannot complete onboarding. */
export async function onboard(ctx: KpContext, target: HaTarget, timeoutMs: number): Promise<OnboardingResult> {
  const endpoint = await endpointOf(target);
  if ('unreachable' in endpoint) return {outcome: 'unreachable', owner: undefined, completed: [], reason: endpoint.unreachable, url: undefined};
  const api = apiFor(ctx, endpoint.url);
  const key = target.credentialsKey;
  const steps = await readSteps(api, timeoutMs);
  let credentials = readCredentials(key);
  const plan = planOnboarding(steps, credentials);
  if (plan.action === 'foreign') {
    ctx.out.warn(`Home Assistant at ${endpoint.url} is already onboarded and ${plan.why}: kp leaves it as it is and judges syncs by its log.`);
    return {outcome: 'foreign', owner: undefined, completed: [], reason: plan.why, url: endpoint.url};
  }
  const completed: string[] = [];
  let token: string | undefined;
  if (plan.action !== 'onboard') {
    // kp's kept token must still open this HA: one that was re-created and onboarded by someone else refuses it.
    try {
      token = (await api.refresh(credentials!.refreshToken!)).accessToken;
    } catch (error) {
      if (!(error instanceof HaApiError && error.status === 400)) throw error;
      const why = "HA refused the token kp kept for it (it was re-created and onboarded by someone else), so kp holds no token for it";
      ctx.out.warn(`Home Assistant at ${endpoint.url} is already onboarded and ${why}: kp leaves it as it is and judges syncs by its log.`);
      return {outcome: 'foreign', owner: undefined, completed: [], reason: why, url: endpoint.url};
    }
  }
  if (plan.action === 'done') {
    ctx.out.info(`Home Assistant is onboarded by kp (owner ${credentials!.username}); \`kp ha credentials\` prints the login.`);
    return {outcome: 'already', owner: credentials!.username, completed: [], reason: undefined, url: endpoint.url};
  }
  if (plan.action === 'onboard') {
    ctx.out.step(`Onboarding Home Assistant at ${endpoint.url} before anyone else can: owner ${KP_OWNER.username}, analytics off`);
    // Kept BEFORE the request: if kp is stopped right after HA created the owner, the password is not lost.
    credentials = {url: endpoint.url, name: KP_OWNER.name, username: KP_OWNER.username, password: randomBytes(24).toString('base64url'), state: 'creating-owner', createdAt: new Date().toISOString()};
    writeCredentials(key, credentials);
    const code = await api.createOwner({name: credentials.name, username: credentials.username, password: credentials.password, language: KP_OWNER.language});
    credentials = {...credentials, state: 'owner'};
    writeCredentials(key, credentials);
    completed.push('user');
    const tokens = await api.exchangeCode(code);
    credentials = {...credentials, refreshToken: tokens.refreshToken};
    writeCredentials(key, credentials);
    token = tokens.accessToken;
  } else {
    ctx.out.step(`Completing Home Assistant's onboarding (${plan.steps.join(', ')})`);
  }
  // core_config: HA's defaults (kp seeds configuration.yaml). analytics: HA's AnalyticsOnboardingView
  // only marks the step done and answers `{}` (homeassistant/components/onboarding/views.py), so every
  // analytics preference keeps its default, off. integration: the step the frontend finishes with; its
  // redirect_uri must share the client id's host and port (indieauth.verify_redirect_uri).
  for (const step of plan.steps.filter((s) => s !== 'user') as Array<'core_config' | 'analytics' | 'integration'>) {
    try {
      await api.completeStep(step, token!);
    } catch (error) {
      // 403: already done (a concurrent run, or a step HA marks done by itself): nothing left to do.
      if (!(error instanceof HaApiError && error.status === 403)) throw error;
    }
    completed.push(step);
  }
  credentials = {...credentials!, state: 'onboarded'};
  writeCredentials(key, credentials);
  ctx.out.success(`Home Assistant is onboarded: owner ${credentials.username} (\`kp ha credentials\` prints the login; kept in kp's state dir, mode 0600).`);
  return {outcome: plan.action === 'onboard' ? 'onboarded' : 'resumed', owner: credentials.username, completed, reason: undefined, url: endpoint.url};
}

/** An authenticated API session with the target's HA, or why kp has none. */
export type HaSession = {api: HaApi; token: string; owner: string} | {none: string};

/** Open a session with kp's kept credentials (a fresh access token from the refresh token). */
export async function openSession(ctx: KpContext, target: HaTarget): Promise<HaSession> {
  const credentials = readCredentials(target.credentialsKey);
  if (!credentials?.refreshToken) return {none: credentials ? 'kp was interrupted while onboarding this HA and holds no token for it' : 'kp did not onboard this HA and holds no token for it'};
  const endpoint = await endpointOf(target);
  if ('unreachable' in endpoint) return {none: endpoint.unreachable};
  const api = apiFor(ctx, endpoint.url);
  try {
    const tokens = await api.refresh(credentials.refreshToken);
    return {api, token: tokens.accessToken, owner: credentials.username};
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    const why = error instanceof HaApiError && error.status === 400 ? "HA refused kp's token (it was re-created or the token revoked)" : `HA's API did not answer (${(error as Error).message})`;
    return {none: why};
  }
}

/** What `kp ha status` says about onboarding (read-only: never onboards). */
export interface OnboardingStatus {
  onboarded: boolean | undefined;
  /** `kp` (kp holds the login), `someone else`, or undefined when not onboarded or unknown. */
  by: string | undefined;
  owner: string | undefined;
  reason: string | undefined;
}

/** Read whether the target's HA is onboarded and by whom. */
export async function onboardingStatus(ctx: KpContext, target: HaTarget): Promise<OnboardingStatus> {
  const endpoint = await endpointOf(target);
  if ('unreachable' in endpoint) return {onboarded: undefined, by: undefined, owner: undefined, reason: endpoint.unreachable};
  try {
    const steps = await apiFor(ctx, endpoint.url).onboardingSteps();
    const plan = planOnboarding(steps, readCredentials(target.credentialsKey));
    if (plan.action === 'onboard') return {onboarded: false, by: undefined, owner: undefined, reason: 'not onboarded: whoever reaches it first owns it (`kp ha up` onboards it)'};
    if (plan.action === 'foreign') return {onboarded: !steps.some((s) => !s.done), by: 'someone else', owner: undefined, reason: plan.why};
    return {onboarded: plan.action === 'done', by: 'kp', owner: readCredentials(target.credentialsKey)?.username, reason: plan.action === 'resume' ? `steps left: ${plan.steps.join(', ')}` : undefined};
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    return {onboarded: undefined, by: undefined, owner: undefined, reason: `HA's API did not answer (${(error as Error).message})`};
  }
}
