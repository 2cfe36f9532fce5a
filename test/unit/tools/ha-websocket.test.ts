import {once} from 'node:events';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {WebSocketServer, type WebSocket} from 'ws';
import {HaWebSocketError, haWebSocketCommand, websocketAddress} from '../../../src/tools/ha-websocket.js';
import {parseReloadAnswer} from '../../../src/workflows/ha/companion.js';

/** A stand-in for HA's websocket endpoint that answers as the script says (protocol: components/websocket_api). */
async function fakeHa(script: (socket: WebSocket, message: Record<string, unknown>) => void) {
  const server = new WebSocketServer({host: '127.0.0.1', port: 0, path: '/api/websocket'});
  await once(server, 'listening');
  const seen: {hosts: string[]; messages: Record<string, unknown>[]} = {hosts: [], messages: []};
  server.on('connection', (socket, request) => {
    seen.hosts.push(String(request.headers.host));
    socket.send(JSON.stringify({type: 'auth_required', ha_version: '2026.3.4'}));
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as Record<string, unknown>;
      seen.messages.push(message);
      script(socket, message);
    });
  });
  servers.push(server);
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen};
}
const servers: WebSocketServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});
const settings = {verbose: false, log: () => undefined, timeoutMs: 2_000};
const answerAuth = (socket: WebSocket, message: Record<string, unknown>, token = 'good') => {
  if (message.type === 'auth')
    socket.send(JSON.stringify(message.access_token === token ? {type: 'auth_ok'} : {type: 'auth_invalid', message: 'Invalid access token'}));
};

describe("HA's websocket API client", () => {
  it('Given HA accepting the token, When a command is sent, Then it authenticates first, sends the command with id 1 and returns its result', async () => {
    const ha = await fakeHa((socket, message) => {
      answerAuth(socket, message);
      if (message.type === 'kp_reload/reload') socket.send(JSON.stringify({id: message.id, type: 'result', success: true, result: {reloaded: true}}));
    });
    const result = await haWebSocketCommand({url: ha.url}, 'good', {type: 'kp_reload/reload', domain: 'kamerplanter'}, settings);
    expect(result).toEqual({reloaded: true});
    expect(ha.seen.messages).toEqual([
      {type: 'auth', access_token: 'good'},
      {type: 'kp_reload/reload', domain: 'kamerplanter', id: 1},
    ]);
  });

  it('Given HA refusing the token, When a command is sent, Then HaWebSocketError auth_invalid, and the command never went out', async () => {
    const ha = await fakeHa((socket, message) => answerAuth(socket, message));
    const error = await haWebSocketCommand({url: ha.url}, 'stale', {type: 'kp_reload/reload'}, settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaWebSocketError);
    expect(error).toMatchObject({code: 'auth_invalid'});
    expect(ha.seen.messages.map((m) => m.type)).toEqual(['auth']);
  });

  it("Given HA answering an error (no such command: the companion is not installed), When sent, Then HA's code and message", async () => {
    const ha = await fakeHa((socket, message) => {
      answerAuth(socket, message);
      if (message.id)
        socket.send(JSON.stringify({id: message.id, type: 'result', success: false, error: {code: 'unknown_command', message: 'Unknown command.'}}));
    });
    await expect(haWebSocketCommand({url: ha.url}, 'good', {type: 'kp_reload/reload'}, settings)).rejects.toMatchObject({
      code: 'unknown_command',
      detail: 'Unknown command.',
    });
  });

  it('Given HA that never answers the command, When sent, Then it fails at its deadline as a timeout', async () => {
    const ha = await fakeHa((socket, message) => answerAuth(socket, message));
    const started = Date.now();
    await expect(haWebSocketCommand({url: ha.url}, 'good', {type: 'kp_reload/reload'}, {...settings, timeoutMs: 300})).rejects.toMatchObject({code: 'timeout'});
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('Given nothing listening, When sent, Then unreachable (never a hang)', async () => {
    const ha = await fakeHa(() => undefined);
    servers.splice(0).forEach((server) => server.close());
    await expect(haWebSocketCommand({url: ha.url}, 'good', {type: 'x'}, settings)).rejects.toMatchObject({code: expect.stringMatching(/unreachable|closed/)});
  });

  it('Given a *.localhost URL, When the address is made, Then it connects to 127.0.0.1 and sends the name as Host (RFC 6761), and https becomes wss', () => {
    expect(websocketAddress({url: 'http://homeassistant.localhost/'})).toEqual({url: 'ws://127.0.0.1/api/websocket', host: 'homeassistant.localhost'});
    expect(websocketAddress({url: 'https://ha.example:8443/'})).toEqual({url: 'wss://ha.example:8443/api/websocket', host: 'ha.example:8443'});
  });

  it('Given --verbose, When a command is sent, Then the echo names the command and never the token', async () => {
    const ha = await fakeHa((socket, message) => {
      answerAuth(socket, message, 'secret-token-123');
      if (message.id) socket.send(JSON.stringify({id: message.id, type: 'result', success: true, result: null}));
    });
    const lines: string[] = [];
    await haWebSocketCommand({url: ha.url}, 'secret-token-123', {type: 'kp_reload/info'}, {...settings, verbose: true, log: (line) => lines.push(line)});
    expect(lines).toEqual([`$ WS ${ha.url}/api/websocket kp_reload/info`]);
  });
});

describe("the companion's answer", () => {
  it('Given what the real companion answers, When parsed, Then the fields kp judges by', () => {
    const answer = parseReloadAnswer({
      domain: 'kamerplanter',
      reloaded: false,
      restart_required: false,
      reason: 'the new code of kamerplanter does not import: SyntaxError: invalid syntax (sensor.py, line 2190)',
      entries: [{entry_id: '01M9', title: 'Kamerplanter (default)', state: 'setup_error', reason: null}],
      steps: ['purged 12 modules and their bytecode', 'imported: failed', 'set up again: ok'],
      traceback: 'Traceback ...\nSyntaxError: invalid syntax',
      ms: 61,
    });
    expect(answer).toEqual({
      reloaded: false,
      restartRequired: false,
      reason: expect.stringContaining('SyntaxError'),
      entries: [{entryId: '01M9', title: 'Kamerplanter (default)', state: 'setup_error', reason: null}],
      steps: expect.arrayContaining(['imported: failed']),
      traceback: expect.stringContaining('SyntaxError'),
      ms: 61,
    });
  });

  it('Given an answer of another shape, When parsed, Then a failed reload (the round falls back to the restart)', () => {
    expect(parseReloadAnswer(null)).toEqual({failed: expect.stringContaining('does not understand')});
    expect(parseReloadAnswer({ok: true})).toHaveProperty('failed');
  });
});
