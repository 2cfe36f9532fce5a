/**
 * kp's compose file against the real app's (../shared/upstream/kamerplanter/docker-compose.release.yml,
 * the pre-built images, and docker-compose.yml, the local build): services, each service's environment
 * keys, published container ports and profiles. Every difference must be one of the deliberate ones
 * below, each with its reason, and every listed one must still exist: upstream drift fails here.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {parse} from 'yaml';
import {describe, expect, it} from 'vitest';
import {shippedCompose} from '../../../src/config/paths.js';
import {projectRoot} from '../../helpers/cli.js';

interface Service {
  environment?: Record<string, unknown> | string[];
  ports?: Array<string | {target: number}>;
  profiles?: string[];
}
type ComposeDoc = {services: Record<string, Service>};

const upstreamDir = path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter');
const read = (file: string) => parse(readFileSync(file, 'utf8'), {merge: true}) as ComposeDoc;

const envKeys = (service: Service) =>
  Array.isArray(service.environment) ? service.environment.map((entry) => entry.split('=')[0]!) : Object.keys(service.environment ?? {});
const containerPorts = (service: Service) =>
  (service.ports ?? []).map((port) => (typeof port === 'string' ? port.split(':').at(-1)!.split('/')[0]! : String(port.target)));

/** The structural differences between kp's file and an upstream one, one line each. */
function composeDifferences(kp: ComposeDoc, upstream: ComposeDoc): string[] {
  const differences: string[] = [];
  const names = [...new Set([...Object.keys(kp.services), ...Object.keys(upstream.services)])].sort();
  for (const name of names) {
    const ours = kp.services[name];
    const theirs = upstream.services[name];
    if (!ours || !theirs) {
      differences.push(`service ${name}: ${ours ? 'kp' : 'upstream'} only`);
      continue;
    }
    for (const key of envKeys(theirs)) if (!envKeys(ours).includes(key)) differences.push(`${name} env ${key}: upstream only`);
    for (const key of envKeys(ours)) if (!envKeys(theirs).includes(key)) differences.push(`${name} env ${key}: kp only`);
    for (const port of containerPorts(theirs)) if (!containerPorts(ours).includes(port)) differences.push(`${name} port ${port}: upstream only`);
    for (const port of containerPorts(ours)) if (!containerPorts(theirs).includes(port)) differences.push(`${name} port ${port}: kp only`);
    const profiles = (service: Service) => JSON.stringify([...(service.profiles ?? [])].sort());
    if (profiles(ours) !== profiles(theirs)) differences.push(`${name} profiles: kp ${profiles(ours)}, upstream ${profiles(theirs)}`);
  }
  return differences;
}

/** Every deliberate difference, with the reason it is one. */
const DELIBERATE: Array<{match: RegExp; reason: string}> = [
  {
    match: /^service (vectordb|ollama|reranker-service): upstream only$/,
    reason: "the AI/RAG profiles need local builds (docker/vectordb, reranker) or multi-GB models: not part of kp's light-mode evaluation stack",
  },
  {
    match: /^(backend|celery-worker|celery-beat) env VECTORDB_(ENABLED|HOST|PORT|DATABASE|USERNAME|PASSWORD): upstream only$/,
    reason: 'follows from leaving out the vectordb profile (upstream defaults VECTORDB_ENABLED to false too)',
  },
  {
    match: /^(backend|celery-worker|celery-beat) env JWT_SECRET_KEY: kp only$/,
    reason: 'upstream leaves the backend on its built-in placeholder signing key; kp generates one per stack',
  },
  {
    match: /^(backend|celery-worker|celery-beat) env PERENUAL_API_KEY: kp only$/,
    reason: 'lets an evaluator pass a Perenual key through the env file (empty by default)',
  },
  {
    match: /^(celery-worker|celery-beat) env (CORS_ORIGINS|DEBUG|REQUIRE_EMAIL_VERIFICATION): kp only$/,
    reason: "the workers get the backend's whole environment (one YAML anchor): settings the app reads in any process stay the same",
  },
  {match: /^service homeassistant: kp only$/, reason: 'the dev Home Assistant of `kp ha up --target docker` (profile homeassistant)'},
  {
    match: /^valkey port 6379: kp only$/,
    reason: 'published on 127.0.0.1 for inspecting the queue, as upstream docker-compose.yml does (the release file does not)',
  },
];

