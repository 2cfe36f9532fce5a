import {describe, expect, it} from 'vitest';
import type {HaCredentials} from '../../../../src/config/ha-credentials.js';
import {planOnboarding} from '../../../../src/workflows/ha/onboarding.js';

const steps = (...done: string[]) => ['user', 'core_config', 'analytics', 'integration'].map((step) => ({step, done: done.includes(step)}));
const kept = (over: Partial<HaCredentials> = {}): HaCredentials => ({
  url: 'http://127.0.0.1:8123',
  name: 'kp',
  username: 'kp-dev',
  password: 'pw',
  refreshToken: 'r',
  state: 'onboarded',
  createdAt: '2026-11-26T00:00:00Z',
  ...over,
});

describe('planOnboarding', () => {
  it('Given a fresh HA (no step done), When planned, Then kp onboards every step, whatever stale login it kept', () => {
    expect(planOnboarding(steps(), undefined)).toEqual({action: 'onboard', steps: ['user', 'core_config', 'analytics', 'integration']});
    expect(planOnboarding(steps(), kept())).toEqual({action: 'onboard', steps: ['user', 'core_config', 'analytics', 'integration']});
  });

  it('Given every step done and kp holding the login, When planned, Then nothing is left', () => {
    expect(planOnboarding(steps('user', 'core_config', 'analytics', 'integration'), kept())).toEqual({action: 'done'});
  });

  it('Given kp created the owner but was stopped before the other steps, When planned, Then it resumes the open ones', () => {
    expect(planOnboarding(steps('user', 'core_config'), kept({state: 'owner'}))).toEqual({action: 'resume', steps: ['analytics', 'integration']});
  });

  it("Given the user step done and no login kept, When planned, Then the HA is someone else's", () => {
    expect(planOnboarding(steps('user'), undefined)).toMatchObject({action: 'foreign', why: expect.stringContaining('someone else onboarded it')});
  });

  it('Given an owner kp created (or was stopped while creating) but no token kept, When planned, Then kp logs in with the kept password and finishes the open steps', () => {
    expect(planOnboarding(steps('user'), kept({state: 'creating-owner', refreshToken: undefined}))).toEqual({
      action: 'login',
      steps: ['core_config', 'analytics', 'integration'],
    });
    expect(planOnboarding(steps('user', 'core_config', 'analytics', 'integration'), kept({state: 'owner', refreshToken: undefined}))).toEqual({
      action: 'login',
      steps: [],
    });
  });
});
