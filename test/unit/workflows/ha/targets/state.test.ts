/**
 * How kp reads a target's state when HA is not running: kubelet's CrashLoopBackOff (its message and
 * lastState, as `kubectl get pod -o json` shows them), Docker's `restarting`, an OOM kill.
 */
import {describe, expect, it} from 'vitest';
import type {PodJson} from '../../../../../src/tools/kubectl.js';
import {containerState} from '../../../../../src/workflows/ha/targets/container.js';
import {podState} from '../../../../../src/workflows/ha/targets/pod.js';
import {notRunningReason, parseGoDuration} from '../../../../../src/workflows/ha/targets/target.js';
import {parseInspect} from '../../../../../src/tools/docker.js';

/** A pod as kubectl prints it while kubelet waits to restart its crashed container (kuberuntime_manager.go's message). */
const crashLooping: PodJson = {
  metadata: {name: 'homeassistant-0', namespace: 'default', uid: '6f1c0b9e-3f5a-4c59-9d55-2b7a1f0c2d11'},
  status: {
    phase: 'Running',
    conditions: [{type: 'Ready', status: 'False'}],
    containerStatuses: [
      {
        name: 'homeassistant',
        ready: false,
        restartCount: 3,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: 'back-off 40s restarting failed container=homeassistant pod=homeassistant-0_default(6f1c0b9e-3f5a-4c59-9d55-2b7a1f0c2d11)',
          },
        },
        lastState: {terminated: {exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-11-26T06:00:00Z'}},
      },
    ],
  },
};

describe('the state of a pod in back-off', () => {
  it('Given kubelet waiting 40 s after an OOM kill 15 s ago, When read, Then the back-off, its remaining 25 s and the OOM kill are all in the state and its one-line reason', () => {
    // When
    const state = podState(crashLooping, 'homeassistant', Date.parse('2026-11-26T06:00:15Z'));
    // Then
    expect(state).toMatchObject({running: false, ready: false, restartCount: 3, status: 'Running (CrashLoopBackOff)'});
    expect(state.backoff).toEqual({by: 'kubelet', delayMs: 40_000, remainingMs: 25_000});
    expect(state.ended).toMatchObject({exitCode: 137, oomKilled: true});
    expect(notRunningReason(state)).toBe(
      'OOM-killed (exit 137), in CrashLoopBackOff (back-off 40 s): kubelet restarts it in about 25 s; every further crash doubles the wait, up to 5 min, until it has run 10 minutes',
    );
  });

  it('Given the back-off already over (kubelet about to restart), When read, Then it says so instead of a negative wait', () => {
    const state = podState(crashLooping, 'homeassistant', Date.parse('2026-11-26T06:05:00Z'));
    expect(state.backoff?.remainingMs).toBe(0);
    expect(notRunningReason(state)).toContain('kubelet restarts it any moment');
  });

  it("Given kubelet's durations, When parsed, Then Go's notation is understood", () => {
    expect(parseGoDuration('10s')).toBe(10_000);
    expect(parseGoDuration('1m20s')).toBe(80_000);
    expect(parseGoDuration('5m0s')).toBe(300_000);
    expect(parseGoDuration('2.5s')).toBe(2_500);
    expect(parseGoDuration('soon')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
  });
});

describe('the state of a container that is not running', () => {
  const inspect = (state: Record<string, unknown>, restartCount = 0) =>
    parseInspect(
      JSON.stringify([
        {
          Id: 'c0ffee',
          Name: '/ha',
          Config: {Image: 'ha', Labels: {}},
          State: state,
          RestartCount: restartCount,
          HostConfig: {RestartPolicy: {Name: 'unless-stopped'}},
        },
      ]),
    )[0]!;

  it("Given Docker's restart policy waiting to start it again, When read, Then it is a back-off by Docker, with its rule", () => {
    const state = containerState(inspect({Status: 'restarting', Running: false, Restarting: true, ExitCode: 0, FinishedAt: '2026-11-26T06:00:00Z'}, 4));
    expect(state.backoff).toMatchObject({by: 'docker'});
    expect(notRunningReason(state)).toBe(
      "exited with code 0, Docker's restart policy is delaying its restart (the delay doubles with every restart less than 10 s after the last, up to 1 min)",
    );
  });

  it('Given a container the OOM killer ended, When read, Then the reason says OOM-killed', () => {
    const state = containerState(inspect({Status: 'exited', Running: false, OOMKilled: true, ExitCode: 137, FinishedAt: '2026-11-26T06:00:00Z'}));
    expect(state.backoff).toBeUndefined();
    expect(notRunningReason(state)).toBe('OOM-killed (exit 137)');
  });

  it('Given a running container, When read, Then no end and no back-off are reported', () => {
    const state = containerState(inspect({Status: 'running', Running: true, StartedAt: '2026-11-26T06:00:00Z', FinishedAt: '0001-01-01T00:00:00Z'}));
    expect(state.ended).toBeUndefined();
    expect(state.backoff).toBeUndefined();
  });
});

describe('a pod on its way back', () => {
  it('Given a pod being deleted, or a new one whose container is being created, When read, Then it is down but transitional (not a stop a round should fail on)', () => {
    const terminating = podState(
      {
        ...crashLooping,
        metadata: {...crashLooping.metadata, deletionTimestamp: '2026-11-26T06:00:00Z'},
        status: {phase: 'Running', containerStatuses: [{name: 'homeassistant', restartCount: 0, state: {running: {startedAt: '2026-11-26T05:00:00Z'}}}]},
      },
      'homeassistant',
    );
    expect(terminating).toMatchObject({running: false, transitional: 'terminating'});
    const creating = podState(
      {
        metadata: {name: 'homeassistant-0', uid: 'new'},
        status: {phase: 'Pending', containerStatuses: [{name: 'homeassistant', restartCount: 0, state: {waiting: {reason: 'PodInitializing'}}}]},
      },
      'homeassistant',
    );
    expect(creating).toMatchObject({running: false, transitional: 'PodInitializing'});
    expect(podState(crashLooping, 'homeassistant').transitional).toBeUndefined();
  });
});
