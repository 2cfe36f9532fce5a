/**
 * Waiting for a started stack: engine health for every service, then the backend and frontend
 * answering over HTTP, one progress line each. What does not become ready is named with its last
 * log lines.
 */
import type {ComposeService} from '../../config/compose-file.js';
import {ExitCode, InterruptedError, KpError} from '../../core/errors.js';
import {interruption, sleep} from '../../core/interruption.js';
import type {ContainerDetails, Engine} from '../../tools/docker.js';
import {createTaskList} from '../../ui/tasks.js';
import type {KpContext} from '../context.js';
import {probeHttp} from '../shared/http-probe.js';
import {isServiceReady, observeContainers, serviceStatuses, stackUrls, type ServiceStatus} from './services.js';
import type {Stack} from './stack.js';

/** The last run of a container's healthcheck, trimmed for a terminal: its exit code and last lines. */
function lastHealthcheck(container: ContainerDetails | undefined): {exitCode: number; output: string[]} | undefined {
  const last = (container?.healthLog ?? []).at(-1);
  if (!last) return undefined;
  return {exitCode: last.exitCode, output: last.output.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0).slice(-5)};
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
  const healthchecks: Record<string, {exitCode: number; output: string[]}> = {};
  for (const status of unhealthy) {
    if (!status.containerId) continue;
    const text = await engine.logs(status.containerId, {tail: 20});
    logs[status.service] = text.split('\n').filter((l) => l.length > 0).slice(-20);
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
    return new KpError(`${which} never became healthy. ${message}${names ? `\nNot ready: ${names}` : ''}`, {
      exitCode: ExitCode.Timeout,
      hint: `The last healthcheck output and log lines of ${which} are above; \`kp compose logs ${neverHealthy[0]!.service}\` shows more. Fix it, or give it longer with --timeout, then run \`kp compose start\` again.`,
      details: {notReady: unhealthy.map((s) => s.service), neverHealthy: neverHealthy.map((s) => s.service), logs, healthchecks},
    });
  }
  return new KpError(`${message}${names ? `\nNot ready: ${names}` : ''}`, {
    exitCode,
    hint: 'Check the log lines above; `kp compose logs SERVICE` shows more. Run `kp compose start` again once fixed.',
    details: {notReady: unhealthy.map((s) => s.service), logs, healthchecks},
  });
}

/** Poll engine health for every service and then the HTTP endpoints, one listr2 line each. */
export async function waitForStack(
  ctx: KpContext,
  engine: Engine,
  stack: Stack,
  expected: readonly ComposeService[],
  options: {timeoutSeconds: number; started: number; env: Record<string, string | undefined>; observed: ServiceStatus[] | undefined},
): Promise<ServiceStatus[]> {
  const {timeoutSeconds, started, env} = options;
  const deadline = started + timeoutSeconds * 1000;
  // A fresh observation from the preflight is reused: no second look at an unchanged stack.
  let latest: ServiceStatus[] = options.observed ?? [];
  let inflight: Promise<ServiceStatus[]> | undefined;
  let fetchedAt = options.observed ? Date.now() : 0;
  // One shared observation per second, however many tasks wait on it.
  const observe = async (): Promise<ServiceStatus[]> => {
    if (Date.now() - fetchedAt < 900 && latest.length > 0) return latest;
    inflight ??= observeContainers(engine, stack.project)
      .then((containers) => {
        latest = serviceStatuses(expected, containers);
        fetchedAt = Date.now();
        return latest;
      })
      .finally(() => (inflight = undefined));
    return inflight;
  };
  const timedOut = () => Date.now() > deadline;

  const serviceTasks = expected.map((service) => ({
    title: service.name,
    task: async (_: object, task: {title: string; output: string}) => {
      for (;;) {
        const status = (await observe()).find((s) => s.service === service.name);
        if (status && isServiceReady(status)) {
          task.title = `${service.name}: ${status.health === 'none' ? 'running' : 'healthy'}`;
          return;
        }
        const now = `${service.name}: ${status ? `${status.state}${status.health !== 'none' ? `, ${status.health}` : ''}` : 'missing'}`;
        // Only report changes: the simple renderer prints every output line.
        if (now !== task.output) task.output = now;
        if (timedOut()) throw new Error(`${service.name} not ready after ${timeoutSeconds}s`);
        await sleep(1000);
      }
    },
  }));

  const urls = () => stackUrls(latest, env);
  const httpTasks = [
    {name: 'backend API', url: () => `${urls().apiDocs.replace(/\/docs$/, '')}/api/v1/health/ready`},
    {name: 'frontend', url: () => urls().frontend},
  ].map((check) => ({
    title: `${check.name} answers`,
    task: async (_: object, task: {title: string; output: string}) => {
      for (;;) {
        if (interruption.signal.aborted) throw new InterruptedError();
        const answer = await probeHttp(check.url());
        if (answer.status === 200) {
          task.title = `${check.name}: ${check.url()} -> 200`;
          return;
        }
        const now = `${check.url()} -> ${answer.detail}`;
        if (now !== task.output) task.output = now;
        if (timedOut()) throw new Error(`${check.name} did not answer 200 at ${check.url()} within ${timeoutSeconds}s`);
        await sleep(1000);
      }
    },
  }));

  const hasHttp = (name: string) => expected.some((s) => s.name === name);
  const list = createTaskList<object>(
    [
      {
        title: 'Waiting for services to be healthy',
        // The services wait side by side and each one's failure is shown (exitOnError: false); listr2
        // would then mark this step done anyway and go on to the HTTP probes, so it is judged here:
        // after Ctrl-C or a service that did not become ready, it fails and nothing after it runs.
        task: async (_ctx, task) => {
          await task.newListr(serviceTasks, {concurrent: true, exitOnError: false}).run();
          if (interruption.signal.aborted) throw new InterruptedError();
          const wanted = latest.filter((s) => expected.some((e) => e.name === s.service));
          if (wanted.length < expected.length || wanted.some((s) => !isServiceReady(s))) throw new Error(`not every service is ready after ${timeoutSeconds}s`);
        },
      },
      ...httpTasks.filter((_, index) => hasHttp(index === 0 ? 'backend' : 'frontend')),
    ],
    ctx.out,
  );
  try {
    await list.run();
  } catch (error) {
    if (error instanceof InterruptedError || interruption.signal.aborted) throw new InterruptedError();
    throw await diagnoseFailure(ctx, engine, stack, expected, `Timed out after ${timeoutSeconds}s waiting for the stack.`, ExitCode.Timeout);
  }
  // listr2 with exitOnError=false in the subtasks swallows their failures: check what was reached.
  // Only the expected services count: a stopped container of an inactive profile is not the stack's.
  const wanted = latest.filter((s) => expected.some((e) => e.name === s.service));
  if (wanted.length < expected.length || wanted.some((s) => !isServiceReady(s))) {
    throw await diagnoseFailure(ctx, engine, stack, expected, `Timed out after ${timeoutSeconds}s waiting for the stack.`, ExitCode.Timeout);
  }
  return latest;
}
