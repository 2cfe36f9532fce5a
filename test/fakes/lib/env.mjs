// Sets up an isolated world for one kp run against the fakes: a state dir, a kubeconfig with a
// foreign current context (`prod`), XDG dirs, and PATH with the fakes first. Used by the
// integration/e2e tests (through test/fakes/harness.ts) and by bench/dev.mjs.
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FAKES_BIN = path.resolve(here, '..', 'bin');
export const FAKE_DOCKER_BIN = path.resolve(here, '..', 'docker-bin');
export const PROJECT_ROOT = path.resolve(here, '..', '..', '..');
/** The genuine ingress-nginx kind manifest kp pins (served by tests in place of the upstream URL). */
export const GENUINE_INGRESS_MANIFEST = path.resolve(PROJECT_ROOT, '..', 'shared', 'upstream', 'ingress-nginx', 'controller-v1.15.1-kind-deploy.yaml');
/** The app repo's checkout snapshot (skaffold.yaml, kind-config.yaml, the chart's Chart.yaml/Chart.lock). */
export const UPSTREAM_CHECKOUT = path.resolve(PROJECT_ROOT, '..', 'shared', 'upstream', 'kamerplanter');

/** The foreign context every world starts with, current, pointing off this machine. */
export const FOREIGN_CONTEXT = {name: 'prod', server: 'https://prod.example.com:6443'};

/**
 * Create a fake world. `fakeDocker: false` keeps the real docker on PATH (e2e layer); `workspace`:
 * `full` (kp's skaffold.yaml), `bare` (no skaffold.yaml), `none`, or `upstream` (a copy of the app repo's files);
 * `ingressCache: false` leaves kp's cache cold (the ingress manifest must be downloaded).
 * Returns {root, stateDir, env, workspace, calls(), clusters(), kubeconfig(), spawns(), cleanup()}.
 */
export function createFakeWorld(options = {}) {
  const {fakeDocker = true, workspace = 'full', env: extraEnv = {}, ingressCache = true} = options;
  const root = mkdtempSync(path.join(tmpdir(), 'kp-dev-fakes-'));
  const stateDir = path.join(root, 'state');
  mkdirSync(stateDir, {recursive: true});
  const kubeconfig = path.join(root, 'kube', 'config');
  mkdirSync(path.dirname(kubeconfig), {recursive: true});
  writeFileSync(
    kubeconfig,
    YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{name: FOREIGN_CONTEXT.name, cluster: {server: FOREIGN_CONTEXT.server}}],
      contexts: [{name: FOREIGN_CONTEXT.name, context: {cluster: FOREIGN_CONTEXT.name, user: FOREIGN_CONTEXT.name}}],
      users: [{name: FOREIGN_CONTEXT.name, user: {token: 'not-a-real-token'}}],
      'current-context': FOREIGN_CONTEXT.name,
      preferences: {},
    }),
  );
  const ws = path.join(root, 'checkout');
  if (workspace === 'upstream') cpSync(UPSTREAM_CHECKOUT, ws, {recursive: true});
  else if (workspace !== 'none') createCheckout(ws, {withSkaffold: workspace === 'full'});
  // A warm cache: kp verifies the file's sha256 and needs no network. Tests of the download pass ingressCache: false.
  if (ingressCache) {
    mkdirSync(path.join(root, 'cache', 'kp'), {recursive: true});
    cpSync(GENUINE_INGRESS_MANIFEST, path.join(root, 'cache', 'kp', 'ingress-nginx-controller-v1.15.1-kind.yaml'));
  }
  const spawnLog = path.join(root, 'spawn.jsonl');
  const env = {
    PATH: [...(fakeDocker ? [FAKE_DOCKER_BIN] : []), FAKES_BIN, process.env.PATH].join(path.delimiter),
    KP_FAKE_STATE: stateDir,
    KUBECONFIG: kubeconfig,
    XDG_CACHE_HOME: path.join(root, 'cache'),
    XDG_STATE_HOME: path.join(root, 'xdg-state'),
    XDG_CONFIG_HOME: path.join(root, 'xdg-config'),
    KP_WORKSPACE: workspace === 'none' ? undefined : ws,
    KP_SPAWN_LOG: spawnLog,
    ...extraEnv,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const readLines = (file) =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
  return {
    root,
    stateDir,
    env,
    workspace: ws,
    kubeconfigFile: kubeconfig,
    calls: () => readLines(path.join(stateDir, 'calls.jsonl')),
    spawns: () => readLines(spawnLog),
    resetLogs: () => {
      rmSync(path.join(stateDir, 'calls.jsonl'), {force: true});
      rmSync(spawnLog, {force: true});
    },
    clusters: () => (existsSync(path.join(stateDir, 'clusters.json')) ? JSON.parse(readFileSync(path.join(stateDir, 'clusters.json'), 'utf8')) : {}),
    kubeconfig: () => YAML.parse(readFileSync(kubeconfig, 'utf8')),
    cleanup: () => rmSync(root, {recursive: true, force: true}),
  };
}

/** A minimal Kamerplanter checkout: helm/kamerplanter, sources, and optionally kp's skaffold.yaml. */
export function createCheckout(dir, {withSkaffold = true} = {}) {
  mkdirSync(path.join(dir, 'helm', 'kamerplanter'), {recursive: true});
  writeFileSync(path.join(dir, 'helm', 'kamerplanter', 'Chart.yaml'), 'apiVersion: v2\nname: kamerplanter\nversion: 0.1.0\n');
  writeFileSync(path.join(dir, 'helm', 'kamerplanter', 'values-dev.yaml'), 'backend: {}\nfrontend: {}\n');
  mkdirSync(path.join(dir, 'src', 'backend', 'app'), {recursive: true});
  mkdirSync(path.join(dir, 'src', 'frontend', 'src'), {recursive: true});
  if (withSkaffold) cpSync(path.join(PROJECT_ROOT, 'skaffold.yaml'), path.join(dir, 'skaffold.yaml'));
  return dir;
}
