import {describe, expect, it} from 'vitest';
import type {ContainerDetails} from '../../../../src/tools/docker.js';
import {isServiceReady, serviceStatuses, stackUrls, type ServiceStatus} from '../../../../src/workflows/compose/services.js';

const running = (service: string, health = 'healthy'): ServiceStatus => ({
  service,
  state: 'running',
  health,
  container: `kamerplanter_${service}_1`,
  containerId: `${service}-id`,
  image: 'img',
  ports: service === 'backend' ? [{hostIp: '127.0.0.1', hostPort: 8000, containerPort: 8000, protocol: 'tcp'}] : [],
});

const container = (service: string, over: Partial<ContainerDetails> = {}): ContainerDetails => ({
  id: `${service}-id`,
  name: `kamerplanter-${service}-1`,
  image: 'i',
  labels: {'com.docker.compose.service': service},
  running: true,
  status: 'running',
  health: undefined,
  startedAt: '',
  restartCount: 0,
  exitCode: 0,
  ports: [],
  mounts: [],
  restartPolicy: 'unless-stopped',
  ...over,
});

describe('status model', () => {
  it('Given an expected service without a container and one without a healthcheck, When merged, Then one is missing and the other ready when running', () => {
    // Given
    const expected = [
      {name: 'a', profiles: [], ports: [], hasHealthcheck: false},
      {name: 'b', profiles: [], ports: [], hasHealthcheck: true},
    ];
    // When
    const statuses = serviceStatuses(expected, [container('a')]);
    // Then
    expect(statuses.map((s) => [s.service, s.state, s.health])).toEqual([
      ['a', 'running', 'none'],
      ['b', 'missing', 'unknown'],
    ]);
    expect(statuses.map(isServiceReady)).toEqual([true, false]);
  });

  it('Given a running service whose healthcheck is still starting, When judged, Then it is not ready', () => {
    expect(isServiceReady(running('x', 'starting'))).toBe(false);
  });

  it('Given two running containers of one service, When merged, Then the row names the second as a duplicate', () => {
    const statuses = serviceStatuses(
      [{name: 'a', profiles: [], ports: [], hasHealthcheck: false}],
      [container('a', {id: 'one', name: 'p_a_1'}), container('a', {id: 'two', name: 'p_a_2'})],
    );
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.duplicates).toEqual([statuses[0]!.container === 'p_a_1' ? 'p_a_2' : 'p_a_1']);
  });

  it('Given a stopped and a running container of the same service, When merged, Then the running one is reported', () => {
    const statuses = serviceStatuses(
      [{name: 'a', profiles: [], ports: [], hasHealthcheck: false}],
      [container('a', {id: 'new', running: true}), container('a', {id: 'old', running: false, status: 'exited'})],
    );
    expect(statuses.map((s) => [s.containerId, s.state])).toEqual([['new', 'running']]);
  });

  it('Given published ports and an env fallback, When URLs are built, Then published ports win and the env fills the rest', () => {
    expect(stackUrls([running('backend')], {FRONTEND_HOST_PORT: '9090'})).toEqual({
      frontend: 'http://localhost:9090/',
      apiDocs: 'http://localhost:8000/docs',
      arangodb: 'http://localhost:8529/',
    });
  });
});
