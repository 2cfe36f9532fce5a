/**
 * The stack as the engine shows it: the project's containers, one status row per service, and
 * the URLs an evaluator opens.
 */
import type {ComposeService} from '../../config/compose-file.js';
import type {ContainerDetails, Engine} from '../../tools/docker.js';

/** The label Compose puts on every container of a project. */
export const PROJECT_LABEL = 'com.docker.compose.project';
/** The label naming a container's service. */
export const SERVICE_LABEL = 'com.docker.compose.service';

/** One service's state as `kp compose status` reports it. */
export interface ServiceStatus {
  service: string;
  /** `running`, `exited`, `created`, `restarting`, ... or `missing` when no container exists. */
  state: string;
  /** `healthy|unhealthy|starting`, `none` without a healthcheck, `unknown` when missing. */
  health: string;
  container: string | undefined;
  containerId: string | undefined;
  image: string | undefined;
  ports: Array<{hostIp: string; hostPort: number; containerPort: number; protocol: string}>;
  /** Further containers of the same service (an earlier race, `--scale`): each runs the service again. */
  duplicates: string[];
}

/** The project's containers (one-off `run` containers excluded), with details. */
export async function observeContainers(engine: Engine, project: string): Promise<ContainerDetails[]> {
  const containers = await engine.findContainers([`${PROJECT_LABEL}=${project}`]);
  return containers.filter((c) => c.labels[PROJECT_LABEL] === project && !/^true$/i.test(c.labels['com.docker.compose.oneoff'] ?? 'false'));
}

/** Merge expected services and observed containers into one status row per service. */
export function serviceStatuses(expected: readonly ComposeService[], containers: readonly ContainerDetails[]): ServiceStatus[] {
  const byService = new Map<string, ContainerDetails>();
  for (const container of containers) {
    const service = container.labels[SERVICE_LABEL];
    if (service && (!byService.has(service) || container.running)) byService.set(service, container);
  }
  const counts = new Map<string, string[]>();
  for (const container of containers) {
    const service = container.labels[SERVICE_LABEL];
    if (service) counts.set(service, [...(counts.get(service) ?? []), container.name]);
  }
  const names = [...new Set([...expected.map((s) => s.name), ...byService.keys()])];
  return names.map((service) => {
    const container = byService.get(service);
    if (!container) {
      return {service, state: 'missing', health: 'unknown', container: undefined, containerId: undefined, image: undefined, ports: [], duplicates: []};
    }
    return {
      service,
      state: container.status,
      // A stopped container keeps its last health verdict; it means nothing until it runs again.
      health: container.running ? (container.health ?? 'none') : container.health ? 'stopped' : 'none',
      container: container.name,
      containerId: container.id,
      image: container.image,
      ports: container.ports.map((p) => {
        const [port, protocol] = p.containerPort.split('/');
        return {hostIp: p.hostIp, hostPort: p.hostPort, containerPort: Number(port), protocol: protocol ?? 'tcp'};
      }),
      duplicates: (counts.get(service) ?? []).filter((name) => name !== container.name).sort(),
    };
  });
}

/** Ready = running, and healthy when the service has a healthcheck. */
export function isServiceReady(status: ServiceStatus): boolean {
  return status.state === 'running' && (status.health === 'healthy' || status.health === 'none');
}

/** The URLs an evaluator opens. */
export interface StackUrls {
  frontend: string;
  apiDocs: string;
  arangodb: string;
}

/** Build the URLs from the published ports (falling back to the env's values). */
export function stackUrls(statuses: readonly ServiceStatus[], env: Record<string, string | undefined>): StackUrls {
  const hostPort = (service: string, containerPort: number, fallback: string | undefined, standard: number) =>
    statuses.find((s) => s.service === service)?.ports.find((p) => p.containerPort === containerPort)?.hostPort ?? Number(fallback ?? standard);
  const bind = env.HOST_BIND_ADDRESS;
  const host = !bind || bind === '0.0.0.0' || bind === '127.0.0.1' || bind === '::' ? 'localhost' : bind;
  return {
    frontend: `http://${host}:${hostPort('frontend', 80, env.FRONTEND_HOST_PORT, 8080)}/`,
    apiDocs: `http://${host}:${hostPort('backend', 8000, env.BACKEND_HOST_PORT, 8000)}/docs`,
    arangodb: `http://${host}:${hostPort('arangodb', 8529, env.ARANGODB_HOST_PORT, 8529)}/`,
  };
}
