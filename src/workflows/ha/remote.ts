/**
 * The shell scripts kp runs inside the HA container (busybox ash or dash + busybox/GNU tools; the
 * scripts themselves are ./sh/*.sh) and pure parsers for what they print. Variable data always
 * arrives as positional arguments (`sh -c SCRIPT sh ARG...`), never interpolated into the script text.
 */
import {createHash} from 'node:crypto';
import {unsafeReason} from './tar.js';
import type {HashAlgorithm} from './component.js';

/** Where the component and kp's staging area live inside the target. */
export interface RemoteLayout {
  /** `/config/custom_components/<domain>` */
  componentDir: string;
  /** Staging root on the same volume, outside `custom_components/` (e.g. `/config/.kp-staging`). */
  stagingRoot: string;
  domain: string;
}

/** Remote paths for `domain` under the HA config dir, staging under the volume's mount point. */
export function remoteLayout(configDir: string, domain: string, stagingParent: string = configDir): RemoteLayout {
  const base = configDir.replace(/\/+$/, '') || '/';
  return {
    componentDir: `${base}/custom_components/${domain}`,
    stagingRoot: `${stagingParent.replace(/\/+$/, '')}/.kp-staging`,
    domain,
  };
}

import {assembleScript} from './shell.js';
import applySh from './sh/apply.sh';
import fastApplySh from './sh/fast-apply.sh';
import inplaceWaitSh from './sh/inplace-wait.sh';
import listSh from './sh/list.sh';
import probeSh from './sh/probe.sh';
import restartSh from './sh/restart.sh';
import unlockSh from './sh/unlock.sh';

/** sh/list.sh: lock, recovery, preflight and listing in one exec (parsed by parseListing). */
export const LIST_SCRIPT = assembleScript(listSh);
/** sh/unlock.sh: release the sync lock if the owner still holds it. */
export const UNLOCK_SCRIPT = assembleScript(unlockSh);
/** sh/apply.sh: upload, swap, cache clear and restart in one exec (parsed by parseApply). */
export const APPLY_SCRIPT = assembleScript(applySh);
/** sh/fast-apply.sh: the watch's lock + check + apply in one exec (parsed by parseApply). */
export const FAST_APPLY_SCRIPT = assembleScript(fastApplySh);
/** sh/probe.sh: does HA's port 8123 answer (exit 0)? */
export const PROBE_SCRIPT = assembleScript(probeSh);
/** sh/inplace-wait.sh: a new HA process, then its port answering (parsed by parseInplaceWait). */
export const INPLACE_WAIT_SCRIPT = assembleScript(inplaceWaitSh);

/** sh/restart.sh: an in-place restart on its own, under the round's lock (parsed by parseApply). */
export const RESTART_SCRIPT = assembleScript(restartSh);

/** One shell script run in the target: its text, the order of its arguments, and the parser of what it prints. */
export interface RemoteScript<Args, Result> {
  readonly text: string;
  argv(args: Args): string[];
  parse(stdout: string): Result;
}

/** The command that runs `script` with `args` (`sh -c TEXT sh ARG...`: data never enters the script text). */
export function scriptCommand<Args, Result>(script: RemoteScript<Args, Result>, args: Args): string[] {
  return ['sh', '-c', script.text, 'sh', ...script.argv(args)];
}

/** The sync lock's owner for this run (empty: no lock, a dry run), an owner kp proved gone, and the up-to-date digest. */
export interface ListArgs {
  layout: RemoteLayout;
  owner?: string | undefined;
  takeover?: string | undefined;
  expectDigest?: string | undefined;
}

/** What apply.sh needs: where, this run's id, how to restart, the lock, and the paths to delete. */
export interface ApplyArgs {
  layout: RemoteLayout;
  runId: string;
  restart: 'kill' | 'inplace' | 'none';
  owner: string | undefined;
  /** No restart follows: the script releases the lock itself. */
  release: boolean;
  deleted: readonly string[];
  /** The watch's fast path: the digest of the listing kp remembers (fast-apply.sh). */
  fastExpect?: string | undefined;
}

const applyArgv = (a: ApplyArgs) => [
  a.layout.componentDir,
  a.layout.stagingRoot,
  a.layout.domain,
  a.runId,
  a.restart,
  a.owner ?? '',
  a.release ? 'yes' : 'no',
  ...a.deleted,
];

