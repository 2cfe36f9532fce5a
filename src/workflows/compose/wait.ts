/**
 * Waiting for a started stack: engine health for every service, then the backend and frontend
 * answering over HTTP, one progress line each. What does not become ready is named with its last
 * log lines.
 */
import type {ComposeService} from '../../config/compose-file.js';
import {ExitCode, fail, InterruptedError, KpError} from '../../core/errors.js';
import {interruption} from '../../core/interruption.js';
import type {ContainerDetails, Engine} from '../../tools/docker.js';
import {createTaskList} from '../../ui/tasks.js';
import type {KpContext} from '../context.js';
import {probeHttp} from '../shared/http-probe.js';
import {isServiceReady, observeContainers, serviceStatuses, stackUrls, type ServiceStatus} from './services.js';
import type {Stack} from './stack.js';
import {poll} from '../../core/poll.js';

/** A container healthcheck's last run, trimmed for a terminal: its exit code and last lines. */
export interface HealthcheckRun {
  exitCode: number;
  output: string[];
}

/** What services that did not become ready add to the `--json` error object of `kp compose start`. */
export interface NotReadyDetails {
  notReady: string[];
  /** The services whose healthcheck never passed (the reason for exit 5). */
  neverHealthy?: string[];
  /** The last log lines of each service not ready. */
  logs: Record<string, string[]>;
  /** The last healthcheck run of each service not ready that has one. */
  healthchecks: Record<string, HealthcheckRun>;
}

/** The last run of a container's healthcheck, trimmed for a terminal: its exit code and last lines. */
function lastHealthcheck(container: ContainerDetails | undefined): HealthcheckRun | undefined {
  const last = (container?.healthLog ?? []).at(-1);
  if (!last) return undefined;
  return {
    exitCode: last.exitCode,
    output: last.output
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l.length > 0)
      .slice(-5),
  };
}

/**
 * Observe the stack after a failure and build the error naming what is not ready, with its last log
 * lines and its last healthcheck output. A service whose healthcheck never passed (`unhealthy`, or
 * still `starting` when time ran out) makes it exit 5, however the failure surfaced: kp's --timeout killing a Compose
 * that blocks on `condition: service_healthy`, Compose giving up on its own ("Container ... is
 * unhealthy", exit 1), or kp's own wait running out.
 */
export async function diagnoseFailure(
  ctx: KpContext,
  engine: Engine,
  stack: Stack,
  expected: readonly ComposeService[],
  message: string,
  exitCode: typeof ExitCode.ToolFailed | typeof ExitCode.Timeout,
): Promise<KpError> {
  const containers = await observeContainers(engine, stack.project);
  const statuses = serviceStatuses(expected, containers);
  const unhealthy = statuses.filter((s) => expected.some((e) => e.name === s.service) && !isServiceReady(s));
  // `starting` counts only when time ran out: when Compose failed for a reason of its own (a port
  // taken, say), a dependency still in its start period is not the cause.
  const neverHealthy = unhealthy.filter((s) => s.health === 'unhealthy' || (s.health === 'starting' && exitCode === ExitCode.Timeout));
  const logs: Record<string, string[]> = {};
  const healthchecks: Record<string, HealthcheckRun> = {};
  for (const status of unhealthy) {
    if (!status.containerId) continue;
    const text = await engine.logs(status.containerId, {tail: 20});
    logs[status.service] = text
      .split('\n')
      .filter((l) => l.length > 0)
      .slice(-20);
    const check = lastHealthcheck(containers.find((c) => c.id === status.containerId));
    if (check) healthchecks[status.service] = check;
    if (!ctx.json) {
      ctx.out.info(ctx.out.color.bold(`--- last 20 log lines of ${status.service} (${status.state}, ${status.health}) ---`));
      for (const line of logs[status.service]!) ctx.out.info(`  ${line}`);
      if (check) {
        ctx.out.info(ctx.out.color.bold(`--- last healthcheck of ${status.service}: exit ${check.exitCode} ---`));
        for (const line of check.output.length > 0 ? check.output : ['(no output)']) ctx.out.info(`  ${line}`);
      }
    }
  }
  const names = unhealthy.map((s) => `${s.service} (${s.state}${s.health !== 'none' ? `, ${s.health}` : ''})`).join(', ');
  if (neverHealthy.length > 0) {
    const which = neverHealthy.map((s) => s.service).join(', ');
    return fail.timeout(
      `${which} never became healthy. ${message}${names ? `\nNot ready: ${names}` : ''}`,
      `The last healthcheck output and log lines of ${which} are above; \`kp compose logs ${neverHealthy[0]!.service}\` shows more. Fix it, or give it longer with --timeout, then run \`kp compose start\` again.`,
      {details: {notReady: unhealthy.map((s) => s.service), neverHealthy: neverHealthy.map((s) => s.service), logs, healthchecks} satisfies NotReadyDetails},
    );
  }
  return fail.withCode(
    exitCode,
    `${message}${names ? `\nNot ready: ${names}` : ''}`,
    'Check the log lines above; `kp compose logs SERVICE` shows more. Run `kp compose start` again once fixed.',
    {details: {notReady: unhealthy.map((s) => s.service), logs, healthchecks} satisfies NotReadyDetails},
  );
}

