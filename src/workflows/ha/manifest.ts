/**
 * The Kubernetes manifest kp ships for a dev Home Assistant in the kind cluster, and a reader for
 * `kubectl apply`'s answer. Pure (hostTimeZone reads the environment it is given).
 *
 * Why kp ships it: the app repo removed the kustomize folder that created StatefulSet
 * `homeassistant` (shared/spec/kamerplanter-workflow.md, "Home Assistant integration loop"), yet
 * every procedure still expects pod `homeassistant-0` in `default`. kp recreates it, minus the
 * initContainer that copied the component from a stale image on every pod creation.
 */
import {Document} from 'yaml';
import {fail} from '../../core/errors.js';
import {assembleScript} from './shell.js';
import seedConfigSh from './sh/seed-config.sh';

/** The image the spec pins (full version, never a sliding tag: the deployment guidelines). */
export const DEFAULT_HA_IMAGE = 'ghcr.io/home-assistant/home-assistant:2026.3.0';

/** Every name the manifest gives, so `kp ha up/down/status` and the pod target agree with it. */
export const HA_MANIFEST_NAMES = {
  namespace: 'default',
  statefulSet: 'homeassistant',
  service: 'homeassistant',
  ingress: 'homeassistant',
  configMap: 'homeassistant-seed',
  /** volumeClaimTemplates `config` of StatefulSet `homeassistant`, ordinal 0: `<claim>-<sts>-<ordinal>`. */
  pvc: 'config-homeassistant-0',
  pod: 'homeassistant-0',
  container: 'homeassistant',
  initContainer: 'seed-config',
  labelSelector: 'app.kubernetes.io/name=homeassistant',
  host: 'homeassistant.localhost',
} as const;

/** What haManifest needs; namespace and host have defaults. */
export interface HaManifestOptions {
  image: string;
  /** An IANA zone for the container's TZ (hostTimeZone()). */
  timeZone: string;
  /** The cluster's pod CIDR: ingress-nginx connects to HA from a pod address in it. */
  podCidr: string;
  namespace?: string;
  host?: string;
}

const HTTP_PORT = 8123;
const CONFIG_MOUNT = '/config';
const SEED_MOUNT = '/seed';

/** The seed initContainer's `sh -c` script (sh/seed-config.sh): copy the seed only when /config has no configuration.yaml. */
// Without the trailing newline: the text is part of the pod template, and a template that changes
// between kp versions would roll HA's pod on the next `kp ha up` for nothing.
export const SEED_SCRIPT = assembleScript(seedConfigSh).trimEnd();

// An IPv4 or IPv6 network in CIDR notation; checked because it is written into HA's YAML.
const CIDR = /^(?:(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+:[0-9a-fA-F:]*\/\d{1,3})$/;
// A DNS name (lower case, dots, hyphens) for the Ingress rule.
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
// A Kubernetes namespace name (RFC 1123 label).
const NAMESPACE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function validCidr(cidr: string): boolean {
  if (!CIDR.test(cidr)) return false;
  const [address, bits] = cidr.split('/') as [string, string];
  if (address.includes(':')) return Number(bits) <= 128;
  return Number(bits) <= 32 && address.split('.').every((octet) => Number(octet) <= 255);
}

/** HA's configuration.yaml as kp seeds it (HA is behind ingress-nginx, hence the proxy trust). */
export function seedConfiguration(podCidr: string): string {
  return [
    '# Seeded by kp on the first start only: kp never overwrites this file, edit it freely.',
    'default_config:',
    '',
    // HA answers 400 to any request carrying X-Forwarded-For unless use_x_forwarded_for is on AND
    // the connecting peer (the ingress-nginx pod, an address in the pod CIDR) is a trusted proxy.
    'http:',
    '  use_x_forwarded_for: true',
    '  trusted_proxies:',
    `    - ${podCidr}`,
    '',
  ].join('\n');
}

/** The dev HA's ConfigMap, StatefulSet, Service and Ingress as one multi-document YAML (no Namespace: `default` exists). */
export function haManifest(options: HaManifestOptions): string {
  const names = HA_MANIFEST_NAMES;
  const namespace = options.namespace ?? names.namespace;
  const host = options.host ?? names.host;
  validateManifestOptions(options, host, namespace);
  const selector = {'app.kubernetes.io/name': 'homeassistant'};
  const labels = {...selector, 'app.kubernetes.io/managed-by': 'kp'};
  const meta = (name: string) => ({name, namespace, labels});

  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(names.configMap),
    data: {'configuration.yaml': seedConfiguration(options.podCidr)},
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(names.service),
    spec: {type: 'ClusterIP', selector, ports: [{name: 'http', port: HTTP_PORT, targetPort: 'http', protocol: 'TCP'}]},
  };
  const objects = [configMap, haStatefulSet(options, meta(names.statefulSet), selector, labels), service, haIngress(meta(names.ingress), host)];
  const documents = objects.map((object) => new Document(object, {aliasDuplicateObjects: false}));
  documents[0]!.commentBefore = " The dev Home Assistant, written by kp (`kp ha up`). kp rewrites it on every apply; HA's own configuration lives on the PVC.";
  return documents.map((document) => document.toString({lineWidth: 0})).join('---\n');
}

/** Every value the manifest writes into YAML is checked first: bad input is exit 2, before any call. */
function validateManifestOptions(options: HaManifestOptions, host: string, namespace: string): void {
  if (!validCidr(options.podCidr)) {
    throw fail.usage(`The pod CIDR ${JSON.stringify(options.podCidr)} is not an IPv4 or IPv6 network like 10.244.0.0/16.`);
  }
  if (!HOST.test(host)) throw fail.usage(`The Ingress host ${JSON.stringify(host)} is not a DNS name.`);
  if (!NAMESPACE.test(namespace)) throw fail.usage(`The namespace ${JSON.stringify(namespace)} is not a valid Kubernetes name.`);
  if (!options.image.trim() || /\s/.test(options.image)) throw fail.usage(`The image ${JSON.stringify(options.image)} is not an image reference.`);
}