/** The scripts kp runs in the target, each with its arguments and its parser. */
export const SCRIPTS = {
  list: {
    text: LIST_SCRIPT,
    argv: (a: ListArgs) => [a.layout.componentDir, a.layout.stagingRoot, a.layout.domain, a.owner ?? '', a.takeover ?? '', a.expectDigest ?? ''],
    parse: (stdout: string) => parseListing(stdout),
  },
  unlock: {
    text: UNLOCK_SCRIPT,
    argv: (a: {layout: RemoteLayout; owner: string}) => [a.layout.stagingRoot, a.layout.domain, a.owner],
    parse: (stdout: string) => /KP_UNLOCKED|KP_NOT_OURS/.test(stdout),
  },
  apply: {text: APPLY_SCRIPT, argv: applyArgv, parse: (stdout: string) => parseApply(stdout)},
  fastApply: {
    text: FAST_APPLY_SCRIPT,
    argv: (a: ApplyArgs) => [a.fastExpect ?? '', ...applyArgv(a)],
    parse: (stdout: string) => parseApply(stdout),
  },
  restart: {
    text: RESTART_SCRIPT,
    argv: (a: {layout: RemoteLayout; owner: string | undefined}) => [a.layout.stagingRoot, a.layout.domain, a.owner ?? ''],
    parse: (stdout: string) => parseApply(stdout),
  },
  probe: {text: PROBE_SCRIPT, argv: (a: {tries: number}) => [String(a.tries)], parse: () => undefined},
  inplaceWait: {
    text: INPLACE_WAIT_SCRIPT,
    argv: (a: {signalled: {pid: number; start: string}; tries: number; known: {pid: number; start: string} | undefined}) => [
      String(a.signalled.pid),
      a.signalled.start,
      String(a.tries),
      a.known ? `${a.known.pid} ${a.known.start}` : '',
    ],
    parse: (stdout: string) => parseInplaceWait(stdout),
  },
} satisfies Record<string, RemoteScript<never, unknown>>;

/** What the listing exec found in the target. */
export interface RemoteListing {
  tools: Record<string, boolean>;
  hashAlgorithm: HashAlgorithm | undefined;
  componentPresent: boolean;
  /** Relative path -> hash; undefined when the component folder is absent. */
  files: Map<string, string> | undefined;
  pycacheDirs: number;
  /** The remote manifest text, when present. */
  manifest: string | undefined;
  /** Staging dirs left by an interrupted run that the listing could not repair (no lock: dry-run). */
  leftovers: string[];
  /** Staging dirs of an interrupted run the listing repaired (swap finished or rolled back) and removed. */
  recovered: string[];
  /** custom_components/ itself is a symlink: kp refuses to write through it. */
  parentLink: string | undefined;
  /** Remote paths kp will not touch because they are unsafe names. */
  unsafePaths: string[];
  /** Symlinks inside the installed component (relative paths): entries kp replaces, never follows. */
  symlinks: string[];
  /** The component path itself is a symlink or a file: the whole entry is replaced. */
  replaceComponent: boolean;
  /** The target's sync lock: taken by this exec, held by another run (with its owner line), or not asked for. */
  lock: {state: 'acquired'} | {state: 'released'} | {state: 'held'; owner: string} | {state: 'failed'; reason: string} | {state: 'none'};
  listingFailed: boolean;
  /** HA's own process, when one runs apart from PID 1 (see HA_PROCESS); undefined when none was found. */
  ha: HaProcess | undefined;
}

/** Home Assistant's process inside the target, as the listing saw it. */
export interface HaProcess {
  pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22): with the pid, identifies this very process. */
  start: string;
  /** The parent's command name (`s6-supervise` in the official image). */
  parent: string;
  /** The parent restarts HA in place on exit 100 (s6-supervise). */
  supervised: boolean;
  /** Seconds since this HA process started. */
  uptimeSeconds: number;
  /** In-place restarts kp sent to this container instance. */
  kpRestarts: number;
}

/** Parse a `KP_HA <pid> <start> <parent> <age> <restarts>` line's fields (undefined for `none`). */
export function parseHaProcess(fields: readonly string[]): HaProcess | undefined {
  const [pid, start, parent, age, restarts] = fields;
  if (!pid || pid === 'none' || !start || !parent) return undefined;
  return {
    pid: Number.parseInt(pid, 10),
    start,
    parent,
    supervised: parent === 's6-supervise',
    uptimeSeconds: Math.max(0, Number.parseInt(age ?? '0', 10) || 0),
    kpRestarts: Number.parseInt(restarts ?? '0', 10) || 0,
  };
}

