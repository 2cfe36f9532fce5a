/**
 * Read-only view of the user's kubeconfig (KUBECONFIG list or ~/.kube/config), merged the way
 * kubectl merges it (first file wins per name). kp reads it in-process: the context fence must be
 * decided before any kubectl call, and the no-op path should not spend a process on it.
 */
import {existsSync, readFileSync} from 'node:fs';
import {homedir, networkInterfaces} from 'node:os';
import path from 'node:path';
import {parse} from 'yaml';
import {configError, parseYamlText} from './yaml-file.js';

/** The parts of a merged kubeconfig kp needs. */
export interface KubeconfigView {
  files: string[];
  currentContext: string | undefined;
  /** Context name -> cluster name. */
  contexts: Map<string, {cluster: string; user: string | undefined}>;
  /** Cluster name -> API server URL. */
  servers: Map<string, string>;
}

/** The kubeconfig files kubectl would read, in precedence order. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = env.KUBECONFIG;
  if (list) return list.split(path.delimiter).filter(Boolean);
  return [path.join(homedir(), '.kube', 'config')];
}

interface RawKubeconfig {
  'current-context'?: string;
  contexts?: Array<{name?: string; context?: {cluster?: string; user?: string}}> | null;
  clusters?: Array<{name?: string; cluster?: {server?: string}}> | null;
}

/** Merge kubeconfig documents (texts in precedence order). */
export function mergeKubeconfigs(texts: ReadonlyArray<{file: string; text: string}>): KubeconfigView {
  const view: KubeconfigView = {files: texts.map((t) => t.file), currentContext: undefined, contexts: new Map(), servers: new Map()};
  for (const {text} of texts) {
    let raw: RawKubeconfig | null;
    try {
      raw = parse(text) as RawKubeconfig | null;
    } catch {
      continue; // kubectl would complain loudly; kp treats an unreadable file as contributing nothing
    }
    if (!raw || typeof raw !== 'object') continue;
    if (view.currentContext === undefined && raw['current-context']) view.currentContext = raw['current-context'];
    for (const entry of raw.contexts ?? []) {
      if (entry?.name && !view.contexts.has(entry.name) && entry.context?.cluster) {
        view.contexts.set(entry.name, {cluster: entry.context.cluster, user: entry.context.user});
      }
    }
    for (const entry of raw.clusters ?? []) {
      if (entry?.name && !view.servers.has(entry.name) && entry.cluster?.server) view.servers.set(entry.name, entry.cluster.server);
    }
  }
  return view;
}

/**
 * Refuse a kubeconfig file that does not parse, with file:line:col: kind and kubectl would fail on
 * it half-way (kind after creating the nodes), so `kp dev up` checks before anything is created.
 */
export function assertKubeconfigParses(env: NodeJS.ProcessEnv = process.env): void {
  for (const file of kubeconfigFiles(env)) {
    if (!existsSync(file)) continue;
    const parsed = parseYamlText(readFileSync(file, 'utf8'), file);
    const contents = parsed.documents[0]?.contents;
    if (contents !== undefined && contents !== null && !('items' in contents)) {
      throw configError(
        file,
        'is not a kubeconfig (expected a mapping with clusters, contexts and users).',
        'Fix or move the file; kind and kubectl cannot use it either.',
      );
    }
  }
}

/** Read and merge the user's kubeconfig files (missing files are skipped, like kubectl does). */
export function readKubeconfig(env: NodeJS.ProcessEnv = process.env): KubeconfigView {
  const files = kubeconfigFiles(env);
  const texts = files.filter((file) => existsSync(file)).map((file) => ({file, text: readFileSync(file, 'utf8')}));
  const view = mergeKubeconfigs(texts);
  view.files = files;
  return view;
}

/** The API server URL of a context, undefined when the context (or its cluster) is missing. */
export function contextServer(view: KubeconfigView, context: string): string | undefined {
  const entry = view.contexts.get(context);
  return entry ? view.servers.get(entry.cluster) : undefined;
}

/** Addresses of this machine's network interfaces (a kind API may be published on one of them). */
export function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((info) => info.address);
}

/**
 * Is the API server at `serverUrl` on this machine? Loopback names and addresses count, and so do
 * the addresses of this machine's interfaces; anything else (a DNS name, a remote IP) does not.
 */
export function isLocalServer(serverUrl: string, ownAddresses: readonly string[] = []): boolean {
  let host: string;
  try {
    host = new URL(serverUrl).hostname;
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // An IPv4-mapped loopback: the URL parser writes [::ffff:127.0.0.1] as ::ffff:7f00:1 (127.x.y.z -> 7fxx:yyzz).
  if (/^::ffff:(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.test(host)) return true;
  if (host === '0.0.0.0' || host === '::') return false; // not an address a client can mean
  return ownAddresses.map((a) => a.toLowerCase()).includes(host);
}
