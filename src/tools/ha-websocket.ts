/**
 * Home Assistant's websocket API, as much as kp uses: one command on a fresh authenticated
 * connection (protocol: shared/spec/ha-hot-reload.md; HA's components/websocket_api/auth.py and
 * connection.py). `auth_required` -> `auth` with the token -> `auth_ok` (or `auth_invalid`), then
 * `{id, type, ...}` answered by `{id, type: "result", success, result | error}`.
 *
 * Built on the `ws` package: Node 20 has no WebSocket client without a flag, and `ws` lets kp send
 * the Host header itself, which a `*.localhost` URL needs (connected to 127.0.0.1, as ha-api.ts
 * does). Every command has a deadline and ends on Ctrl-C; the verbose echo shows the command's type
 * only, never the token.
 */
import {ExitCode, InterruptedError, KpError} from '../core/errors.js';
import {interruption} from '../core/interruption.js';
import type {HaEndpoint} from './ha-api.js';
import {registerSecret} from './runner.js';

/** Why a websocket command got no result: HA refused the token, answered an error, or did not answer in time. */
export class HaWebSocketError extends KpError {
  constructor(
    readonly type: string,
    /** `auth_invalid`, `timeout`, `closed`, `unreachable`, or HA's own error code (`unknown_command`, `unauthorized`, ...). */
    readonly code: string,
    readonly detail: string,
  ) {
    super(`Home Assistant's websocket API did not carry out ${type}: ${detail}.`, {exitCode: ExitCode.ToolFailed});
  }
}

/** Settings of one websocket command. */
export interface HaWebSocketSettings {
  verbose: boolean;
  log: (line: string) => void;
  /** The whole exchange (connect, auth, result) must end within this. */
  timeoutMs: number;
}

/** HA's websocket URL for an endpoint, and the address kp connects to (`*.localhost` is loopback: RFC 6761). */
export function websocketAddress(endpoint: HaEndpoint): {url: string; host: string} {
  const base = new URL(endpoint.url);
  const loopback = base.hostname === 'localhost' || base.hostname.endsWith('.localhost');
  const scheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
  const hostname = loopback ? '127.0.0.1' : base.hostname;
  return {url: `${scheme}//${hostname}${base.port ? `:${base.port}` : ''}/api/websocket`, host: base.host};
}

/** Send one command (`{type, ...fields}`) with `token` and return its result; throws HaWebSocketError. */
export async function haWebSocketCommand(
  endpoint: HaEndpoint,
  token: string,
  command: {type: string} & Record<string, unknown>,
  settings: HaWebSocketSettings,
): Promise<unknown> {
  registerSecret(token);
  if (interruption.signal.aborted) throw new InterruptedError();
  const {url, host} = websocketAddress(endpoint);
  if (settings.verbose) settings.log(`$ WS ${endpoint.url.replace(/\/$/, '')}/api/websocket ${command.type}`);
  // Loaded when a command is sent, never at kp's start.
  const {WebSocket} = await import('ws');
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {headers: {Host: host}, handshakeTimeout: settings.timeoutMs});
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      interruption.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      outcome();
    };
    const fail = (code: string, detail: string) => finish(() => reject(new HaWebSocketError(command.type, code, detail)));
    const onAbort = () => finish(() => reject(new InterruptedError()));
    const timer = setTimeout(() => fail('timeout', `no answer within ${formatSeconds(settings.timeoutMs)}`), settings.timeoutMs);
    interruption.signal.addEventListener('abort', onAbort, {once: true});
    socket.on('error', (error: Error & {code?: string}) => fail('unreachable', error.code ?? error.message));
    socket.on('close', () => fail('closed', 'HA closed the connection before it answered'));
    socket.on('message', (raw) => {
      const message = parseMessage(raw.toString());
      if (message.type === 'auth_required') socket.send(JSON.stringify({type: 'auth', access_token: token}));
      else if (message.type === 'auth_invalid') fail('auth_invalid', `HA refused kp's token (${String(message.message ?? 'auth_invalid')})`);
      else if (message.type === 'auth_ok') socket.send(JSON.stringify({...command, id: 1}));
      else if (message.type === 'result' && message.id === 1) {
        if (message.success === true) finish(() => resolve(message.result));
        else {
          const error = (message.error ?? {}) as {code?: unknown; message?: unknown};
          fail(String(error.code ?? 'error'), String(error.message ?? 'HA answered with an error'));
        }
      }
    });
  });
}

function parseMessage(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
