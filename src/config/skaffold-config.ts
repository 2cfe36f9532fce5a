/**
 * The workspace's skaffold.yaml as kp needs it: modules (configs named by `metadata.name`),
 * profiles, port-forwards, and a resolver that applies a profile's JSON patches the way Skaffold
 * does, so names can be checked before anything starts and profiles can be tested.
 */
import {isMap, isScalar, isSeq, type Document} from 'yaml';
import {configError, positionIn, readYamlFile, type YamlFile} from './yaml-file.js';

/** One JSON patch operation as Skaffold profiles write it. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** A profile of one module. */
export interface SkaffoldProfile {
  name: string;
  /** `activation[].command` values (e.g. `debug`). */
  activatedByCommands: string[];
  patches: JsonPatchOp[];
}

/** One port-forward entry (a local port Skaffold binds on the host). */
export interface SkaffoldPortForward {
  resourceType: string;
  resourceName: string;
  namespace: string | undefined;
  port: number | string;
  localPort: number | undefined;
}

/** One config document (a "module" when it has a name). */
export interface SkaffoldModule {
  /** `metadata.name`; undefined for an unnamed config (cannot be selected with -m). */
  name: string | undefined;
  apiVersion: string;
  /** `file:line:col` of the document, for messages. */
  where: string;
  profiles: SkaffoldProfile[];
  portForwards: SkaffoldPortForward[];
  /** The document as plain data (profiles are resolved against this). */
  raw: Record<string, unknown>;
}

/** A parsed skaffold.yaml. */
export interface SkaffoldConfig {
  file: string;
  modules: SkaffoldModule[];
}

const SUPPORTED_API = /^skaffold\/v(2|3|4)(alpha|beta)?\d*$/;

/** Load a skaffold.yaml (all `---` documents) with file:line:col on every error. */
export function loadSkaffoldConfig(filePath: string): SkaffoldConfig {
  return parseSkaffoldFile(readYamlFile(filePath));
}

/** Interpret an already-parsed YAML file as Skaffold configs. */
export function parseSkaffoldFile(file: YamlFile): SkaffoldConfig {
  const modules: SkaffoldModule[] = [];
  for (const doc of file.documents) {
    if (isEmptyDocument(doc)) continue; // an empty (or comment-only) document between separators
    modules.push(parseModule(file, doc));
  }
  if (modules.length === 0) throw configError(file.path, 'no Skaffold config found (the file is empty).');
  const names = new Map<string, string>();
  for (const module of modules) {
    if (!module.name) continue;
    const previous = names.get(module.name);
    if (previous) throw configError(module.where, `module "${module.name}" is defined twice (first at ${previous}).`);
    names.set(module.name, module.where);
  }
  return {file: file.path, modules};
}

function isEmptyDocument(doc: Document.Parsed): boolean {
  return doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''));
}

function parseModule(file: YamlFile, doc: Document.Parsed): SkaffoldModule {
  const where = positionIn(file, doc, []);
  if (!isMap(doc.contents)) throw configError(where, 'a Skaffold config must be a mapping.');
  const raw = doc.toJS() as Record<string, unknown>;
  const apiVersion = raw.apiVersion;
  if (typeof apiVersion !== 'string') throw configError(where, 'missing apiVersion (expected skaffold/v4beta13 or newer).');
  if (!SUPPORTED_API.test(apiVersion)) {
    throw configError(positionIn(file, doc, ['apiVersion']), `unsupported apiVersion "${apiVersion}" (expected skaffold/v4beta13 or newer).`);
  }
  if (raw.kind !== 'Config') throw configError(positionIn(file, doc, ['kind']), `kind must be "Config", found ${JSON.stringify(raw.kind)}.`);
  const metadata = raw.metadata as {name?: unknown} | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;

  const profileNodes = doc.getIn(['profiles'], true);
  const profiles: SkaffoldProfile[] = [];
  if (profileNodes !== undefined && !isSeq(profileNodes)) throw configError(positionIn(file, doc, ['profiles']), 'profiles must be a list.');
  const rawProfiles = (raw.profiles ?? []) as Array<Record<string, unknown>>;
  rawProfiles.forEach((profile, index) => {
    const at = positionIn(file, doc, ['profiles', index]);
    if (typeof profile?.name !== 'string') throw configError(at, 'a profile needs a name.');
    const patches = (profile.patches ?? []) as JsonPatchOp[];
    if (!Array.isArray(patches)) throw configError(positionIn(file, doc, ['profiles', index, 'patches']), 'patches must be a list.');
    patches.forEach((patch, patchIndex) => {
      if (typeof patch?.path !== 'string') {
        throw configError(positionIn(file, doc, ['profiles', index, 'patches', patchIndex]), 'a patch needs a path.');
      }
    });
    const activation = (profile.activation ?? []) as Array<{command?: string}>;
    profiles.push({
      name: profile.name,
      activatedByCommands: activation.map((a) => a?.command).filter((c): c is string => typeof c === 'string'),
      patches: patches.map((p) => ({...p, op: p.op ?? 'replace'})),
    });
  });

  return {name, apiVersion, where, profiles, portForwards: portForwardsOf(raw), raw};
}

