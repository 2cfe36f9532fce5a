/**
 * `kp compose stop` / `kp compose down` in-process, against a scripted engine fed with recorded output.
 */
import {DEFAULT_PROJECT_NAME} from '../../../../src/workflows/shared/names.js';
import {describe, expect, it} from 'vitest';
import {shippedCompose} from '../../../../src/config/paths.js';
import {ExitCode} from '../../../../src/core/errors.js';
import {composeDown, composeStop} from '../../../../src/workflows/compose/teardown.js';
import {recorded, recordedStack} from '../../../helpers/recorded-docker.js';
import {useSandbox, type ScriptRule} from '../../../helpers/scripted-runner.js';

const sandbox = useSandbox();

const engineUp: ScriptRule = {match: ['docker', 'version', '--format', '{{json .}}'], reply: {stdout: recorded('version.json')}};
const stack = recordedStack();
const psKamerplanter = (stdout: string): ScriptRule => ({
  match: ['docker', 'ps', '-a', '--no-trunc', '--format', '{{json .}}', '--filter', 'label=com.docker.compose.project=kamerplanter'],
  reply: {stdout},
});
const inspect: ScriptRule = {match: ['docker', 'inspect', '--type', 'container'], reply: {stdout: stack.inspect}};
const composeV2: ScriptRule = {match: ['docker', 'compose', 'version', '--short'], reply: {stdout: '2.29.7\n'}};
const composeDownCall: ScriptRule = {
  match: (command, args) => command === 'docker' && args[0] === 'compose' && args.includes('down'),
  reply: {stderr: 'Container kamerplanter_frontend_1  Removed\n'},
};

describe('compose down --volumes', () => {
  it('Given no --yes and no terminal, When down --volumes runs, Then it is refused (usage) before any engine call', async () => {
    const {ctx, runner} = sandbox.context([]);

    const error = await composeDown(ctx, {volumes: true, yes: false}).catch((e: unknown) => e);

    expect(error).toMatchObject({exitCode: ExitCode.Usage});
    expect((error as Error).message).toContain('Refusing to delete the stack volumes without confirmation');
    expect(runner.calls).toEqual([]);
  });

  it('Given --yes, When down --volumes runs on the recorded stack, Then Compose down removes containers and volumes', async () => {
    // Given
    const {ctx, runner} = sandbox.context([engineUp, psKamerplanter(stack.ps), inspect, composeV2, composeDownCall]);

    // When
    const result = await composeDown(ctx, {volumes: true, yes: true});

    // Then
    expect(result).toMatchObject({project: 'kamerplanter', volumesRemoved: true, nothingToRemove: false});
    expect(result.removedContainers).toHaveLength(6);
    const down = runner.mutatingCalls();
    expect(down).toHaveLength(1);
    // (a scripted runner: no engine is ever reached; this only checks the argv for the default project)
    expect(down[0]!.args.slice(0, 5)).toEqual(['compose', '--project-name', DEFAULT_PROJECT_NAME, '--file', shippedCompose.file]);
    expect(down[0]!.args.slice(-3)).toEqual(['down', '--remove-orphans', '--volumes']);
  });
});

describe('compose stop', () => {
  it('Given no container of the project, When stopped, Then it says so and runs no Compose at all', async () => {
    // Given
    const {ctx, runner} = sandbox.context([engineUp, psKamerplanter('')]);
    // When
    const result = await composeStop(ctx, {});
    // Then
    expect(result).toEqual({project: 'kamerplanter', stopped: [], alreadyStopped: true, dryRun: false});
    expect(runner.lines()).toEqual([
      'docker version --format {{json .}}',
      'docker ps -a --no-trunc --format {{json .}} --filter label=com.docker.compose.project=kamerplanter',
    ]);
  });
});

describe('compose down under --dry-run', () => {
  it('Given --dry-run --volumes --yes on the recorded stack, When down runs, Then the result claims no removal: volumesRemoved false, dryRun true', async () => {
    // Given
    const {ctx, runner} = sandbox.context([engineUp, psKamerplanter(stack.ps), inspect, composeV2], {dryRun: true});
    // When
    const result = await composeDown(ctx, {volumes: true, yes: true});
    // Then
    expect(result).toMatchObject({volumesRemoved: false, dryRun: true});
    expect(runner.mutatingCalls().map((c) => c.skipped)).toEqual([true]);
  });
});