/** A wait that reached its deadline: the one failure of a wait task that is reported as a timeout. */
class DeadlineReached extends Error {}

/** What one run of the wait list found, beyond what the shared observation says. */
interface WaitOutcome {
  /** The first failure that was not the deadline (an engine error, a bug): it is reported as itself. */
  failure: unknown;
  /** How many HTTP endpoints answered 200. */
  answered: number;
}

/**
 * Poll engine health for every service, then the HTTP endpoints: one flat task list, each line its
 * own task (a list run from inside a running task would make listr2's terminal renderer take over the
 * terminal twice). The services wait side by side; the HTTP probes start once they have all settled
 * and are skipped, saying why, when one of them is not ready. Only a wait that reached its deadline
 * is reported as a timeout, with the time it really waited; any other failure keeps its own cause.
 */
export async function waitForStack(
  ctx: KpContext,
  engine: Engine,
  stack: Stack,
  expected: readonly ComposeService[],
  options: {timeoutSeconds: number; started: number; env: Record<string, string | undefined>; observed: ServiceStatus[] | undefined; quiet?: boolean},
): Promise<ServiceStatus[]> {
  const {timeoutSeconds, started, env} = options;
  const deadline = started + timeoutSeconds * 1000;
  const observation = sharedObservation(engine, stack, expected, options.observed);
  const outcome: WaitOutcome = {failure: undefined, answered: 0};
  const servicesReady = () => everyServiceReady(observation.latest(), expected);

  const serviceTasks = expected.map((service) => serviceWaitTask(service.name, observation, deadline, outcome));
  const settled = Promise.allSettled(serviceTasks.map((entry) => entry.done));
  const urls = () => stackUrls(observation.latest(), env);
  const httpChecks = [
    {service: 'backend', name: 'backend API', url: () => `${urls().apiDocs.replace(/\/docs$/, '')}/api/v1/health/ready`},
    {service: 'frontend', name: 'frontend', url: () => urls().frontend},
  ].filter((check) => expected.some((s) => s.name === check.service));
  const httpTasks = httpChecks.map((check) => httpWaitTask(check, {settled, servicesReady, deadline, outcome}));

  // exitOnError: false, so every line ends as what happened to it; the outcome is judged below.
  const tasks = [...serviceTasks.map((entry) => entry.task), ...httpTasks];
  const lines = options.quiet
    ? [
        oneLineCheck(tasks, {
          services: expected.length,
          endpoints: httpChecks.map((c) => c.name),
          ready: () => servicesReady() && outcome.answered === httpChecks.length,
        }),
      ]
    : tasks;
  const list = createTaskList<object>(lines, ctx.out, {concurrent: true, exitOnError: false});
  await list.run();
  if (interruption.signal.aborted) throw new InterruptedError();
  if (outcome.failure !== undefined) throw outcome.failure;
  if (servicesReady() && outcome.answered === httpChecks.length) return observation.latest();
  const waited = Math.round((Date.now() - started) / 1000);
  if (Date.now() < deadline) {
    // Every task ends ready, at its deadline, or with a failure recorded above: anything else is kp's own bug.
    throw fail.internal(`The wait for the stack ended after ${waited}s without every service ready and without reaching its ${timeoutSeconds}s limit.`);
  }
  throw await diagnoseFailure(
    ctx,
    engine,
    stack,
    expected,
    `Timed out after ${waited}s waiting for the stack (--timeout ${timeoutSeconds}).`,
    ExitCode.Timeout,
  );
}

/**
 * The same checks as one line, for a stack that was already up: a no-op start stays quiet unless
 * something is wrong (then the line names what is not ready).
 */
function oneLineCheck(
  tasks: ReadonlyArray<{task: (ctx: object, line: TaskLine) => Promise<void>}>,
  what: {services: number; endpoints: string[]; ready: () => boolean},
) {
  return {
    title: `Checking ${what.services} services and ${what.endpoints.length} endpoints`,
    task: async (_: object, line: TaskLine) => {
      const notReady = new Map<number, string>();
      const inner = (index: number): TaskLine => ({
        title: '',
        skip: () => undefined,
        get output() {
          return notReady.get(index) ?? '';
        },
        set output(text: string) {
          notReady.set(index, text);
          line.output = [...notReady.values()].filter((t) => t !== 'waiting for the services').join('; ');
        },
      });
      const results = await Promise.allSettled(tasks.map((entry, index) => entry.task({}, inner(index))));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      if (!what.ready()) throw new Error('not every service is ready');
      line.title = `${what.services} services healthy${what.endpoints.length > 0 ? `; ${what.endpoints.join(' and ')} answer 200` : ''}`;
    },
  };
}

