import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadSkaffoldConfig} from '../../../../src/config/skaffold-config.js';
import {clusterStateOf, forwardedEndpoints, podsNotReady} from '../../../../src/workflows/dev/status.js';
import {projectRoot} from '../../../helpers/cli.js';

const node = (name: string, state = 'running') => ({id: `id-${name}`, name, state, role: 'worker'});

describe('status helpers', () => {
  it('Given node states, When classified, Then absent/running/stopped/partial', () => {
    expect(clusterStateOf([])).toBe('absent');
    expect(clusterStateOf([node('a'), node('b')])).toBe('running');
    expect(clusterStateOf([node('a', 'exited')])).toBe('stopped');
    expect(clusterStateOf([node('a'), node('b', 'exited')])).toBe('partial');
  });

  it('Given pods, When filtered, Then Ready and Succeeded ones are not reported', () => {
    const pods = podsNotReady([
      {metadata: {name: 'ok', namespace: 'default'}, status: {phase: 'Running', conditions: [{type: 'Ready', status: 'True'}]}},
      {metadata: {name: 'job', namespace: 'default'}, status: {phase: 'Succeeded'}},
      {metadata: {name: 'bad', namespace: 'default'}, status: {phase: 'Pending', containerStatuses: [{state: {waiting: {reason: 'ImagePullBackOff'}}}]}},
    ]);
    expect(pods).toEqual([{namespace: 'default', name: 'bad', phase: 'Pending', reason: 'ImagePullBackOff'}]);
  });

  it('Given the shipped skaffold.yaml, When endpoints are derived, Then the backend is probed on its readiness path', () => {
    const endpoints = forwardedEndpoints(loadSkaffoldConfig(path.join(projectRoot, 'skaffold.yaml')));
    expect(endpoints[0]).toEqual({name: 'kamerplanter-backend', url: 'http://127.0.0.1:8000/api/v1/health/ready', probe: 'http', port: 8000});
    expect(endpoints.map((e) => e.url)).toContain('http://127.0.0.1:3000/');
  });

  it('Given the shipped skaffold.yaml with both modules, When endpoints are derived, Then the databases (5432, 5433) are probed over TCP, not HTTP', () => {
    const endpoints = forwardedEndpoints(loadSkaffoldConfig(path.join(projectRoot, 'skaffold.yaml')));
    expect(endpoints.filter((e) => e.probe === 'tcp').map((e) => e.url)).toEqual(['tcp://127.0.0.1:5432', 'tcp://127.0.0.1:5433']);
  });
});
