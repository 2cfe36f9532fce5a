/**
 * The Stack value every `kp compose` workflow starts from: which Compose project (its name), which
 * compose file and env file, which profiles; plus what reading it takes (the interpolation
 * environment, the model, the expected services) and the Compose bound to it.
 */
import type {KpContext} from '../context.js';
import {acquireLocalLock} from '../shared/lock.js';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fail} from '../../core/errors.js';
import {activeServices, loadComposeFile, type ComposeModel, type ComposeService} from '../../config/compose-file.js';
import {SECRET_GENERATORS, readEnvFile} from '../../config/env-file.js';
import {configDir, defaultComposeEnvFile, shippedCompose} from '../../config/paths.js';
import {Compose, detectCompose, type ComposeInfo} from '../../tools/compose.js';
import type {Engine} from '../../tools/docker.js';
import type {Runner} from '../../tools/runner.js';
import {DEFAULT_PROJECT_NAME, validateProjectName} from '../shared/names.js';
import {unknownNameError} from '../shared/suggest.js';

/** One Compose project as kp runs it. */
export interface Stack {
  /** The Compose project name: every container, network and volume carries it. */
  project: string;
  composeFile: string;
  envFile: string;
  profiles: string[];
}

/** What a command may say about its stack; everything left out takes kp's default. */
export interface StackOptions {
  projectName?: string;
  file?: string;
  envFile?: string;
  profiles?: readonly string[];
  /** How long to wait for another kp run on the same project (start/stop/down). */
  lockTimeoutMs?: number;
}

/**
 * The env file of a project: `compose.env` for the default project (where kp always kept it),
 * `compose-<project>.env` for any other, so a second stack never shares secrets or ports with the first.
 */
export function envFileFor(project: string): string {
  return project === DEFAULT_PROJECT_NAME ? defaultComposeEnvFile() : path.join(configDir(), `compose-${project}.env`);
}

/** Resolve the stack: project name, compose file (kp's shipped one unless --file), env file, profiles. */
export function resolveStack(options: StackOptions): Stack {
  const project = validateProjectName(options.projectName ?? DEFAULT_PROJECT_NAME);
  const composeFile = options.file ? path.resolve(options.file) : shippedCompose.file;
  if (!existsSync(composeFile)) {
    throw fail.usage(`Compose file not found: ${composeFile}`, 'Pass an existing file with --file, or omit --file to use the one kp ships.');
  }
  return {
    project,
    composeFile,
    envFile: options.envFile ? path.resolve(options.envFile) : envFileFor(project),
    profiles: [...(options.profiles ?? [])],
  };
}

/** The variables Compose interpolates with: the env file's values under the process environment (Compose's precedence). */
export function interpolationEnv(envFileValues: Record<string, string>): Record<string, string | undefined> {
  return {...envFileValues, ...process.env};
}

/** The env file's values when it exists; empty otherwise (teardown and read-only commands need none). */
export function readEnvValuesIfPresent(envFile: string): Record<string, string> {
  if (!existsSync(envFile)) return {};
  return Object.fromEntries([...readEnvFile(envFile).entries.values()].map((e) => [e.key, e.value]));
}

/** Read-only views need no secrets: fill the required ones with inert values so interpolation never fails. */
export function withInertSecrets(values: Record<string, string>): Record<string, string> {
  return {...Object.fromEntries(Object.keys(SECRET_GENERATORS).map((key) => [key, 'unused'])), ...values};
}

/** Load the compose file and check the requested profiles exist in it. */
export function loadModel(stack: Stack, envFileValues: Record<string, string>): ComposeModel {
  const model = loadComposeFile(stack.composeFile, interpolationEnv(envFileValues));
  for (const profile of stack.profiles) {
    if (!model.profiles.includes(profile)) throw unknownNameError('profile', profile, model.profiles, stack.composeFile);
  }
  return model;
}

/** The services the active profiles run. */
export function expectedServices(model: ComposeModel, stack: Stack): ComposeService[] {
  return activeServices(model, stack.profiles);
}

/** Detect Compose or fail with a prerequisite error that says what to install. */
export async function requireCompose(runner: Runner, engine: Engine): Promise<ComposeInfo> {
  const info = await detectCompose(runner, engine.bin);
  if (!info) {
    throw fail.prerequisite(
      'No Docker Compose found (tried `docker compose` v2 and `docker-compose` v1).',
      'Install the Compose plugin (package docker-compose-plugin) or the standalone docker-compose.',
    );
  }
  return info;
}

/**
 * Compose needs every `${VAR:?}` to resolve even to stop or remove the project. When the env
 * file does not exist (nothing was ever started with it), a throwaway file with inert values
 * lets teardown commands run; it is deleted right after.
 */
export function withTeardownEnvFile<T>(stack: Stack, action: (envFile: string) => Promise<T>): Promise<T> {
  if (existsSync(stack.envFile)) return action(stack.envFile);
  // A fresh private dir (mkdtemp): never a predictable path another user could have prepared.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kp-teardown-'));
  const file = path.join(dir, 'compose.env');
  const text = readFileSync(stack.composeFile, 'utf8');
  const required = [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => `${m[1]}=unused-for-teardown`);
  writeFileSync(file, `${[...new Set(required)].join('\n')}\n`, {mode: 0o600});
  return action(file).finally(() => rmSync(dir, {recursive: true, force: true}));
}

/**
 * Variables kp passes to Compose from the active profiles (they win over the env file, as the
 * shell's do): the app uses TimescaleDB exactly when the `timescaledb` profile runs it.
 */
export function profileEnvironment(stack: Pick<Stack, 'profiles'>): Record<string, string> {
  return {TIMESCALEDB_ENABLED: stack.profiles.includes('timescaledb') ? 'true' : 'false'};
}

/** How long start/stop/down wait for another kp run on the same project by default. */
export const DEFAULT_PROJECT_LOCK_TIMEOUT_MS = 300_000;

/**
 * Run `action` holding the project's lock: a second `kp compose start/stop/down` on the same
 * project (another terminal) waits, naming the holder, instead of racing it into duplicate
 * containers, name conflicts or two sets of secrets. A dry run changes nothing and takes none.
 */
export async function withProjectLock<T>(ctx: KpContext, project: string, lockTimeoutMs: number | undefined, action: () => Promise<T>): Promise<T> {
  if (ctx.dryRun) return action();
  const release = await acquireLocalLock('compose', project, `compose project ${project}`, {
    deadline: Date.now() + (lockTimeoutMs ?? DEFAULT_PROJECT_LOCK_TIMEOUT_MS),
    onWait: (holder) => ctx.out.step(`Waiting for another kp run on compose project ${project} (${holder}) to finish...`),
  });
  try {
    return await action();
  } finally {
    await release();
  }
}

/** The Compose CLI bound to this stack (optionally with a stand-in env file for teardown). */
export function composeFor(runner: Runner, info: ComposeInfo, stack: Stack, envFile = stack.envFile): Compose {
  return new Compose(runner, info, {name: stack.project, file: stack.composeFile, envFile, profiles: stack.profiles});
}
