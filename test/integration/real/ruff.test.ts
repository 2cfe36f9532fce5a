/**
 * The lint gate of `kp ha sync` against the real ruff (from PyPI, pinned in
 * scripts/test-tools/versions.sh) on the real Kamerplanter component (../shared/upstream/kamerplanter-ha,
 * copied into a checkout of the test's own) with a planted finding: what the fake ruff models, ruff
 * itself now says.
 */
import {appendFileSync, cpSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../src/core/errors.js';
import {Runner} from '../../../src/tools/runner.js';
import {lintGate} from '../../../src/workflows/ha/lint.js';
import type {KpContext} from '../../../src/workflows/context.js';
import {projectRoot} from '../../helpers/cli.js';
import {realTool} from '../../helpers/real-tools.js';
import {recordingOutput} from '../../helpers/scripted-runner.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs();
const upstream = path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter-ha', 'custom_components', 'kamerplanter');
const versions = readFileSync(path.join(projectRoot, 'scripts', 'test-tools', 'versions.sh'), 'utf8');
const pinnedRuff = /^RUFF_VERSION=(\S+)/m.exec(versions)![1]!;

/** A context whose runner really runs processes (the real ruff), its output recorded. */
function realContext(): KpContext & {out: ReturnType<typeof recordingOutput>} {
  const out = recordingOutput();
  return {runner: new Runner({dryRun: false, verbose: false, log: out.info}), out, dryRun: false, json: true, verbose: false};
}

describe('the lint gate with the real ruff', () => {
  it('Given the real component with a planted unused import, When the gate runs with the real ruff, Then it stops with exit 2 naming the real findings (E402, F401, line and column) and the file ruff would reformat', async () => {
    // Given: a checkout of the test's own holding the real component, sensor.py with an unused import
    const component = path.join(tempDir('kp-real-ruff-'), 'custom_components', 'kamerplanter');
    cpSync(upstream, component, {recursive: true});
    const lines = readFileSync(path.join(component, 'sensor.py'), 'utf8').split('\n').length;
    appendFileSync(path.join(component, 'sensor.py'), 'import os\n');
    const ruff = realTool('KP_REAL_RUFF');
    // When
    const error = await lintGate(realContext(), {componentDir: component, mode: 'required', pythonChanged: true, bin: ruff}).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Then
    expect(error).toBeInstanceOf(KpError);
    expect((error as KpError).exitCode).toBe(ExitCode.Usage);
    const lint = (error as KpError).details?.lint as {ruffVersion: string; findings: Array<Record<string, unknown>>; unformatted: string[]};
    expect(lint.ruffVersion).toBe(pinnedRuff);
    // An import at the end of a module is two findings for the real ruff (the fake models only F401).
    expect(lint.findings, JSON.stringify(lint.findings)).toEqual([
      {file: 'sensor.py', line: lines, col: 1, code: 'E402', message: 'Module level import not at top of file', fixable: false},
      {file: 'sensor.py', line: lines, col: 8, code: 'F401', message: '`os` imported but unused', fixable: true},
    ]);
    // The upstream snapshot's config_flow.py is not formatted as ruff's defaults want (the repo has no
    // ruff config of its own), and the planted line wants blank lines before it.
    expect(lint.unformatted).toEqual(['config_flow.py', 'sensor.py']);
  });

  it('Given the real component unchanged, When ruff check runs, Then it is clean: the gate fails on the planted finding only', async () => {
    const component = path.join(tempDir('kp-real-ruff-'), 'custom_components', 'kamerplanter');
    cpSync(upstream, component, {recursive: true});
    const error = (await lintGate(realContext(), {componentDir: component, mode: 'required', pythonChanged: true, bin: realTool('KP_REAL_RUFF')}).catch((e: unknown) => e)) as KpError;
    const lint = error.details?.lint as {findings: unknown[]; unformatted: string[]};
    expect(lint.findings).toEqual([]);
    expect(lint.unformatted).toEqual(['config_flow.py']);
  });
});
