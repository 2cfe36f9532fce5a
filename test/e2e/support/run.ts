/**
 * What the e2e global setup hands to every test file (through vitest's provide/inject): the run's
 * id, under which everything the run creates is named, the stand-in images, the sentinel record and
 * the shared stack. Plain JSON: it crosses from the main process into the workers.
 */
import type {SentinelState} from './sentinel.js';

/** The host ports of one stack (values as the compose file's *_HOST_PORT variables take them). */
export interface HostPorts {
  FRONTEND_HOST_PORT: string;
  BACKEND_HOST_PORT: string;
  ARANGODB_HOST_PORT: string;
  VALKEY_HOST_PORT: string;
}

/** One Compose project a test runs kp against. */
export interface StackSpec {
  /** Always starts with `kp-e2e-` (never a user's `kamerplanter`). */
  project: string;
  /** XDG config/state base dirs live under here (the env file and start record of the project). */
  home: string;
  standinTag: string;
  ports: HostPorts;
  /** How kp is told the project: `KP_COMPOSE_PROJECT` (default) or `--project-name`. */
  select?: 'env' | 'flag';
  /** Where the host ports are set: the environment (default) or the project's own env file. */
  portsIn?: 'env' | 'env-file';
}

/** One e2e run. */
export interface E2eRun {
  runId: string;
  /** `kp-e2e-<runId>`: the start of every container, volume, network, project and image tag the run creates. */
  prefix: string;
  /** Tag of the compose stand-in images built for this run. */
  standinTag: string;
  sentinel: SentinelState;
  /** The `kp` executable installed from the packed tarball (the terminal layer runs it). */
  installedKp: string;
  /** The stack most compose tests share; started when a test needs it up (ensureUp). */
  shared: StackSpec;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kpE2e: E2eRun;
  }
}
