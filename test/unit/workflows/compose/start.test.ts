/**
 * `kp compose start` in-process: the workflow's decisions against a scripted engine fed with
 * recorded docker output (test/fixtures/recorded/docker), checked through the exact call list.
 */
import {existsSync, readFileSync} from 'node:fs';
import {createServer as createHttpServer, type Server} from 'node:http';
import {createServer as createNetServer, type Server as NetServer} from 'node:net';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ensureEnvFile} from '../../../../src/config/env-file.js';
import {shippedCompose} from '../../../../src/config/paths.js';
import {ExitCode, KpError} from '../../../../src/core/errors.js';
import {loadModel, readEnvValuesIfPresent, resolveStack} from '../../../../src/workflows/compose/stack.js';
import {composeStart, type ComposeStartOptions} from '../../../../src/workflows/compose/start.js';
import {stackFingerprint, writeStartRecord} from '../../../../src/workflows/compose/start-record.js';
import {recorded, recordedStack, type RecordedStack} from '../../../helpers/recorded-docker.js';
import {useSandbox, type ScriptRule} from '../../../helpers/scripted-runner.js';

const sandbox = useSandbox();
const options: ComposeStartOptions = {profiles: [], timeoutSeconds: 20, wait: true};

const servers: Array<Server | NetServer> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen({port: 0, host: '127.0.0.1'}, () => {
      const {port} = server.address() as {port: number};
      server.close(() => resolve(port));
    });
  });
}

/** Stand in for a published service: every GET answers 200 (on every local address). */
function answering(port: number): Promise<void> {
  const server = createHttpServer((_req, res) => res.writeHead(200).end('ok'));
  servers.push(server);
  return new Promise((resolve) => server.listen({port}, resolve));
}

/** Hold a port the way another program would. */
function squat(port: number): Promise<void> {
  const server = createNetServer();
  servers.push(server);
  return new Promise((resolve) => server.listen({port, host: '127.0.0.1'}, resolve));
}

/** Free host ports for the four published services, exported as the *_HOST_PORT overrides. */
async function hostPorts(): Promise<Record<'frontend' | 'backend' | 'arangodb' | 'valkey', number>> {
  const ports = {frontend: await freePort(), backend: await freePort(), arangodb: await freePort(), valkey: await freePort()};
  for (const [service, port] of Object.entries(ports)) process.env[`${service.toUpperCase()}_HOST_PORT`] = String(port);
  return ports;
}

const VERSION_ARGS = ['version', '--format', '{{json .}}'];
const psArgs = (project: string) => ['ps', '-a', '--no-trunc', '--format', '{{json .}}', '--filter', `label=com.docker.compose.project=${project}`];

const engineUp: ScriptRule = {match: ['docker', ...VERSION_ARGS], reply: {stdout: recorded('version.json')}};
const ps = (project: string, stdout: string, times?: number): ScriptRule => ({match: ['docker', ...psArgs(project)], reply: {stdout}, times});
const inspect = (stack: RecordedStack): ScriptRule => ({match: ['docker', 'inspect', '--type', 'container'], reply: {stdout: stack.inspect}});
// Recorded on an engine without the v2 plugin: `docker compose version --short` is a flag error there
// (docker exits 125 on a flag it cannot parse); the standalone v1 answers.
/** The engine already holds every image the shipped file names (their defaults): nothing to pull. */
const IMAGE_LS = ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'];
const shippedImages = [...readFileSync(shippedCompose.file, 'utf8').matchAll(/image: \$\{\w+:-([^}]+)\}(?::\$\{\w+:-([^}]+)\})?/g)].map((m) =>
  m[2] ? `${m[1]}:${m[2]}` : m[1]!,
);
const imagesHeld: ScriptRule = {match: ['docker', ...IMAGE_LS], reply: {stdout: `${shippedImages.join('\n')}\n`}};
const composeV1Only: ScriptRule[] = [
  imagesHeld,
  {
    match: ['docker', 'compose', 'version', '--short'],
    reply: {exitCode: 125, stdout: recorded('compose-v2-missing.stdout'), stderr: recorded('compose-v2-missing.stderr')},
  },
  {match: ['docker-compose', 'version', '--short'], reply: {stdout: recorded('compose-v1-version.txt')}},
];

