import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {parse, parseAllDocuments} from 'yaml';
import {DEFAULT_HA_IMAGE, HA_MANIFEST_NAMES, haManifest, hostTimeZone, parseApplyOutput, SEED_SCRIPT} from '../../../../src/workflows/ha/manifest.js';
import {KpError} from '../../../../src/core/errors.js';

type K8sObject = Record<string, any>;

const OPTIONS = {image: DEFAULT_HA_IMAGE, timeZone: 'Europe/Berlin', podCidr: '10.244.0.0/16'};

function documents(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as K8sObject;
  });
}

function byKind(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.find((o) => o.kind === kind);
  expect(found, kind).toBeDefined();
  return found!;
}

describe('haManifest', () => {
  it('Given the defaults, When the manifest is rendered, Then it holds ConfigMap, StatefulSet, Service, Ingress in that order, no Namespace, all in default', () => {
    // When
    const objects = documents(haManifest(OPTIONS));
    // Then
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`)).toEqual([
      'v1 ConfigMap/homeassistant-seed',
      'apps/v1 StatefulSet/homeassistant',
      'v1 Service/homeassistant',
      'networking.k8s.io/v1 Ingress/homeassistant',
    ]);
    expect(objects.map((o) => o.metadata.namespace)).toEqual(['default', 'default', 'default', 'default']);
    for (const object of objects) {
      expect(object.metadata.labels).toEqual({'app.kubernetes.io/name': 'homeassistant', 'app.kubernetes.io/managed-by': 'kp'});
    }
  });

  it('Given the rendered text, When it is read as plain YAML, Then no anchors or aliases are used (kubectl users read this file)', () => {
    const text = haManifest(OPTIONS);
    expect(text).not.toMatch(/[&*]a\d+\b/);
    expect(text.split('\n---\n')).toHaveLength(4);
  });

  it('Given an image and a time zone, When the StatefulSet is read, Then container, env TZ, port, probes, mounts and the 1Gi claim are as the spec wants', () => {
    // When
    const sts = byKind(documents(haManifest({...OPTIONS, image: 'example.org/ha:1.2.3'})), 'StatefulSet');
    // Then
    expect(sts.spec.serviceName).toBe('homeassistant');
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.selector.matchLabels).toEqual({'app.kubernetes.io/name': 'homeassistant'});
    expect(sts.spec.template.metadata.labels).toMatchObject(sts.spec.selector.matchLabels);
    const [container, ...others] = sts.spec.template.spec.containers;
    expect(others).toEqual([]);
    expect(container.name).toBe(HA_MANIFEST_NAMES.container);
    expect(container.image).toBe('example.org/ha:1.2.3');
    expect(container.env).toEqual([{name: 'TZ', value: 'Europe/Berlin'}]);
    expect(container.ports).toEqual([{name: 'http', containerPort: 8123, protocol: 'TCP'}]);
    expect(container.readinessProbe).toMatchObject({tcpSocket: {port: 8123}, initialDelaySeconds: 2, periodSeconds: 2});
    expect(container.livenessProbe.tcpSocket).toEqual({port: 8123});
    // Liveness must outlast HA's first start and an in-place restart's shutdown stages (20+100+60+30 s).
    expect(container.livenessProbe.initialDelaySeconds).toBeGreaterThanOrEqual(120);
    expect(container.livenessProbe.periodSeconds * container.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(210);
    expect(container.volumeMounts).toEqual([{name: 'config', mountPath: '/config'}]);
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('config');
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '1Gi'}}});
    // The PVC name the controller derives: <claim>-<statefulset>-<ordinal>.
    expect(`${sts.spec.volumeClaimTemplates[0].metadata.name}-${sts.metadata.name}-0`).toBe(HA_MANIFEST_NAMES.pvc);
    expect(`${sts.metadata.name}-0`).toBe(HA_MANIFEST_NAMES.pod);
  });

  it('Given the StatefulSet, When its initContainers are read, Then there is exactly one, seed-config, same image, mounting /config and the seed ConfigMap, never custom_components', () => {
    const sts = byKind(documents(haManifest(OPTIONS)), 'StatefulSet');
    const inits = sts.spec.template.spec.initContainers;
    expect(inits.map((c: K8sObject) => c.name)).toEqual(['seed-config']);
    const [init] = inits;
    expect(init.image).toBe(DEFAULT_HA_IMAGE);
    expect(init.command).toEqual(['sh', '-c', SEED_SCRIPT]);
    // The script is part of the pod template: a trailing newline (or any other change) between kp
    // versions would roll HA's pod on the next `kp ha up` for nothing.
    expect(SEED_SCRIPT.endsWith('\n')).toBe(false);
    expect(haManifest(OPTIONS)).toMatch(/- \|-\n\s+set -eu\n/);
    expect(init.volumeMounts).toEqual([
      {name: 'config', mountPath: '/config'},
      {name: 'seed', mountPath: '/seed', readOnly: true},
    ]);
    expect(sts.spec.template.spec.volumes).toEqual([{name: 'seed', configMap: {name: HA_MANIFEST_NAMES.configMap}}]);
    expect(init.command.join(' ')).not.toContain('custom_components');
  });

  it('Given a pod CIDR, When the seed ConfigMap is read, Then configuration.yaml is default_config plus http trusting exactly that CIDR behind the proxy', () => {
    const configMap = byKind(documents(haManifest({...OPTIONS, podCidr: '10.32.0.0/12'})), 'ConfigMap');
    const configuration = parse(configMap.data['configuration.yaml']);
    expect(configuration).toEqual({default_config: null, http: {use_x_forwarded_for: true, trusted_proxies: ['10.32.0.0/12']}});
  });

  it('Given the Service and Ingress, When read, Then ClusterIP 8123->http, and nginx class, default host, / Prefix -> homeassistant:8123 with websocket timeouts', () => {
    const objects = documents(haManifest(OPTIONS));
    const service = byKind(objects, 'Service');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: {'app.kubernetes.io/name': 'homeassistant'},
      ports: [{name: 'http', port: 8123, targetPort: 'http', protocol: 'TCP'}],
    });
    const ingress = byKind(objects, 'Ingress');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules).toEqual([
      {
        host: 'homeassistant.localhost',
        http: {paths: [{path: '/', pathType: 'Prefix', backend: {service: {name: 'homeassistant', port: {number: 8123}}}}]},
      },
    ]);
    expect(ingress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
    });
  });

  it('Given another namespace and host, When rendered, Then every object and the rule follow them', () => {
    const objects = documents(haManifest({...OPTIONS, namespace: 'ha-dev', host: 'ha.kamerplanter.localhost'}));
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(['ha-dev']));
    expect(byKind(objects, 'Ingress').spec.rules[0].host).toBe('ha.kamerplanter.localhost');
  });

  it('Given values that would break the YAML or the objects, When rendered, Then a usage KpError names them and nothing is produced', () => {
    const bad = [
      {...OPTIONS, podCidr: '10.244.0.0/16\n  evil: true'},
      {...OPTIONS, podCidr: '300.1.1.1/8'},
      {...OPTIONS, podCidr: '10.244.0.0'},
      {...OPTIONS, host: 'Home Assistant'},
      {...OPTIONS, namespace: 'Default'},
      {...OPTIONS, image: ''},
    ];
    for (const options of bad) {
      expect(() => haManifest(options), JSON.stringify(options)).toThrow(KpError);
    }
    expect(() => haManifest({...OPTIONS, podCidr: 'fd00:10:244::/56'})).not.toThrow();
  });
});

describe('SEED_SCRIPT (run for real with sh, paths given through SEED_DIR/CONFIG_DIR)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    while (dirs.length > 0) rmSync(dirs.pop()!, {recursive: true, force: true});
  });

  function sandbox() {
    const root = mkdtempSync(path.join(tmpdir(), 'kp-seed-'));
    dirs.push(root);
    const seed = path.join(root, 'seed');
    const config = path.join(root, 'config');
    mkdirSync(seed);
    mkdirSync(config);
    writeFileSync(path.join(seed, 'configuration.yaml'), 'default_config:\n# from the seed\n');
    const run = () => spawnSync('sh', ['-c', SEED_SCRIPT], {env: {...process.env, SEED_DIR: seed, CONFIG_DIR: config}, encoding: 'utf8'});
    return {config, run};
  }

  it('Given an empty /config, When the initContainer runs, Then configuration.yaml is the seed and no temporary file is left', () => {
    const {config, run} = sandbox();
    const result = run();
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(path.join(config, 'configuration.yaml'), 'utf8')).toBe('default_config:\n# from the seed\n');
    expect(existsSync(path.join(config, 'configuration.yaml.kp-seed'))).toBe(false);
  });

  it('Given a configuration.yaml the developer edited and a synced component, When the initContainer runs again (pod deleted), Then neither is touched', () => {
    const {config, run} = sandbox();
    writeFileSync(path.join(config, 'configuration.yaml'), 'my: edits\n');
    mkdirSync(path.join(config, 'custom_components', 'kamerplanter'), {recursive: true});
    writeFileSync(path.join(config, 'custom_components', 'kamerplanter', '__init__.py'), '# synced by kp\n');
    const result = run();
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(path.join(config, 'configuration.yaml'), 'utf8')).toBe('my: edits\n');
    expect(readFileSync(path.join(config, 'custom_components', 'kamerplanter', '__init__.py'), 'utf8')).toBe('# synced by kp\n');
  });

  it('Given configuration.yaml is a dangling symlink, When the initContainer runs, Then the link is left alone (it counts as present)', () => {
    const {config, run} = sandbox();
    symlinkSync('/nonexistent/secret-config.yaml', path.join(config, 'configuration.yaml'));
    expect(run().status).toBe(0);
    expect(existsSync(path.join(config, 'configuration.yaml.kp-seed'))).toBe(false);
    expect(spawnSync('readlink', [path.join(config, 'configuration.yaml')], {encoding: 'utf8'}).stdout.trim()).toBe('/nonexistent/secret-config.yaml');
  });

  it('Given the seed is missing, When the initContainer runs, Then it fails (the pod does not start half-configured)', () => {
    const {config, run} = sandbox();
    rmSync(path.join(path.dirname(config), 'seed', 'configuration.yaml'));
    expect(run().status).not.toBe(0);
    expect(existsSync(path.join(config, 'configuration.yaml'))).toBe(false);
  });
});

describe('hostTimeZone', () => {
  it('Given a valid TZ (also in glibc :Zone form), When asked, Then that zone is used', () => {
    expect(hostTimeZone({TZ: 'America/Sao_Paulo'})).toBe('America/Sao_Paulo');
    expect(hostTimeZone({TZ: ':Asia/Tokyo'})).toBe('Asia/Tokyo');
  });

  it('Given an invalid or POSIX-rule TZ, When asked, Then it falls back to a valid IANA zone from Intl (or UTC)', () => {
    for (const tz of ['Not/AZone', 'CET-1CEST,M3.5.0,M10.5.0/3', '']) {
      const zone = hostTimeZone({TZ: tz});
      expect(zone).not.toBe(tz);
      expect(() => new Intl.DateTimeFormat('en-US', {timeZone: zone})).not.toThrow();
      expect(zone).not.toBe('Etc/Unknown');
    }
  });
});

describe('parseApplyOutput', () => {
  it('Given a first apply (real kubectl wording), When parsed, Then every object is created and changed is true', () => {
    const stdout = [
      'configmap/homeassistant-seed created',
      'statefulset.apps/homeassistant created',
      'service/homeassistant created',
      'ingress.networking.k8s.io/homeassistant created',
      '',
    ].join('\n');
    expect(parseApplyOutput(stdout)).toEqual({
      changed: true,
      lines: [
        {resource: 'configmap/homeassistant-seed', verb: 'created'},
        {resource: 'statefulset.apps/homeassistant', verb: 'created'},
        {resource: 'service/homeassistant', verb: 'created'},
        {resource: 'ingress.networking.k8s.io/homeassistant', verb: 'created'},
      ],
    });
  });

  it('Given a re-apply of the same file, When parsed, Then all unchanged and changed is false; one configured line makes it true', () => {
    const unchanged = 'configmap/homeassistant-seed unchanged\nstatefulset.apps/homeassistant unchanged\r\nservice/homeassistant unchanged\n';
    expect(parseApplyOutput(unchanged).changed).toBe(false);
    expect(parseApplyOutput(unchanged).lines).toHaveLength(3);
    expect(parseApplyOutput(`${unchanged}statefulset.apps/homeassistant configured`).changed).toBe(true);
  });

  it('Given warnings and dry-run suffixes, When parsed, Then warnings are skipped and the verb is kept without the suffix', () => {
    const stdout = [
      'Warning: resource configmaps/homeassistant-seed is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply.',
      'statefulset.apps/homeassistant created (server dry run)',
      'service/homeassistant unchanged (dry run)',
    ].join('\n');
    expect(parseApplyOutput(stdout)).toEqual({
      changed: true,
      lines: [
        {resource: 'statefulset.apps/homeassistant', verb: 'created'},
        {resource: 'service/homeassistant', verb: 'unchanged'},
      ],
    });
    expect(parseApplyOutput('')).toEqual({changed: false, lines: []});
  });
});
