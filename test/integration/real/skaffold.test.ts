/**
 * kp's Skaffold check against the real Skaffold (built from the Go module proxy, pinned in
 * scripts/test-tools/versions.sh), no cluster: its version as kp reads it, its own validation
 * (`skaffold diagnose --yaml-only`) of kp's shipped skaffold.yaml and of the app repo's
 * (../shared/upstream/kamerplanter), and its words for a broken one, which kp passes on.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeEach, describe, expect, it, vi} from 'vitest';
import {ExitCode, KpError} from '../../../src/core/errors.js';
import {Runner} from '../../../src/tools/runner.js';
import {Skaffold} from '../../../src/tools/skaffold.js';
import {validateWithSkaffold} from '../../../src/workflows/dev/skaffold-check.js';
import type {KpContext} from '../../../src/workflows/context.js';
import {projectRoot} from '../../helpers/cli.js';
import {realTool} from '../../helpers/real-tools.js';
import {recordingOutput} from '../../helpers/scripted-runner.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs();
const upstream = path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter');
const pinned = /^SKAFFOLD_VERSION=v(\S+)/m.exec(readFileSync(path.join(projectRoot, 'scripts', 'test-tools', 'versions.sh'), 'utf8'))![1]!;

function realContext(): KpContext {
  const out = recordingOutput();
  return {runner: new Runner({dryRun: false, verbose: false, log: out.info}), out, dryRun: false, json: true, verbose: false};
}

beforeEach(() => {
  // The real skaffold first on PATH (kp calls `skaffold`), its cache and kp's own in the test's dirs.
  vi.stubEnv('PATH', `${path.dirname(realTool('KP_REAL_SKAFFOLD'))}${path.delimiter}${process.env.PATH ?? ''}`);
  vi.stubEnv('XDG_CACHE_HOME', tempDir('kp-real-skaffold-cache-'));
  vi.stubEnv('HOME', tempDir('kp-real-skaffold-home-'));
  return () => vi.unstubAllEnvs();
});

describe('kp and the real skaffold', () => {
  it('Given the real skaffold, When kp reads its version, Then it is the pinned one', async () => {
    expect(await Skaffold.version(realContext().runner)).toBe(pinned);
  });

  it.each([
    ["kp's shipped skaffold.yaml (module kp)", path.join(projectRoot, 'skaffold.yaml'), projectRoot, ['kp']],
    ["the app repo's skaffold.yaml", path.join(upstream, 'skaffold.yaml'), upstream, []],
  ])('Given %s, When kp validates it with the real skaffold, Then skaffold accepts it', async (_what, file, cwd, modules) => {
    expect(await validateWithSkaffold(realContext(), {file, cwd, modules, profiles: []}, pinned)).toEqual({ran: true});
  });

  it("Given a skaffold.yaml with `artifacts: 5`, When kp validates it, Then exit 2 carries the real skaffold's own words", async () => {
    const dir = tempDir('kp-real-skaffold-');
    const file = path.join(dir, 'skaffold.yaml');
    writeFileSync(file, readFileSync(path.join(projectRoot, 'skaffold.yaml'), 'utf8').replace('artifacts:', 'artifacts: 5\n  unusedArtifacts:'));
    const error = (await validateWithSkaffold(realContext(), {file, cwd: dir, modules: [], profiles: []}, pinned).catch((e: unknown) => e)) as KpError;
    expect(error).toBeInstanceOf(KpError);
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toContain('cannot unmarshal !!int `5` into []*latest.Artifact');
    expect(error.message).toContain('field unusedArtifacts not found in type latest.BuildConfig');
  });
});
