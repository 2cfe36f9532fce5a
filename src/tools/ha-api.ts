/**
 * Home Assistant's REST API, as much as kp uses: onboarding, tokens, `/api/config`, config entries
 * and the config flow (shapes: shared/spec/kamerplanter-workflow.md, HA section; HA's
 * components/onboarding/views.py, auth/login_flow and config/config_entries.py).
 *
 * Built on node:http rather than fetch: kp's HA in the dev cluster is reached through the ingress as
 * `homeassistant.localhost`, a name glibc does not resolve and a Host header fetch does not send. A
 * `*.localhost` URL is connected to 127.0.0.1 (RFC 6761: such names are loopback) with its own Host.
 * Every call has a timeout and ends on Ctrl-C; the verbose echo shows method and path only, never a
 * body or a header (passwords, auth codes and tokens travel in them).
 */
import http from 'node:http';
import {KpError, ExitCode, InterruptedError} from '../core/errors.js';
import {interruption} from '../core/interruption.js';
import {registerSecret} from './runner.js';

/** Where HA's API answers. */
export interface HaEndpoint {
  /** Base URL as a user opens it (`http://127.0.0.1:8123`, `http://homeassistant.localhost`). */
  url: string;
}

/** One onboarding step and whether it is done. */
export interface OnboardingStep {
  step: string;
  done: boolean;
}

/** What `/auth/token` returns. */
export interface HaTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresInSeconds: number;
}

/** One config entry as `GET /api/config/config_entries/entry` lists it. */
export interface HaConfigEntry {
  entryId: string;
  domain: string;
  title: string;
  /** `loaded`, `setup_error`, `setup_retry`, `migration_error`, `not_loaded`, `failed_unload`, `setup_in_progress`. */
  state: string;
  reason: string | null;
  /** Set when the user disabled the entry (it is then `not_loaded` by intent). */
  disabledBy: string | null;
  /** How it was created (`user`, ..., `ignore` for a discovery the user ignored). */
  source: string;
}

/** One step of a config flow. */
export interface HaFlowStep {
  type: string;
  flowId: string | undefined;
  stepId: string | undefined;
  errors: Record<string, string>;
  /** The field names the form asks for. */
  fields: string[];
  title: string | undefined;
  entryId: string | undefined;
  reason: string | undefined;
}

/** An HTTP answer HA gave that is not a success (status and HA's message). */
export class HaApiError extends KpError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly detail: string,
  ) {
    super(
      status === undefined
        ? `Home Assistant did not answer ${method} ${path}: ${detail}.`
        : `Home Assistant answered ${method} ${path} with HTTP ${status}${detail ? ` (${detail})` : ''}.`,
      {exitCode: ExitCode.ToolFailed},
    );
  }
}

/** Settings of one API client. */
export interface HaApiSettings {
  dryRun: boolean;
  verbose: boolean;
  log: (line: string) => void;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /**
   * The OAuth client id tokens were issued to: HA refreshes a token only for the client id it was
   * issued to, so a kept token is refreshed with the id kept beside it, not with the current URL.
   */
  clientId?: string;
}

/** A client of one HA's REST API. */
export class HaApi {
  private readonly base: URL;

  constructor(
    readonly endpoint: HaEndpoint,
    private readonly settings: HaApiSettings,
  ) {
    this.base = new URL(endpoint.url);
  }

  /** The OAuth client id kp uses: HA's own URL (IndieAuth accepts a loopback/localhost client without fetching it). */
  get clientId(): string {
    return this.settings.clientId ?? `${this.base.origin}/`;
  }

  /**
   * `GET /auth/providers` (no auth): false while no owner exists (HA answers 400 `onboarding_required`),
   * true once one does. It answers even after onboarding, when the onboarding views are gone.
   */
  async userOnboarded(): Promise<boolean> {
    try {
      await this.request('GET', '/auth/providers');
      return true;
    } catch (error) {
      if (error instanceof HaApiError && error.status === 400) return false;
      throw error;
    }
  }

