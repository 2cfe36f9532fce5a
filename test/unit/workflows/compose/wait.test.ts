/**
 * The wait for a started stack, in-process on a scripted engine fed with recorded docker output:
 * only a wait that reached its deadline is a timeout (and it says how long it really waited); an
 * engine error keeps its own cause and exit code; a failure of the progress renderer is a kp bug
 * (exit 1 with its own message), never a service that "never became healthy".
 */
import {afterEach, describe, expect, it, vi} from 'vitest';
import {ExitCode, KpError, toKpError} from '../../../../src/core/errors.js';
import {Engine} from '../../../../src/tools/docker.js';
import {expectedServices, loadModel, resolveStack, withInertSecrets} from '../../../../src/workflows/compose/stack.js';
import {waitForStack} from '../../../../src/workflows/compose/wait.js';
import * as tasks from '../../../../src/ui/tasks.js';
import {recorded, recordedStack} from '../../../helpers/recorded-docker.js';
import {useSandbox, type ScriptRule} from '../../../helpers/scripted-runner.js';

const sandbox = useSandbox();
afterEach(() => vi.restoreAllMocks());

const psArgs = ['ps', '-a', '--no-trunc', '--format', '{{json .}}', '--filter', 'label=com.docker.compose.project=kamerplanter'];

/** The recorded stack with arangodb still in its start period. */
function stackWithArangoStarting() {
  const stack = recordedStack();
  const inspected = JSON.parse(stack.inspect) as Array<Record<string, any>>;
  inspected.find((c) => c.Config.Labels['com.docker.compose.service'] === 'arangodb')!.State.Health = {Status: 'starting', FailingStreak: 0, Log: []};
  return {...stack, inspect: JSON.stringify(inspected)};
}

/** waitForStack on the shipped compose file with the scripted engine. */
async function waitWith(script: ScriptRule[], timeoutSeconds: number) {
  const {ctx} = sandbox.context(script);
  const stack = resolveStack({});
  const expected = expectedServices(loadModel(stack, withInertSecrets({})), stack);
  const started = Date.now();
  const error = await waitForStack(ctx, new Engine(ctx.runner), stack, expected, {timeoutSeconds, started, env: {}, observed: undefined}).then(
    () => undefined,
    (e: unknown) => e,
  );
  return {error, waitedMs: Date.now() - started};
}

describe('waiting for the stack', () => {
  it('Given arangodb that stays in its start period, When the wait runs with --timeout 2, Then exit 5 comes after 2 s and the message says how long it waited', async () => {
    const stack = stackWithArangoStarting();
    const {error, waitedMs} = await waitWith(
      [
        {match: ['docker', ...psArgs], reply: {stdout: stack.ps}},
        {match: ['docker', 'inspect', '--type', 'container'], reply: {stdout: stack.inspect}},
        {match: ['docker', 'logs'], reply: {stdout: 'arangod: starting\n'}},
      ],
      2,
    );
    expect(error).toBeInstanceOf(KpError);
    expect((error as KpError).exitCode).toBe(ExitCode.Timeout);
    expect(waitedMs).toBeGreaterThanOrEqual(2000);
    expect((error as KpError).message).toMatch(/^arangodb never became healthy\. Timed out after 2s waiting for the stack \(--timeout 2\)\./);
  });

  it("Given the engine failing during the wait, When the wait runs with --timeout 300, Then the engine's own error is reported at once as what it is (the daemon is unreachable: exit 3), never as a timeout", async () => {
    const {error, waitedMs} = await waitWith([{match: ['docker', ...psArgs], reply: {exitCode: 1, stderr: recorded('version-daemon-down.stderr')}}], 300);
    expect(error).toBeInstanceOf(KpError);
    expect((error as KpError).exitCode).toBe(ExitCode.Prerequisite);
    expect((error as KpError).message).not.toMatch(/Timed out|never became healthy/);
    expect((error as KpError).message).toContain('Cannot connect to the Docker daemon');
    expect(waitedMs).toBeLessThan(10_000);
  });

  it('Given the progress renderer failing (as listr2 did in a terminal), When the wait runs, Then its own error comes out: a kp bug (exit 1), not a health timeout', async () => {
    vi.spyOn(tasks, 'createTaskList').mockReturnValue({
      run: () => Promise.reject(new Error('ProcessOutput has been already hijacked!')),
    } as unknown as ReturnType<typeof tasks.createTaskList>);
    const {error} = await waitWith([], 300);
    expect((error as Error).message).toBe('ProcessOutput has been already hijacked!');
    expect(toKpError(error as Error).exitCode).toBe(ExitCode.Internal);
  });
});
