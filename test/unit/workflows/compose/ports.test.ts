import {describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../../src/core/errors.js';
import {activeServices, loadComposeFile} from '../../../../src/config/compose-file.js';
import {shippedCompose} from '../../../../src/config/paths.js';
import {assertPortsFree, exposedServicePorts, hostPortKey, portsToProbe, type StackPort} from '../../../../src/workflows/compose/ports.js';
import type {ServiceStatus} from '../../../../src/workflows/compose/services.js';

const backend = (state: string): ServiceStatus => ({
  service: 'backend',
  state,
  health: 'healthy',
  container: 'kamerplanter_backend_1',
  containerId: 'backend-id',
  image: 'img',
  ports: [{hostIp: '127.0.0.1', hostPort: 8000, containerPort: 8000, protocol: 'tcp'}],
});

describe('port probes', () => {
  const services = [
    {name: 'backend', profiles: [], hasHealthcheck: true, ports: [{hostIp: '127.0.0.1', hostPort: 8000, containerPort: 8000, protocol: 'tcp' as const}]},
  ];

  it('Given the running stack already publishes a port, When probes are chosen, Then that port is skipped', () => {
    expect(portsToProbe(services, [backend('running')])).toEqual([]);
  });

  it('Given a stopped container or no container, When probes are chosen, Then the port is probed', () => {
    expect(portsToProbe(services, [backend('exited')])).toEqual([{service: 'backend', port: 8000, hostIp: '127.0.0.1'}]);
    expect(portsToProbe(services, [])).toEqual([{service: 'backend', port: 8000, hostIp: '127.0.0.1'}]);
  });
});

describe('busy ports', () => {
  const port = (over: Partial<StackPort>): StackPort => ({port: 8000, hostIp: '127.0.0.1', service: 'backend', state: 'free', holder: undefined, ...over});

  it('Given only free and own ports, When asserted, Then it returns without a refusal', () => {
    expect(assertPortsFree([port({}), port({port: 8080, service: 'frontend', state: 'ours'})], '/e/compose.env')).toBeUndefined();
  });

  it('Given a busy port, When asserted, Then a prerequisite error names port, service, holder and the env key that moves it', () => {
    // When
    let error: unknown;
    try {
      assertPortsFree([port({state: 'busy', holder: 'container web_1'}), port({port: 8529, service: 'arangodb'})], '/e/compose.env');
    } catch (e) {
      error = e;
    }
    // Then
    expect(error).toBeInstanceOf(KpError);
    expect((error as KpError).exitCode).toBe(ExitCode.Prerequisite);
    expect((error as KpError).message).toBe('Cannot start: port 8000 (backend) is in use by container web_1. Nothing was started.');
    expect((error as KpError).hint).toContain('/e/compose.env (e.g. BACKEND_HOST_PORT=...)');
  });

  it('Given a service name with a dash, When its env key is built, Then it is upper snake case', () => {
    expect(hostPortKey('celery-worker')).toBe('CELERY_WORKER_HOST_PORT');
  });
});

describe('ports reachable from other machines', () => {
  const shipped = (env: Record<string, string>) => activeServices(loadComposeFile(shippedCompose.file, {POSTGRES_PASSWORD: 'x', ...env}), ['homeassistant']);

  it("Given kp's compose file as shipped, When its ports are judged, Then none is reachable from another machine", () => {
    expect(exposedServicePorts(shipped({}))).toEqual([]);
  });

  it('Given HOST_BIND_ADDRESS=0.0.0.0 (the opt-in), When judged, Then every service that follows it is named with its ports, and Home Assistant stays on 127.0.0.1', () => {
    const exposed = exposedServicePorts(shipped({HOST_BIND_ADDRESS: '0.0.0.0'}));
    expect(exposed.length).toBeGreaterThan(0);
    expect(exposed.find((line) => line.startsWith('frontend '))).toBe('frontend 0.0.0.0:8080');
    expect(exposed.some((line) => line.startsWith('homeassistant '))).toBe(false);
  });
});
