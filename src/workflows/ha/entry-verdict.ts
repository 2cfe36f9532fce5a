/**
 * HA's own verdict on the integration: the state of its config entries
 * (`GET /api/config/config_entries/entry?domain=...`), read after a restart until it is final. The
 * log verdict stays beside it for the detail (tracebacks); where kp holds no token, or the domain has
 * no entry yet, the log verdict alone decides, and the report says why.
 */
import {ExitCode} from '../../core/errors.js';
import {HaApiError, type HaConfigEntry} from '../../tools/ha-api.js';
import type {HaSession} from './onboarding.js';
import {poll} from '../../core/poll.js';

/** Which verdict decided a round, and why that one. */
export interface VerdictSource {
  /** `reload`: a domain without entries whose code the companion reloaded: its answer decides. */
  used: 'config-entry' | 'log' | 'reload';
  why: string;
}

/** What the config-entry verdict found. */
export interface EntryVerdict {
  /** The domain's entries as last read. */
  entries: HaConfigEntry[];
  /** The deciding state: `loaded` only when every entry is loaded, else the first entry that is not. */
  state: string | undefined;
  reason: string | null;
  /** False when time ran out before the state was final. */
  final: boolean;
  /** HA's run state when the verdict was read (`RUNNING`, `STARTING`, ...). */
  runState: string | undefined;
  readMs: number;
}

/** States that change on their own: keep reading. `not_loaded` is final only once HA runs (it never set the entry up). */
const IN_PROGRESS = new Set(['setup_in_progress', 'unload_in_progress']);

/** Is this entry state HA's last word for this start (pure)? */
export function isFinalEntryState(state: string, runState: string | undefined): boolean {
  if (IN_PROGRESS.has(state)) return false;
  if (state === 'not_loaded') return runState === 'RUNNING';
  return true;
}

/** The entry that decides: the first not loaded one, else the first (pure). */
export function decidingEntry(entries: readonly HaConfigEntry[]): HaConfigEntry | undefined {
  return entries.find((e) => e.state !== 'loaded') ?? entries[0];
}

/**
 * The exit code of a final entry state (README "HA's verdict"): `loaded` 0; `setup_retry` 3 (the
 * integration is fine, what it needs is not there: HA retries, e.g. the backend is down); every
 * other state (`setup_error`, `migration_error`, `failed_unload`, `not_loaded`) 6; not final in time 5.
 */
export function entryExitCode(verdict: Pick<EntryVerdict, 'state' | 'final'>): number {
  if (!verdict.final) return ExitCode.Timeout;
  if (verdict.state === 'loaded') return ExitCode.Ok;
  if (verdict.state === 'setup_retry') return ExitCode.Prerequisite;
  return ExitCode.VerificationFailed;
}

/**
 * Read the domain's entries until the deciding state is final (or `deadline`). Returns undefined when
 * the domain has no entry (the log verdict decides then).
 */
export async function readEntryVerdict(
  session: Extract<HaSession, {api: unknown}>,
  domain: string,
  deadline: number,
  pollMs: number,
): Promise<EntryVerdict | undefined> {
  const started = Date.now();
  let last: {entries: HaConfigEntry[]; runState: string | undefined} | undefined;
  const verdictOf = (entries: HaConfigEntry[], runState: string | undefined, final: boolean): EntryVerdict => {
    const deciding = decidingEntry(entries)!;
    return {entries, state: deciding.state, reason: deciding.reason, final, runState, readMs: Date.now() - started};
  };
  // What a look saw: HA's entries and run state, or the API's retryable failure (it answers its port
  // before its API is up: 404/502 or a refused connection for a moment).
  type Seen = {entries: HaConfigEntry[]; runState: string | undefined} | {failure: Error};
  const waited = await poll<EntryVerdict | undefined, Seen>(
    async () => {
      let entries: HaConfigEntry[];
      let runState: string | undefined;
      try {
        // HA's run state first, then the entries: read the other way round, an entry seen not_loaded just
        // before HA set it up and turned RUNNING would pass for final (a race the terminal layer caught).
        runState = await session.api.runState(session.token);
        // Entries the user disabled or ignored stay not_loaded by intent: they never decide.
        entries = (await session.api.configEntries(domain, session.token)).filter((e) => !e.disabledBy && e.source !== 'ignore');
      } catch (error) {
        const retryable = error instanceof HaApiError && (error.status === undefined || error.status === 404 || error.status >= 500);
        if (!retryable) throw error;
        return {done: false, seen: {failure: error}};
      }
      last = {entries, runState};
      // A domain without entries: nothing to wait for once HA runs; while it starts, entries may not be listed yet.
      if (entries.length === 0) return runState === 'RUNNING' ? {done: true, value: undefined} : {done: false, seen: last};
      const final = entries.every((e) => isFinalEntryState(e.state, runState));
      return final ? {done: true, value: verdictOf(entries, runState, true)} : {done: false, seen: last};
    },
    {deadline, intervalMs: Math.max(pollMs, 250)},
  );
  if (waited.done) return waited.value;
  // Out of time: the last entries read are the verdict, not final; without any, the API's failure is the reason.
  if (last && last.entries.length > 0) return verdictOf(last.entries, last.runState, false);
  if (waited.lastSeen && 'failure' in waited.lastSeen) throw waited.lastSeen.failure;
  return undefined;
}