/** Object metadata: name, namespace and kp's labels. */
type Meta = {name: string; namespace: string; labels: Record<string, string>};

/** HA's StatefulSet: the seed initContainer, HA itself with its probes, and its PVC. */
function haStatefulSet(options: HaManifestOptions, metadata: Meta, selector: Record<string, string>, labels: Record<string, string>) {
  const names = HA_MANIFEST_NAMES;
  const tcp = {tcpSocket: {port: HTTP_PORT}};
  const statefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata,
    spec: {
      // The ClusterIP Service below doubles as the governing service: one replica needs no per-pod DNS.
      serviceName: names.service,
      replicas: 1,
      // No updateStrategy: the API server defaults RollingUpdate with partition 0. No
      // persistentVolumeClaimRetentionPolicy: its default, Retain, keeps the PVC (HA's owner account,
      // tokens, history) when the StatefulSet is deleted; removing it is a separate, explicit step.
      selector: {matchLabels: selector},
      template: {
        metadata: {labels},
        spec: {
          initContainers: [
            {
              // The ONLY initContainer, and it never touches custom_components: the old one
              // (copy-ha-integration) copied the component from a stale image on every pod creation,
              // so `kubectl delete pod` silently overwrote what had just been synced. This one seeds
              // configuration.yaml once and never overwrites, so deleting the pod is safe again.
              name: names.initContainer,
              image: options.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', SEED_SCRIPT],
              volumeMounts: [
                {name: 'config', mountPath: CONFIG_MOUNT},
                {name: 'seed', mountPath: SEED_MOUNT, readOnly: true},
              ],
            },
          ],
          containers: [
            {
              name: names.container,
              image: options.image,
              imagePullPolicy: 'IfNotPresent',
              env: [{name: 'TZ', value: options.timeZone}],
              ports: [{name: 'http', containerPort: HTTP_PORT, protocol: 'TCP'}],
              // Readiness only gates Ready (it never restarts anything), so probing early is free;
              // the old 30 s initial delay kept the pod un-Ready for 30 s after every (re)start
              // although HA answers sooner, and kp's restart wait waits for Ready: a 2 s period keeps
              // that wait within 2 s of HA answering (a tcp connect every 2 s costs nothing).
              readinessProbe: {...tcp, initialDelaySeconds: 2, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3},
              // Liveness restarts the container, which is exactly what kp avoids (crash back-off,
              // CrashLoopBackOff): HA's first start installs requirements, and an in-place restart
              // (SIGHUP) may spend minutes in its shutdown stages (20+100+60+30 s) with 8123 closed.
              // So: 5 min before the first probe, then 10 misses 30 s apart (5 min) before a kill.
              livenessProbe: {...tcp, initialDelaySeconds: 300, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 10},
              volumeMounts: [{name: 'config', mountPath: CONFIG_MOUNT}],
            },
          ],
          volumes: [{name: 'seed', configMap: {name: names.configMap}}],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: {name: 'config', labels},
          spec: {accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '1Gi'}}},
        },
      ],
    },
  };
  return statefulSet;
}

/** The Ingress in front of HA's Service, kept open for HA's long-lived websocket. */
function haIngress(metadata: Meta, host: string) {
  const names = HA_MANIFEST_NAMES;
  const ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      ...metadata,
      // ingress-nginx proxies websockets out of the box but closes a connection idle for 60 s
      // (proxy-read/send-timeout); HA's frontend lives on one websocket, so an hour it is
      // (ingress-nginx docs, user-guide/miscellaneous.md "Websockets").
      annotations: {
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      },
    },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host,
          http: {paths: [{path: '/', pathType: 'Prefix', backend: {service: {name: names.service, port: {number: HTTP_PORT}}}}]},
        },
      ],
    },
  };
  return ingress;
}

/** The host's IANA time zone for HA's TZ: a valid TZ variable first, then Intl, else UTC. */
export function hostTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  // glibc accepts TZ=":Europe/Berlin"; a POSIX rule such as "CET-1CEST" is no IANA name and is skipped.
  const fromEnv = env.TZ?.replace(/^:/, '').trim();
  if (fromEnv && validTimeZone(fromEnv)) return fromEnv;
  const resolved = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // ICU answers "Etc/Unknown" when it cannot tell; HA would reject that name.
  return resolved && resolved !== 'Etc/Unknown' && validTimeZone(resolved) ? resolved : 'UTC';
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: zone});
    return true;
  } catch {
    return false;
  }
}

/** One line of `kubectl apply`: `statefulset.apps/homeassistant created`. */
export interface ApplyLine {
  /** `kind[.group]/name`, as kubectl prints it. */
  resource: string;
  /** `created`, `configured`, `unchanged` (or what a newer kubectl says, e.g. `serverside-applied`). */
  verb: 'created' | 'configured' | 'unchanged' | (string & {});
}

// `kind.group/name verb` with an optional dry-run suffix; anything else (warnings) is not a result line.
const APPLY_LINE = /^(\S+\/\S+) (\S+)(?: \((?:server )?dry run\))?$/;

/** Read `kubectl apply -f`'s stdout: one line per object, and whether anything was not `unchanged`. */
export function parseApplyOutput(stdout: string): {changed: boolean; lines: ApplyLine[]} {
  const lines = stdout
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => APPLY_LINE.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({resource: match[1]!, verb: match[2]!}));
  return {changed: lines.some((line) => line.verb !== 'unchanged'), lines};
}
