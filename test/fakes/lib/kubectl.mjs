// Fake `kubectl`: reads the kubeconfig kind writes (KUBECONFIG), answers for kind-N contexts from
// the cluster state, and uses the real wording for errors (unknown context, NotFound, refused).
// Pod operations can be provided by ./kubectl-pods.mjs (owned by the HA tests): it is consulted
// first, after --context has been validated.
// Objects applied with `apply -f` live in the cluster record (`Kind/namespace/name`). A StatefulSet
// brings its pods (`<name>-<ordinal>`, Running and Ready, derived from the template; their uid and
// startedAt live in record.statefulPods) and its PVCs (`<claim>-<name>-<ordinal>`, Bound, stored as
// objects: like the real controller, deleting the StatefulSet keeps them).
// KP_FAKE_KUBECTL_NOT_READY=a,b names StatefulSets whose pods never turn Ready (readiness failing).
import {createHash, randomUUID} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import YAML from 'yaml';
import {
  clusterNodes,
  clusterOfContext,
  clusterRecord,
  contextServer,
  finish,
  loadClusters,
  parseArgs,
  readKubeconfig,
  recordCall,
  saveClusters,
  stateDir,
  unreachableMessage,
  writeKubeconfig,
} from './common.mjs';

const VERSION = () => process.env.KP_FAKE_KUBECTL_VERSION ?? '1.32.4';
const PLURAL = {
  deployment: 'deployments.apps',
  deployments: 'deployments.apps',
  pod: 'pods',
  pods: 'pods',
  node: 'nodes',
  nodes: 'nodes',
  namespace: 'namespaces',
  service: 'services',
};

/**
 * The namespaced resources `get`/`delete`/`rollout` know: every spelling kubectl accepts (plural,
 * singular, short name; a `.group` suffix is dropped before lookup), the `plural.group` its NotFound
 * errors name, and the `kind.group` apply and delete print (core kinds have no group).
 */
const RESOURCES = [
  {kind: 'Deployment', names: ['deployment', 'deployments', 'deploy'], plural: 'deployments.apps', printed: 'deployment.apps'},
  {kind: 'StatefulSet', names: ['statefulset', 'statefulsets', 'sts'], plural: 'statefulsets.apps', printed: 'statefulset.apps'},
  {kind: 'Service', names: ['service', 'services', 'svc'], plural: 'services', printed: 'service'},
  {kind: 'Ingress', names: ['ingress', 'ingresses', 'ing'], plural: 'ingresses.networking.k8s.io', printed: 'ingress.networking.k8s.io'},
  {kind: 'ConfigMap', names: ['configmap', 'configmaps', 'cm'], plural: 'configmaps', printed: 'configmap'},
  {
    kind: 'PersistentVolumeClaim',
    names: ['persistentvolumeclaim', 'persistentvolumeclaims', 'pvc'],
    plural: 'persistentvolumeclaims',
    printed: 'persistentvolumeclaim',
  },
  {kind: 'Pod', names: ['pod', 'pods', 'po'], plural: 'pods', printed: 'pod'},
];
const resourceOf = (word) =>
  RESOURCES.find((r) =>
    r.names.includes(
      String(word ?? '')
        .split('.')[0]
        .toLowerCase(),
    ),
  );
const resourceOfKind = (kind) => RESOURCES.find((r) => r.kind === kind);
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const notReadySets = () => (process.env.KP_FAKE_KUBECTL_NOT_READY ?? '').split(',').filter(Boolean);

/** kubectl's flags that take a value (everything else is a boolean), and its short names. */
export const KUBECTL_FLAGS = {
  values: [
    '--context',
    '--kubeconfig',
    '--namespace',
    '--output',
    '--selector',
    '--container',
    '--filename',
    '--timeout',
    '--for',
    '--since',
    '--since-time',
    '--tail',
    '--raw',
    '--field-selector',
  ],
  aliases: {
    '-w': '--watch',
    '-n': '--namespace',
    '-o': '--output',
    '-l': '--selector',
    '-c': '--container',
    '-f': '--filename',
    '-A': '--all-namespaces',
    '-i': '--stdin',
    '-t': '--tty',
  },
};

/** Parse kubectl's argv: the global --context may stand anywhere. */
export const parseKubectl = (argv) => parseArgs(argv, KUBECTL_FLAGS);

