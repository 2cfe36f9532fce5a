/**
 * What every `kp compose` workflow shares: resolving the project (file, env file, profiles),
 * observing its containers through the engine, and the status model.
 */
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {closest} from 'fastest-levenshtein';
import {KpError, ExitCode, fail} from '../errors.js';
import {activeServices, loadComposeFile, type ComposeModel, type ComposeService} from '../config/compose-file.js';
import {defaultComposeEnvFile, shippedCompose, stateDir} from '../config/paths.js';
import {readEnvFile} from '../config/env-file.js';
import {Compose, detectCompose, Engine, type ComposeInfo, type ContainerDetails} from '../tools/docker.js';
import type {KpContext} from '../base-command.js';

/** The fixed Compose project name: every kp compose command acts on this project only. */
export const PROJECT_NAME = 'kamerplanter';

/** Where the stack's files are and which profiles are on. */
export interface StackLocation {
  composeFile: string;
  envFile: string;
  profiles: string[];
}

/** Resolve the compose file (kp's shipped one unless --file) and env file (XDG unless --env-file). */
export function locateStack(options: {file?: string; envFile?: string; profiles?: readonly string[]}): StackLocation {
  const composeFile = options.file ? path.resolve(options.file) : shippedCompose.file;
  if (!existsSync(composeFile)) {
    throw fail.usage(`Compose file not found: ${composeFile}`, 'Pass an existing file with --file, or omit --file to use the one kp ships.');
  }
  return {
    composeFile,
    envFile: options.envFile ? path.resolve(options.envFile) : defaultComposeEnvFile(),
    profiles: [...(options.profiles ?? [])],
  };
}

/** The variables Compose interpolates with: the env file's values under the process environment (Compose's precedence). */
export function interpolationEnv(envFileValues: Record<string, string>): Record<string, string | undefined> {
  return {...envFileValues, ...process.env};
}

/** Load the compose file and check the requested profiles exist in it. */
export function loadModel(location: StackLocation, envFileValues: Record<string, string>): ComposeModel {
  const model = loadComposeFile(location.composeFile, interpolationEnv(envFileValues));
  for (const profile of location.profiles) {
    if (!model.profiles.includes(profile)) {
      const suggestion = model.profiles.length > 0 ? closest(profile, model.profiles) : undefined;
      throw fail.usage(
        `Unknown profile "${profile}". Profiles in ${location.composeFile}: ${model.profiles.join(', ') || '(none)'}.`,
        suggestion ? `Did you mean "${suggestion}"?` : undefined,
      );
    }
  }
  return model;
}

/** The env file's values when it exists; empty otherwise (teardown commands need none). */
export function readEnvValuesIfPresent(envFile: string): Record<string, string> {
  if (!existsSync(envFile)) return {};
  return Object.fromEntries([...readEnvFile(envFile).entries.values()].map((e) => [e.key, e.value]));
}

/** Detect Compose or fail with a prerequisite error that says what to install. */
export async function requireCompose(ctx: KpContext, engine: Engine): Promise<ComposeInfo> {
  const info = await detectCompose(ctx.runner, engine.bin);
  if (!info) {
    throw new KpError('No Docker Compose found (tried `docker compose` v2 and `docker-compose` v1).', {
      exitCode: ExitCode.Prerequisite,
      hint: 'Install the Compose plugin (package docker-compose-plugin) or the standalone docker-compose.',
    });
  }
  return info;
}

/**
 * Compose needs every `${VAR:?}` to resolve even to stop or remove the project. When kp's env
 * file does not exist (nothing was ever started with it), a throwaway file with inert values
 * lets teardown commands run; it is deleted right after.
 */
export function withTeardownEnvFile<T>(location: StackLocation, action: (envFile: string) => Promise<T>): Promise<T> {
  if (existsSync(location.envFile)) return action(location.envFile);
  const dir = path.join(os.tmpdir(), `kp-teardown-${process.pid}`);
  mkdirSync(dir, {recursive: true, mode: 0o700});
  const file = path.join(dir, 'compose.env');
  const text = readFileSync(location.composeFile, 'utf8');
  const required = [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => `${m[1]}=unused-for-teardown`);
  writeFileSync(file, `${[...new Set(required)].join('\n')}\n`, {mode: 0o600});
  return action(file).finally(() => rmSync(dir, {recursive: true, force: true}));
}

