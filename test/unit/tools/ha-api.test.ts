import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {describe, expect, it} from 'vitest';
import {HaApi, HaApiError} from '../../../src/tools/ha-api.js';
import {startFakeHaApi} from '../../fakes/ha-api.js';

const quiet = (log: string[] = []) => ({dryRun: false, verbose: true, log: (line: string) => log.push(line), timeoutMs: 2_000});

describe("HA's REST API adapter", () => {
  it('Given HA behind an ingress host *.localhost, When kp calls it, Then it connects to loopback and sends that Host (glibc resolves no such name)', async () => {
    const ha = await startFakeHaApi();
    try {
      const port = new URL(ha.url).port;
      const api = new HaApi({url: `http://homeassistant.localhost:${port}`}, quiet());
      expect(await api.onboardingSteps()).toEqual([
        {step: 'user', done: false},
        {step: 'core_config', done: false},
        {step: 'analytics', done: false},
        {step: 'integration', done: false},
      ]);
      expect(ha.state.requests.at(-1)).toMatchObject({path: '/api/onboarding', host: `homeassistant.localhost:${port}`});
      expect(api.clientId).toBe(`http://homeassistant.localhost:${port}/`);
    } finally {
      await ha.close();
    }
  });

  it('Given --verbose, When the owner is created and its code exchanged, Then the echo names method and path only: no password, code or token', async () => {
    const ha = await startFakeHaApi();
    try {
      const log: string[] = [];
      const api = new HaApi({url: ha.url}, quiet(log));
      const code = await api.createOwner({name: 'kp', username: 'kp-dev', password: 'pw-very-secret', language: 'en'});
      const tokens = await api.exchangeCode(code);
      expect(log).toEqual([`$ POST ${ha.url}/api/onboarding/users (body redacted)`, `$ POST ${ha.url}/auth/token (body redacted)`]);
      for (const secret of ['pw-very-secret', code, tokens.accessToken, tokens.refreshToken!]) expect(log.join('\n')).not.toContain(secret);
      // The owner-only steps need the token: without it HA answers 401, and the error says so.
      const error = await api.completeStep('core_config', 'not-a-token').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HaApiError);
      expect((error as HaApiError).status).toBe(401);
      expect((error as Error).message).toBe('Home Assistant answered POST /api/onboarding/core_config with HTTP 401 (Unauthorized).');
      await api.completeStep('core_config', tokens.accessToken);
      // A second user step: 403, as HA answers once onboarding has an owner.
      const again = await api.createOwner({name: 'x', username: 'x', password: 'yyyy', language: 'en'}).catch((e: unknown) => e);
      expect((again as HaApiError).status).toBe(403);
    } finally {
      await ha.close();
    }
  });

  it('Given an HA that accepts the connection and never answers, When kp calls it, Then the call ends at its timeout with a clear reason', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const api = new HaApi({url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`}, {...quiet(), timeoutMs: 300});
      await expect(api.onboardingSteps()).rejects.toThrow('Home Assistant did not answer GET /api/onboarding: no answer within 0.3 s.');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('Given --dry-run, When a mutating call is made, Then it is printed and not sent', async () => {
    const ha = await startFakeHaApi();
    try {
      const log: string[] = [];
      const api = new HaApi({url: ha.url}, {...quiet(log), dryRun: true});
      await api.completeStep('analytics', 't');
      expect(log).toEqual([`[dry-run] POST ${ha.url}/api/onboarding/analytics`]);
      expect(ha.state.requests).toEqual([]);
    } finally {
      await ha.close();
    }
  });
});
