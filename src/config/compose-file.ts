/**
 * Reads a compose file the way kp needs it: services, profiles and published host ports,
 * with `${VAR}` interpolation (shell env over env file, as Compose does). YAML errors carry
 * file:line:col.
 */
import {readFileSync} from 'node:fs';
import {LineCounter, parseDocument, isMap, isScalar, isSeq} from 'yaml';
import {fail} from '../core/errors.js';

/** A host port a service publishes. */
export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** What kp knows about one service of the compose file. */
export interface ComposeService {
  name: string;
  /** The image reference after interpolation (undefined for a service that only builds). */
  image: string | undefined;
  profiles: string[];
  ports: PublishedPort[];
  hasHealthcheck: boolean;
}

/** The parts of a compose file kp reads. */
export interface ComposeModel {
  file: string;
  services: ComposeService[];
  /** Every profile any service names. */
  profiles: string[];
  /** Every variable the file interpolates (for the up-to-date fingerprint). */
  variables: string[];
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\$))/g;

/** Interpolate `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `$$` like Compose. */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(
    VARIABLE,
    (_all, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined, dollar: string | undefined) => {
      if (dollar) return '$';
      const name = (braced ?? bare)!;
      const value = env[name];
      if (!op) return value ?? '';
      const unsetOrEmpty = value === undefined || value === '';
      const applies = op.startsWith(':') ? unsetOrEmpty : value === undefined;
      const kind = op.slice(-1);
      if (kind === '-') return applies ? interpolate(arg ?? '', env) : (value ?? '');
      if (kind === '+') return applies ? '' : interpolate(arg ?? '', env);
      if (applies) {
        throw fail.usage(`Required variable ${name} is missing: ${arg ?? ''}`);
      }
      return value ?? '';
    },
  );
}

/** List every variable name a text interpolates. */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1] ?? match[4];
    if (name) names.add(name);
  }
  return [...names].sort();
}

/** Parse one `ports:` entry (short syntax `[ip:]host:container[/proto]` or long syntax). */
export function parsePortEntry(entry: unknown): PublishedPort | undefined {
  if (typeof entry === 'string' || typeof entry === 'number') {
    const [spec, proto] = String(entry).split('/');
    const parts = spec!.split(':');
    if (parts.length < 2) return undefined; // container port only: nothing published on a fixed host port
    const containerPort = Number(parts.pop());
    const hostPort = Number(parts.pop());
    const hostIp = parts.join(':').replace(/^\[|\]$/g, '') || '0.0.0.0';
    if (!Number.isInteger(hostPort) || hostPort <= 0) return undefined;
    return {hostIp, hostPort, containerPort, protocol: proto === 'udp' ? 'udp' : 'tcp'};
  }
  if (entry && typeof entry === 'object') {
    const long = entry as {published?: string | number; target?: number; host_ip?: string; protocol?: string};
    if (long.published === undefined) return undefined;
    return {
      hostIp: long.host_ip ?? '0.0.0.0',
      hostPort: Number(long.published),
      containerPort: Number(long.target),
      protocol: long.protocol === 'udp' ? 'udp' : 'tcp',
    };
  }
  return undefined;
}

/** Load and interpolate a compose file. */
export function loadComposeFile(file: string, env: Readonly<Record<string, string | undefined>>): ComposeModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fail.usage(
      `Cannot read the compose file ${file}: ${code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message}.`,
      'Pass a readable compose file with --file, or leave --file out to use the one kp ships.',
    );
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {lineCounter, prettyErrors: false, merge: true});
  const firstError = document.errors[0];
  if (firstError) {
    // Without prettyErrors the error carries offsets only: the line counter turns them into line:col.
    const pos = lineCounter.linePos(firstError.pos[0]);
    throw fail.usage(`${file}:${pos.line}:${pos.col}: ${firstError.message.split('\n')[0]}`, 'Fix the YAML syntax at that position.');
  }
  const root = document.get('services', true);
  if (!isMap(root)) {
    throw fail.usage(`${file}:1:1: no "services" mapping found`);
  }
  const services: ComposeService[] = [];
  for (const pair of root.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const node = pair.value;
    const plain = (isMap(node) ? node.toJSON() : {}) as {image?: unknown; profiles?: string[]; ports?: unknown[]; healthcheck?: {disable?: boolean}};
    const ports: PublishedPort[] = [];
    const portsNode = isMap(node) ? node.get('ports', true) : undefined;
    for (const [index, entry] of (plain.ports ?? []).entries()) {
      let resolved: unknown;
      try {
        resolved = typeof entry === 'string' ? interpolate(entry, env) : entry;
      } catch (error) {
        const item = isSeq(portsNode) ? portsNode.items[index] : undefined;
        const range = (item as {range?: [number, number, number]} | undefined)?.range;
        const at = range?.[0] ?? (isMap(node) ? node.range?.[0] : undefined) ?? 0;
        const pos = lineCounter.linePos(at);
        throw fail.usage(`${file}:${pos.line}:${pos.col}: ${(error as Error).message}`);
      }
      const port = parsePortEntry(resolved);
      if (port) ports.push(port);
    }
    let image: string | undefined;
    if (typeof plain.image === 'string') {
      try {
        image = interpolate(plain.image, env);
      } catch (error) {
        const imageNode = isMap(node) ? node.get('image', true) : undefined;
        const at = (imageNode as {range?: [number, number, number]} | undefined)?.range?.[0] ?? (isMap(node) ? node.range?.[0] : undefined) ?? 0;
        const pos = lineCounter.linePos(at);
        throw fail.usage(`${file}:${pos.line}:${pos.col}: ${(error as Error).message}`);
      }
    }
    services.push({
      name,
      image,
      profiles: plain.profiles ?? [],
      ports,
      hasHealthcheck: Boolean(plain.healthcheck) && !plain.healthcheck?.disable,
    });
  }
  const profiles = [...new Set(services.flatMap((s) => s.profiles))].sort();
  return {file, services, profiles, variables: referencedVariables(text)};
}

/** The services Compose starts for these profiles (no profiles = always on). */
export function activeServices(model: ComposeModel, profiles: readonly string[]): ComposeService[] {
  return model.services.filter((s) => s.profiles.length === 0 || s.profiles.some((p) => profiles.includes(p)));
}
