import {describe, expect, it} from 'vitest';
import {planStart} from '../../../../src/workflows/compose/plan.js';
import type {ServiceStatus} from '../../../../src/workflows/compose/services.js';

const expected = ['arangodb', 'backend'];
const running = (service: string, id = `${service}-id`): ServiceStatus => ({
  service,
  state: 'running',
  health: 'healthy',
  container: `kamerplanter_${service}_1`,
  containerId: id,
  image: 'img',
  ports: [],
  duplicates: [],
});
const record = {project: 'kamerplanter', fingerprint: 'f1', containerIds: {arangodb: 'arangodb-id', backend: 'backend-id'}, at: ''};

describe('compose start planner', () => {
  it('Given no containers, When planned, Then it creates the stack', () => {
    expect(planStart({expected, statuses: [], fingerprint: 'f1', record: undefined})).toEqual({
      kind: 'up',
      action: 'created',
      reason: 'the stack does not exist yet',
    });
  });

  it('Given stopped containers, When planned, Then it starts them', () => {
    const stopped = {...running('backend'), state: 'exited'};
    expect(planStart({expected, statuses: [running('arangodb'), stopped], fingerprint: 'f1', record})).toMatchObject({
      kind: 'up',
      action: 'started',
      reason: 'services not running: backend',
    });
  });

  it('Given everything running with the recorded fingerprint and IDs, When planned, Then nothing runs', () => {
    expect(planStart({expected, statuses: [running('arangodb'), running('backend')], fingerprint: 'f1', record})).toMatchObject({kind: 'already-up'});
  });

  it('Given everything running but no start record, When planned, Then Compose is asked to compare the configuration', () => {
    expect(planStart({expected, statuses: [running('arangodb'), running('backend')], fingerprint: 'f1', record: undefined})).toMatchObject({
      kind: 'up',
      action: 'updated',
    });
  });

  it('Given a changed configuration, When planned, Then Compose decides what to update', () => {
    expect(planStart({expected, statuses: [running('arangodb'), running('backend')], fingerprint: 'f2', record})).toMatchObject({
      kind: 'up',
      action: 'updated',
    });
  });

  it('Given containers replaced outside kp, When planned, Then it lets Compose check them', () => {
    const plan = planStart({expected, statuses: [running('arangodb'), running('backend', 'other')], fingerprint: 'f1', record});
    expect(plan).toMatchObject({kind: 'up', reason: 'containers replaced outside kp: backend'});
  });

  it('Given a missing service, When planned, Then it is created', () => {
    expect(planStart({expected, statuses: [running('arangodb')], fingerprint: 'f1', record})).toMatchObject({
      kind: 'up',
      action: 'created',
      reason: 'services without a container: backend',
    });
  });

  it('Given a second container of celery-beat (an earlier race), When planned, Then up runs to bring it back to one, naming the duplicate', () => {
    const statuses = [running('arangodb'), {...running('backend'), duplicates: ['kamerplanter_backend_2']}];
    expect(planStart({expected, statuses, fingerprint: 'f1', record})).toEqual({
      kind: 'up',
      action: 'updated',
      reason: 'more than one container for backend (kamerplanter_backend_2)',
    });
  });
});
