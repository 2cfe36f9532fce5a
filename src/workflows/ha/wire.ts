/**
 * Wiring the Kamerplanter integration to the dev backend: when a backend runs where HA can reach it
 * (the compose stack's `backend` service, or the dev cluster's `kamerplanter-backend` Service),
 * `kp ha up` creates the `kamerplanter` config entry through HA's config flow API with the backend's
 * URL as HA sees it. An existing entry is kept; without a backend, one line says how to wire it later.
 */
import {InterruptedError} from '../../core/errors.js';
import {poll} from '../../core/poll.js';
import {HaApiError} from '../../tools/ha-api.js';
import type {KpContext} from '../context.js';
import {readEntryVerdict} from './entry-verdict.js';
import {openSession} from './onboarding.js';
import type {HaTarget} from './targets/target.js';

/** The integration kp wires. */
export const KAMERPLANTER_DOMAIN = 'kamerplanter';

/** Where the dev backend is, as HA reaches it, or why there is none. */
export type BackendLocation = {url: string; where: string} | {none: string};

/** How `kp ha up` left the wiring (part of its JSON). */
export interface WiringResult {
  /** `created`, `kept` (an entry existed), `no-backend`, `no-token`, `no-component`, `failed`. */
  outcome: 'created' | 'kept' | 'no-backend' | 'no-token' | 'no-component' | 'failed';
  url: string | undefined;
  entryId: string | undefined;
  reason: string | undefined;
  /** The new entry's state once HA set it up (`loaded`, `setup_retry`, ...), when it was created now. */
  state?: string | undefined;
}

/**
 * The last reason HA logged for failing to load `domain`'s config flow (config_entries.py:
 * "Error occurred loading flow for integration DOMAIN: MESSAGE"), or undefined.
 */
export function flowLoadError(log: string, domain: string): string | undefined {
  const marker = `Error occurred loading flow for integration ${domain}: `;
  const line = log
    .split('\n')
    .filter((l) => l.includes(marker))
    .at(-1);
  return line?.slice(line.indexOf(marker) + marker.length).trim();
}

/**
 * How long HA's log may lag behind its answer: HA writes log records from a queue thread
 * (homeassistant/util/logging.py async_activate_log_queue_handler), so the import error can reach the
 * container's log after the 400 "Invalid handler specified" reached kp (seen once in CI).
 */
const FLOW_ERROR_LOG_WAIT_MS = 3_000;

/** The import error HA logged for the config flow, looked for until it shows or the log's lag is over. */
export async function flowLoadErrorLogged(target: Pick<HaTarget, 'logsSince'>): Promise<string | undefined> {
  const found = await poll(
    async () => {
      const log = await target.logsSince(undefined).catch((e: unknown) => {
        if (e instanceof InterruptedError) throw e;
        return '';
      });
      const importError = flowLoadError(log, KAMERPLANTER_DOMAIN);
      return importError === undefined ? {done: false} : {done: true, value: importError};
    },
    {deadline: Date.now() + FLOW_ERROR_LOG_WAIT_MS, intervalMs: 300},
  );
  return found.done ? found.value : undefined;
}

