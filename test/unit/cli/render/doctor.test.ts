/**
 * What `kp doctor` prints for a person, fed with a result recorded from a real run: one line per
 * check with its mark, the hint only where a check is not ok, and a verdict that matches `ok`.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Chalk} from 'chalk';
import {describe, expect, it} from 'vitest';
import {renderDoctor} from '../../../../src/cli/render/doctor.js';
import type {DoctorResult} from '../../../../src/workflows/doctor/doctor.js';
import {projectRoot} from '../../../helpers/cli.js';

const plain = new Chalk({level: 0});
const result = JSON.parse(readFileSync(path.join(projectRoot, 'test', 'fixtures', 'recorded', 'kp', 'doctor.json'), 'utf8')) as DoctorResult;

describe('kp doctor for a person', () => {
  it('Given a recorded run whose required checks passed, When rendered, Then every check has a line with its mark and the verdict says passed', () => {
    const lines = renderDoctor(result, plain).split('\n');
    expect(lines).toHaveLength(result.checks.length + 1);
    result.checks.forEach((check, index) => {
      const mark = {ok: '✔', warn: '!', fail: '✖', skip: '-'}[check.status];
      expect(lines[index]).toMatch(
        new RegExp(`^${mark === '-' ? '-' : mark} ${check.name.replace(/[()]/g, '\\$&')} +${check.detail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
      if (check.status === 'ok') expect(lines[index]).not.toContain('→');
    });
    expect(lines.at(-1)).toBe('All required checks passed.');
  });

  it('Given the same run with a required check failed, When rendered, Then the check is ✖ with its hint and the verdict says failed', () => {
    const failed: DoctorResult = {
      ...result,
      ok: false,
      checks: [{name: 'docker daemon', status: 'fail', required: true, detail: 'not reachable', hint: 'start Docker'}],
    };
    expect(renderDoctor(failed, plain)).toBe('✖ docker daemon  not reachable  → start Docker\nA required check failed.');
  });
});
