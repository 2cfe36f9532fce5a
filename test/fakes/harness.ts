/**
 * Typed access to the fake-tool world (test/fakes/lib/env.mjs) for the integration and e2e tests.
 */
// @ts-expect-error -- plain ESM helper shared with bench/dev.mjs; typed below
import * as world from './lib/env.mjs';
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import YAML from 'yaml';
import path from 'node:path';
import {afterEach} from 'vitest';

/** One recorded invocation of a fake tool. */
export interface FakeCall {
  tool: 'kind' | 'kubectl' | 'skaffold' | 'helm' | 'docker';
  argv: string[];
  pid: number;
  at: number;
}

/** The fake cluster state (clusters.json). */
export type FakeClusters = Record<
  string,
  {nodes: Array<{id: string; name: string; role: string; state: string}>; objects: Record<string, unknown>; helmReleases: unknown[]; apiReadyAt: number | null}
>;

/** An isolated world for kp runs against the fakes. */
export interface FakeWorld {
  root: string;
  stateDir: string;
  env: Record<string, string | undefined>;
  workspace: string;
  kubeconfigFile: string;
  calls(): FakeCall[];
  spawns(): Array<{command: string; args: string[]}>;
  resetLogs(): void;
  clusters(): FakeClusters;
  kubeconfig(): {'current-context': string; contexts: Array<{name: string}>; clusters: Array<{name: string; cluster: {server: string}}>};
  cleanup(): void;
}

/**
 * Create a world; `fakeDocker: false` keeps the real engine (e2e). `workspace: 'helm-only'` has no
 * skaffold.yaml, `upstream` is a copy of the app repo's files; `ingressCache: false` leaves kp's
 * ingress manifest cache cold.
 */
export const createFakeWorld = world.createFakeWorld as (options?: {
  fakeDocker?: boolean;
  workspace?: 'full' | 'helm-only' | 'none' | 'upstream';
  env?: Record<string, string | undefined>;
  ingressCache?: boolean;
}) => FakeWorld;

/** The genuine ingress-nginx kind manifest (../shared/upstream/ingress-nginx/). */
export const GENUINE_INGRESS_MANIFEST = world.GENUINE_INGRESS_MANIFEST as string;

/** Write a minimal checkout into `dir`. */
export const createCheckout = world.createCheckout as (dir: string, options?: {withSkaffold?: boolean}) => string;

/** The foreign current context every world starts with. */
export const FOREIGN_CONTEXT = world.FOREIGN_CONTEXT as {name: string; server: string};

/** The fake `docker` executable (integration layer): calling it by path never reaches a real engine. */
export const FAKE_DOCKER = path.join(world.FAKE_DOCKER_BIN as string, 'docker');

/** Run the fake docker in world `w` (e.g. `stop` node containers as a Docker restart would); returns stdout. */
export function fakeDocker(w: FakeWorld, ...args: string[]): string {
  return execFileSync(FAKE_DOCKER, args, {env: {...process.env, ...w.env} as NodeJS.ProcessEnv, encoding: 'utf8'});
}

/** A world factory for one test file: every world it creates is cleaned up after each test. */
export function useFakeWorlds(): (options?: Parameters<typeof createFakeWorld>[0]) => FakeWorld {
  const worlds: FakeWorld[] = [];
  afterEach(() => {
    while (worlds.length > 0) worlds.pop()!.cleanup();
  });
  return (options) => {
    const created = createFakeWorld(options);
    worlds.push(created);
    return created;
  };
}

/** Make the world's `kind-<name>` context point at `server` (a cluster kp must treat as someone else's when not local). */
export function pointKindContextAt(w: FakeWorld, server: string, name = 'kamerplanter'): void {
  const config = w.kubeconfig() as {clusters: Array<{name: string; cluster: {server: string}}>; contexts: Array<{name: string; context?: unknown}>};
  config.clusters.push({name: `kind-${name}`, cluster: {server}});
  config.contexts.push({name: `kind-${name}`, context: {cluster: `kind-${name}`, user: 'prod'}});
  writeFileSync(w.kubeconfigFile, YAML.stringify(config));
}