/** The port-forwards of a (possibly profile-resolved) config document. */
export function portForwardsOf(raw: Record<string, unknown>): SkaffoldPortForward[] {
  const list = (raw.portForward ?? []) as Array<Record<string, unknown>>;
  return list.map((entry) => ({
    resourceType: String(entry.resourceType ?? ''),
    resourceName: String(entry.resourceName ?? ''),
    namespace: typeof entry.namespace === 'string' ? entry.namespace : undefined,
    port: (entry.port as number | string | undefined) ?? 0,
    localPort: typeof entry.localPort === 'number' ? entry.localPort : undefined,
  }));
}

/** Module names that can be selected with -m. */
export function moduleNames(config: SkaffoldConfig): string[] {
  return config.modules.map((m) => m.name).filter((n): n is string => n !== undefined);
}

/** The modules a selection activates (all of them when none are named). */
export function selectedModules(config: SkaffoldConfig, modules: readonly string[]): SkaffoldModule[] {
  return modules.length === 0 ? config.modules : config.modules.filter((m) => m.name !== undefined && modules.includes(m.name));
}

/** Profile names defined in the given modules (deduplicated, in file order). */
export function profileNames(modules: readonly SkaffoldModule[]): string[] {
  return [...new Set(modules.flatMap((m) => m.profiles.map((p) => p.name)))];
}

/** Why a profile could not be applied (a `test` op failed, a path is missing). */
export class PatchError extends Error {}

/**
 * The config document with profile `name` applied, as Skaffold resolves it: the profile's JSON
 * patches first, then its own sections replace the base ones.
 */
export function resolveProfile(module: SkaffoldModule, name: string): Record<string, unknown> {
  const profile = module.profiles.find((p) => p.name === name);
  if (!profile) throw new PatchError(`profile ${name} not found in module ${module.name ?? '(unnamed)'}`);
  let doc = structuredClone(module.raw);
  delete doc.profiles;
  for (const op of profile.patches) doc = applyPatch(doc, op, profile.name) as Record<string, unknown>;
  const rawProfile = ((module.raw.profiles ?? []) as Array<Record<string, unknown>>).find((p) => p.name === name) ?? {};
  for (const [key, value] of Object.entries(rawProfile)) {
    if (['name', 'activation', 'patches', 'requiresAllActivations'].includes(key)) continue;
    doc[key] = structuredClone(value);
  }
  return doc;
}

function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: unknown, tokens: string[], pointer: string): unknown {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (node && typeof node === 'object') node = (node as Record<string, unknown>)[token];
    else throw new PatchError(`path ${pointer} does not exist`);
    if (node === undefined) throw new PatchError(`path ${pointer} does not exist`);
  }
  return node;
}

/** Apply one RFC 6902 operation (returns the new document; the input may be mutated). */
export function applyPatch(doc: unknown, op: JsonPatchOp, profile = ''): unknown {
  const tokens = pointerTokens(op.path);
  const where = profile ? ` (profile ${profile})` : '';
  if (op.op === 'test') {
    const actual = getAt(doc, tokens, op.path);
    if (JSON.stringify(actual) !== JSON.stringify(op.value)) {
      throw new PatchError(`test failed at ${op.path}${where}: expected ${JSON.stringify(op.value)}, found ${JSON.stringify(actual)}`);
    }
    return doc;
  }
  if (op.op === 'move' || op.op === 'copy') {
    const value = structuredClone(getAt(doc, pointerTokens(op.from ?? ''), op.from ?? ''));
    if (op.op === 'move') doc = applyPatch(doc, {op: 'remove', path: op.from ?? ''}, profile);
    return applyPatch(doc, {op: 'add', path: op.path, value}, profile);
  }
  if (tokens.length === 0) {
    if (op.op === 'remove') throw new PatchError(`cannot remove the whole document${where}`);
    return structuredClone(op.value);
  }
  const parent = getAt(doc, tokens.slice(0, -1), op.path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`bad index in ${op.path}${where}`);
    if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value));
    else {
      if (index >= parent.length) throw new PatchError(`path ${op.path} does not exist${where}`);
      if (op.op === 'remove') parent.splice(index, 1);
      else parent[index] = structuredClone(op.value);
    }
    return doc;
  }
  if (!parent || typeof parent !== 'object') throw new PatchError(`path ${op.path} does not exist${where}`);
  const record = parent as Record<string, unknown>;
  if (op.op !== 'add' && !(last in record)) throw new PatchError(`path ${op.path} does not exist${where}`);
  if (op.op === 'remove') delete record[last];
  else record[last] = structuredClone(op.value);
  return doc;
}