const kp = read(shippedCompose.file);
const upstreams = {
  'docker-compose.release.yml': read(path.join(upstreamDir, 'docker-compose.release.yml')),
  'docker-compose.yml': read(path.join(upstreamDir, 'docker-compose.yml')),
};

describe("kp's compose file against upstream's", () => {
  for (const [file, upstream] of Object.entries(upstreams)) {
    it(`Given upstream ${file}, When compared, Then every difference is a deliberate one`, () => {
      const differences = composeDifferences(kp, upstream);
      // A comparison that finds nothing at all would prove nothing about the comparison.
      expect(differences.length).toBeGreaterThan(0);
      const unexplained = differences.filter((d) => !DELIBERATE.some((rule) => rule.match.test(d)));
      expect(unexplained, 'differences from upstream without a reason: make kp match upstream, or add the difference with its reason').toEqual([]);
    });
  }

  it('Given the deliberate differences, When both upstream files are compared, Then each still occurs and has a reason', () => {
    const all = Object.values(upstreams).flatMap((upstream) => composeDifferences(kp, upstream));
    for (const rule of DELIBERATE) {
      expect(rule.reason.length, String(rule.match)).toBeGreaterThan(20);
      expect(
        all.some((d) => rule.match.test(d)),
        `${rule.match} no longer occurs: remove it`,
      ).toBe(true);
    }
  });

  it('Given the real app, When the frontend and the TimescaleDB wiring are compared, Then they are as upstream has them', () => {
    const release = upstreams['docker-compose.release.yml'];
    // The frontend's entrypoint writes runtime-config.js from KAMERPLANTER_MODE (full mode without it).
    expect(readFileSync(path.join(upstreamDir, 'src', 'frontend', 'docker-entrypoint.d', '10-runtime-config.sh'), 'utf8')).toContain('KAMERPLANTER_MODE');
    expect(kp.services.frontend!.environment).toMatchObject({KAMERPLANTER_MODE: 'light'});
    // The app services get TimescaleDB's address, database and user under upstream's names and defaults.
    for (const service of ['backend', 'celery-worker', 'celery-beat']) {
      const ours = kp.services[service]!.environment as Record<string, string>;
      const theirs = release.services[service]!.environment as Record<string, string>;
      for (const key of ['TIMESCALEDB_ENABLED', 'TIMESCALEDB_HOST', 'TIMESCALEDB_PORT', 'TIMESCALEDB_DATABASE', 'TIMESCALEDB_USERNAME']) {
        expect(ours[key], `${service} ${key}`).toBe(theirs[key]);
      }
    }
    const db = kp.services.timescaledb!.environment as Record<string, string>;
    expect({POSTGRES_DB: db.POSTGRES_DB, POSTGRES_USER: db.POSTGRES_USER}).toEqual({
      POSTGRES_DB: (release.services.timescaledb!.environment as Record<string, string>).POSTGRES_DB,
      POSTGRES_USER: (release.services.timescaledb!.environment as Record<string, string>).POSTGRES_USER,
    });
  });

  it('Given a made-up drift (upstream adds an env key), When compared, Then it is reported as unexplained (the check has teeth)', () => {
    const drifted = structuredClone(upstreams['docker-compose.release.yml']);
    (drifted.services.backend!.environment as Record<string, string>).NEW_SETTING = 'x';
    const unexplained = composeDifferences(kp, drifted).filter((d) => !DELIBERATE.some((rule) => rule.match.test(d)));
    expect(unexplained).toEqual(['backend env NEW_SETTING: upstream only']);
  });
});