  /**
   * Log in with a username and password through HA's login flow (`/auth/login_flow`, the
   * `homeassistant` provider) and return the auth code; HaApiError 400 `invalid_auth` when refused.
   */
  async login(username: string, password: string): Promise<string> {
    registerSecret(password);
    const redirectUri = `${this.clientId}?auth_callback=1`;
    const form = (await this.request('POST', '/auth/login_flow', {
      json: {client_id: this.clientId, handler: ['homeassistant', null], redirect_uri: redirectUri},
    })) as {flow_id?: string};
    if (!form?.flow_id) throw new HaApiError('POST', '/auth/login_flow', 200, 'no flow_id in the answer');
    const done = (await this.request('POST', `/auth/login_flow/${encodeURIComponent(form.flow_id)}`, {
      json: {client_id: this.clientId, username, password},
    })) as {type?: string; result?: string; errors?: Record<string, string>};
    if (done?.type !== 'create_entry' || typeof done.result !== 'string') {
      throw new HaApiError(
        'POST',
        '/auth/login_flow',
        400,
        Object.values(done?.errors ?? {}).join(', ') || `the login flow ended with ${done?.type ?? 'nothing'}`,
      );
    }
    registerSecret(done.result);
    return done.result;
  }

  /** `GET /api/onboarding`: the steps and which are done (no auth). */
  async onboardingSteps(): Promise<OnboardingStep[]> {
    const body = await this.request('GET', '/api/onboarding');
    if (!Array.isArray(body)) throw new HaApiError('GET', '/api/onboarding', 200, 'not a list of steps');
    return body.map((step: {step?: unknown; done?: unknown}) => ({step: String(step.step), done: step.done === true}));
  }

  /** `POST /api/onboarding/users`: create the owner; returns the auth code (403 once someone did). */
  async createOwner(owner: {name: string; username: string; password: string; language: string}): Promise<string> {
    registerSecret(owner.password);
    const body = (await this.request('POST', '/api/onboarding/users', {json: {...owner, client_id: this.clientId}, mutating: true})) as {auth_code?: string};
    return this.authCode(body, '/api/onboarding/users');
  }

  /** One of the owner-only onboarding steps (`core_config`, `analytics`); `integration` returns an auth code. */
  async completeStep(step: 'core_config' | 'analytics' | 'integration', token: string): Promise<void> {
    const json = step === 'integration' ? {client_id: this.clientId, redirect_uri: `${this.clientId}?auth_callback=1`} : {};
    const body = (await this.request('POST', `/api/onboarding/${step}`, {json, token, mutating: true})) as {auth_code?: string} | undefined;
    if (body?.auth_code) registerSecret(body.auth_code);
  }

  /** `POST /auth/token` with an authorization code. */
  exchangeCode(code: string): Promise<HaTokens> {
    return this.token({grant_type: 'authorization_code', code, client_id: this.clientId});
  }

  /** `POST /auth/token` with a refresh token: a fresh access token. */
  refresh(refreshToken: string): Promise<HaTokens> {
    registerSecret(refreshToken);
    return this.token({grant_type: 'refresh_token', refresh_token: refreshToken, client_id: this.clientId});
  }

  /** `GET /api/config`: HA's run state (`NOT_RUNNING`, `STARTING`, `RUNNING`, ...). */
  async runState(token: string): Promise<string | undefined> {
    const body = (await this.request('GET', '/api/config', {token})) as {state?: unknown};
    return typeof body?.state === 'string' ? body.state : undefined;
  }

  /** `GET /api/config/config_entries/entry?domain=...`: the domain's config entries. */
  async configEntries(domain: string, token: string): Promise<HaConfigEntry[]> {
    const body = await this.request('GET', `/api/config/config_entries/entry?domain=${encodeURIComponent(domain)}`, {token});
    if (!Array.isArray(body)) throw new HaApiError('GET', '/api/config/config_entries/entry', 200, 'not a list of entries');
    return body.map((entry: Record<string, unknown>) => ({
      entryId: String(entry.entry_id ?? ''),
      domain: String(entry.domain ?? domain),
      title: String(entry.title ?? ''),
      state: String(entry.state ?? 'unknown'),
      reason: typeof entry.reason === 'string' ? entry.reason : null,
      disabledBy: typeof entry.disabled_by === 'string' ? entry.disabled_by : null,
      source: String(entry.source ?? 'user'),
    }));
  }

  /** `POST /api/config/config_entries/flow`: start the config flow of `handler`. */
  async startFlow(handler: string, token: string): Promise<HaFlowStep> {
    return flowStep(await this.request('POST', '/api/config/config_entries/flow', {json: {handler, show_advanced_options: false}, token, mutating: true}));
  }

  /** `POST /api/config/config_entries/flow/FLOW_ID`: answer the flow's current step. */
  async answerFlow(flowId: string, data: Record<string, unknown>, token: string): Promise<HaFlowStep> {
    return flowStep(await this.request('POST', `/api/config/config_entries/flow/${encodeURIComponent(flowId)}`, {json: data, token, mutating: true}));
  }