function readStdin() {
  try {
    return readFileSync(0);
  } catch {
    return Buffer.alloc(0);
  }
}

function configCommand(parsed) {
  const config = readKubeconfig();
  const [, sub, value] = parsed.positionals;
  if (sub === 'current-context') {
    return config['current-context'] ? finish({stdout: config['current-context']}) : finish({stderr: 'error: current-context is not set', exitCode: 1});
  }
  if (sub === 'get-contexts') return finish({stdout: config.contexts.map((c) => c.name).join('\n')});
  if (sub === 'use-context') {
    if (!config.contexts.some((c) => c.name === value)) return finish({stderr: `error: no context exists with the name: "${value}"`, exitCode: 1});
    config['current-context'] = value;
    writeKubeconfig(config);
    return finish({stdout: `Switched to context "${value}".`});
  }
  if (sub === 'unset' && value === 'current-context') {
    config['current-context'] = '';
    writeKubeconfig(config);
    return finish({stdout: 'Property "current-context" unset.'});
  }
  if (sub === 'view') return finish({stdout: parsed.value('--output') === 'json' ? JSON.stringify(config, null, 2) : YAML.stringify(config)});
  return finish({stderr: `error: unknown command "${sub}" for "kubectl config"`, exitCode: 1});
}

const ready = (status) => [{type: 'Ready', status: status ? 'True' : 'False'}];

function nodeItems(cluster) {
  return clusterNodes(cluster).map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {'kubernetes.io/hostname': n.name, ...(n.role === 'control-plane' ? {'node-role.kubernetes.io/control-plane': '', 'ingress-ready': 'true'} : {})},
    },
    status: {conditions: ready(n.state === 'running'), nodeInfo: {kubeletVersion: 'v1.33.1'}},
  }));
}

// ---------------------------------------------------------------- StatefulSets: revision, pods, PVCs

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** The controller revision (`<name>-<hash>`): a new pod template is a new revision, as in the real controller. */
function stsRevision(sts) {
  const digest = createHash('sha256')
    .update(JSON.stringify(sts.spec?.template ?? {}))
    .digest();
  return `${sts.metadata.name}-${[...digest.subarray(0, 10)].map((b) => SAFE[b % SAFE.length]).join('')}`;
}

const stsReplicas = (sts) => sts.spec?.replicas ?? 1;
const stsReady = (sts) => !notReadySets().includes(sts.metadata.name);

/** The status the StatefulSet controller would report once it has acted (ready unless told otherwise). */
function stsStatus(sts) {
  const replicas = stsReplicas(sts);
  const revision = stsRevision(sts);
  const readyReplicas = stsReady(sts) ? replicas : 0;
  return {
    observedGeneration: sts.metadata.generation ?? 1,
    replicas,
    readyReplicas,
    availableReplicas: readyReplicas,
    currentReplicas: replicas,
    updatedReplicas: replicas,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  };
}

/** The API server's defaults for an apps/v1 StatefulSet (pkg/apis/apps/v1/defaults.go). */
function stsDefaults(spec) {
  const updateStrategy = spec.updateStrategy?.type ? {...spec.updateStrategy} : {type: 'RollingUpdate', rollingUpdate: {}};
  // Only when the strategy was defaulted, or given with a rollingUpdate block, does it get a partition.
  if (updateStrategy.type === 'RollingUpdate' && updateStrategy.rollingUpdate) updateStrategy.rollingUpdate = {partition: 0, ...updateStrategy.rollingUpdate};
  return {
    podManagementPolicy: 'OrderedReady',
    revisionHistoryLimit: 10,
    persistentVolumeClaimRetentionPolicy: {whenDeleted: 'Retain', whenScaled: 'Retain'},
    ...spec,
    replicas: spec.replicas ?? 1,
    updateStrategy,
  };
}

const ordinalPods = (sts) => Array.from({length: stsReplicas(sts)}, (_, i) => `${sts.metadata.name}-${i}`);

