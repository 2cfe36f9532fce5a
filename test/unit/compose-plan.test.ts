import {describe, expect, it} from 'vitest';
import {planStart} from '../../src/workflows/compose/plan.js';
import {portsToProbe} from '../../src/workflows/compose/ports.js';
import {isServiceReady, serviceStatuses, stackUrls, type ServiceStatus} from '../../src/workflows/compose/services.js';
import type {ContainerDetails} from '../../src/tools/docker.js';

const expected = ['arangodb', 'backend'];
const running = (service: string, id = `${service}-id`, health = 'healthy'): ServiceStatus => ({
  service,
  state: 'running',
  health,
  container: `kamerplanter_${service}_1`,
  containerId: id,
  image: 'img',
  ports: service === 'backend' ? [{hostIp: '127.0.0.1', hostPort: 8000, containerPort: 8000, protocol: 'tcp'}] : [],
});
const record = {project: 'kamerplanter', fingerprint: 'f1', containerIds: {arangodb: 'arangodb-id', backend: 'backend-id'}, at: ''};

describe('compose start planner', () => {
  it('Given no containers, Then it creates the stack', () => {
    expect(planStart({expected, statuses: [], fingerprint: 'f1', record: undefined})).toMatchObject({kind: 'up', action: 'created'});
  });

  it('Given stopped containers, Then it starts them', () => {
    const stopped = {...running('backend'), state: 'exited'};
    expect(planStart({expected, statuses: [running('arangodb'), stopped], fingerprint: 'f1', record})).toMatchObject({
      kind: 'up',
      action: 'started',
      reason: 'services not running: backend',
    });
  });

  it('Given everything running with the recorded fingerprint and IDs, Then nothing runs', () => {
    expect(planStart({expected, statuses: [running('arangodb'), running('backend')], fingerprint: 'f1', record})).toMatchObject({kind: 'already-up'});
  });

  it('Given a changed configuration, Then Compose decides what to update', () => {
    expect(planStart({expected, statuses: [running('arangodb'), running('backend')], fingerprint: 'f2', record})).toMatchObject({kind: 'up', action: 'updated'});
  });

  it('Given containers replaced outside kp, Then it lets Compose check them', () => {
    const plan = planStart({expected, statuses: [running('arangodb'), running('backend', 'other')], fingerprint: 'f1', record});
    expect(plan).toMatchObject({kind: 'up', reason: 'containers replaced outside kp: backend'});
  });

  it('Given a missing service, Then it is created', () => {
    expect(planStart({expected, statuses: [running('arangodb')], fingerprint: 'f1', record})).toMatchObject({kind: 'up', action: 'created'});
  });
});

describe('port probes', () => {
  const services = [{name: 'backend', profiles: [], hasHealthcheck: true, ports: [{hostIp: '127.0.0.1', hostPort: 8000, containerPort: 8000, protocol: 'tcp' as const}]}];
  it('skips ports the running stack already publishes, probes the others', () => {
    expect(portsToProbe(services, [running('backend')])).toEqual([]);
    expect(portsToProbe(services, [{...running('backend'), state: 'exited'}])).toEqual([{service: 'backend', port: 8000, hostIp: '127.0.0.1'}]);
    expect(portsToProbe(services, [])).toHaveLength(1);
  });
});

describe('status model', () => {
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
    ...over,
  });

  it('marks expected services without a container as missing and no-healthcheck services as ready when running', () => {
    const statuses = serviceStatuses(
      [{name: 'a', profiles: [], ports: [], hasHealthcheck: false}, {name: 'b', profiles: [], ports: [], hasHealthcheck: true}],
      [container('a')],
    );
    expect(statuses.map((s) => [s.service, s.state, s.health])).toEqual([['a', 'running', 'none'], ['b', 'missing', 'unknown']]);
    expect(statuses.map(isServiceReady)).toEqual([true, false]);
    expect(isServiceReady(running('x', 'id', 'starting'))).toBe(false);
  });

  it('builds URLs from the published ports', () => {
    expect(stackUrls([running('backend')], {FRONTEND_HOST_PORT: '9090'})).toEqual({
      frontend: 'http://localhost:9090/',
      apiDocs: 'http://localhost:8000/docs',
      arangodb: 'http://localhost:8529/',
    });
  });
});
