import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../../src/core/errors.js';
import {inotifyAdvice, readInotifyLimits, requireTools} from '../../../../src/workflows/dev/preflight.js';
import {judgeToolVersion} from '../../../../src/workflows/shared/tool-versions.js';

describe('inotify advice', () => {
  it('Given low limits, When advised, Then the exact sysctl lines are given', () => {
    expect(inotifyAdvice({max_user_watches: 8192, max_user_instances: 128})).toEqual([
      'sudo sysctl fs.inotify.max_user_watches=524288',
      'sudo sysctl fs.inotify.max_user_instances=512',
    ]);
  });

  it('Given high or unknown limits, When advised, Then nothing is asked', () => {
    expect(inotifyAdvice({max_user_watches: 1048576, max_user_instances: 512})).toEqual([]);
    expect(inotifyAdvice({})).toEqual([]);
  });

  it('Given an inotify directory with one numeric and one garbled limit, When read, Then only the numeric one is returned', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kp-inotify-'));
    try {
      // Given
      writeFileSync(path.join(dir, 'max_user_watches'), '8192\n');
      writeFileSync(path.join(dir, 'max_user_instances'), 'n/a\n');
      // When / Then
      expect(readInotifyLimits(dir)).toEqual({max_user_watches: 8192});
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});

describe('required tools', () => {
  it('Given every tool usable, When required, Then it returns without a refusal', () => {
    expect(requireTools([{...judgeToolVersion('kind', '0.32.0'), cached: true}])).toBeUndefined();
  });

  it('Given a missing and a too-old tool, When required, Then one prerequisite error names both with their hints', () => {
    // When
    let error: unknown;
    try {
      requireTools([
        {...judgeToolVersion('kind', undefined, false), cached: false},
        {...judgeToolVersion('helm', '3.13.3'), cached: false},
        {...judgeToolVersion('kubectl', '1.32.4'), cached: false},
      ]);
    } catch (e) {
      error = e;
    }
    // Then
    expect(error).toBeInstanceOf(KpError);
    expect((error as KpError).exitCode).toBe(ExitCode.Prerequisite);
    expect((error as KpError).message).toBe(
      'Missing prerequisites for kp dev:\n  - kind is not installed (not found on PATH).\n  - helm 3.13.3 is older than the required 3.14.0.',
    );
    expect((error as KpError).hint?.split('\n')).toEqual([
      'Install kind >= 0.20: https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
      'Install Helm >= 3.14: https://helm.sh/docs/intro/install/',
    ]);
    expect((error as KpError).details).toMatchObject({tools: [{tool: 'kind'}, {tool: 'helm'}]});
  });
});