/** Make the pods' runtime (uid, startedAt, revision) follow the StatefulSet: new revision, new pod. */
function syncStatefulPods(record, sts, {fresh = false} = {}) {
  record.statefulPods ??= {};
  const ns = sts.metadata.namespace;
  const revision = stsRevision(sts);
  const wanted = new Set(ordinalPods(sts).map((name) => `${ns}/${name}`));
  for (const key of Object.keys(record.statefulPods)) {
    const [keyNs, pod] = key.split('/');
    const owned = keyNs === ns && pod.startsWith(`${sts.metadata.name}-`) && /^\d+$/.test(pod.slice(sts.metadata.name.length + 1));
    if (owned && (fresh || !wanted.has(key))) delete record.statefulPods[key];
  }
  for (const key of wanted) {
    const state = record.statefulPods[key];
    if (!state || state.revision !== revision) record.statefulPods[key] = {uid: randomUUID(), startedAt: now(), revision};
  }
}

/** Create the PVCs of the volumeClaimTemplates that do not exist yet (an existing claim is reused, never changed). */
function ensureClaims(record, sts) {
  const ns = sts.metadata.namespace;
  for (const template of sts.spec?.volumeClaimTemplates ?? []) {
    for (const pod of ordinalPods(sts)) {
      const name = `${template.metadata?.name}-${pod}`;
      const key = `PersistentVolumeClaim/${ns}/${name}`;
      if (record.objects[key]) continue;
      const uid = randomUUID();
      const spec = template.spec ?? {};
      record.objects[key] = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name,
          namespace: ns,
          uid,
          creationTimestamp: now(),
          labels: {...(template.metadata?.labels ?? {}), ...(sts.spec?.selector?.matchLabels ?? {})},
        },
        // kind's default StorageClass is `standard` (local-path provisioner).
        spec: {...spec, storageClassName: spec.storageClassName ?? 'standard', volumeMode: spec.volumeMode ?? 'Filesystem', volumeName: `pvc-${uid}`},
        status: {phase: 'Bound', accessModes: spec.accessModes ?? ['ReadWriteOnce'], capacity: {storage: spec.resources?.requests?.storage ?? '1Gi'}},
      };
    }
  }
}

/** The pods of a StatefulSet as the API returns them (template labels and containers, Running, Ready). */
function stsPodItems(record, sts) {
  const ns = sts.metadata.namespace;
  const template = sts.spec?.template ?? {};
  const revision = stsRevision(sts);
  const isReady = stsReady(sts);
  return ordinalPods(sts).map((name, ordinal) => {
    const state = record.statefulPods?.[`${ns}/${name}`] ?? {
      uid: createHash('sha256').update(`${ns}/${name}`).digest('hex').slice(0, 32),
      startedAt: sts.metadata.creationTimestamp ?? now(),
    };
    const claims = (sts.spec?.volumeClaimTemplates ?? []).map((t) => ({
      name: t.metadata?.name,
      persistentVolumeClaim: {claimName: `${t.metadata?.name}-${name}`},
    }));
    const spec = template.spec ?? {};
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        uid: state.uid,
        creationTimestamp: state.startedAt,
        labels: {
          ...(template.metadata?.labels ?? {}),
          'apps.kubernetes.io/pod-index': String(ordinal),
          'controller-revision-hash': revision,
          'statefulset.kubernetes.io/pod-name': name,
        },
        ownerReferences: [
          {apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.metadata.name, uid: sts.metadata.uid, controller: true, blockOwnerDeletion: true},
        ],
      },
      spec: {...spec, hostname: name, subdomain: sts.spec?.serviceName, volumes: [...(spec.volumes ?? []), ...claims]},
      status: {
        phase: 'Running',
        conditions: ready(isReady),
        initContainerStatuses: (spec.initContainers ?? []).map((c) => ({
          name: c.name,
          image: c.image,
          ready: true,
          restartCount: 0,
          state: {terminated: {exitCode: 0, reason: 'Completed'}},
        })),
        containerStatuses: (spec.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image,
          ready: isReady,
          started: true,
          restartCount: 0,
          state: {running: {startedAt: state.startedAt}},
        })),
      },
    };
  });
}

const byKind = (record, kind) => Object.values(record.objects).filter((o) => o.kind === kind);

