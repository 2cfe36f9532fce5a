/**
 * Host-port collisions between the kind config (node hostPorts) and skaffold.yaml (port-forward
 * localPorts, including those a profile adds): both bind on the host, so one of them loses.
 */
import path from 'node:path';
import {kindConfigText, withListenAddress, withoutHostPorts, writeDerivedKindConfig, type KindConfig} from '../../config/kind-config.js';
import {stateDir} from '../../config/paths.js';
import {portForwardsOf, resolveProfile, type SkaffoldConfig} from '../../config/skaffold-config.js';

/** One host port claimed by both files. */
export interface PortCollision {
  port: number;
  /** `file:line:col` of the kind mapping. */
  kindWhere: string;
  /** Which Skaffold forward claims it (`module kp, profile debug: service/x`). */
  skaffold: string;
}

/** Every Skaffold localPort with where it comes from (base configs and each resolvable profile). */
export function skaffoldLocalPorts(config: SkaffoldConfig): Array<{port: number; source: string}> {
  const ports: Array<{port: number; source: string}> = [];
  for (const module of config.modules) {
    const label = `module ${module.name ?? '(unnamed)'}`;
    const add = (raw: Record<string, unknown>, scope: string) => {
      for (const forward of portForwardsOf(raw)) {
        const port = forward.localPort ?? (typeof forward.port === 'number' ? forward.port : undefined);
        if (port !== undefined) ports.push({port, source: `${scope}: ${forward.resourceType}/${forward.resourceName}`});
      }
    };
    add(module.raw, label);
    for (const profile of module.profiles) {
      try {
        add(resolveProfile(module, profile.name), `${label}, profile ${profile.name}`);
      } catch {
        // a profile that does not resolve is reported elsewhere; it claims no ports here
      }
    }
  }
  return ports;
}

/** Ports both files claim (pure; each port reported once). */
export function findPortCollisions(kind: KindConfig, skaffold: SkaffoldConfig): PortCollision[] {
  const forwards = skaffoldLocalPorts(skaffold);
  const collisions: PortCollision[] = [];
  for (const mapping of kind.hostPorts) {
    const hit = forwards.find((f) => f.port === mapping.hostPort);
    if (hit && !collisions.some((c) => c.port === mapping.hostPort)) {
      collisions.push({port: mapping.hostPort, kindWhere: mapping.where, skaffold: hit.source});
    }
  }
  return collisions;
}

/** A one-line description of a collision. */
export function describeCollision(c: PortCollision, skaffoldFile: string): string {
  return `host port ${c.port}: kind hostPort at ${c.kindWhere} and Skaffold localPort (${c.skaffold}) in ${skaffoldFile}`;
}

/** The kind config a new cluster is created from. */
export interface EffectiveKindConfig {
  /** The file passed to `kind create cluster --config`. */
  file: string;
  /** True when kp derived it (in its state dir) from the workspace's file. */
  derived: boolean;
  /** The mappings left out, because Skaffold forwards to the same local ports. */
  removed: PortCollision[];
  /** The host ports kp gave a listen address because the file sets none (kind would bind every interface). */
  bound: {address: string; ports: number[]};
}

/** Where kp keeps the derived config of cluster `name`. */
export function derivedKindConfigPath(name: string): string {
  return path.join(stateDir(), `kind-${name}-config.yaml`);
}

/**
 * The config to create cluster `name` from: the workspace's own file when nothing collides (or
 * `--keep-host-ports`) and every port mapping names its listen address; else a copy without the
 * colliding mappings and with `bindAddress` (127.0.0.1 unless the user opts in to more) on every
 * mapping that names none, kept in kp's state dir (the checkout's file is never touched). Written
 * only when `write` (not under --dry-run).
 */
export function effectiveKindConfig(
  name: string,
  kind: KindConfig,
  skaffold: SkaffoldConfig,
  options: {keepHostPorts: boolean; write: boolean; bindAddress: string},
): EffectiveKindConfig {
  const collisions = options.keepHostPorts ? [] : findPortCollisions(kind, skaffold);
  const remove = kind.hostPorts.filter((p) => collisions.some((c) => c.port === p.hostPort));
  const {text, bound} = withListenAddress(withoutHostPorts(kindConfigText(kind), remove), options.bindAddress);
  if (collisions.length === 0 && bound.length === 0) return {file: kind.file, derived: false, removed: [], bound: {address: options.bindAddress, ports: []}};
  const file = derivedKindConfigPath(name);
  if (options.write) writeDerivedKindConfig(kind, text, file);
  return {file, derived: true, removed: collisions, bound: {address: options.bindAddress, ports: bound}};
}
