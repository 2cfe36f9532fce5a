/**
 * The stack's published host ports: which need probing (those not already held by this stack),
 * which are busy and by whom, and the `*_HOST_PORT` key that moves one. `kp compose start`
 * refuses on a busy port; `kp doctor` reports each port as a check.
 */
import type {ComposeService} from '../../config/compose-file.js';
import {fail} from '../../core/errors.js';
import type {Engine} from '../../tools/docker.js';
import {describePortHolder, isLoopbackAddress, isPortFree} from '../shared/host-ports.js';
import type {ServiceStatus} from './services.js';

/** One published host port and what the probe found. */
export interface StackPort {
  port: number;
  hostIp: string;
  service: string;
  /** `ours`: published by this stack's running container; `free`; `busy`: held by something else. */
  state: 'ours' | 'free' | 'busy';
  /** Who holds a busy port, when it can be told. */
  holder: string | undefined;
}

/** The env key that moves a service's host port (`FRONTEND_HOST_PORT`). */
export function hostPortKey(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_HOST_PORT`;
}

/** Which published ports need a free-port probe: those not already published by this stack's running container (pure). */
export function portsToProbe(services: readonly ComposeService[], statuses: readonly ServiceStatus[]) {
  const ours = new Set(statuses.filter((s) => s.state === 'running').flatMap((s) => s.ports.map((p) => `${s.service}:${p.hostPort}`)));
  return services.flatMap((service) =>
    service.ports
      .filter((port) => !ours.has(`${service.name}:${port.hostPort}`))
      .map((port) => ({service: service.name, port: port.hostPort, hostIp: port.hostIp})),
  );
}

/** Probe every published port of the expected services. */
export async function probeStackPorts(
  engine: Engine | undefined,
  services: readonly ComposeService[],
  statuses: readonly ServiceStatus[],
): Promise<StackPort[]> {
  const toProbe = new Set(portsToProbe(services, statuses).map((p) => `${p.service}:${p.port}`));
  const results: StackPort[] = [];
  for (const service of services) {
    for (const port of service.ports) {
      const base = {port: port.hostPort, hostIp: port.hostIp, service: service.name, holder: undefined};
      if (!toProbe.has(`${service.name}:${port.hostPort}`)) results.push({...base, state: 'ours'});
      else if (await isPortFree(port.hostPort, port.hostIp)) results.push({...base, state: 'free'});
      else results.push({...base, state: 'busy', holder: await describePortHolder(port.hostPort, engine)});
    }
  }
  return results;
}

/** What a busy host port adds to the `--json` error object of `kp compose start`. */
export interface PortConflictDetails {
  conflicts: Array<Pick<StackPort, 'port' | 'service' | 'holder'>>;
}

/** Refuse to start when a port is busy: every conflict named, and the env key that moves the first. */
export function assertPortsFree(ports: readonly StackPort[], envFile: string): void {
  const conflicts = ports.filter((p) => p.state === 'busy');
  if (conflicts.length === 0) return;
  const lines = conflicts.map((c) => `port ${c.port} (${c.service}) is in use${c.holder ? ` by ${c.holder}` : ''}`);
  throw fail.prerequisite(
    `Cannot start: ${lines.join('; ')}. Nothing was started.`,
    `Stop whatever holds the port, or choose another one in ${envFile} (e.g. ${hostPortKey(conflicts[0]!.service)}=...).`,
    {details: {conflicts: conflicts.map(({port, service, holder}) => ({port, service, holder}))} satisfies PortConflictDetails},
  );
}

/**
 * The ports the compose file publishes beyond this machine (pure): an empty host address or
 * 0.0.0.0 / :: is every interface, e.g. with HOST_BIND_ADDRESS=0.0.0.0. One line per service.
 */
export function exposedServicePorts(services: readonly ComposeService[]): string[] {
  return services.flatMap((service) => {
    const open = service.ports.filter((p) => !isLoopbackAddress(p.hostIp || '0.0.0.0'));
    return open.length === 0 ? [] : [`${service.name} ${open.map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}`).join(', ')}`];
  });
}