function podItems(record) {
  const pods = [];
  for (const object of Object.values(record.objects)) {
    if (object.kind !== 'Deployment') continue;
    const labels = object.spec?.template?.metadata?.labels ?? {};
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: `${object.metadata.name}-5d9f7c6b8-x2v4q`, namespace: object.metadata.namespace ?? 'default', labels},
      status: {phase: 'Running', conditions: ready(true)},
    });
  }
  for (const release of record.helmReleases) {
    for (const pod of release.pods ?? [])
      pods.push({apiVersion: 'v1', kind: 'Pod', metadata: {name: pod.name, namespace: release.namespace}, status: pod.status});
  }
  for (const sts of byKind(record, 'StatefulSet')) pods.push(...stsPodItems(record, sts));
  return pods;
}

const podIsReady = (pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** kubectl's equality-based selectors: `k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-separated (all must hold). */
function matchesSelector(labels = {}, selector) {
  return selector
    .split(',')
    .filter(Boolean)
    .every((term) => {
      const not = /^(.+?)!=(.*)$/.exec(term);
      if (not) return labels[not[1]] !== not[2];
      const eq = /^(.+?)==?(.*)$/.exec(term);
      if (eq) return labels[eq[1]] === eq[2];
      return term.startsWith('!') ? !(term.slice(1) in labels) : term in labels;
    });
}

function notFound(kind, name) {
  return finish({stderr: `Error from server (NotFound): ${resourceOf(kind)?.plural ?? PLURAL[kind] ?? kind} "${name}" not found`, exitCode: 1});
}

// ---------------------------------------------------------------- tables (kubectl's tabwriter: padding 3)

function age(timestamp) {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp ?? now())) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h`;
}

function table(headers, rows) {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)) + 3);
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? String(cell) : String(cell).padEnd(widths[i]))).join('')).join('\n');
}

const ingressAddress = (record) => (record.objects['Deployment/ingress-nginx/ingress-nginx-controller'] ? 'localhost' : '');

function rowsOf(kind, items, record) {
  switch (kind) {
    case 'StatefulSet':
      return [
        ['NAME', 'READY', 'AGE'],
        items.map((o) => [o.metadata.name, `${stsStatus(o).readyReplicas}/${stsReplicas(o)}`, age(o.metadata.creationTimestamp)]),
      ];
    case 'Service':
      return [
        ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
        items.map((o) => [
          o.metadata.name,
          o.spec?.type ?? 'ClusterIP',
          o.spec?.clusterIP ?? '<none>',
          '<none>',
          (o.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(','),
          age(o.metadata.creationTimestamp),
        ]),
      ];
    case 'Ingress':
      return [
        ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
        items.map((o) => [
          o.metadata.name,
          o.spec?.ingressClassName ?? '<none>',
          (o.spec?.rules ?? []).map((r) => r.host ?? '*').join(',') || '*',
          ingressAddress(record),
          o.spec?.tls ? '80, 443' : '80',
          age(o.metadata.creationTimestamp),
        ]),
      ];
    case 'ConfigMap':
      return [
        ['NAME', 'DATA', 'AGE'],
        items.map((o) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o.metadata.creationTimestamp)]),
      ];
    case 'PersistentVolumeClaim':
      return [
        ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
        items.map((o) => [
          o.metadata.name,
          o.status?.phase,
          o.spec?.volumeName,
          o.status?.capacity?.storage,
          (o.status?.accessModes ?? [])
            .map((m) => ({ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP'})[m] ?? m)
            .join(','),
          o.spec?.storageClassName,
          '<unset>',
          age(o.metadata.creationTimestamp),
        ]),
      ];
    default:
      return [['NAME', 'AGE'], items.map((o) => [o.metadata.name, age(o.metadata.creationTimestamp)])];
  }
}

/** What the API returns for an object: status filled in where a controller would report one. */
function served(object, record) {
  if (object.kind === 'StatefulSet') return {...object, status: stsStatus(object)};
  if (object.kind === 'Ingress') {
    const address = ingressAddress(record);
    return {...object, status: {loadBalancer: address ? {ingress: [{hostname: address}]} : {}}};
  }
  return object;
}

/** `get KIND [NAME]` for the stored kinds (-o json / -o name / table). */
function getStored(parsed, record, resource, name, namespace, all) {
  const output = parsed.value('--output');
  const selector = parsed.value('--selector');
  if (name) {
    const object = record.objects[`${resource.kind}/${namespace}/${name}`];
    if (!object) return notFound(resource.names[0], name);
    if (output === 'json') return finish({stdout: JSON.stringify(served(object, record), null, 2)});
    if (output === 'yaml') return finish({stdout: YAML.stringify(served(object, record))});
    if (output === 'name') return finish({stdout: `${resource.printed}/${name}`});
    const [headers, rows] = rowsOf(resource.kind, [object], record);
    return finish({stdout: table(headers, rows)});
  }
  const items = byKind(record, resource.kind)
    .filter((o) => all || o.metadata.namespace === namespace)
    .filter((o) => !selector || matchesSelector(o.metadata.labels, selector))
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))
    .map((o) => served(o, record));
  if (output === 'json') return finish({stdout: JSON.stringify({apiVersion: 'v1', kind: 'List', items, metadata: {resourceVersion: ''}}, null, 2)});
  if (output === 'name') return finish({stdout: items.map((o) => `${resource.printed}/${o.metadata.name}`).join('\n')});
  if (items.length === 0) return finish({stderr: all ? 'No resources found' : `No resources found in ${namespace} namespace.`});
  const [headers, rows] = rowsOf(resource.kind, items, record);
  return finish({stdout: table(all ? ['NAMESPACE', ...headers] : headers, all ? rows.map((r, i) => [items[i].metadata.namespace, ...r]) : rows)});
}

function get(parsed, cluster, record) {
  if (parsed.has('--raw')) return finish({stdout: 'ok'});
  const output = parsed.value('--output');
  const namespace = parsed.value('--namespace') ?? 'default';
  const all = parsed.has('--all-namespaces');
  const [, kindArg, name] = parsed.positionals;
  const kind = kindArg?.split('.')[0];
  if (kind === 'nodes' || kind === 'node') {
    const items = nodeItems(cluster);
    return finish({
      stdout: output === 'json' ? JSON.stringify({apiVersion: 'v1', kind: 'List', items}, null, 2) : items.map((n) => `${n.metadata.name}   Ready`).join('\n'),
    });
  }
  if (kind === 'pods' || kind === 'pod' || kind === 'po') {
    const selector = parsed.value('--selector');
    const items = podItems(record)
      .filter((p) => all || p.metadata.namespace === namespace)
      .filter((p) => !selector || matchesSelector(p.metadata.labels, selector));
    if (name) {
      const pod = items.find((p) => p.metadata.name === name);
      return pod ? finish({stdout: JSON.stringify(pod, null, 2)}) : notFound('pods', name);
    }
    return finish({stdout: JSON.stringify({apiVersion: 'v1', kind: 'List', items}, null, 2)});
  }
  if (kind === 'deployment' || kind === 'deployments' || kind === 'deploy') {
    if (!name) {
      const items = Object.values(record.objects).filter((o) => o.kind === 'Deployment' && (all || o.metadata.namespace === namespace));
      return finish({stdout: JSON.stringify({apiVersion: 'v1', kind: 'List', items}, null, 2)});
    }
    const object = record.objects[`Deployment/${namespace}/${name}`];
    return object ? finish({stdout: JSON.stringify(object, null, 2)}) : notFound('deployment', name);
  }
  const resource = resourceOf(kindArg);
  if (resource) return getStored(parsed, record, resource, name, namespace, all);
  return finish({stderr: `error: the server doesn't have a resource type "${kindArg}"`, exitCode: 1});
}

