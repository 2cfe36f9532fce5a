/**
 * Global setup of the e2e project (wired in vitest.config.ts). Before any test file:
 * - fails at once when no Docker engine answers (the layer never skips);
 * - creates the sentinel `kamerplanter` project (sentinel.ts) or records the real one;
 * - builds the compose stand-in images once, tagged for this run;
 * - installs kp from its packed tarball for the terminal layer;
 * - chooses the shared stack (project kp-e2e-<run id>, free host ports, its own XDG dirs).
 * After the last file: removes everything named kp-e2e-<run id>... that is still there, then
 * checks the sentinel and removes it; a touched `kamerplanter` project fails the run (exit 1).
 */
import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {TestProject} from 'vitest/node';
import {installKp} from '../../terminal/support/install.js';
import {projectRoot} from '../../helpers/cli.js';
import {buildComposeStandins} from './compose-standins.js';
import {assertEngine, freePorts, removeByNamePrefix} from './docker.js';
import type {E2eRun} from './run.js';
import {createSentinel, describeViolations, removeSentinel, sentinelViolations} from './sentinel.js';
import {hostPorts} from './stack.js';

export default async function setup(project: TestProject): Promise<() => void> {
  assertEngine();
  const runId = randomBytes(4).toString('hex');
  const prefix = `kp-e2e-${runId}`;
  const sentinel = createSentinel(runId);
  if (sentinel.mode === 'observe') {
    const {containers, volumes} = sentinel.snapshot;
    console.log(
      `e2e: a Compose project "kamerplanter" exists on this machine (${containers.length} containers, ${volumes.length} volumes); nothing of it is created or removed, and it must be unchanged after the run.`,
    );
  }
  const home = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  try {
    buildComposeStandins(prefix);
    // The terminal layer runs kp as installed from its tarball (once per run).
    const installedKp = installKp(projectRoot, path.join(home, 'kp-install'));
    const run: E2eRun = {
      installedKp,
      runId,
      prefix,
      standinTag: prefix,
      sentinel,
      shared: {project: prefix, home, standinTag: prefix, ports: hostPorts(await freePorts(4))},
    };
    project.provide('kpE2e', run);
  } catch (error) {
    teardown();
    throw error;
  }

  function teardown(): void {
    const failures: string[] = [];
    try {
      removeByNamePrefix(prefix);
    } catch (error) {
      failures.push((error as Error).message);
    }
    rmSync(home, {recursive: true, force: true});
    const problems = sentinelViolations(sentinel);
    if (problems.length > 0) failures.unshift(describeViolations(problems));
    removeSentinel(sentinel);
    if (failures.length > 0) {
      process.exitCode = 1;
      throw new Error(failures.join('\n\n'));
    }
  }
  return teardown;
}
