/**
 * Recorded tool output (test/fixtures/recorded/<tool>/<name>): what a real tool printed, for the unit
 * tests' parsers and scripted runners. The real-tool tests that produce a recording also check it:
 * with KP_RECORD_FIXTURES=1 they write it anew, otherwise a recording that no longer matches what the
 * pinned tool prints fails the test, so the unit tests never parse output the tool stopped printing.
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {expect} from 'vitest';
import {projectRoot} from './cli.js';

const RECORDED = path.join(projectRoot, 'test', 'fixtures', 'recorded');

/** The text of a recording (`ruff/check-planted.txt`). */
export function recorded(name: string): string {
  return readFileSync(path.join(RECORDED, name), 'utf8');
}

/** Check `actual` (already stripped of what varies per run) against the recording `name`, or write it under KP_RECORD_FIXTURES=1. */
export function expectRecorded(name: string, actual: string): void {
  const file = path.join(RECORDED, name);
  if (process.env.KP_RECORD_FIXTURES === '1') {
    mkdirSync(path.dirname(file), {recursive: true});
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`No recording ${name}: run the real-tool tests once with KP_RECORD_FIXTURES=1.`);
  expect(actual, `the pinned tool no longer prints what ${name} holds (re-record with KP_RECORD_FIXTURES=1)`).toBe(readFileSync(file, 'utf8'));
}