// ---------------------------------------------------------------- apply / delete

const CLUSTER_SCOPED = [
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
];

/** `kind[.group]` as apply/delete print it: the group is the apiVersion's part before `/` (none for core v1). */
const printedKind = (object) => `${object.kind.toLowerCase()}${object.apiVersion?.includes('/') ? `.${object.apiVersion.split('/')[0]}` : ''}`;

/** The objects of `-f FILE` (`-f -`: stdin, which kubectl's errors call "STDIN"). */
function readManifest(file) {
  return YAML.parseAllDocuments(file === '-' ? readStdin().toString('utf8') : readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS())
    .filter((object) => object?.kind);
}

// The server's view of an object without what the server adds, for a record written without the
// last-applied annotation (kubectl compares against that annotation).
function withoutServerFields(object) {
  const {status, ...rest} = object;
  const {uid, creationTimestamp, generation, resourceVersion, ...metadata} = rest.metadata ?? {};
  return {...rest, metadata};
}

function apply(parsed, clusters, record) {
  const file = parsed.value('--filename');
  if (!file || (file !== '-' && !existsSync(file))) return finish({stderr: `error: the path "${file}" does not exist`, exitCode: 1});
  const fallbackNs = parsed.value('--namespace') ?? 'default';
  const lines = [];
  for (const object of readManifest(file)) {
    const ns = CLUSTER_SCOPED.includes(object.kind) ? '' : (object.metadata?.namespace ?? fallbackNs);
    const key = `${object.kind}/${ns}/${object.metadata?.name}`;
    const desired = JSON.stringify(object);
    const previous = record.objects[key];
    const lastApplied = previous?.metadata?.annotations?.[LAST_APPLIED] ?? (previous && JSON.stringify(withoutServerFields(previous)));
    // A three-way merge: a field the live object changed since (kubectl scale) is set back to the file's value.
    const liveDrifted = previous && object.spec?.replicas !== undefined && previous.spec?.replicas !== object.spec.replicas;
    const verb = !previous ? 'created' : lastApplied === desired && !liveDrifted ? 'unchanged' : 'configured';
    lines.push(`${printedKind(object)}/${object.metadata?.name} ${verb}`);
    if (verb === 'unchanged') continue;
    // What the API server stores: the object as sent plus its defaults (a StatefulSet's update strategy, ...).
    const spec = object.kind === 'StatefulSet' ? stsDefaults(object.spec ?? {}) : object.spec;
    const specChanged = !previous || JSON.stringify(previous.spec) !== JSON.stringify(spec);
    const stored = {
      ...object,
      ...(spec === undefined ? {} : {spec}),
      metadata: {
        ...object.metadata,
        ...(ns ? {namespace: ns} : {}),
        uid: previous?.metadata?.uid ?? randomUUID(),
        creationTimestamp: previous?.metadata?.creationTimestamp ?? now(),
        generation: (previous?.metadata?.generation ?? 0) + (specChanged ? 1 : 0),
        annotations: {...(object.metadata?.annotations ?? {}), [LAST_APPLIED]: desired},
      },
    };
    if (object.kind === 'Deployment')
      stored.status = {replicas: object.spec?.replicas ?? 1, readyReplicas: object.spec?.replicas ?? 1, updatedReplicas: object.spec?.replicas ?? 1};
    if (object.kind === 'Service' && (object.spec?.type ?? 'ClusterIP') !== 'ExternalName' && object.spec?.clusterIP === undefined) {
      // The API server allocates a cluster IP from kind's service subnet (10.96.0.0/16) and keeps it.
      const digest = createHash('sha256').update(key).digest();
      const clusterIP = previous?.spec?.clusterIP ?? `10.96.${digest[0]}.${Math.max(2, digest[1])}`;
      stored.spec = {...object.spec, type: object.spec?.type ?? 'ClusterIP', clusterIP, clusterIPs: [clusterIP]};
    }
    if (object.kind === 'StatefulSet') {
      ensureClaims(record, stored);
      syncStatefulPods(record, stored, {fresh: !previous});
    }
    record.objects[key] = stored;
  }
  saveClusters(clusters);
  return finish({stdout: lines.join('\n')});
}

