/**
 * Onboarding a fresh dev HA before anyone else can (until it is onboarded, whoever reaches its port
 * creates the owner or restores a backup): observe the steps and kp's kept login, plan (pure),
 * apply. And the session every later API call needs: a fresh access token from the kept refresh
 * token (or, when HA refuses that, from the kept password), or the reason there is none (someone
 * else onboarded this HA, kp never did, it is not reachable from here).
 */
import {randomBytes} from 'node:crypto';
import {credentialsFile, readCredentials, removeCredentials, writeCredentials, type HaCredentials} from '../../config/ha-credentials.js';
import {ExitCode, fail, InterruptedError, KpError, unlessInterrupted} from '../../core/errors.js';
import {HaApi, HaApiError, type OnboardingStep} from '../../tools/ha-api.js';
import type {KpContext} from '../context.js';
import {acquireLocalLock} from '../shared/lock.js';
import type {HaTarget} from './targets/target.js';
import {poll} from '../../core/poll.js';

/** The steps HA's onboarding has, in order (`homeassistant/components/onboarding/const.py`). */
export const ONBOARDING_STEPS = ['user', 'core_config', 'analytics', 'integration'] as const;
/** The owner kp creates. */
export const KP_OWNER = {name: 'Kamerplanter developer', username: 'kp-dev', language: 'en'} as const;

/** What kp decided about an HA's onboarding. */
export type OnboardingPlan =
  | {action: 'onboard'; steps: string[]}
  | {action: 'resume'; steps: string[]}
  | {action: 'login'; steps: string[]}
  | {action: 'done'}
  | {action: 'foreign'; why: string};

/** Decide from the observed steps and kp's kept login (pure). */
export function planOnboarding(steps: readonly OnboardingStep[], credentials: HaCredentials | undefined): OnboardingPlan {
  const open = ONBOARDING_STEPS.filter((name) => !steps.find((s) => s.step === name)?.done);
  if (open.includes('user')) return {action: 'onboard', steps: [...open]};
  if (!credentials) return {action: 'foreign', why: 'someone else onboarded it, so kp holds no token for it'};
  // kp created the owner (or was stopped while it did) but holds no token: log in with the kept password.
  if (!credentials.refreshToken) return {action: 'login', steps: [...open]};
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
  /** Where kp keeps the login (mode 0600), when it holds one; `kp ha credentials` prints it. */
  loginFile?: string | undefined;
}

/** Onboarding could not be completed; `unowned`: HA may have no owner (then `kp ha up` stops it). */
export class OnboardingFailure extends KpError {
  constructor(
    cause: Error,
    readonly unowned: boolean,
  ) {
    super(cause.message, {exitCode: cause instanceof KpError ? cause.exitCode : ExitCode.ToolFailed, hint: cause instanceof KpError ? cause.hint : undefined});
  }
}

/** `KP_HA_URL` (where this machine reaches kp's HA in the cluster), checked: an http URL with a host and nothing else. */
export function haUrlOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env.KP_HA_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail.usage(`KP_HA_URL ${JSON.stringify(raw)} is not a URL.`, 'e.g. KP_HA_URL=http://homeassistant.localhost:8080');
  }
  if (url.protocol !== 'http:' || !url.hostname || url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw fail.usage(
      `KP_HA_URL ${JSON.stringify(raw)} must be a plain http://HOST[:PORT] URL (no https, credentials, path or query).`,
      'e.g. KP_HA_URL=http://homeassistant.localhost:8080',
    );
  }
  return url.origin;
}

/** The API client of a target (settings from the context; `clientId`: the one kp's kept token belongs to). */
export function apiFor(ctx: KpContext, url: string, clientId?: string): HaApi {
  return new HaApi({url}, {dryRun: ctx.dryRun, verbose: ctx.verbose, log: (line) => ctx.out.info(line), clientId});
}

/** The URL of a target's API, or why there is none. */
export async function endpointOf(target: HaTarget): Promise<{url: string} | {unreachable: string}> {
  const override = haUrlOverride();
  if (override && target.kind === 'pod') return {url: override};
  return target.apiEndpoint();
}

