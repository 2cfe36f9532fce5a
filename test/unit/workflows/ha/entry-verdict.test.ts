import {describe, expect, it} from 'vitest';
import {decidingEntry, entryExitCode, isFinalEntryState} from '../../../../src/workflows/ha/entry-verdict.js';

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