/** Build the Compose wrapper for this project. */
export function composeFor(ctx: KpContext, info: ComposeInfo, location: StackLocation, envFile = location.envFile): Compose {
  return new Compose(ctx.runner, info, {name: PROJECT_NAME, file: location.composeFile, envFile, profiles: location.profiles});
}

/** The project's containers (one-off `run` containers excluded), with details. */
export async function observeContainers(engine: Engine): Promise<ContainerDetails[]> {
  const containers = await engine.findContainers([`com.docker.compose.project=${PROJECT_NAME}`]);
  return containers.filter((c) => !/^true$/i.test(c.labels['com.docker.compose.oneoff'] ?? 'false'));
}

/** One service's state as `kp compose status` reports it. */
export interface ServiceStatus {
  service: string;
  /** `running`, `exited`, `created`, `restarting`, ... or `missing` when no container exists. */
  state: string;
  /** `healthy|unhealthy|starting`, `none` without a healthcheck, `unknown` when missing. */
  health: string;
  container: string | undefined;
  containerId: string | undefined;
  image: string | undefined;
  ports: Array<{hostIp: string; hostPort: number; containerPort: number; protocol: string}>;
}

/** Merge expected services and observed containers into one status row per service. */
export function serviceStatuses(expected: readonly ComposeService[], containers: readonly ContainerDetails[]): ServiceStatus[] {
  const byService = new Map<string, ContainerDetails>();
  for (const container of containers) {
    const service = container.labels['com.docker.compose.service'];
    if (service && (!byService.has(service) || container.running)) byService.set(service, container);
  }
  const names = [...new Set([...expected.map((s) => s.name), ...byService.keys()])];
  return names.map((service) => {
    const container = byService.get(service);
    if (!container) {
      return {service, state: 'missing', health: 'unknown', container: undefined, containerId: undefined, image: undefined, ports: []};
    }
    return {
      service,
      state: container.status,
      health: container.health ?? 'none',
      container: container.name,
      containerId: container.id,
      image: container.image,
      ports: container.ports.map((p) => {
        const [port, protocol] = p.containerPort.split('/');
        return {hostIp: p.hostIp, hostPort: p.hostPort, containerPort: Number(port), protocol: protocol ?? 'tcp'};
      }),
    };
  });
}

/** Ready = running, and healthy when the service has a healthcheck. */
export function isServiceReady(status: ServiceStatus): boolean {
  return status.state === 'running' && (status.health === 'healthy' || status.health === 'none');
}

/** What kp remembers of its last successful start, to make the second start a no-op. */
export interface StartRecord {
  fingerprint: string;
  containerIds: Record<string, string>;
  at: string;
}

function recordFile(): string {
  return path.join(stateDir(), `compose-${PROJECT_NAME}.json`);
}

/** Read the last start record (undefined when none or unreadable). */
export function readStartRecord(): StartRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(), 'utf8')) as StartRecord;
  } catch {
    return undefined;
  }
}

/** Remember a successful start. */
export function writeStartRecord(record: StartRecord): void {
  mkdirSync(stateDir(), {recursive: true, mode: 0o700});
  writeFileSync(recordFile(), `${JSON.stringify(record, null, 2)}\n`, {mode: 0o600});
}

/** Forget the last start (after down). */
export function clearStartRecord(): void {
  rmSync(recordFile(), {force: true});
}

/**
 * A digest of everything that decides what `up` would create: compose file, env file,
 * profiles, and every interpolated variable's value from the process environment.
 */
export function stackFingerprint(location: StackLocation, model: ComposeModel): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(location.composeFile));
  hash.update('\0');
  if (existsSync(location.envFile)) hash.update(readFileSync(location.envFile));
  hash.update('\0');
  hash.update(JSON.stringify(location.profiles));
  for (const name of model.variables) hash.update(`\0${name}=${process.env[name] ?? '\u0001unset'}`);
  return hash.digest('hex');
}

/** Expected services for the active profiles. */
export function expectedServices(model: ComposeModel, location: StackLocation): ComposeService[] {
  return activeServices(model, location.profiles);
}