/** The steps as HA lists them, or all done: after onboarding, a restarted HA no longer registers the views. */
const ALL_DONE: OnboardingStep[] = ONBOARDING_STEPS.map((step) => ({step, done: true}));

/**
 * Read the onboarding steps once HA's API answers. `GET /api/onboarding` is 404 in two cases: HA has
 * not registered the view yet (starting), or onboarding was completed before this HA started
 * (homeassistant/components/onboarding/__init__.py returns before registering its views when every
 * step is done). `/auth/providers` tells them apart: 400 `onboarding_required` while no owner exists.
 * Without a login of kp's to confirm it, "done" needs the 404 to hold for a few seconds (the auth
 * views may come up a moment before onboarding's).
 */
async function readSteps(api: HaApi, timeoutMs: number, hasKeptLogin: boolean): Promise<OnboardingStep[]> {
  let goneSince: number | undefined;
  const waited = await poll<OnboardingStep[], Error>(
    async () => {
      try {
        return {done: true, value: await api.onboardingSteps()};
      } catch (error) {
        const retryable = error instanceof HaApiError && (error.status === undefined || error.status === 404 || error.status >= 500);
        if (!retryable) throw error;
        if (error.status === 404 && (await api.userOnboarded().catch(unlessInterrupted(false)))) {
          goneSince ??= Date.now();
          if (hasKeptLogin || Date.now() - goneSince >= 3_000) return {done: true, value: ALL_DONE};
        } else {
          goneSince = undefined;
        }
        return {done: false, seen: error};
      }
    },
    {deadline: Date.now() + timeoutMs, intervalMs: 500},
  );
  // Out of time: HA's last answer is the reason.
  if (!waited.done) throw waited.lastSeen ?? new Error('no answer');
  return waited.value;
}

/** Onboard the target's HA as far as kp can (`kp ha up`); throws OnboardingFailure when it cannot complete it. */
export async function onboard(ctx: KpContext, target: HaTarget, timeoutMs: number): Promise<OnboardingResult> {
  const endpoint = await endpointOf(target);
  if ('unreachable' in endpoint) {
    ctx.out.warn(`kp cannot reach this Home Assistant's API (${endpoint.unreachable}): it is not onboarded by kp, and syncs are judged by its log.`);
    return {outcome: 'unreachable', owner: undefined, completed: [], reason: endpoint.unreachable, url: undefined};
  }
  const key = target.credentialsKey;
  // Two kp ha up on one HA: the second waits, then finds it onboarded (never races for the owner).
  const release = await acquireLocalLock('ha-onboard', key, target.label, {
    deadline: Date.now() + timeoutMs,
    onWait: (holder) => ctx.out.info(`Waiting for another kp (${holder}) onboarding ${target.label}...`),
  });
  try {
    return await onboardLocked(ctx, key, endpoint.url, timeoutMs);
  } finally {
    await release();
  }
}

