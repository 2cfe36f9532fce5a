/**
 * e2e: named stacks. Two Compose projects side by side on one engine, each with its own host
 * ports, env file and start record: kp acts on exactly the one it is told (KP_COMPOSE_PROJECT or
 * --project-name), never on the other.
 */
import {existsSync, readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {sharedStack, useOwnStacks} from '../../support/e2e.js';
import {EXPECTED_SERVICES, type ComposeStack} from '../../support/stack.js';

const ownStack = useOwnStacks();

interface StatusReport {
  project: string;
  state: string;
  services: Array<{service: string; state: string; health: string; container: string; containerId: string}>;
}

const envValue = (file: string, key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1];

async function statusOf(stack: ComposeStack): Promise<StatusReport> {
  const result = await stack.kp(['compose', 'status', '--project-name', stack.project, '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as StatusReport;
}

describe('Given the shared stack (KP_COMPOSE_PROJECT, ports from the environment) and a second one (--project-name, ports in its own env file)', () => {
  it('When both start, Then both are healthy, status of each lists only its own containers, and down of the second leaves the first untouched', async () => {
    // Given
    const first = sharedStack();
    await first.ensureUp();
    const second = await ownStack('second', {select: 'flag', portsIn: 'env-file'});
    second.prepare();

    // When both start (at the same time: two projects share nothing)
    const [firstStart, secondStart] = await Promise.all([
      first.kp(['compose', 'start', '--json', '--timeout', '180']),
      second.kp(['compose', 'start', '--json', '--timeout', '180']),
    ]);

    // Then both are up and healthy, each under its own name
    for (const [stack, result] of [
      [first, firstStart],
      [second, secondStart],
    ] as const) {
      expect(result.exitCode, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as {project: string; services: Array<{service: string; state: string; health: string}>};
      expect(report.project).toBe(stack.project);
      expect(report.services.map((s) => [s.service, s.state, s.health]).sort()).toEqual(EXPECTED_SERVICES.map((s) => [s, 'running', 'healthy']));
    }
    expect(JSON.parse(secondStart.stdout).urls.frontend).toBe(`http://localhost:${second.port('FRONTEND_HOST_PORT')}/`);
    const frontend = await fetch(`http://localhost:${second.port('FRONTEND_HOST_PORT')}/`, {signal: AbortSignal.timeout(5000)});
    expect(frontend.status).toBe(200);
    // ...with its own env file (ports kept, secrets of its own) and its own start record
    expect(envValue(second.envFile, 'FRONTEND_HOST_PORT')).toBe(String(second.port('FRONTEND_HOST_PORT')));
    expect(envValue(second.envFile, 'JWT_SECRET_KEY')).toMatch(/^[0-9a-f]{64}$/);
    expect(envValue(second.envFile, 'JWT_SECRET_KEY')).not.toBe(envValue(first.envFile, 'JWT_SECRET_KEY'));
    expect([existsSync(first.startRecord), existsSync(second.startRecord)]).toEqual([true, true]);

    // When status --project-name runs for each, Then each lists only its own containers
    const statuses = [await statusOf(first), await statusOf(second)];
    for (const [index, stack] of [first, second].entries()) {
      const status = statuses[index]!;
      expect(status).toMatchObject({project: stack.project, state: 'up'});
      expect(status.services.map((s) => s.service).sort()).toEqual(EXPECTED_SERVICES);
      expect(status.services.map((s) => s.containerId).sort()).toEqual(stack.containerIds());
      expect(status.services.filter((s) => !s.container.startsWith(`${stack.project}_`) && !s.container.startsWith(`${stack.project}-`))).toEqual([]);
    }
    const firstIds = statuses[0]!.services.map((s) => s.containerId);
    expect(statuses[1]!.services.filter((s) => firstIds.includes(s.containerId))).toEqual([]);

    // When the second is taken down by name
    const firstBefore = {all: first.containerIds(), running: first.runningContainerIds(), volumes: first.volumes()};
    expect(firstBefore.running).toHaveLength(EXPECTED_SERVICES.length);
    const down = await second.kp(['compose', 'down', '--json']);

    // Then the second is gone and the first is untouched: same containers, all running, same volumes
    expect(down.exitCode, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({project: second.project, nothingToRemove: false});
    expect(JSON.parse(down.stdout).removedContainers).toHaveLength(EXPECTED_SERVICES.length);
    expect(second.containerIds()).toEqual([]);
    expect(first.containerIds()).toEqual(firstBefore.all);
    expect(first.runningContainerIds()).toEqual(firstBefore.running);
    expect(first.volumes()).toEqual(firstBefore.volumes);
    expect(existsSync(first.startRecord)).toBe(true);
    expect((await statusOf(first)).state).toBe('up');
  });
});

describe('Given the shared stack up and a second project asked to use the same host ports', () => {
  it("When the second starts, Then it refuses (exit 3) naming the port, the service and the first stack's container, and creates nothing", async () => {
    // Given
    const first = sharedStack();
    await first.ensureUp();
    const clash = await ownStack('clash');
    // When
    const result = await clash.kp(['compose', 'start', '--json'], {env: first.spec.ports});
    // Then
    expect(result.exitCode).toBe(3);
    const error = (JSON.parse(result.stdout) as {error: {message: string}}).error;
    expect(error.message).toMatch(
      new RegExp(`port ${first.port('FRONTEND_HOST_PORT')} \\(frontend\\) is in use by container ${first.project}[_-]frontend[_-]1`),
    );
    expect(clash.containerIds()).toEqual([]);
    expect(first.isUp()).toBe(true);
  });
});
