import {describe, expect, it} from 'vitest';
import {parseInspect} from '../../../../src/tools/docker.js';
import {stackExposureCheck} from '../../../../src/workflows/doctor/compose-checks.js';

/** A running Compose container as `docker inspect` shows it, publishing `bindings` for container port 8000. */
const backend = (bindings: Array<{HostIp: string; HostPort: string}>) =>
  parseInspect(
    JSON.stringify([
      {
        Id: 'b1',
        Name: '/kamerplanter-backend-1',
        Config: {Image: 'backend', Labels: {'com.docker.compose.project': 'kamerplanter', 'com.docker.compose.service': 'backend'}},
        State: {Status: 'running', Running: true},
        NetworkSettings: {Ports: {'8000/tcp': bindings}},
      },
    ]),
  );

describe('stack exposure', () => {
  it('Given the backend published on 127.0.0.1 (the default), When judged, Then the check is ok', () => {
    expect(stackExposureCheck('kamerplanter', backend([{HostIp: '127.0.0.1', HostPort: '8000'}]))).toMatchObject({name: 'kamerplanter exposure', status: 'ok'});
  });

  it('Given the backend published on every interface (HOST_BIND_ADDRESS=0.0.0.0), When judged, Then a failed required check names the service, the port and the address, with the way back', () => {
    const check = stackExposureCheck(
      'kamerplanter',
      backend([
        {HostIp: '0.0.0.0', HostPort: '8000'},
        {HostIp: '::', HostPort: '8000'},
      ]),
    );
    expect(check).toMatchObject({status: 'fail', required: true});
    expect(check.detail).toBe('port 8000 (backend) on 0.0.0.0; port 8000 (backend) on ::: reachable from other machines');
    expect(check.hint).toContain('HOST_BIND_ADDRESS');
  });
});