async function onboardLocked(ctx: KpContext, key: string, url: string, timeoutMs: number): Promise<OnboardingResult> {
  let credentials = readCredentials(key);
  const api = apiFor(ctx, url, credentials?.clientId);
  // Until HA is known to have an owner, a failure leaves it unowned.
  let owned = false;
  const completed: string[] = [];
  const foreign = (why: string): OnboardingResult => {
    ctx.out.warn(`Home Assistant at ${url} is already onboarded and ${why}: kp leaves it as it is and judges syncs by its log.`);
    return {outcome: 'foreign', owner: undefined, completed: [], reason: why, url};
  };
  try {
    const steps = await readSteps(api, timeoutMs, Boolean(credentials?.refreshToken));
    const plan = planOnboarding(steps, credentials);
    owned = plan.action !== 'onboard';
    if (plan.action === 'foreign') return foreign(plan.why);

    let token: string | undefined;
    if (plan.action === 'onboard') {
      const created = await createKpOwner(ctx, api, key, url);
      // HA has an owner now: kp's, or (it answered 403) someone else's.
      owned = true;
      if ('foreign' in created) return foreign(created.foreign);
      credentials = created.credentials;
      completed.push('user');
      token = await keepTokens(api, key, credentials, await api.exchangeCode(created.code));
    } else {
      token = await tokenFromKeptLogin(api, key, credentials!);
      if (token === undefined) {
        if (credentials!.state === 'creating-owner') removeCredentials(key); // the owner is not the one kp tried to create
        return foreign('HA refuses the login kp kept for it (it was re-created and onboarded by someone else), so kp holds no token for it');
      }
      credentials = readCredentials(key) ?? credentials;
      if (plan.action === 'done') {
        ctx.out.info(`Home Assistant is onboarded by kp (owner ${credentials!.username}); \`kp ha credentials\` prints the login.`);
        return {outcome: 'already', owner: credentials!.username, completed: [], reason: undefined, url, loginFile: credentialsFile(key)};
      }
      ctx.out.step(`Completing Home Assistant's onboarding (${plan.steps.filter((s) => s !== 'user').join(', ')})`);
    }
    completed.push(...(await completeSteps(api, plan.steps, token)));
    credentials = {...credentials!, state: 'onboarded'};
    writeCredentials(key, credentials);
    ctx.out.success(`Home Assistant is onboarded: owner ${credentials.username} (\`kp ha credentials\` prints the login; kept in kp's state dir, mode 0600).`);
    return {
      outcome: plan.action === 'onboard' ? 'onboarded' : 'resumed',
      owner: credentials.username,
      completed,
      reason: undefined,
      url,
      loginFile: credentialsFile(key),
    };
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    throw new OnboardingFailure(error instanceof Error ? error : new Error(String(error)), !owned);
  }
}

/**
 * Create kp's owner. Its login is kept BEFORE the request: if kp is stopped right after HA created
 * the owner, the password is not lost. A 403 means someone created the owner between kp's look and
 * its request: theirs, then, and kp keeps nothing.
 */
async function createKpOwner(ctx: KpContext, api: HaApi, key: string, url: string): Promise<{credentials: HaCredentials; code: string} | {foreign: string}> {
  ctx.out.step(`Onboarding Home Assistant at ${url} before anyone else can: owner ${KP_OWNER.username}, analytics off`);
  const credentials: HaCredentials = {
    url,
    name: KP_OWNER.name,
    username: KP_OWNER.username,
    password: randomBytes(24).toString('base64url'),
    clientId: api.clientId,
    state: 'creating-owner',
    createdAt: new Date().toISOString(),
  };
  writeCredentials(key, credentials);
  let code: string;
  try {
    code = await api.createOwner({name: credentials.name, username: credentials.username, password: credentials.password, language: KP_OWNER.language});
  } catch (error) {
    if (error instanceof HaApiError && error.status === 403) {
      removeCredentials(key);
      return {foreign: 'someone else created the owner first, so kp holds no token for it'};
    }
    throw error;
  }
  const owner: HaCredentials = {...credentials, state: 'owner'};
  writeCredentials(key, owner);
  return {credentials: owner, code};
}

/**
 * The onboarding steps after the owner, in HA's order; returns those done. core_config: HA's
 * defaults (kp seeds configuration.yaml). analytics: HA's AnalyticsOnboardingView only marks the
 * step done and answers `{}` (homeassistant/components/onboarding/views.py), so every analytics
 * preference keeps its default, off. integration: the step the frontend finishes with; its
 * redirect_uri must share the client id's host and port (indieauth.verify_redirect_uri).
 */
async function completeSteps(api: HaApi, steps: readonly string[], token: string): Promise<string[]> {
  const done: string[] = [];
  for (const step of steps.filter((s) => s !== 'user') as Array<'core_config' | 'analytics' | 'integration'>) {
    try {
      await api.completeStep(step, token);
    } catch (error) {
      // 403: already done (a step HA marks done by itself): nothing left to do.
      if (!(error instanceof HaApiError && error.status === 403)) throw error;
    }
    done.push(step);
  }
  return done;
}