const envFile = (name: string) => path.join(sandbox.configHome, 'kp', name);
const recordFile = (name: string) => path.join(sandbox.stateHome, 'kp', name);

describe('compose start', () => {
  it('Given a running stack whose start record matches, When started, Then it is already-up after exactly version, ps and inspect, and no Compose runs', async () => {
    // Given: the stack runs on our ports, the env file exists, and the record holds its fingerprint and container IDs
    const ports = await hostPorts();
    await answering(ports.backend);
    await answering(ports.frontend);
    const stack = recordedStack({hostPorts: ports});
    ensureEnvFile(envFile('compose.env'), shippedCompose.envExample, {dryRun: false});
    const resolved = resolveStack({});
    const fingerprint = stackFingerprint(resolved, loadModel(resolved, readEnvValuesIfPresent(resolved.envFile)));
    writeStartRecord({project: 'kamerplanter', fingerprint, containerIds: stack.ids, at: '2026-01-01T00:00:00.000Z'});
    const {ctx, runner} = sandbox.context([engineUp, ps('kamerplanter', stack.ps), inspect(stack)]);

    // When
    const result = await composeStart(ctx, options);

    // Then
    expect(result).toMatchObject({action: 'already-up', compose: undefined, waited: true, project: 'kamerplanter'});
    expect(runner.lines()).toEqual([
      'docker version --format {{json .}}',
      'docker ps -a --no-trunc --format {{json .}} --filter label=com.docker.compose.project=kamerplanter',
      `docker inspect --type container ${Object.values(stack.ids).join(' ')}`,
    ]);
    expect(runner.spawnCount).toBe(3);
    expect(result.services.map((s) => [s.service, s.state, s.health])).toHaveLength(6);
    expect(result.urls).toEqual({
      frontend: `http://localhost:${ports.frontend}/`,
      apiDocs: `http://localhost:${ports.backend}/docs`,
      arangodb: `http://localhost:${ports.arangodb}/`,
    });
  });

  it('Given an unknown profile, When started, Then a usage error comes before any engine call and no env file is written', async () => {
    // Given
    const {ctx, runner} = sandbox.context([]);
    // When
    const error = await composeStart(ctx, {...options, profiles: ['timescale']}).catch((e: unknown) => e);
    // Then
    expect(error).toMatchObject({exitCode: ExitCode.Usage});
    expect((error as Error).message).toContain('Unknown profile "timescale"');
    expect((error as Error).message).toContain('Did you mean "timescaledb"?');
    expect(runner.calls).toEqual([]);
    expect(existsSync(envFile('compose.env'))).toBe(false);
  });

  it('Given --bind-address that is no IP address, When started, Then a usage error comes before any engine call and no env file is written', async () => {
    // Given
    const {ctx, runner} = sandbox.context([]);
    // When
    const error = await composeStart(ctx, {...options, bindAddress: 'everyone'}).catch((e: unknown) => e);
    // Then
    expect(error).toMatchObject({exitCode: ExitCode.Usage, message: '--bind-address "everyone" is not an IP address.'});
    expect(runner.calls).toEqual([]);
    expect(existsSync(envFile('compose.env'))).toBe(false);
  });

  it("Given --bind-address 0.0.0.0, When started, Then it is the stack's HOST_BIND_ADDRESS (where Compose reads it) and the dry run warns, naming what other machines can reach", async () => {
    // Given
    await hostPorts();
    const {ctx, runner} = sandbox.context([engineUp, ps('kamerplanter', ''), ...composeV1Only], {dryRun: true});
    // When
    const result = await composeStart(ctx, {...options, bindAddress: '0.0.0.0'});
    // Then
    expect(result.action).toBe('dry-run');
    expect(process.env.HOST_BIND_ADDRESS).toBe('0.0.0.0');
    expect((ctx.out as unknown as {text(): string}).text()).toMatch(/Reachable from other machines \(HOST_BIND_ADDRESS=0\.0\.0\.0\): .*backend/);
    expect(runner.mutatingCalls().filter((c) => !c.skipped)).toEqual([]);
  });

  it('Given a published port held by another container, When started, Then exit 3 names port, service and holder, and no up runs', async () => {
    // Given: an empty engine, and the backend's host port taken
    const ports = await hostPorts();
    await squat(ports.backend);
    const {ctx, runner} = sandbox.context([
      engineUp,
      ps('kamerplanter', ''),
      {match: ['docker', 'ps', '--filter', `publish=${ports.backend}`], reply: {stdout: 'squatter_web_1\n'}},
    ]);

    // When
    const error = await composeStart(ctx, options).catch((e: unknown) => e);

    // Then
    expect(error).toMatchObject({exitCode: ExitCode.Prerequisite});
    expect((error as Error).message).toContain(`port ${ports.backend} (backend) is in use by container squatter_web_1`);
    expect(runner.lines()).toEqual([
      'docker version --format {{json .}}',
      'docker ps -a --no-trunc --format {{json .}} --filter label=com.docker.compose.project=kamerplanter',
      `docker ps --filter publish=${ports.backend} --format {{.Names}}`,
    ]);
    expect(runner.mutatingCalls()).toEqual([]);
  });

  it('Given --dry-run on an empty engine, When started, Then only `up -d` is recorded, as skipped, and nothing is written', async () => {
    // Given
    await hostPorts();
    const {ctx, runner} = sandbox.context([engineUp, ps('kamerplanter', ''), ...composeV1Only], {dryRun: true});

    // When
    const result = await composeStart(ctx, options);

    // Then
    expect(result).toMatchObject({
      action: 'dry-run',
      reason: 'the stack does not exist yet',
      waited: false,
      compose: {flavour: 'compose-v1', version: '1.29.2'},
    });
    const mutating = runner.mutatingCalls();
    expect(mutating).toHaveLength(1);
    expect(mutating[0]).toMatchObject({command: 'docker-compose', skipped: true});
    expect(mutating[0]!.args.slice(-3)).toEqual(['up', '-d', '--remove-orphans']);
    expect(runner.calls.filter((c) => c.skipped)).toEqual(mutating);
    expect(runner.lines()).toEqual([
      'docker version --format {{json .}}',
      'docker ps -a --no-trunc --format {{json .}} --filter label=com.docker.compose.project=kamerplanter',
      'docker compose version --short',
      'docker-compose version --short',
      'docker image ls --format {{.Repository}}:{{.Tag}}',
      `[dry-run] docker-compose --project-name kamerplanter --file ${shippedCompose.file} --env-file ${envFile('compose.env')} up -d --remove-orphans`,
    ]);
    expect(existsSync(envFile('compose.env'))).toBe(false);
    expect(existsSync(recordFile('compose-kamerplanter.json'))).toBe(false);
  });

  it.each([
    [[], 'false'],
    [['timescaledb'], 'true'],
    [['homeassistant'], 'false'],
  ])('Given profiles %j on an empty engine, When started (dry run), Then Compose gets TIMESCALEDB_ENABLED=%s from kp', async (profiles, enabled) => {
    await hostPorts();
    const {ctx, runner} = sandbox.context([engineUp, ps('kamerplanter', ''), ...composeV1Only], {dryRun: true});
    await composeStart(ctx, {...options, profiles});
    const up = runner.mutatingCalls()[0]!;
    expect(up.args.slice(-3)).toEqual(['up', '-d', '--remove-orphans']);
    // The process env wins over the env file in Compose's interpolation: the app follows the profile.
    expect(up.options.env).toEqual({TIMESCALEDB_ENABLED: enabled});
  });

  it('Given an image the engine does not hold and a pull that fails, When started, Then exit 4 names the image and the reason, and Compose never runs', async () => {
    // Given: the backend image is missing and the registry says it has no such tag
    await hostPorts();
    const backend = shippedImages.find((ref) => ref.includes('kamerplanter-backend'))!;
    const {ctx, runner} = sandbox.context([
      engineUp,
      ps('kamerplanter', ''),
      {match: ['docker', ...IMAGE_LS], reply: {stdout: `${shippedImages.filter((ref) => ref !== backend).join('\n')}\n`}},
      {match: ['docker', 'pull', backend], reply: {exitCode: 1, stderr: `Error response from daemon: manifest unknown\n`}},
      ...composeV1Only,
    ]);
    // When
    const error = await composeStart(ctx, options).catch((e: unknown) => e);
    // Then
    expect(error).toMatchObject({
      exitCode: ExitCode.ToolFailed,
      message: `Could not pull ${backend}: not found: no such image or tag.`,
      hint: expect.stringContaining('KAMERPLANTER_VERSION'),
    });
    expect(runner.callsTo('docker', 'pull').map((c) => c.args)).toEqual([['pull', backend]]);
    expect(runner.calls.filter((c) => c.args.includes('up'))).toEqual([]);
  });

  describe('Given arangodb whose healthcheck never passes (the backend depends on it being healthy)', () => {
    /** The recorded stack with arangodb unhealthy (or still in its start period): its last healthcheck failed with the output below. */
    function stackWithSickArango(status = 'unhealthy'): RecordedStack {
      const stack = recordedStack();
      const inspected = JSON.parse(stack.inspect) as Array<Record<string, any>>;
      const arangodb = inspected.find((c) => c.Config.Labels['com.docker.compose.service'] === 'arangodb')!;
      arangodb.State.Health = {
        Status: status,
        FailingStreak: 5,
        Log: [{Start: '', End: '2026-11-26T03:00:00Z', ExitCode: 1, Output: "wget: can't connect to remote host (127.0.0.1): Connection refused\n"}],
      };
      return {...stack, inspect: JSON.stringify(inspected)};
    }

    const scenario = (upReply: ScriptRule['reply'], status = 'unhealthy'): ScriptRule[] => {
      const stack = stackWithSickArango(status);
      return [
        engineUp,
        ps('kamerplanter', '', 1),
        ...composeV1Only,
        {match: (command, args) => command === 'docker-compose' && args.includes('up'), reply: upReply},
        ps('kamerplanter', stack.ps),
        inspect(stack),
        {match: ['docker', 'logs'], reply: {stdout: 'arangod: starting\narangod: waiting for the database directory lock\n'}},
      ];
    };

    it.each([
      [
        'Compose gives up on its own (v1: "Container ... is unhealthy", exit 1)',
        {exitCode: 1, stderr: 'ERROR: for backend  Container "0123456789ab" is unhealthy.\n'},
      ],
      [
        "kp's --timeout kills a Compose that blocks on service_healthy",
        () => {
          throw new KpError('docker-compose up -d --remove-orphans did not finish within 20s', {exitCode: ExitCode.Timeout});
        },
      ],
    ] as const)('When %s, Then exit 5 names arangodb with its last healthcheck output and log lines', async (_how, upReply) => {
      // Given
      await hostPorts();
      const made = sandbox.context(scenario(upReply as ScriptRule['reply']));
      const runner = made.runner;
      const ctx = {...made.ctx, json: false}; // a human at the terminal: the diagnosis is printed too
      // When
      const error = (await composeStart(ctx, options).catch((e: unknown) => e)) as KpError;
      // Then
      expect(error).toBeInstanceOf(KpError);
      expect(error.exitCode).toBe(ExitCode.Timeout);
      expect(error.message).toMatch(/^arangodb never became healthy\./);
      expect(error.hint).toContain('kp compose logs arangodb');
      expect(error.details).toMatchObject({
        neverHealthy: ['arangodb'],
        healthchecks: {arangodb: {exitCode: 1, output: ["wget: can't connect to remote host (127.0.0.1): Connection refused"]}},
        logs: {arangodb: ['arangod: starting', 'arangod: waiting for the database directory lock']},
      });
      // and a human sees both on stderr
      expect(ctx.out.text()).toContain('last healthcheck of arangodb: exit 1');
      expect(ctx.out.text()).toContain("  wget: can't connect to remote host (127.0.0.1): Connection refused");
      expect(runner.callsTo('docker', 'logs')).not.toHaveLength(0);
    });
  });

  it('Given Compose failing for a reason of its own while arangodb is still in its start period, When started, Then exit 4 (not a health timeout) still names what is not ready', async () => {
    await hostPorts();
    const stack = recordedStack();
    const inspected = JSON.parse(stack.inspect) as Array<Record<string, any>>;
    inspected.find((c) => c.Config.Labels['com.docker.compose.service'] === 'arangodb')!.State.Health = {Status: 'starting', FailingStreak: 0, Log: []};
    const {ctx} = sandbox.context([
      engineUp,
      ps('kamerplanter', '', 1),
      ...composeV1Only,
      {
        match: (command, args) => command === 'docker-compose' && args.includes('up'),
        reply: {exitCode: 1, stderr: 'ERROR: for valkey  Cannot start service valkey: port is already allocated\n'},
      },
      ps('kamerplanter', stack.ps),
      {match: ['docker', 'inspect', '--type', 'container'], reply: {stdout: JSON.stringify(inspected)}},
      {match: ['docker', 'logs'], reply: {stdout: ''}},
    ]);
    const error = (await composeStart(ctx, options).catch((e: unknown) => e)) as KpError;
    expect(error.exitCode).toBe(ExitCode.ToolFailed);
    expect(error.message).not.toMatch(/never became healthy/);
    expect(error.message).toMatch(/Not ready: .*arangodb \(running, starting\)/);
  });

  it('Given --project-name other on an empty engine, When started, Then ps, Compose, the env file and the start record all use "other"', async () => {
    // Given: Compose v2; `up` brings the stand-ins for backend and frontend up
    const ports = await hostPorts();
    const stack = recordedStack({project: 'other', hostPorts: ports});
    const {ctx, runner} = sandbox.context([
      engineUp,
      ps('other', '', 1),
      {match: ['docker', 'compose', 'version', '--short'], reply: {stdout: '2.29.7\n'}},
      imagesHeld,
      {
        match: (command, args) => command === 'docker' && args[0] === 'compose' && args.includes('up'),
        reply: async () => {
          await answering(ports.backend);
          await answering(ports.frontend);
          return {stderr: 'Container other-backend-1  Started\n'};
        },
      },
      ps('other', stack.ps),
      inspect(stack),
    ]);

    // When
    const result = await composeStart(ctx, {...options, projectName: 'other'});

    // Then
    expect(result).toMatchObject({project: 'other', action: 'created', compose: {flavour: 'compose-v2', version: '2.29.7'}});
    const otherEnv = envFile('compose-other.env');
    const psCalls = runner.callsTo('docker', 'ps');
    expect(psCalls.length).toBeGreaterThanOrEqual(2);
    expect(psCalls.map((c) => c.args.at(-1))).toEqual(psCalls.map(() => 'label=com.docker.compose.project=other'));
    const up = runner.mutatingCalls();
    expect(up.map((c) => [c.command, ...c.args])).toEqual([
      ['docker', 'compose', '--project-name', 'other', '--file', shippedCompose.file, '--env-file', otherEnv, 'up', '-d', '--remove-orphans'],
    ]);
    expect(existsSync(otherEnv)).toBe(true);
    expect(existsSync(envFile('compose.env'))).toBe(false);
    const record = JSON.parse(readFileSync(recordFile('compose-other.json'), 'utf8')) as {project: string; containerIds: Record<string, string>};
    expect(record.project).toBe('other');
    expect(record.containerIds).toEqual(stack.ids);
    expect(existsSync(recordFile('compose-kamerplanter.json'))).toBe(false);
  });

  // Known bug (reported, not fixed here): waitForStack's final check (src/workflows/compose/wait.ts)
  // looks at every observed container, not only the expected services, so an exited container of a
  // profile that is not active fails a healthy start with exit 5. Remove `.fails` once fixed.
  it('Given a healthy already-up stack plus an exited container of the inactive timescaledb profile, When started, Then it is already-up', async () => {
    // Given
    const ports = await hostPorts();
    await answering(ports.backend);
    await answering(ports.frontend);
    const stack = recordedStack({hostPorts: ports, exitedExtras: ['timescaledb']});
    ensureEnvFile(envFile('compose.env'), shippedCompose.envExample, {dryRun: false});
    const resolved = resolveStack({});
    const fingerprint = stackFingerprint(resolved, loadModel(resolved, readEnvValuesIfPresent(resolved.envFile)));
    writeStartRecord({project: 'kamerplanter', fingerprint, containerIds: stack.ids, at: '2026-01-01T00:00:00.000Z'});
    const {ctx} = sandbox.context([
      engineUp,
      ps('kamerplanter', stack.ps),
      inspect(stack),
      {match: ['docker', 'logs'], reply: {stdout: 'database system is shut down\n'}},
    ]);

    // When
    const result = await composeStart(ctx, options);

    // Then
    expect(result.action).toBe('already-up');
  });
});
