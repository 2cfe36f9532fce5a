/**
 * Setup file of the e2e project (vitest.config.ts): after each test file, after the file's own
 * cleanup, the `kamerplanter` project must be exactly as the global setup recorded it. A file that
 * touched it fails, named in the report, and so does the run.
 */
import {afterAll, expect, inject} from 'vitest';
import {describeViolations, sentinelViolations} from './sentinel.js';
import './run.js';

afterAll(() => {
  const problems = sentinelViolations(inject('kpE2e').sentinel);
  expect(problems, problems.length > 0 ? describeViolations(problems) : '').toEqual([]);
});