/** Keep the refresh token (and the client id it belongs to); return the access token. */
async function keepTokens(
  api: HaApi,
  key: string,
  credentials: HaCredentials,
  tokens: {accessToken: string; refreshToken: string | undefined},
): Promise<string> {
  writeCredentials(key, {...credentials, refreshToken: tokens.refreshToken ?? credentials.refreshToken, clientId: api.clientId});
  return tokens.accessToken;
}

/**
 * An access token from kp's kept login: the refresh token, else (HA refused it: another client id,
 * a re-created token store) the kept password through HA's login flow, whose new refresh token is
 * kept. Undefined when HA refuses both: the HA is not the one kp onboarded.
 */
async function tokenFromKeptLogin(api: HaApi, key: string, credentials: HaCredentials): Promise<string | undefined> {
  if (credentials.refreshToken) {
    try {
      return (await api.refresh(credentials.refreshToken)).accessToken;
    } catch (error) {
      if (!(error instanceof HaApiError && error.status === 400)) throw error;
    }
  }
  let code: string;
  try {
    code = await api.login(credentials.username, credentials.password);
  } catch (error) {
    if (error instanceof HaApiError && (error.status === 400 || error.status === 403 || error.status === 404)) return undefined;
    throw error;
  }
  return keepTokens(api, key, credentials, await api.exchangeCode(code));
}

/** An authenticated API session with the target's HA, or why kp has none. */
export type HaSession = {api: HaApi; token: string; owner: string} | {none: string};

/**
 * Open a session with kp's kept login. HA may still be starting (the Ingress answers 503 a moment
 * after the pod is Ready): no answer or a 5xx is retried for up to `retryMs`.
 */
export async function openSession(ctx: KpContext, target: HaTarget, retryMs = 5_000): Promise<HaSession> {
  const credentials = readCredentials(target.credentialsKey);
  if (!credentials) return {none: 'kp did not onboard this HA and holds no token for it'};
  const endpoint = await endpointOf(target);
  if ('unreachable' in endpoint) return {none: endpoint.unreachable};
  const api = apiFor(ctx, endpoint.url, credentials.clientId);
  const waited = await poll<HaSession, Error>(
    async () => {
      try {
        const token = await tokenFromKeptLogin(api, target.credentialsKey, credentials);
        if (token === undefined) return {done: true, value: {none: "HA refused kp's token and password (it was re-created and onboarded by someone else)"}};
        return {done: true, value: {api, token, owner: credentials.username}};
      } catch (error) {
        if (error instanceof InterruptedError) throw error;
        const retryable = error instanceof HaApiError && (error.status === undefined || error.status >= 500);
        if (!retryable) return {done: true, value: {none: `HA's API did not answer kp (${(error as Error).message})`}};
        return {done: false, seen: error as Error};
      }
    },
    {deadline: Date.now() + retryMs, intervalMs: 500},
  );
  return waited.done ? waited.value : {none: `HA's API did not answer kp (${waited.lastSeen?.message ?? 'no answer'})`};
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
  const credentials = readCredentials(target.credentialsKey);
  try {
    const steps = await readSteps(apiFor(ctx, endpoint.url), 0, Boolean(credentials?.refreshToken)).catch(async (error: unknown) => {
      // A single look: a 404 with an owner present is a completed onboarding (the views are gone).
      if (error instanceof HaApiError && error.status === 404 && (await apiFor(ctx, endpoint.url).userOnboarded())) return ALL_DONE;
      throw error;
    });
    const plan = planOnboarding(steps, credentials);
    if (plan.action === 'onboard')
      return {onboarded: false, by: undefined, owner: undefined, reason: 'not onboarded: whoever reaches it first owns it (`kp ha up` onboards it)'};
    if (plan.action === 'foreign') return {onboarded: !steps.some((s) => !s.done), by: 'someone else', owner: undefined, reason: plan.why};
    return {
      onboarded: plan.action === 'done',
      by: 'kp',
      owner: credentials?.username,
      reason: plan.action === 'done' ? undefined : `steps left: ${plan.steps.join(', ')}`,
    };
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    return {onboarded: undefined, by: undefined, owner: undefined, reason: `HA's API did not answer (${(error as Error).message})`};
  }
}
