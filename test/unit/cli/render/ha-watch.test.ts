/**
 * The end of a `kp ha sync --watch` session: the human summary, the NDJSON summary line, the exit code.
 */
import {Chalk} from 'chalk';
import {describe, expect, it} from 'vitest';
import {renderWatchEnd, renderWatchRound, watchSummaryLine} from '../../../../src/cli/render/ha.js';
import {haSyncExitCode} from '../../../../src/workflows/ha/sync.js';
import type {HaWatchResult, WatchRound} from '../../../../src/workflows/ha/watch.js';

const failed: WatchRound = {round: 2, ok: false, error: {message: 'manifest.json is not valid JSON', hint: 'fix it', exitCode: 2}};
const interrupted: WatchRound = {round: 3, ok: false, interrupted: true, error: {message: 'Interrupted by Ctrl-C.', hint: undefined, exitCode: 130}};
const session: HaWatchResult = {watch: true, rounds: [failed, interrupted], failedRounds: 1, interruptedRounds: 1};

describe('Given a watch session ended by Ctrl-C with one failed and one interrupted round', () => {
  it('When it ends, Then the exit code is 130 and the summary counts the rounds by how they ended', () => {
    expect(haSyncExitCode(session)).toBe(130);
    expect(renderWatchEnd(session)).toBe(
      'Stopped watching after 2 rounds: 0 ok, 1 failed, 1 cut short by Ctrl-C (the live component is the old tree or the new one, never a mix).',
    );
  });

  it('When it ends with --json, Then the summary is ONE line (NDJSON) without the rounds already printed', () => {
    const line = watchSummaryLine(session);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({watch: true, summary: true, rounds: 2, failedRounds: 1, interruptedRounds: 1, exitCode: 130});
  });

  it('When the interrupted round is shown live, Then it says the component is never a mix, and is not called a failure', () => {
    const {progress} = renderWatchRound(interrupted, new Chalk({level: 0}));
    expect(progress.join('\n')).toMatch(/cut short by Ctrl-C/);
    expect(progress.join('\n')).not.toMatch(/round failed/);
  });
});