/** `kubectl scale statefulset/NAME --replicas=N -n NS`: kubectl prints `statefulset.apps/NAME scaled`. */
function scale(parsed, clusters, record) {
  const namespace = parsed.value('--namespace') ?? 'default';
  const [kindWord, name] = String(parsed.positionals[1] ?? '').split('/');
  const resource = resourceOf(kindWord);
  const replicas = Number(parsed.value('--replicas'));
  if (!resource || !['Deployment', 'StatefulSet'].includes(resource.kind) || !name || !Number.isInteger(replicas))
    return finish({stderr: 'error: expected TYPE/NAME and --replicas', exitCode: 1});
  const object = record.objects[`${resource.kind}/${namespace}/${name}`];
  if (!object) return finish({stderr: `Error from server (NotFound): ${resource.plural}.apps "${name}" not found`, exitCode: 1});
  object.spec = {...object.spec, replicas};
  if (resource.kind === 'StatefulSet') syncStatefulPods(record, object);
  saveClusters(clusters);
  return finish({stdout: `${printedKind(object)}/${name} scaled`});
}

/** Remove one object; what the deletion takes along (a StatefulSet's pods, never its PVCs). */
function remove(record, resource, ns, name) {
  const key = `${resource.kind}/${ns}/${name}`;
  const object = record.objects[key];
  if (!object) return false;
  delete record.objects[key];
  if (resource.kind === 'StatefulSet') syncStatefulPods(record, {...object, spec: {...object.spec, replicas: 0}});
  return true;
}

