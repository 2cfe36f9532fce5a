/**
 * kp's development-only companion in the dev HA: the `kp_reload` integration shipped in kp's package
 * (companion/kp_reload, Python for HA 2026.3). `kp ha up` installs it with the same sync round as the
 * developer's component and creates its entry through the config-flow API; `kp ha sync` asks it over
 * HA's websocket API to reload the developer's code without restarting HA.
 */
import path from 'node:path';
import {installDir} from '../../config/paths.js';
import {InterruptedError} from '../../core/errors.js';
import {HaWebSocketError, haWebSocketCommand} from '../../tools/ha-websocket.js';
import type {KpContext} from '../context.js';
import {openSession, type HaSession} from './onboarding.js';
import type {HaSyncReport} from './report.js';
import type {HaTarget} from './targets/target.js';

/** The companion's domain in HA. */
export const COMPANION_DOMAIN = 'kp_reload';

/** The companion's folder in kp's package. */
export function companionSource(): string {
  return path.join(installDir, 'companion', COMPANION_DOMAIN);
}

/** An authenticated session with the dev HA (kp holds its login). */
export type OpenSession = Extract<HaSession, {api: unknown}>;

/** Whether a round can reload through the companion, and why not. */
export type CompanionAvailability = {ready: true; session: OpenSession} | {ready: false; why: string};

/** One entry of the reloaded domain as the companion read it after the reload. */
export interface ReloadedEntry {
  entryId: string;
  title: string;
  state: string;
  reason: string | null;
}

/** The companion's answer to `kp_reload/reload` (its Reloader._answer). */
export interface ReloadAnswer {
  reloaded: boolean;
  /** Only a restart can load the change (the reason says why); nothing of the domain was torn down unless said. */
  restartRequired: boolean;
  reason: string | null;
  entries: ReloadedEntry[];
  steps: string[];
  traceback: string | null;
  ms: number;
}

/** How `kp ha up` left the companion (part of its JSON). */
export interface CompanionResult {
  /** `installed` (now), `updated` (a newer kp's), `kept` (already there), `not-owned`, `failed`. */
  outcome: 'installed' | 'updated' | 'kept' | 'not-owned' | 'failed';
  /** The companion's config entry state as HA reports it, when kp could read it. */
  state: string | undefined;
  reason: string | undefined;
  /** The sync round that put its files in place (restarts HA only when they changed). */
  sync: HaSyncReport | undefined;
}

/** Is the companion loaded in this HA, with kp holding a token for it? Never throws for HA's answers. */
export async function companionAvailability(ctx: KpContext, target: HaTarget): Promise<CompanionAvailability> {
  const session = await openSession(ctx, target);
  if ('none' in session) return {ready: false, why: session.none};
  try {
    const entries = await session.api.configEntries(COMPANION_DOMAIN, session.token);
    if (entries.some((e) => e.state === 'loaded')) return {ready: true, session};
    return {
      ready: false,
      why:
        entries.length > 0
          ? `the ${COMPANION_DOMAIN} companion's entry is ${entries[0]!.state}`
          : `the ${COMPANION_DOMAIN} companion is not set up in this HA (\`kp ha up\` installs it in the HA it provisions)`,
    };
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    return {ready: false, why: `HA's API did not answer kp (${(error as Error).message})`};
  }
}

/**
 * Ask the companion to reload `domain` within `timeoutMs`. A refused token is retried once with a
 * fresh login (kp's login recovery, as for the REST calls); no answer is `{failed}`, never an exception.
 */
export async function requestReload(
  ctx: KpContext,
  target: HaTarget,
  session: OpenSession,
  domain: string,
  timeoutMs: number,
): Promise<ReloadAnswer | {failed: string}> {
  // The companion answers within its own bound, a little inside kp's.
  const command = {type: `${COMPANION_DOMAIN}/reload`, domain, timeout: Math.max(1, Math.floor(timeoutMs / 1000) - 2)};
  const send = (token: string) =>
    haWebSocketCommand({url: session.api.endpoint.url}, token, command, {verbose: ctx.verbose, log: (line) => ctx.out.info(line), timeoutMs});
  try {
    try {
      return parseReloadAnswer(await send(session.token));
    } catch (error) {
      if (!(error instanceof HaWebSocketError && error.code === 'auth_invalid')) throw error;
      const again = await openSession(ctx, target);
      if ('none' in again) return {failed: `HA refused kp's token and no new one could be had (${again.none})`};
      return parseReloadAnswer(await send(again.token));
    }
  } catch (error) {
    if (error instanceof HaWebSocketError) return {failed: error.code === 'timeout' ? `the companion did not answer (${error.detail})` : error.detail};
    throw error;
  }
}

/** The companion's answer as kp reads it; anything else is a failed reload. */
export function parseReloadAnswer(raw: unknown): ReloadAnswer | {failed: string} {
  const body = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined;
  if (!body || typeof body.reloaded !== 'boolean') return {failed: 'the companion answered something kp does not understand'};
  const entries = Array.isArray(body.entries) ? (body.entries as Array<Record<string, unknown>>) : [];
  return {
    reloaded: body.reloaded,
    restartRequired: body.restart_required === true,
    reason: typeof body.reason === 'string' ? body.reason : null,
    entries: entries.map((e) => ({
      entryId: String(e.entry_id ?? ''),
      title: String(e.title ?? ''),
      state: String(e.state ?? 'unknown'),
      reason: typeof e.reason === 'string' ? e.reason : null,
    })),
    steps: Array.isArray(body.steps) ? body.steps.map(String) : [],
    traceback: typeof body.traceback === 'string' ? body.traceback : null,
    ms: typeof body.ms === 'number' ? body.ms : 0,
  };
}

/** What `kp ha status` says about the companion. */
export interface CompanionStatus {
  /** The entry's state (`loaded`, ...), `absent` when HA has none, undefined when kp could not ask. */
  state: string | undefined;
  reason: string | undefined;
  /** The companion's last reload of the component's domain since HA started: when it began, and whether it loaded the code. */
  lastReload?: {at: string; reloaded: boolean; reason: string | null} | undefined;
}

/** The companion as HA reports it, and its last reload of `domain` (read-only). */
export async function companionStatus(ctx: KpContext, target: HaTarget, domain: string | undefined): Promise<CompanionStatus> {
  const available = await companionAvailability(ctx, target);
  if (!available.ready) {
    return {state: /not set up/.test(available.why) ? 'absent' : /entry is (\w+)/.exec(available.why)?.[1], reason: available.why};
  }
  const {session} = available;
  const info = await haWebSocketCommand(
    {url: session.api.endpoint.url},
    session.token,
    {type: `${COMPANION_DOMAIN}/info`},
    {
      verbose: ctx.verbose,
      log: (line) => ctx.out.info(line),
      timeoutMs: 10_000,
    },
  ).catch((error: unknown) => {
    if (error instanceof HaWebSocketError) return undefined;
    throw error;
  });
  const last = (info as {last?: {domain?: unknown; at?: unknown; ms?: unknown; reloaded?: unknown; reason?: unknown} | null} | undefined)?.last;
  // `at` is when the reload ended; it started `ms` before (what it logged comes after that).
  const lastReload =
    last && last.domain === domain && typeof last.at === 'number'
      ? {
          at: new Date(last.at * 1000 - (typeof last.ms === 'number' ? last.ms : 0)).toISOString(),
          reloaded: last.reloaded === true,
          reason: typeof last.reason === 'string' ? last.reason : null,
        }
      : undefined;
  return {state: 'loaded', reason: undefined, lastReload};
}