/** Undo GNU coreutils' checksum-line escaping (a leading `\\` marks `\\\\` and `\\n` in the name). */
function unescapeChecksumName(name: string): string {
  return name.replace(/\\(\\|n)/g, (_match, ch: string) => (ch === 'n' ? '\n' : '\\'));
}

/** A listing with nothing found yet. */
function emptyListing(): RemoteListing {
  return {
    tools: {},
    hashAlgorithm: undefined,
    componentPresent: false,
    files: undefined,
    pycacheDirs: 0,
    manifest: undefined,
    leftovers: [],
    recovered: [],
    parentLink: undefined,
    unsafePaths: [],
    symlinks: [],
    replaceComponent: false,
    lock: {state: 'none'},
    listingFailed: false,
    ha: undefined,
  };
}

/** The multi-line sections of the listing, each ended by its own marker. */
type ListingSection = 'none' | 'files' | 'manifest' | 'links';

/** Parse the stdout of sh/list.sh. */
export function parseListing(stdout: string): RemoteListing {
  const listing = emptyListing();
  let section: ListingSection = 'none';
  const manifestLines: string[] = [];
  for (const line of stdout.split('\n')) {
    if (section === 'manifest') {
      if (line === 'KP_MANIFEST_END') {
        section = 'none';
        listing.manifest = manifestLines.join('\n').trim();
      } else manifestLines.push(line);
    } else if (section === 'links') {
      if (line === 'KP_LINKS_END') section = 'none';
      else if (line.startsWith('./')) listing.symlinks.push(line.slice(2));
    } else if (section === 'files') {
      section = readFileLine(listing, line);
    } else {
      section = readMarkerLine(listing, line);
    }
  }
  return listing;
}

/** One line inside KP_FILES_BEGIN/END: `<hash>  ./<path>` (GNU escapes a name with `\` first). */
function readFileLine(listing: RemoteListing, line: string): ListingSection {
  if (line === 'KP_FILES_END') return 'none';
  if (line === 'KP_LIST_FAILED') {
    listing.listingFailed = true;
    return 'files';
  }
  const escaped = line.startsWith('\\');
  const match = /^\\?([0-9a-fA-F]{32,64}) [ *]\.\/(.+)$/.exec(line);
  if (!match) return 'files';
  const relative = escaped ? unescapeChecksumName(match[2]!) : match[2]!;
  if (unsafeReason(relative)) listing.unsafePaths.push(relative);
  else listing.files!.set(relative, match[1]!.toLowerCase());
  return 'files';
}

/** The lock line: `KP_LOCK acquired|released|held <owner>|failed <reason>`. */
function parseLock(rest: readonly string[]): RemoteListing['lock'] {
  if (rest[0] === 'acquired') return {state: 'acquired'};
  if (rest[0] === 'released') return {state: 'released'};
  if (rest[0] === 'held') return {state: 'held', owner: rest.slice(1).join(' ')};
  return {state: 'failed', reason: rest.slice(1).join(' ')};
}

/** One `KP_<MARKER> value` line outside a section; returns the section it opens, if any. */
function readMarkerLine(listing: RemoteListing, line: string): ListingSection {
  const [marker, ...rest] = line.split(' ');
  const value = rest.join(' ');
  switch (marker) {
    case 'KP_TOOL':
      listing.tools[rest[0] ?? ''] = rest[1] === 'yes';
      break;
    case 'KP_HA':
      listing.ha = parseHaProcess(rest);
      break;
    case 'KP_HASH':
      listing.hashAlgorithm = value === 'sha256' || value === 'md5' ? value : undefined;
      break;
    case 'KP_DIR':
      listing.componentPresent = value === 'present';
      listing.replaceComponent = value === 'replace';
      break;
    case 'KP_LOCK':
      listing.lock = parseLock(rest);
      break;
    case 'KP_PYCACHE':
      listing.pycacheDirs = Number.parseInt(value, 10) || 0;
      break;
    case 'KP_LEFTOVER':
      listing.leftovers.push(value);
      break;
    case 'KP_RECOVERED':
      listing.recovered.push(value);
      break;
    case 'KP_PARENT_LINK':
      listing.parentLink = value;
      break;
    case 'KP_LINKS_BEGIN':
      return 'links';
    case 'KP_MANIFEST_BEGIN':
      return 'manifest';
    case 'KP_FILES_BEGIN':
      listing.files = new Map();
      return 'files';
    default:
      break;
  }
  return 'none';
}

