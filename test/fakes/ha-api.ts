/**
 * A fake of Home Assistant's REST API for integration tests (HA in a fake cluster has no HTTP):
 * the same endpoints and answers as the e2e stand-in (test/fixtures/ha/standin.mjs, API_SCRIPT),
 * in memory, on 127.0.0.1. kp reaches it through KP_HA_URL.
 */
import {randomBytes} from 'node:crypto';
import http from 'node:http';
import type {AddressInfo} from 'node:net';

/** What the fake holds; tests read and set it. */
export interface FakeHaState {
  done: Set<string>;
  owner: string | undefined;
  password: string | undefined;
  /** Onboarding was complete when this HA started: it registered no onboarding views (404). */
  viewsGone: boolean;
  codes: Set<string>;
  access: Set<string>;
  refresh: Set<string>;
  entries: Array<{entry_id: string; domain: string; title: string; url: string; disabled_by?: string; source?: string; state?: string}>;
  /** The state every entry reports (and its reason). */
  entryState: {state: string; reason: string | null};
  /** Domains whose config flow exists (an installed component). */
  handlers: Set<string>;
  /** Answer `METHOD /path` with this HTTP status instead (a broken HA). */
  failures: Map<string, number>;
  /** Every request: `METHOD /path` plus whether it carried a bearer token. */
  requests: Array<{method: string; path: string; authorized: boolean; host: string | undefined}>;
}

/** A running fake. */
export interface FakeHaApi {
  url: string;
  state: FakeHaState;
  /** HA restarts: access tokens stay valid, and once onboarding is complete its views are gone. */
  restart(): void;
  close(): Promise<void>;
}

const token = () => randomBytes(16).toString('hex');

