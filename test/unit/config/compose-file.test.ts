import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {Ajv} from 'ajv';
import ajvFormats from 'ajv-formats';
import {parse} from 'yaml';
import {afterAll, describe, expect, it} from 'vitest';
import {activeServices, interpolate, loadComposeFile, parsePortEntry, referencedVariables} from '../../../src/config/compose-file.js';
import {shippedCompose} from '../../../src/config/paths.js';
import {parseEnvText} from '../../../src/config/env-file.js';
import {projectRoot} from '../../helpers/cli.js';

// ajv-formats is CommonJS: under NodeNext its default export is the module object.
const addFormats = ajvFormats as unknown as (ajv: Ajv) => Ajv;

const secrets = {ARANGO_ROOT_PASSWORD: 'x', ARANGODB_PASSWORD: 'x', JWT_SECRET_KEY: 'x', TIMESCALEDB_PASSWORD: 'x'};
const work = mkdtempSync(path.join(tmpdir(), 'kp-yaml-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

describe('compose file interpolation', () => {
  it('Given set, unset and empty variables, When interpolated, Then defaults, required, alternative and $$ follow Compose', () => {
    const env = {SET: 'v', EMPTY: ''};
    expect(interpolate('${SET:-d} ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} $SET $$HOME', env)).toBe('v d d  v $HOME');
    expect(interpolate('${SET:+alt}${UNSET:+alt}', env)).toBe('alt');
    expect(() => interpolate('${UNSET:?is required}', env)).toThrowError(/UNSET is missing: is required/);
    expect(interpolate('${A:-${B:-inner}}', {})).toBe('inner');
  });

  it('Given a text with several references and an escaped $$, When its variables are listed, Then they are sorted and the escape is not one', () => {
    expect(referencedVariables('${B:-x} $A ${C:?e} $$D')).toEqual(['A', 'B', 'C']);
  });

  it('Given short and long port syntax, When parsed, Then host IP, ports and protocol are read (a bare container port publishes nothing)', () => {
    expect(parsePortEntry('127.0.0.1:8080:80')).toEqual({hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp'});
    expect(parsePortEntry('8000:8000/udp')).toEqual({hostIp: '0.0.0.0', hostPort: 8000, containerPort: 8000, protocol: 'udp'});
    expect(parsePortEntry('8000')).toBeUndefined();
    expect(parsePortEntry({target: 80, published: '8080', host_ip: '::1'})).toEqual({hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp'});
  });

  it('Given broken YAML, When the compose file is loaded, Then the error names file:line:col', () => {
    const file = path.join(work, 'broken.yml');
    writeFileSync(file, 'services:\n  a:\n    image: x\n   bad: [\n');
    // The real line of the bad mapping item, never :0:0.
    expect(() => loadComposeFile(file, {})).toThrowError(new RegExp(`^${file}:4:[1-9]\\d*: All mapping items must start at the same column`));
  });

  it('Given a directory as the compose file, When loaded, Then exit 2 says so, with the fix, and no stack trace', () => {
    expect(() => loadComposeFile(work, {})).toThrowError(
      expect.objectContaining({exitCode: 2, message: `Cannot read the compose file ${work}: it is a directory.`}),
    );
  });
});

describe('the shipped compose file', () => {
  const text = readFileSync(shippedCompose.file, 'utf8');
  type Service = {image: string; healthcheck?: {test?: unknown}; restart?: string; depends_on?: Record<string, {condition: string}>; volumes?: string[]};
  const doc = parse(text, {merge: true}) as {services: Record<string, Service>; volumes: Record<string, unknown>};
  const services = Object.entries(doc.services);

  it('Given the compose-spec JSON schema, When the shipped file is validated, Then it is valid', () => {
    const schema = JSON.parse(readFileSync(path.resolve(projectRoot, '..', 'shared', 'schemas', 'compose-spec.json'), 'utf8'));
    const ajv = new Ajv({strict: false, allErrors: true, validateSchema: false});
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(parse(text, {merge: true}));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('Given no profile, When loaded, Then it has the six services of the spec, light mode and the default host ports', () => {
    // When
    const model = loadComposeFile(shippedCompose.file, secrets);
    // Then
    expect(activeServices(model, []).map((s) => s.name)).toEqual(['arangodb', 'valkey', 'backend', 'celery-worker', 'celery-beat', 'frontend']);
    expect(model.profiles).toEqual(['homeassistant', 'timescaledb']);
    const published = Object.fromEntries(model.services.map((s) => [s.name, s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`)]));
    expect(published).toMatchObject({
      frontend: ['127.0.0.1:8080->80'],
      backend: ['127.0.0.1:8000->8000'],
      arangodb: ['127.0.0.1:8529->8529'],
      valkey: ['127.0.0.1:6379->6379'],
      // The dev HA is published on loopback only, whatever HOST_BIND_ADDRESS says.
      homeassistant: ['127.0.0.1:8123->8123'],
    });
    expect(text).toMatch(/"127\.0\.0\.1:\$\{HA_HOST_PORT:-8123\}:8123"/);
    expect(text).toMatch(/KAMERPLANTER_MODE: light/);
  });

  it('Given every service, When its image is resolved without env, Then it is pinned to a full version and overridable through env', () => {
    // Given: the eight services (six plus the timescaledb and homeassistant profiles); a loop over none would prove nothing
    expect(services.map(([name]) => name)).toHaveLength(8);
    for (const [name, service] of services) {
      // When
      const resolved = interpolate(service.image, {});
      // Then
      expect(resolved, name).toMatch(/:\d+\.\d+\.\d+(-[\w.]+)?$/);
      expect(resolved, name).not.toMatch(/:latest$/);
      expect(service.image, name).toMatch(/\$\{[A-Z_]+:-/);
    }
  });

  it('Given every service, When read, Then it has a healthcheck test, restart unless-stopped, healthy-conditions and named volumes only', () => {
    // Given
    expect(services).toHaveLength(8);
    // When / Then: per service
    for (const [name, service] of services) {
      expect(service.healthcheck?.test, `${name} healthcheck.test`).toEqual(expect.arrayContaining([expect.any(String)]));
      expect(service.restart, name).toBe('unless-stopped');
    }
    // Then: across services (each list must be non-empty, or the check proves nothing)
    const conditions = services.flatMap(([, s]) => Object.values(s.depends_on ?? {}).map((d) => d.condition));
    expect(conditions.length).toBeGreaterThan(0);
    expect(new Set(conditions)).toEqual(new Set(['service_healthy']));
    const volumes = services.flatMap(([name, s]) => (s.volumes ?? []).map((v) => [name, v] as const));
    expect(volumes.length).toBeGreaterThan(0);
    for (const [name, volume] of volumes) expect(volume, name).toMatch(/^[a-z][\w-]*:\//);
    expect(Object.keys(doc.services.backend!.depends_on!)).toEqual(['arangodb', 'valkey']);
    expect(Object.keys(doc.volumes)).toEqual(expect.arrayContaining(['arangodb-data', 'valkey-data']));
  });

  it('Given .env.example, When compared with the variables the file uses, Then every one is documented', () => {
    const documented = [...parseEnvText(readFileSync(shippedCompose.envExample, 'utf8'), '.env.example').entries.keys()];
    const used = referencedVariables(text);
    expect(used).toEqual(expect.arrayContaining(['FRONTEND_HOST_PORT', 'HOST_BIND_ADDRESS', 'JWT_SECRET_KEY', 'KAMERPLANTER_VERSION']));
    // kp passes TIMESCALEDB_ENABLED itself (from the active profiles): the example explains it in a comment.
    const setByKp = ['TIMESCALEDB_ENABLED'];
    expect(used).toEqual(expect.arrayContaining(setByKp));
    expect(readFileSync(shippedCompose.envExample, 'utf8')).toMatch(/^#.*TIMESCALEDB_ENABLED.*kp passes it/m);
    expect(used.filter((v) => !documented.includes(v) && !setByKp.includes(v))).toEqual([]);
  });
});
