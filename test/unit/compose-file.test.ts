import {readFileSync, writeFileSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {parse} from 'yaml';
import {describe, expect, it} from 'vitest';
import {activeServices, interpolate, loadComposeFile, parsePortEntry, referencedVariables} from '../../src/config/compose-file.js';
import {shippedCompose} from '../../src/config/paths.js';
import {parseEnvText} from '../../src/config/env-file.js';
import {projectRoot} from '../helpers/cli.js';

const secrets = {ARANGO_ROOT_PASSWORD: 'x', ARANGODB_PASSWORD: 'x', JWT_SECRET_KEY: 'x', TIMESCALEDB_PASSWORD: 'x'};

describe('compose file interpolation', () => {
  it('follows Compose: defaults, required, alternative, $$', () => {
    const env = {SET: 'v', EMPTY: ''};
    expect(interpolate('${SET:-d} ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} $SET $$HOME', env)).toBe('v d d  v $HOME');
    expect(interpolate('${SET:+alt}${UNSET:+alt}', env)).toBe('alt');
    expect(() => interpolate('${UNSET:?is required}', env)).toThrowError(/UNSET is missing: is required/);
    expect(interpolate('${A:-${B:-inner}}', {})).toBe('inner');
  });

  it('lists referenced variables', () => {
    expect(referencedVariables('${B:-x} $A ${C:?e} $$D')).toEqual(['A', 'B', 'C']);
  });

  it('parses short and long port syntax', () => {
    expect(parsePortEntry('127.0.0.1:8080:80')).toEqual({hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp'});
    expect(parsePortEntry('8000:8000/udp')).toEqual({hostIp: '0.0.0.0', hostPort: 8000, containerPort: 8000, protocol: 'udp'});
    expect(parsePortEntry('8000')).toBeUndefined();
    expect(parsePortEntry({target: 80, published: '8080', host_ip: '::1'})).toEqual({hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp'});
  });

  it('reports YAML errors with file:line:col', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kp-yaml-')), 'broken.yml');
    writeFileSync(file, 'services:\n  a:\n    image: x\n   bad: [\n');
    expect(() => loadComposeFile(file, {})).toThrowError(new RegExp(`^${file}:\\d+:\\d+: `));
  });
});

describe('the shipped compose file', () => {
  const text = readFileSync(shippedCompose.file, 'utf8');

  it('validates against the compose-spec JSON schema', () => {
    const schema = JSON.parse(readFileSync(path.resolve(projectRoot, '..', 'shared', 'schemas', 'compose-spec.json'), 'utf8'));
    const ajv = new Ajv({strict: false, allErrors: true, validateSchema: false});
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(parse(text, {merge: true}));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('has the six services of the spec, light mode, and the default host ports', () => {
    const model = loadComposeFile(shippedCompose.file, secrets);
    expect(activeServices(model, []).map((s) => s.name)).toEqual(['arangodb', 'valkey', 'backend', 'celery-worker', 'celery-beat', 'frontend']);
    expect(model.profiles).toEqual(['timescaledb']);
    const published = Object.fromEntries(model.services.map((s) => [s.name, s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`)]));
    expect(published).toMatchObject({
      frontend: ['127.0.0.1:8080->80'],
      backend: ['127.0.0.1:8000->8000'],
      arangodb: ['127.0.0.1:8529->8529'],
      valkey: ['127.0.0.1:6379->6379'],
    });
    expect(text).toMatch(/KAMERPLANTER_MODE: light/);
  });

  it('pins every image to a full version and lets env override each', () => {
    const doc = parse(text, {merge: true}) as {services: Record<string, {image: string}>};
    for (const [name, service] of Object.entries(doc.services)) {
      const resolved = interpolate(service.image, {});
      expect(resolved, name).toMatch(/:\d+\.\d+\.\d+(-[\w.]+)?$/);
      expect(resolved, name).not.toMatch(/:latest$/);
      expect(service.image, name).toMatch(/\$\{[A-Z_]+:-/);
    }
  });

  it('has healthchecks, healthy-conditions, restart policy and named volumes; no bind mounts', () => {
    const doc = parse(text, {merge: true}) as {
      services: Record<string, {healthcheck?: unknown; restart?: string; depends_on?: Record<string, {condition: string}>; volumes?: string[]}>;
      volumes: Record<string, unknown>;
    };
    for (const [name, service] of Object.entries(doc.services)) {
      expect(service.healthcheck, name).toBeDefined();
      expect(service.restart, name).toBe('unless-stopped');
      for (const dependency of Object.values(service.depends_on ?? {})) expect(dependency.condition).toBe('service_healthy');
      for (const volume of service.volumes ?? []) expect(volume, name).toMatch(/^[a-z][\w-]*:\//);
    }
    expect(Object.keys(doc.services.backend!.depends_on!)).toEqual(['arangodb', 'valkey']);
    expect(Object.keys(doc.volumes)).toEqual(expect.arrayContaining(['arangodb-data', 'valkey-data']));
  });

  it('documents every variable it uses in .env.example', () => {
    const documented = [...parseEnvText(readFileSync(shippedCompose.envExample, 'utf8'), '.env.example').entries.keys()];
    const used = referencedVariables(text);
    expect(used.filter((v) => !documented.includes(v))).toEqual([]);
  });
});