/** Every expected service is there and ready (a stopped container of an inactive profile does not count). */
function everyServiceReady(statuses: readonly ServiceStatus[], expected: readonly ComposeService[]): boolean {
  const wanted = statuses.filter((s) => expected.some((e) => e.name === s.service));
  return wanted.length >= expected.length && wanted.every((s) => isServiceReady(s));
}

/** One engine observation per second, however many tasks wait on it; a fresh preflight one is reused. */
function sharedObservation(engine: Engine, stack: Stack, expected: readonly ComposeService[], initial: ServiceStatus[] | undefined) {
  let latest: ServiceStatus[] = initial ?? [];
  let fetchedAt = initial ? Date.now() : 0;
  let inflight: Promise<ServiceStatus[]> | undefined;
  return {
    latest: () => latest,
    async current(): Promise<ServiceStatus[]> {
      if (Date.now() - fetchedAt < 900 && latest.length > 0) return latest;
      inflight ??= observeContainers(engine, stack.project)
        .then((containers) => {
          latest = serviceStatuses(expected, containers);
          fetchedAt = Date.now();
          return latest;
        })
        .finally(() => (inflight = undefined));
      return inflight;
    },
  };
}

type Observation = ReturnType<typeof sharedObservation>;
type TaskLine = {title: string; output: string; skip(message?: string): void};

/**
 * Record a task's failure as the outcome unless it is the deadline or Ctrl-C, then fail its line
 * with a message that names it (the terminal renderer shows the message in place of the title).
 */
function recordFailure(error: unknown, outcome: WaitOutcome, where: string): never {
  if (error instanceof InterruptedError || interruption.signal.aborted) throw new Error(`${where}: interrupted`);
  if (!(error instanceof DeadlineReached)) outcome.failure ??= error;
  throw error instanceof DeadlineReached ? error : new Error(`${where}: ${(error as Error).message.split('\n')[0]}`);
}

/** The task that waits for one service to be running and healthy; `done` settles when it ends. */
function serviceWaitTask(name: string, observation: Observation, deadline: number, outcome: WaitOutcome) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const task = {
    title: name,
    task: async (_: object, line: TaskLine) => {
      try {
        const waited = await poll<string, string>(
          async () => {
            const status = (await observation.current()).find((s) => s.service === name);
            if (status && isServiceReady(status)) return {done: true, value: `${name}: ${status.health === 'none' ? 'running' : 'healthy'}`};
            const now = `${name}: ${status ? `${status.state}${status.health !== 'none' ? `, ${status.health}` : ''}` : 'missing'}`;
            // Only report changes: the simple renderer prints every output line.
            if (now !== line.output) line.output = now;
            return {done: false, seen: now};
          },
          {deadline, intervalMs: 1000},
        );
        if (!waited.done) throw new DeadlineReached(`${waited.lastSeen ?? name} when the time ran out`);
        line.title = waited.value;
      } catch (error) {
        recordFailure(error, outcome, line.output || name);
      } finally {
        finish();
      }
    },
  };
  return {task, done};
}

/** The task that waits for one HTTP endpoint to answer 200, once the services have settled. */
function httpWaitTask(
  check: {name: string; url: () => string},
  wait: {settled: Promise<unknown>; servicesReady: () => boolean; deadline: number; outcome: WaitOutcome},
) {
  return {
    title: `${check.name} answers`,
    task: async (_: object, line: TaskLine) => {
      try {
        line.output = 'waiting for the services';
        await wait.settled;
        if (interruption.signal.aborted) throw new InterruptedError();
        if (!wait.servicesReady()) {
          line.skip(`${check.name}: not probed, not every service is ready`);
          return;
        }
        const waited = await poll<undefined, string>(
          async () => {
            const answer = await probeHttp(check.url());
            if (interruption.signal.aborted) throw new InterruptedError();
            if (answer.status === 200) return {done: true, value: undefined};
            const now = `${check.url()} -> ${answer.detail}`;
            if (now !== line.output) line.output = now;
            return {done: false, seen: answer.detail};
          },
          {deadline: wait.deadline, intervalMs: 1000},
        );
        if (!waited.done) throw new DeadlineReached(`${check.name} did not answer 200 at ${check.url()} (last: ${waited.lastSeen})`);
        line.title = `${check.name}: ${check.url()} -> 200`;
        wait.outcome.answered += 1;
      } catch (error) {
        recordFailure(error, wait.outcome, check.name);
      }
    },
  };
}
