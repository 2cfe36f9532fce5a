import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseLogVerdict} from '../../../../src/workflows/ha/verdict.js';
import {projectRoot} from '../../../helpers/cli.js';

const log = (name: string) => readFileSync(path.join(projectRoot, 'test/fixtures/ha/logs', name), 'utf8');

describe('parseLogVerdict (HA log lines from the spec)', () => {
  it('Given the loader warning and another integration failing, When parsed for kamerplanter, Then it is found with no failures', () => {
    const verdict = parseLogVerdict(log('loaded.log'), 'kamerplanter');
    expect(verdict.status).toBe('found');
    expect(verdict.loaderLine).toContain('We found a custom integration kamerplanter');
    expect(verdict.failures).toEqual([]);
  });

  it('Given "Setup failed for custom integration", When parsed, Then it failed with that line', () => {
    const verdict = parseLogVerdict(log('setup-failed.log'), 'kamerplanter');
    expect(verdict.status).toBe('failed');
    expect(verdict.failures).toEqual([
      {kind: 'setup-failed', text: expect.stringContaining("Setup failed for custom integration 'kamerplanter': Requirements")},
    ]);
  });

  it('Given "Error loading custom_components.<domain>" and a traceback through the component, When parsed, Then all three are failures and the traceback is whole', () => {
    const verdict = parseLogVerdict(log('import-traceback.log'), 'kamerplanter');
    expect(verdict.status).toBe('failed');
    expect(verdict.failures.map((f) => f.kind)).toEqual(['import-failed', 'traceback', 'setup-failed']);
    const traceback = verdict.failures[1]!.text.split('\n');
    expect(traceback[0]).toBe('Traceback (most recent call last):');
    expect(traceback.at(-1)).toMatch(/^ImportError: cannot import name 'KamerplanterCoordinator'/);
  });

  it('Given the older loader wording, an entry setup error and an ERROR from the integration logger, When parsed, Then entry, traceback and logger error are failures but the WARNING is not', () => {
    const verdict = parseLogVerdict(log('entry-and-logger.log'), 'kamerplanter');
    expect(verdict.loaderLine).toContain('You are using a custom integration for kamerplanter');
    expect(verdict.failures.map((f) => f.kind)).toEqual(['entry-setup-failed', 'traceback', 'integration-error']);
  });

  it('Given ANSI-coloured console output, When parsed, Then the colour codes do not hide the loader line', () => {
    expect(parseLogVerdict(log('coloured.log'), 'kamerplanter').status).toBe('found');
  });

  it('Given only lines about kamerplanter_extra, When parsed for kamerplanter, Then nothing matches', () => {
    const text = log('setup-failed.log').replaceAll('kamerplanter', 'kamerplanter_extra');
    expect(parseLogVerdict(text, 'kamerplanter')).toEqual({status: 'not-seen', loaderLine: undefined, failures: []});
  });

  it('Given a traceback that does not pass through the component, When parsed, Then it is not blamed on it', () => {
    // Given
    const text = [
      '2026-03-04 10:25:00.100 WARNING (SyncWorker_1) [homeassistant.loader] We found a custom integration kamerplanter which has not been tested by Home Assistant.',
      '2026-03-04 10:25:00.900 ERROR (MainThread) [homeassistant.components.http] Something else broke',
      'Traceback (most recent call last):',
      '  File "/usr/src/homeassistant/homeassistant/components/http/__init__.py", line 1, in <module>',
      'ValueError: nope',
    ].join('\n');
    // When / Then
    expect(parseLogVerdict(text, 'kamerplanter').status).toBe('found');
  });

  it('Given an empty log, When parsed, Then the integration is not seen', () => {
    expect(parseLogVerdict('', 'kamerplanter').status).toBe('not-seen');
  });
});
