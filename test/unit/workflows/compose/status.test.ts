/**
 * `kp compose status` in-process, against a scripted engine fed with recorded output.
 */
import {describe, expect, it} from 'vitest';
import {composeStatus} from '../../../../src/workflows/compose/status.js';
import {recorded, recordedStack} from '../../../helpers/recorded-docker.js';
import {useSandbox, type ScriptRule} from '../../../helpers/scripted-runner.js';

const sandbox = useSandbox();

const engineUp: ScriptRule = {match: ['docker', 'version', '--format', '{{json .}}'], reply: {stdout: recorded('version.json')}};
const psKamerplanter = (stdout: string): ScriptRule => ({
  match: ['docker', 'ps', '-a', '--no-trunc', '--format', '{{json .}}', '--filter', 'label=com.docker.compose.project=kamerplanter'],
  reply: {stdout},
});
const inspect = (stdout: string): ScriptRule => ({match: ['docker', 'inspect', '--type', 'container'], reply: {stdout}});

describe('compose status', () => {
  it('Given the recorded stack running and healthy, When status is asked, Then it is up with six services after three read-only engine calls', async () => {
    // Given
    const stack = recordedStack();
    const {ctx, runner} = sandbox.context([engineUp, psKamerplanter(stack.ps), inspect(stack.inspect)]);
    // When
    const result = await composeStatus(ctx, {});
    // Then
    expect(result).toMatchObject({project: 'kamerplanter', state: 'up', envFileExists: false});
    expect(result.services.map((s) => [s.service, s.state, s.health])).toEqual(
      ['arangodb', 'valkey', 'backend', 'celery-worker', 'celery-beat', 'frontend'].map((service) => [service, 'running', 'healthy']),
    );
    expect(result.urls).toEqual({frontend: 'http://localhost:8080/', apiDocs: 'http://localhost:8000/docs', arangodb: 'http://localhost:8529/'});
    expect(runner.calls.map((c) => c.args[0])).toEqual(['version', 'ps', 'inspect']);
    expect(runner.mutatingCalls()).toEqual([]);
  });

  it('Given no container of the project, When status is asked, Then it is down, every service missing, and nothing is inspected', async () => {
    const {ctx, runner} = sandbox.context([engineUp, psKamerplanter('')]);

    const result = await composeStatus(ctx, {});

    expect(result.state).toBe('down');
    expect(new Set(result.services.map((s) => s.state))).toEqual(new Set(['missing']));
    expect(runner.calls.map((c) => c.args[0])).toEqual(['version', 'ps']);
  });

  it('Given a stopped backend, When status is asked, Then the stack is degraded', async () => {
    // Given
    const stack = recordedStack();
    const inspected = (JSON.parse(stack.inspect) as Array<{Name: string; State: {Status: string; Running: boolean}}>).map((c) =>
      c.Name.includes('_backend_') ? {...c, State: {...c.State, Status: 'exited', Running: false}} : c,
    );
    const {ctx} = sandbox.context([engineUp, psKamerplanter(stack.ps), inspect(JSON.stringify(inspected))]);
    // When
    const result = await composeStatus(ctx, {});
    // Then
    expect(result.state).toBe('degraded');
    expect(result.services.find((s) => s.service === 'backend')?.state).toBe('exited');
  });

  it('Given every container stopped cleanly (kp compose stop), When status is asked, Then the stack is stopped and no row claims unhealthy', async () => {
    // Given: every container exited; the engine still holds each one's last health verdict
    const stack = recordedStack();
    const inspected = (JSON.parse(stack.inspect) as Array<{State: {Status: string; Running: boolean; Health?: {Status: string}}}>).map((c) => ({
      ...c,
      State: {...c.State, Status: 'exited', Running: false, ...(c.State.Health ? {Health: {...c.State.Health, Status: 'unhealthy'}} : {})},
    }));
    const {ctx} = sandbox.context([engineUp, psKamerplanter(stack.ps), inspect(JSON.stringify(inspected))]);
    // When
    const result = await composeStatus(ctx, {});
    // Then
    expect(result.state).toBe('stopped');
    expect(result.services.length).toBeGreaterThan(0);
    expect(result.services.filter((s) => s.health === 'unhealthy')).toEqual([]);
    expect(new Set(result.services.map((s) => s.health))).toEqual(new Set(['stopped']));
  });

  it('Given every expected service healthy plus an exited container of the inactive timescaledb profile, When status is asked, Then it is up', async () => {
    const stack = recordedStack({exitedExtras: ['timescaledb']});
    const {ctx} = sandbox.context([engineUp, psKamerplanter(stack.ps), inspect(stack.inspect)]);

    const result = await composeStatus(ctx, {});

    expect(result.state).toBe('up');
  });
});
