/**
 * Recorded engine output (test/fixtures/recorded/docker) and engine answers derived from it for
 * other projects, states and host ports, so in-process tests feed workflows what a real engine prints.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {projectRoot} from './cli.js';

/** The text of one recorded file. */
export function recorded(name: string): string {
  return readFileSync(path.join(projectRoot, 'test/fixtures/recorded/docker', name), 'utf8');
}

/** The six services of the recorded compose v1 project, in `docker ps` order. */
export const RECORDED_SERVICES = ['frontend', 'backend', 'celery-worker', 'celery-beat', 'valkey', 'arangodb'] as const;

/** Container port each publishing service maps (as in the shipped compose file). */
const CONTAINER_PORTS: Record<string, number> = {frontend: 80, backend: 8000, valkey: 6379, arangodb: 8529};

/** What `docker ps` and `docker inspect` answer for one Compose project. */
export interface RecordedStack {
  /** `docker ps -a --no-trunc --format {{json .}}` stdout. */
  ps: string;
  /** `docker inspect --type container ID...` stdout. */
  inspect: string;
  /** Service -> container ID. */
  ids: Record<string, string>;
}

/**
 * The recorded compose v1 project (ps-compose-v1.jsonl + inspect-backend-healthy.json as the
 * template of each container), relabelled for `project`, with host ports and health as asked.
 */
export function recordedStack(
  options: {
    project?: string;
    hostPorts?: Partial<Record<string, number>>;
    health?: string;
    /** Exited containers of further services (e.g. of a profile that is not active now), added after the recorded six. */
    exitedExtras?: readonly string[];
  } = {},
): RecordedStack {
  const project = options.project ?? 'kamerplanter';
  const template = (JSON.parse(recorded('inspect-backend-healthy.json')) as Array<Record<string, any>>)[0]!;
  const psRows: string[] = [];
  const inspected: Array<Record<string, any>> = [];
  const ids: Record<string, string> = {};
  for (const line of recorded('ps-compose-v1.jsonl')
    .split('\n')
    .filter((l) => l.startsWith('{'))) {
    const row = JSON.parse(line) as Record<string, any>;
    const labels = Object.fromEntries(
      (row.Labels as string).split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ) as Record<string, string>;
    const service = labels['com.docker.compose.service']!;
    labels['com.docker.compose.project'] = project;
    const name = (row.Names as string).replace(/^kamerplanter_/, `${project}_`);
    const containerPort = CONTAINER_PORTS[service];
    const hostPort = containerPort === undefined ? undefined : (options.hostPorts?.[service] ?? Number(/:(\d+)->/.exec(row.Ports)?.[1]));
    ids[service] = row.ID;
    psRows.push(
      JSON.stringify({
        ...row,
        Names: name,
        Labels: Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        Ports: hostPort === undefined ? '' : `127.0.0.1:${hostPort}->${containerPort}/tcp`,
      }),
    );
    const details = structuredClone(template);
    details.Id = row.ID;
    details.Name = `/${name}`;
    details.Config.Labels = labels;
    details.Config.Image = row.Image;
    details.State.Health.Status = options.health ?? 'healthy';
    details.NetworkSettings.Ports = hostPort === undefined ? {} : {[`${containerPort}/tcp`]: [{HostIp: '127.0.0.1', HostPort: String(hostPort)}]};
    inspected.push(details);
  }
  (options.exitedExtras ?? []).forEach((service, index) => {
    const id = `${'e'.repeat(63)}${index}`;
    const name = `${project}_${service}_1`;
    const row = JSON.parse(psRows[0]!) as Record<string, any>;
    row.ID = id;
    row.Names = name;
    row.State = 'exited';
    row.Status = 'Exited (0) 2 hours ago';
    row.Ports = '';
    row.Labels = (row.Labels as string).replace(/com\.docker\.compose\.service=[^,]*/, `com.docker.compose.service=${service}`);
    psRows.push(JSON.stringify(row));
    const details = structuredClone(inspected[0]!);
    details.Id = id;
    details.Name = `/${name}`;
    details.Config.Labels = {...details.Config.Labels, 'com.docker.compose.service': service};
    details.State = {...details.State, Status: 'exited', Running: false, ExitCode: 0, Health: {...details.State.Health, Status: 'unhealthy'}};
    details.NetworkSettings.Ports = {};
    inspected.push(details);
  });
  return {ps: `${psRows.join('\n')}\n`, inspect: JSON.stringify(inspected, null, 4), ids};
}