/** `delete pod NAME`: a StatefulSet's pod comes back under the same name (new uid, new start); others are gone and replaced. */
function deletePod(record, ns, name) {
  const pod = podItems(record).find((p) => p.metadata.namespace === ns && p.metadata.name === name);
  if (!pod) return false;
  const key = `${ns}/${name}`;
  if (record.statefulPods?.[key]) record.statefulPods[key] = {...record.statefulPods[key], uid: randomUUID(), startedAt: now()};
  return true;
}

function del(parsed, clusters, record) {
  const namespace = parsed.value('--namespace') ?? 'default';
  const ignore = parsed.has('--ignore-not-found');
  const out = [];
  const errors = [];
  const file = parsed.value('--filename');
  if (file) {
    if (file !== '-' && !existsSync(file)) return finish({stderr: `error: the path "${file}" does not exist`, exitCode: 1});
    const source = file === '-' ? 'STDIN' : file;
    for (const object of readManifest(file)) {
      const resource = resourceOfKind(object.kind) ?? {kind: object.kind, plural: `${object.kind.toLowerCase()}s`, printed: printedKind(object)};
      const ns = CLUSTER_SCOPED.includes(object.kind) ? '' : (object.metadata?.namespace ?? namespace);
      const name = object.metadata?.name;
      if (remove(record, resource, ns, name)) out.push(`${printedKind(object)} "${name}" deleted`);
      else if (!ignore) errors.push(`Error from server (NotFound): error when deleting "${source}": ${resource.plural} "${name}" not found`);
    }
  } else {
    // `delete KIND NAME...` or `delete KIND/NAME...`
    const words = parsed.positionals.slice(1);
    const targets = words[0]?.includes('/') ? words.map((w) => w.split('/')) : words.slice(1).map((name) => [words[0], name]);
    if (targets.length === 0) return finish({stderr: 'error: resource(s) were provided, but no name was specified', exitCode: 1});
    for (const [kindWord, name] of targets) {
      const resource = resourceOf(kindWord);
      if (!resource) return finish({stderr: `error: the server doesn't have a resource type "${kindWord}"`, exitCode: 1});
      const deleted = resource.kind === 'Pod' ? deletePod(record, namespace, name) : remove(record, resource, namespace, name);
      if (deleted) out.push(`${resource.printed} "${name}" deleted`);
      else if (!ignore) errors.push(`Error from server (NotFound): ${resource.plural} "${name}" not found`);
    }
  }
  saveClusters(clusters);
  return finish({stdout: out.join('\n'), stderr: errors.join('\n'), exitCode: errors.length > 0 ? 1 : 0});
}

// ---------------------------------------------------------------- rollout / wait

function rollout(parsed, record) {
  const namespace = parsed.value('--namespace') ?? 'default';
  const words = parsed.positionals.slice(2);
  const [kindWord, name] = words[0]?.includes('/') ? words[0].split('/') : words;
  const resource = resourceOf(kindWord);
  if (!resource || !['Deployment', 'StatefulSet'].includes(resource.kind)) {
    return finish({stderr: `error: no status viewer has been implemented for ${kindWord}`, exitCode: 1});
  }
  const object = record.objects[`${resource.kind}/${namespace}/${name}`];
  if (!object) return notFound(resource.names[0], name);
  if (resource.kind === 'Deployment') return finish({stdout: `deployment "${name}" successfully rolled out`});
  // StatefulSetStatusViewer (kubectl/pkg/polymorphichelpers/rollout_status.go), after the watch saw the controller act.
  const strategy = object.spec?.updateStrategy ?? {};
  if (strategy.type !== 'RollingUpdate') return finish({stderr: 'error: rollout status is only available for RollingUpdate strategy type', exitCode: 1});
  const status = stsStatus(object);
  if (status.readyReplicas < stsReplicas(object)) {
    // The real client keeps watching until --timeout; the fake answers at once with the same words.
    return finish({
      stdout: `Waiting for ${stsReplicas(object) - status.readyReplicas} pods to be ready...`,
      stderr: 'error: timed out waiting for the condition',
      exitCode: 1,
    });
  }
  if (strategy.rollingUpdate) return finish({stdout: `partitioned roll out complete: ${status.updatedReplicas} new pods have been updated...`});
  return finish({stdout: `statefulset rolling update complete ${status.currentReplicas} pods at revision ${status.currentRevision}...`});
}