/** Create the kamerplanter config entry if there is none and a backend runs. Never throws for HA's answers (reported instead). */
export async function wireBackend(ctx: KpContext, target: HaTarget, backend: BackendLocation): Promise<WiringResult> {
  const session = await openSession(ctx, target);
  if ('none' in session) return {outcome: 'no-token', url: undefined, entryId: undefined, reason: session.none};
  try {
    const entries = await session.api.configEntries(KAMERPLANTER_DOMAIN, session.token);
    if (entries.length > 0) {
      ctx.out.info(`The ${KAMERPLANTER_DOMAIN} integration is already set up in HA (${entries.map((e) => `${e.title}: ${e.state}`).join('; ')}): kept.`);
      return {outcome: 'kept', url: undefined, entryId: entries[0]!.entryId, reason: undefined};
    }
    if ('none' in backend) {
      ctx.out.info(
        `No Kamerplanter backend runs (${backend.none}): start one (\`kp compose start\` or \`kp dev up\`), then \`kp ha up\` again wires the integration to it.`,
      );
      return {outcome: 'no-backend', url: undefined, entryId: undefined, reason: backend.none};
    }
    ctx.out.step(`Wiring the ${KAMERPLANTER_DOMAIN} integration to the backend at ${backend.url} (${backend.where})`);
    let step = await session.api.startFlow(KAMERPLANTER_DOMAIN, session.token);
    // The flow's user step asks for url (and an optional api_key a light-mode backend does not need).
    for (let answered = 0; step.type === 'form' && step.flowId && answered < 3; answered += 1) {
      if (answered > 0 && Object.keys(step.errors).length > 0) break;
      step = await session.api.answerFlow(step.flowId, {url: backend.url}, session.token);
    }
    if (step.type === 'create_entry') {
      // HA sets the new entry up at once: say how that went (HA's verdict, not a log line).
      const verdict = await readEntryVerdict(session, KAMERPLANTER_DOMAIN, Date.now() + 30_000, 250);
      const state = verdict?.state;
      if (state === 'loaded') ctx.out.success(`The ${KAMERPLANTER_DOMAIN} integration is wired to ${backend.url} and loaded.`);
      else
        ctx.out.warn(
          `The ${KAMERPLANTER_DOMAIN} integration is wired to ${backend.url}, but HA reports it ${state ?? 'unknown'}${verdict?.reason ? `: ${verdict.reason}` : ''}.`,
        );
      return {outcome: 'created', url: backend.url, entryId: step.entryId, reason: verdict?.reason ?? undefined, state};
    }
    const reason =
      step.type === 'form'
        ? `the config flow answered its ${step.stepId ?? 'form'} step with ${Object.keys(step.errors).length > 0 ? `errors ${Object.values(step.errors).join(', ')}` : `a form kp cannot fill (fields ${step.fields.join(', ') || 'none'})`}`
        : `the config flow ended with ${step.type}${step.reason ? ` (${step.reason})` : ''}`;
    // An unfinished flow stays open in HA until it restarts: give it up.
    if (step.type === 'form' && step.flowId) {
      // Best effort (HA drops open flows when it restarts), but Ctrl-C still stops kp here.
      await session.api.abortFlow(step.flowId, session.token).catch((e: unknown) => {
        if (e instanceof InterruptedError) throw e;
      });
    }
    ctx.out.warn(
      `Could not wire the ${KAMERPLANTER_DOMAIN} integration to ${backend.url}: ${reason}. Add it in HA (Settings > Devices & services) or run \`kp ha up\` again.`,
    );
    return {outcome: 'failed', url: backend.url, entryId: undefined, reason};
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    if (error instanceof HaApiError && (error.status === 404 || error.status === 400) && error.path.endsWith('/flow')) {
      // HA answers "Invalid handler specified" both for an integration it does not have and for one whose
      // config_flow.py fails to import (seen with a real HA 2026.3): its log says which.
      const importError = await flowLoadErrorLogged(target);
      if (importError) {
        const reason = `HA cannot load the ${KAMERPLANTER_DOMAIN} config flow: ${importError}`;
        ctx.out.warn(`Could not wire the ${KAMERPLANTER_DOMAIN} integration: ${reason}. Fix the component, \`kp ha sync\`, then \`kp ha up\` again.`);
        return {outcome: 'failed', url: 'url' in backend ? backend.url : undefined, entryId: undefined, reason};
      }
      const reason = `HA does not know the ${KAMERPLANTER_DOMAIN} integration yet (${error.detail || `HTTP ${error.status}`}): sync the component first`;
      ctx.out.info(`Not wiring the integration: ${reason}.`);
      return {outcome: 'no-component', url: undefined, entryId: undefined, reason};
    }
    const reason = (error as Error).message;
    ctx.out.warn(`Could not wire the ${KAMERPLANTER_DOMAIN} integration: ${reason}`);
    return {outcome: 'failed', url: 'url' in backend ? backend.url : undefined, entryId: undefined, reason};
  }
}