/**
 * The digest LIST_SCRIPT computes over a listing equal to `files`: sha256 of the sorted (byte
 * order, as `LC_ALL=C sort`) lines `<hash>  ./<path>`, each ending in a newline.
 */
export function expectedListingDigest(files: ReadonlyArray<{path: string; hash: string}>): string {
  const lines = files.map((file) => Buffer.from(`${file.hash.toLowerCase()}  ./${file.path}`)).sort(Buffer.compare);
  const hash = createHash('sha256');
  for (const line of lines) hash.update(Buffer.concat([line, Buffer.from('\n')]));
  return hash.digest('hex');
}

/** What the apply exec reported. */
export interface ApplyOutcome {
  swapped: boolean;
  restartSent: boolean;
  pycacheRemoved: number;
  /** The script's own failure reason (KP_FAIL ...), when it refused or failed. */
  failure: string | undefined;
  /** The script released the lock (release=yes: no restart follows). */
  unlocked: boolean;
  /** `inplace`: the HA process that was sent SIGHUP. */
  signalled: {pid: number; start: string} | undefined;
  /** `inplace`: why HA could not be restarted in place (no supervisor); nothing was restarted. */
  noSupervisor: string | undefined;
  /** FAST_APPLY_SCRIPT changed nothing: the target is not what kp remembered (or its lock is held). */
  stale: string | undefined;
}

/** Parse the stdout of sh/apply.sh (and sh/fast-apply.sh). */
export function parseApply(stdout: string): ApplyOutcome {
  const lines = stdout.split('\n');
  const removed = lines.find((line) => line.startsWith('KP_PYCACHE_REMOVED '));
  const signalled = lines.map((line) => /^KP_RESTARTING inplace (\d+) (\d+)$/.exec(line)).find(Boolean);
  return {
    swapped: lines.includes('KP_SWAPPED'),
    restartSent: lines.some((line) => line === 'KP_RESTARTING' || line.startsWith('KP_RESTARTING ')) && !lines.includes('KP_KILL_FAILED'),
    pycacheRemoved: removed ? Number.parseInt(removed.split(' ')[1] ?? '0', 10) || 0 : 0,
    failure: lines.find((line) => line.startsWith('KP_FAIL '))?.slice('KP_FAIL '.length),
    unlocked: lines.includes('KP_UNLOCKED'),
    signalled: signalled ? {pid: Number.parseInt(signalled[1]!, 10), start: signalled[2]!} : undefined,
    noSupervisor: lines.find((line) => line.startsWith('KP_NO_SUPERVISOR '))?.slice('KP_NO_SUPERVISOR '.length),
    stale:
      lines.find((line) => line.startsWith('KP_STALE '))?.slice('KP_STALE '.length) ??
      lines.find((line) => line.startsWith('KP_LOCK held'))?.replace('KP_LOCK held', 'the sync lock is held by'),
  };
}

/** The installed component's manifest version, when the manifest parses. */
export function manifestVersion(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as {version?: unknown};
    return typeof parsed.version === 'string' ? parsed.version : undefined;
  } catch {
    return undefined;
  }
}

/** What one INPLACE_WAIT_SCRIPT exec saw. */
export interface InplaceWait {
  /** The new HA process, once seen, and its age when seen (so kp knows when it started). */
  newProcess: {pid: number; start: string; ageMs?: number | undefined} | undefined;
  ready: boolean;
  /** The script ran to its end (ready, or its tries ran out): false when the exec was cut off. */
  finished: boolean;
}

/** Parse the stdout of sh/inplace-wait.sh. */
export function parseInplaceWait(stdout: string): InplaceWait {
  const lines = stdout.split('\n');
  const seen = lines.map((line) => /^KP_HA_NEW (\d+) (\d+)(?: (-?\d+))?$/.exec(line)).find(Boolean);
  const ready = lines.includes('KP_HA_READY');
  return {
    newProcess: seen
      ? {pid: Number.parseInt(seen[1]!, 10), start: seen[2]!, ageMs: seen[3] === undefined ? undefined : Number.parseInt(seen[3], 10) * 10}
      : undefined,
    ready,
    finished: ready || lines.includes('KP_WAIT_TIMEOUT') || lines.includes('KP_WAIT_SEEN'),
  };
}