function wait(parsed, record) {
  const selector = parsed.value('--selector');
  const namespace = parsed.value('--namespace') ?? 'default';
  const pods = podItems(record).filter((p) => p.metadata.namespace === namespace);
  const target = parsed.positionals[1];
  const named = target?.includes('/') && resourceOf(target.split('/')[0])?.kind === 'Pod' ? target.split('/')[1] : undefined;
  if (named && !pods.some((p) => p.metadata.name === named)) return notFound('pods', named);
  const matching = named ? pods.filter((p) => p.metadata.name === named) : selector ? pods.filter((p) => matchesSelector(p.metadata.labels, selector)) : pods;
  if (matching.length === 0) return finish({stderr: 'error: no matching resources found', exitCode: 1});
  const unready = matching.find((p) => !podIsReady(p));
  if (unready) return finish({stderr: `error: timed out waiting for the condition on pods/${unready.metadata.name}`, exitCode: 1});
  return finish({stdout: matching.map((p) => `pod/${p.metadata.name} condition met`).join('\n')});
}

export async function main(argv) {
  recordCall('kubectl', argv);
  const parsed = parseKubectl(argv);
  const explicit = parsed.value('--context');
  const [verb] = parsed.positionals;
  if (verb === 'version' && parsed.has('--client')) {
    const clientVersion = {
      major: '1',
      minor: VERSION().split('.')[1],
      gitVersion: `v${VERSION()}`,
      gitCommit: '4cb5f0764b8d5f425645c6f433394fede34a8a26',
      gitTreeState: 'clean',
      buildDate: '2025-05-15T20:09:34Z',
      goVersion: 'go1.23.8',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
    return parsed.value('--output') === 'json'
      ? finish({stdout: JSON.stringify({clientVersion, kustomizeVersion: 'v5.5.0'}, null, 2)})
      : finish({stdout: `Client Version: v${VERSION()}\nKustomize Version: v5.5.0`});
  }
  const config = readKubeconfig();
  const context = explicit ?? (config['current-context'] || undefined);
  if (explicit !== undefined && contextServer(explicit) === undefined) {
    return finish({stderr: `error: context "${explicit}" does not exist`, exitCode: 1});
  }
  if (verb === 'config') return configCommand(parsed);
  if (!context) return finish({stderr: 'The connection to the server localhost:8080 was refused - did you specify the right host or port?', exitCode: 1});

  const podsModule = new URL('./kubectl-pods.mjs', import.meta.url);
  if (existsSync(podsModule)) {
    const mod = await import(podsModule.href);
    const stdin = parsed.has('--stdin') ? readStdin() : Buffer.alloc(0);
    const handled = await mod.handlePodCommand({parsed, context, stateDir: stateDir(), stdin});
    if (handled) return finish(handled);
  }

  const unreachable = unreachableMessage(context);
  if (unreachable) return finish({stderr: unreachable, exitCode: 1});
  const cluster = clusterOfContext(context);
  const clusters = loadClusters();
  const record = clusterRecord(clusters, cluster);
  if (verb === 'get') return get(parsed, cluster, record);
  if (verb === 'apply') return apply(parsed, clusters, record);
  if (verb === 'delete') return del(parsed, clusters, record);
  if (verb === 'rollout' && parsed.positionals[1] === 'status') return rollout(parsed, record);
  if (verb === 'wait') return wait(parsed, record);
  if (verb === 'scale') return scale(parsed, clusters, record);
  if (verb === 'cluster-info') return finish({stdout: `Kubernetes control plane is running at ${contextServer(context)}`});
  return finish({stderr: `error: unknown command "${verb}" for "kubectl"`, exitCode: 1});
}
