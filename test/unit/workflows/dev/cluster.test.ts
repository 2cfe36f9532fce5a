import {describe, expect, it} from 'vitest';
import {nodeReadiness, planCluster, type ClusterObservation} from '../../../../src/workflows/dev/cluster.js';

const node = (name: string, state = 'running', role = name.includes('control-plane') ? 'control-plane' : 'worker') => ({id: `id-${name}`, name, state, role});
const healthy: ClusterObservation = {
  name: 'kamerplanter',
  context: 'kind-kamerplanter',
  nodes: [node('kamerplanter-control-plane'), node('kamerplanter-worker')],
  server: 'https://127.0.0.1:40000',
  serverIsLocal: true,
  currentContext: 'prod',
  api: {status: 'ready', nodes: 2},
};
const kinds = (plan: ReturnType<typeof planCluster>) => plan.steps.map((s) => s.kind);

describe('cluster planner (state machine)', () => {
  it('Given a healthy cluster, When planned, Then nothing is done', () => {
    const plan = planCluster(healthy, {recreate: false});
    expect(plan.state).toBe('healthy');
    expect(plan.steps).toEqual([]);
    expect(plan.refusal).toBeUndefined();
  });

  it('Given no node containers, When planned, Then the host ports are checked and the cluster created', () => {
    const plan = planCluster({...healthy, nodes: [], server: undefined, serverIsLocal: undefined, api: {status: 'not-probed'}}, {recreate: false});
    expect(plan.state).toBe('missing');
    expect(kinds(plan)).toEqual(['check-host-ports', 'create-cluster']);
  });

  it('Given stopped node containers (after a reboot), When planned, Then exactly those are started and the API awaited', () => {
    const plan = planCluster(
      {...healthy, nodes: [node('kamerplanter-control-plane', 'exited'), node('kamerplanter-worker', 'running')], api: {status: 'not-probed'}},
      {recreate: false},
    );
    expect(plan.state).toBe('stopped');
    expect(plan.steps).toEqual([{kind: 'start-nodes', ids: ['id-kamerplanter-control-plane'], names: ['kamerplanter-control-plane']}, {kind: 'wait-api'}]);
  });

  it('Given running nodes but no context (an interrupted create), When planned, Then it is repaired, not recreated', () => {
    const plan = planCluster({...healthy, server: undefined, serverIsLocal: undefined, api: {status: 'not-probed'}}, {recreate: false});
    expect(plan.state).toBe('unusable');
    expect(kinds(plan)).toEqual(['export-kubeconfig', 'wait-api']);
    expect(plan.reasons.join()).toContain('interrupted');
  });

  it('Given an API that does not answer, When planned with and without --recreate, Then only --recreate deletes', () => {
    const broken = {...healthy, api: {status: 'unreachable' as const, message: 'The connection to the server 127.0.0.1:40000 was refused'}};
    expect(kinds(planCluster(broken, {recreate: false}))).toEqual(['wait-api']);
    expect(kinds(planCluster(broken, {recreate: true}))).toEqual(['delete-cluster', 'check-host-ports', 'create-cluster']);
  });

  it('Given a kind-N context that points off this machine, When planned even with --recreate, Then kp refuses and plans nothing', () => {
    const plan = planCluster({...healthy, server: 'https://prod.example.com:6443', serverIsLocal: false}, {recreate: true});
    expect(plan.steps).toEqual([]);
    expect(plan.refusal).toContain('https://prod.example.com:6443');
  });
});

describe('node readiness', () => {
  it('Given node JSON with one Ready and one not, When readiness is counted, Then only Ready=True counts', () => {
    expect(nodeReadiness([{status: {conditions: [{type: 'Ready', status: 'True'}]}}, {status: {conditions: [{type: 'Ready', status: 'False'}]}}])).toEqual({
      ready: 1,
      nodes: 2,
    });
  });
});
