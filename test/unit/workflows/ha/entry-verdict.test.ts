import {describe, expect, it} from 'vitest';
import {decidingEntry, entryExitCode, isFinalEntryState, readEntryVerdict} from '../../../../src/workflows/ha/entry-verdict.js';

const entry = (state: string, reason: string | null = null) => ({entryId: state, domain: 'kamerplanter', title: 'K', state, reason});

describe("HA's config-entry verdict", () => {
  it('Given each state HA reports, When asked whether it is final, Then only the in-progress ones and a not_loaded while HA still starts are not', () => {
    for (const state of ['loaded', 'setup_error', 'setup_retry', 'migration_error', 'failed_unload']) expect(isFinalEntryState(state, 'STARTING')).toBe(true);
    expect(isFinalEntryState('setup_in_progress', 'RUNNING')).toBe(false);
    expect(isFinalEntryState('not_loaded', 'STARTING')).toBe(false);
    expect(isFinalEntryState('not_loaded', 'RUNNING')).toBe(true);
  });

  it('Given final states, When mapped to exit codes, Then loaded 0, setup_retry 3, every other failure 6, and not final in time 5', () => {
    expect(entryExitCode({state: 'loaded', final: true})).toBe(0);
    expect(entryExitCode({state: 'setup_retry', final: true})).toBe(3);
    for (const state of ['setup_error', 'migration_error', 'failed_unload', 'not_loaded']) expect(entryExitCode({state, final: true})).toBe(6);
    expect(entryExitCode({state: 'setup_in_progress', final: false})).toBe(5);
  });

  it('Given two entries, one loaded and one failed, When deciding, Then the failed one decides', () => {
    expect(decidingEntry([entry('loaded'), entry('setup_error', 'boom')])).toMatchObject({state: 'setup_error', reason: 'boom'});
    expect(decidingEntry([entry('loaded')])).toMatchObject({state: 'loaded'});
    expect(decidingEntry([])).toBeUndefined();
  });
});

describe("reading HA's config-entry verdict while HA finishes starting", () => {
  it('Given HA that sets the entry up and turns RUNNING between two reads, When the verdict is read, Then it is loaded (never a not_loaded taken for final)', async () => {
    // Given: HA STARTING with the entry not_loaded; the moment anything is read after the run
    // state, HA completes setup (entry loaded, RUNNING), as a real HA can between two requests.
    let running = false;
    const reads: string[] = [];
    const api = {
      runState: async () => (reads.push('runState'), running ? 'RUNNING' : 'STARTING'),
      configEntries: async () => {
        reads.push('entries');
        const state = running ? 'loaded' : 'not_loaded';
        running = true; // setup completes right after this answer
        return [entry(state)];
      },
    };
    const session = {api, token: 't', owner: 'kp-dev'} as unknown as Parameters<typeof readEntryVerdict>[0];
    // When
    const verdict = await readEntryVerdict(session, 'kamerplanter', Date.now() + 5000, 10);
    // Then
    expect(verdict).toMatchObject({state: 'loaded', final: true, runState: 'RUNNING'});
    expect(reads.slice(0, 2)).toEqual(['runState', 'entries']);
  });
});