  /** `DELETE /api/config/config_entries/flow/FLOW_ID`: give up a flow kp will not finish (HA keeps it open otherwise). */
  async abortFlow(flowId: string, token: string): Promise<void> {
    await this.request('DELETE', `/api/config/config_entries/flow/${encodeURIComponent(flowId)}`, {token, mutating: true});
  }

  private authCode(body: {auth_code?: string} | undefined, path: string): string {
    if (!body?.auth_code) throw new HaApiError('POST', path, 200, 'no auth_code in the answer');
    registerSecret(body.auth_code);
    return body.auth_code;
  }

  private async token(form: Record<string, string>): Promise<HaTokens> {
    const body = (await this.request('POST', '/auth/token', {form})) as {access_token?: string; refresh_token?: string; expires_in?: number};
    if (!body?.access_token) throw new HaApiError('POST', '/auth/token', 200, 'no access_token in the answer');
    registerSecret(body.access_token);
    registerSecret(body.refresh_token);
    return {accessToken: body.access_token, refreshToken: body.refresh_token, expiresInSeconds: body.expires_in ?? 1800};
  }

  /** One request; JSON in and out. Throws HaApiError for a non-2xx answer or no answer at all. */
  private async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: {json?: unknown; form?: Record<string, string>; token?: string; mutating?: boolean} = {},
  ): Promise<unknown> {
    const shownPath = path.split('?')[0]!;
    if (options.mutating && this.settings.dryRun) {
      this.settings.log(`[dry-run] ${method} ${this.endpoint.url}${shownPath}`);
      return undefined;
    }
    if (interruption.signal.aborted) throw new InterruptedError();
    if (this.settings.verbose) this.settings.log(`$ ${method} ${this.endpoint.url}${shownPath}${options.json || options.form ? ' (body redacted)' : ''}`);
    const payload = options.form ? new URLSearchParams(options.form).toString() : options.json === undefined ? undefined : JSON.stringify(options.json);
    const headers: Record<string, string> = {Accept: 'application/json', Host: this.base.host};
    if (payload !== undefined) {
      headers['Content-Type'] = options.form ? 'application/x-www-form-urlencoded' : 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    const {status, text} = await this.send(method, path, headers, payload);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (status < 200 || status > 299) {
      const detail = body as {message?: string; error?: string; error_description?: string} | undefined;
      throw new HaApiError(method, shownPath, status, detail?.message ?? detail?.error_description ?? detail?.error ?? '');
    }
    return body;
  }

  private send(method: string, path: string, headers: Record<string, string>, payload: string | undefined): Promise<{status: number; text: string}> {
    const timeoutMs = this.settings.timeoutMs ?? 10_000;
    const hostname = this.base.hostname === 'localhost' || this.base.hostname.endsWith('.localhost') ? '127.0.0.1' : this.base.hostname.replace(/^\[|\]$/g, '');
    return new Promise((resolve, reject) => {
      const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), interruption.signal]);
      const request = http.request({method, hostname, port: this.base.port || 80, path, headers, signal, agent: false}, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8')}));
        response.on('error', (error) => reject(this.noAnswer(method, path, error)));
      });
      request.on('error', (error) => reject(this.noAnswer(method, path, error)));
      request.end(payload);
    });
  }

  private noAnswer(method: string, path: string, error: Error): Error {
    if (interruption.signal.aborted) return new InterruptedError();
    const code = (error as {code?: string}).code;
    const detail =
      error.name === 'AbortError' || error.name === 'TimeoutError'
        ? `no answer within ${(this.settings.timeoutMs ?? 10_000) / 1000} s`
        : (code ?? error.message);
    return new HaApiError(method, path.split('?')[0]!, undefined, detail);
  }
}

function flowStep(answer: unknown): HaFlowStep {
  const body = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>;
  return {
    type: String(body.type ?? 'unknown'),
    flowId: typeof body.flow_id === 'string' ? body.flow_id : undefined,
    stepId: typeof body.step_id === 'string' ? body.step_id : undefined,
    errors: body.errors && typeof body.errors === 'object' ? (body.errors as Record<string, string>) : {},
    fields: Array.isArray(body.data_schema) ? body.data_schema.map((field: {name?: unknown}) => String(field.name)) : [],
    title: typeof body.title === 'string' ? body.title : undefined,
    entryId: entryIdOf(body.result),
    reason: typeof body.reason === 'string' ? body.reason : undefined,
  };
}

/** A finished flow's `result`: the entry object (HA 2024+) or its id. */
function entryIdOf(result: unknown): string | undefined {
  if (typeof result === 'string') return result;
  const id = result && typeof result === 'object' ? (result as {entry_id?: unknown}).entry_id : undefined;
  return typeof id === 'string' ? id : undefined;
}
