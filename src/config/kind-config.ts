/**
 * The kind cluster config (kind.x-k8s.io/v1alpha4) as kp needs it: node roles and the host
 * ports the nodes publish (which must be free, and must not collide with Skaffold's port-forwards).
 */
import {readFileSync} from 'node:fs';
import {isMap, isSeq, parseDocument} from 'yaml';
import {writeFileAtomic} from './atomic-write.js';
import {configError, positionIn, readYamlFile, type YamlFile} from './yaml-file.js';

/** A host port a kind node publishes. */
export interface KindHostPort {
  hostPort: number;
  containerPort: number;
  listenAddress: string;
  /** The file sets `listenAddress` (else kind publishes on every interface, 0.0.0.0). */
  listenAddressSet: boolean;
  protocol: string;
  role: string;
  /** `file:line:col` of the mapping. */
  where: string;
  /** Index of the node in `nodes` and of the mapping in its `extraPortMappings`. */
  nodeIndex: number;
  mappingIndex: number;
}

/** A parsed kind cluster config. */
export interface KindConfig {
  file: string;
  roles: string[];
  hostPorts: KindHostPort[];
}

/** Load and check a kind config file. */
export function loadKindConfig(filePath: string): KindConfig {
  return parseKindFile(readYamlFile(filePath));
}

/** Interpret a parsed YAML file as a kind Cluster config. */
export function parseKindFile(file: YamlFile): KindConfig {
  const doc = file.documents.find((d) => d.contents !== null);
  if (!doc || !isMap(doc.contents)) throw configError(file.path, 'expected a kind Cluster config (a mapping).');
  const raw = doc.toJS() as {kind?: unknown; apiVersion?: unknown; nodes?: Array<Record<string, unknown>>};
  if (raw.kind !== 'Cluster') throw configError(positionIn(file, doc, ['kind']), `kind must be "Cluster", found ${JSON.stringify(raw.kind)}.`);
  if (typeof raw.apiVersion !== 'string' || !raw.apiVersion.startsWith('kind.x-k8s.io/')) {
    throw configError(positionIn(file, doc, ['apiVersion']), `apiVersion must be kind.x-k8s.io/v1alpha4, found ${JSON.stringify(raw.apiVersion)}.`);
  }
  const nodes = raw.nodes ?? [{role: 'control-plane'}];
  const hostPorts: KindHostPort[] = [];
  nodes.forEach((node, nodeIndex) => {
    const mappings = (node.extraPortMappings ?? []) as Array<Record<string, unknown>>;
    mappings.forEach((mapping, index) => {
      const where = positionIn(file, doc, ['nodes', nodeIndex, 'extraPortMappings', index]);
      if (typeof mapping.hostPort !== 'number') return; // kind picks a random host port
      hostPorts.push({
        hostPort: mapping.hostPort,
        containerPort: Number(mapping.containerPort),
        listenAddress: typeof mapping.listenAddress === 'string' ? mapping.listenAddress : '0.0.0.0',
        listenAddressSet: typeof mapping.listenAddress === 'string',
        protocol: typeof mapping.protocol === 'string' ? mapping.protocol : 'TCP',
        role: String(node.role ?? 'control-plane'),
        where,
        nodeIndex,
        mappingIndex: index,
      });
    });
  });
  return {file: file.path, roles: nodes.map((n) => String(n.role ?? 'control-plane')), hostPorts};
}

/**
 * The config text without the given port mappings (comments and everything else kept): what kp
 * creates a cluster from when the checkout's file publishes ports Skaffold needs.
 */
export function withoutHostPorts(text: string, remove: ReadonlyArray<Pick<KindHostPort, 'nodeIndex' | 'mappingIndex'>>): string {
  const doc = parseDocument(text);
  const ordered = [...remove].sort((a, b) => b.nodeIndex - a.nodeIndex || b.mappingIndex - a.mappingIndex);
  for (const port of ordered) doc.deleteIn(['nodes', port.nodeIndex, 'extraPortMappings', port.mappingIndex]);
  return String(doc);
}

/**
 * The config text with `listenAddress: <address>` on every port mapping that sets none (kind's
 * docker provider publishes those on 0.0.0.0, every interface); an explicit one is kept. Returns
 * the text and the host ports (or container ports, for a random host port) it bound.
 */
export function withListenAddress(text: string, address: string): {text: string; bound: number[]} {
  const doc = parseDocument(text);
  const bound: number[] = [];
  const nodes = doc.get('nodes');
  if (isSeq(nodes)) {
    for (const node of nodes.items) {
      const mappings = isMap(node) ? node.get('extraPortMappings') : undefined;
      if (!isSeq(mappings)) continue;
      for (const mapping of mappings.items) {
        if (!isMap(mapping) || mapping.has('listenAddress')) continue;
        mapping.set('listenAddress', address);
        bound.push(Number(mapping.get('hostPort') ?? mapping.get('containerPort')));
      }
    }
  }
  return {text: String(doc), bound};
}

/**
 * Write a derived kind config into kp's state dir: beside, then renamed over, so a planted symlink
 * at the target is replaced rather than written through. Returns the target path.
 */
export function writeDerivedKindConfig(source: KindConfig, text: string, target: string): string {
  writeFileAtomic(target, `# Derived by kp from ${source.file}; do not edit (kp rewrites it).\n${text}`);
  return target;
}

/** The source text of a loaded config (for deriving an effective one). */
export function kindConfigText(config: KindConfig): string {
  return readFileSync(config.file, 'utf8');
}