/** Start a fake HA API on a free loopback port. */
export async function startFakeHaApi(): Promise<FakeHaApi> {
  const state: FakeHaState = {
    done: new Set(),
    owner: undefined,
    password: undefined,
    viewsGone: false,
    codes: new Set(),
    access: new Set(),
    refresh: new Set(),
    entries: [],
    entryState: {state: 'loaded', reason: null},
    handlers: new Set(['kamerplanter']),
    failures: new Map(),
    requests: [],
  };
  const flows = new Map<string, string>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://fake');
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const authorized = bearer !== undefined && state.access.has(bearer);
      state.requests.push({method: request.method ?? '', path: url.pathname, authorized, host: request.headers.host});
      const send = (status: number, payload: unknown) => {
        response.writeHead(status, {'Content-Type': 'application/json', Connection: 'close'});
        response.end(JSON.stringify(payload));
      };
      const json = () => {
        try {
          return JSON.parse(body) as Record<string, string>;
        } catch {
          return {} as Record<string, string>;
        }
      };
      const key = `${request.method} ${url.pathname}`;
      const failure = state.failures.get(key);
      if (failure) return send(failure, {message: 'Internal Server Error'});
      const ownerStep = (step: string) => {
        if (!authorized) return send(401, {message: 'Unauthorized'});
        if (state.done.has(step)) return send(403, {message: `${step} step already done`});
        state.done.add(step);
        if (step === 'integration') {
          const code = token();
          state.codes.add(code);
          return send(200, {auth_code: code});
        }
        return send(200, {});
      };
      if (state.viewsGone && url.pathname.startsWith('/api/onboarding')) {
        response.writeHead(404, {'Content-Type': 'text/plain', Connection: 'close'});
        return response.end('404: Not Found');
      }
      if (key === 'GET /auth/providers') {
        return state.done.has('user')
          ? send(200, [{name: 'Home Assistant Local', id: null, type: 'homeassistant'}])
          : send(400, {message: 'Onboarding not finished', code: 'onboarding_required'});
      }
      if (key === 'POST /auth/login_flow') {
        const flowId = token();
        flows.set(flowId, 'login');
        return send(200, {type: 'form', flow_id: flowId, handler: ['homeassistant', null], step_id: 'init', errors: {}});
      }
      if (request.method === 'POST' && url.pathname.startsWith('/auth/login_flow/')) {
        const flowId = url.pathname.split('/').at(-1)!;
        if (flows.get(flowId) !== 'login') return send(404, {message: 'Invalid flow specified'});
        const {username, password} = json();
        if (!state.owner || username !== state.owner || password !== state.password)
          return send(200, {type: 'form', flow_id: flowId, step_id: 'init', errors: {base: 'invalid_auth'}});
        flows.delete(flowId);
        const code = token();
        state.codes.add(code);
        return send(200, {type: 'create_entry', flow_id: flowId, result: code});
      }
      if (key === 'GET /api/onboarding')
        return send(
          200,
          ['user', 'core_config', 'analytics', 'integration'].map((step) => ({step, done: state.done.has(step)})),
        );
      if (key === 'POST /api/onboarding/users') {
        if (state.done.has('user')) return send(403, {message: 'User step already done'});
        const {username, password, client_id: clientId} = json();
        if (!username || !password || !clientId) return send(400, {message: 'Message format incorrect'});
        state.owner = username;
        state.password = password;
        state.done.add('user');
        const code = token();
        state.codes.add(code);
        return send(200, {auth_code: code});
      }
      if (key === 'POST /api/onboarding/core_config') return ownerStep('core_config');
      if (key === 'POST /api/onboarding/analytics') return ownerStep('analytics');
      if (key === 'POST /api/onboarding/integration') return ownerStep('integration');
      if (key === 'POST /auth/token') {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') === 'authorization_code') {
          const code = form.get('code') ?? '';
          if (!state.codes.delete(code)) return send(400, {error: 'invalid_request', error_description: 'Invalid code'});
          const access = token();
          const refresh = token();
          state.access.add(access);
          state.refresh.add(refresh);
          return send(200, {access_token: access, expires_in: 1800, refresh_token: refresh, token_type: 'Bearer'});
        }
        if (form.get('grant_type') === 'refresh_token') {
          if (!state.refresh.has(form.get('refresh_token') ?? '')) return send(400, {error: 'invalid_grant'});
          const access = token();
          state.access.add(access);
          return send(200, {access_token: access, expires_in: 1800, token_type: 'Bearer'});
        }
        return send(400, {error: 'unsupported_grant_type'});
      }
      if (!authorized) return send(401, {message: 'Unauthorized'});
      if (key === 'GET /api/config') return send(200, {state: 'RUNNING', version: '2026.11.0-fake'});
      if (key === 'GET /api/config/config_entries/entry') {
        const domain = url.searchParams.get('domain');
        return send(
          200,
          state.entries
            .filter((e) => e.domain === domain)
            .map((e) => ({
              entry_id: e.entry_id,
              domain: e.domain,
              title: e.title,
              source: e.source ?? 'user',
              disabled_by: e.disabled_by ?? null,
              ...state.entryState,
              ...(e.state ? {state: e.state, reason: null} : {}),
            })),
        );
      }
      if (key === 'POST /api/config/config_entries/flow') {
        const {handler} = json();
        if (!handler || !state.handlers.has(handler)) return send(404, {message: 'Invalid handler specified'});
        const flowId = token();
        flows.set(flowId, handler);
        return send(200, {
          type: 'form',
          flow_id: flowId,
          handler,
          step_id: 'user',
          data_schema: [
            {name: 'url', required: true},
            {name: 'api_key', optional: true},
          ],
          errors: {},
        });
      }
      if (request.method === 'DELETE' && url.pathname.startsWith('/api/config/config_entries/flow/')) {
        flows.delete(url.pathname.split('/').at(-1)!);
        return send(200, {message: 'ok'});
      }
      if (request.method === 'POST' && url.pathname.startsWith('/api/config/config_entries/flow/')) {
        const flowId = url.pathname.split('/').at(-1)!;
        const handler = flows.get(flowId);
        if (!handler) return send(404, {message: 'Invalid flow specified'});
        const {url: backendUrl} = json();
        if (!backendUrl) return send(200, {type: 'form', flow_id: flowId, handler, step_id: 'user', errors: {base: 'cannot_connect'}});
        flows.delete(flowId);
        const entryId = token();
        state.entries.push({entry_id: entryId, domain: handler, title: `Kamerplanter (${backendUrl})`, url: backendUrl});
        return send(200, {type: 'create_entry', flow_id: flowId, handler, title: `Kamerplanter (${backendUrl})`, result: {entry_id: entryId}});
      }
      return send(404, {message: 'Not found'});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    restart: () => {
      state.viewsGone = ['user', 'core_config', 'analytics', 'integration'].every((step) => state.done.has(step));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
