/**
 * One Compose project the e2e tests run kp against: always a project of the test's own
 * (`kp-e2e-<run id>...`), with its own host ports, XDG dirs, env file and start record, so nothing
 * here can act on a user's `kamerplanter` stack. `ensureUp()` / `ensureAbsent()` let every test set
 * up the state it needs instead of relying on the test before it.
 */
import {existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {runKp, type CliOptions, type CliResult} from '../../helpers/cli.js';
import {standinEnv} from './compose-standins.js';
import {PROJECT_LABEL, SERVICE_LABEL, dockerLines, removeProjectByLabel} from './docker.js';
import type {HostPorts, StackSpec} from './run.js';

/** The services the shipped compose file runs without profiles. */
export const EXPECTED_SERVICES = ['arangodb', 'backend', 'celery-beat', 'celery-worker', 'frontend', 'valkey'];

/** Host ports as the compose variables take them. */
export function hostPorts([frontend, backend, arangodb, valkey]: number[]): HostPorts {
  return {FRONTEND_HOST_PORT: String(frontend), BACKEND_HOST_PORT: String(backend), ARANGODB_HOST_PORT: String(arangodb), VALKEY_HOST_PORT: String(valkey)};
}

const NO_PORTS = {FRONTEND_HOST_PORT: undefined, BACKEND_HOST_PORT: undefined, ARANGODB_HOST_PORT: undefined, VALKEY_HOST_PORT: undefined};

export class ComposeStack {
  constructor(readonly spec: StackSpec) {
    if (!spec.project.startsWith('kp-e2e-')) throw new Error(`e2e stacks are named kp-e2e-...; refusing to act on project "${spec.project}"`);
  }

  get project(): string {
    return this.spec.project;
  }

  /** The project's env file: $XDG_CONFIG_HOME/kp/compose-<project>.env. */
  get envFile(): string {
    return path.join(this.spec.home, 'config', 'kp', `compose-${this.project}.env`);
  }

  /** The project's start record: $XDG_STATE_HOME/kp/compose-<project>.json. */
  get startRecord(): string {
    return path.join(this.spec.home, 'state', 'kp', `compose-${this.project}.json`);
  }

  /** A published host port. */
  port(key: keyof HostPorts): number {
    return Number(this.spec.ports[key]);
  }

  /** The environment kp runs with: stand-in images, XDG dirs, and (per spec) project and ports. */
  env(): Record<string, string | undefined> {
    return {
      ...standinEnv(this.spec.standinTag),
      ...(this.spec.portsIn === 'env-file' ? NO_PORTS : this.spec.ports),
      XDG_CONFIG_HOME: path.join(this.spec.home, 'config'),
      XDG_STATE_HOME: path.join(this.spec.home, 'state'),
      KP_COMPOSE_PROJECT: this.spec.select === 'flag' ? undefined : this.project,
    };
  }

  /** Run `kp ...args` against this project. */
  kp(args: string[], options: CliOptions = {}): Promise<CliResult> {
    const argv = this.spec.select === 'flag' && !args.includes('--project-name') ? [...args, '--project-name', this.project] : args;
    return runKp(argv, {...options, env: {...this.env(), ...options.env}});
  }

  /** With ports in the env file: write them there before kp creates the rest of the file. */
  prepare(): void {
    if (this.spec.portsIn !== 'env-file' || existsSync(this.envFile)) return;
    mkdirSync(path.dirname(this.envFile), {recursive: true});
    const lines = Object.entries(this.spec.ports).map(([key, value]) => `${key}=${value}`);
    writeFileSync(this.envFile, `# host ports of the second stack\n${lines.join('\n')}\n`, {mode: 0o600});
  }

  /** IDs of the project's containers (all states), sorted. */
  containerIds(): string[] {
    return dockerLines('ps', '-aq', '--no-trunc', '--filter', `label=${PROJECT_LABEL}=${this.project}`).sort();
  }

  /** IDs of the project's running containers, sorted. */
  runningContainerIds(): string[] {
    return dockerLines('ps', '-q', '--no-trunc', '--filter', `label=${PROJECT_LABEL}=${this.project}`).sort();
  }

  /** The running container of `service` ('' when none). */
  serviceContainer(service: string): string {
    return dockerLines('ps', '-q', '--filter', `label=${PROJECT_LABEL}=${this.project}`, '--filter', `label=${SERVICE_LABEL}=${service}`)[0] ?? '';
  }

  /** The project's named volumes. */
  volumes(): string[] {
    return dockerLines('volume', 'ls', '-q', '--filter', `label=${PROJECT_LABEL}=${this.project}`).sort();
  }

  /** Every expected service running and healthy, as the engine says. */
  isUp(): boolean {
    const rows = dockerLines('ps', '--filter', `label=${PROJECT_LABEL}=${this.project}`, '--format', `{{.Label "${SERVICE_LABEL}"}}\t{{.Status}}`);
    const healthy = new Set(rows.filter((row) => row.endsWith('(healthy)')).map((row) => row.split('\t')[0]));
    return EXPECTED_SERVICES.every((service) => healthy.has(service));
  }

  /** Start the stack unless it is already up and healthy (through kp, as a user would). */
  async ensureUp(): Promise<void> {
    if (this.isUp()) return;
    this.prepare();
    const result = await this.kp(['compose', 'start', '--json', '--timeout', '180']);
    if (result.exitCode !== 0) throw new Error(`could not bring ${this.project} up (exit ${result.exitCode}):\n${result.stderr}`);
  }

  /** As if it had never run: no container, volume or network of the project, no env file, no start record. */
  ensureAbsent(): void {
    removeProjectByLabel(this.project);
    rmSync(this.envFile, {force: true});
    rmSync(this.startRecord, {force: true});
  }
}
