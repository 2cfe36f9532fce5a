/**
 * The shell scripts kp runs inside the HA container (busybox ash or dash + busybox/GNU tools)
 * and pure parsers for what they print. Variable data always arrives as positional
 * arguments (`sh -c SCRIPT sh ARG...`), never interpolated into the script text.
 */
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

/**
 * Recovery shared by both scripts' callers: a swap journal (`swapping` marker) left by an
 * interrupted run is finished (complete new tree) or rolled back (old tree), then leftovers go.
 */
const RECOVER = `
for w in "$root/$domain".kp-*; do
  [ -d "$w" ] || continue
  if [ -f "$w/swapping" ] && [ ! -e "$dir" ]; then
    if [ -d "$w/new" ]; then mv "$w/new" "$dir"; elif [ -d "$w/old" ]; then mv "$w/old" "$dir"; fi
  fi
  rm -rf "$w"
done
`;

/**
 * Preflight + listing in ONE exec. Args: componentDir stagingRoot domain.
 * Prints KP_* marker lines; hashes between KP_FILES_BEGIN/END as `<hash>  ./<path>`.
 */
export const LIST_SCRIPT = `dir=$1; root=$2; domain=$3
echo "KP_SH ok"
for t in tar find cp mv; do
  if command -v "$t" >/dev/null 2>&1; then echo "KP_TOOL $t yes"; else echo "KP_TOOL $t no"; fi
done
if command -v sha256sum >/dev/null 2>&1; then h=sha256sum; echo "KP_HASH sha256"
elif command -v md5sum >/dev/null 2>&1; then h=md5sum; echo "KP_HASH md5"
else h=; echo "KP_HASH none"; fi
for w in "$root/$domain".kp-*; do [ -d "$w" ] && echo "KP_LEFTOVER $w"; done
if [ -d "$dir" ]; then
  echo "KP_DIR present"
  echo "KP_PYCACHE $(find "$dir" -type d -name __pycache__ | wc -l)"
  if [ -f "$dir/manifest.json" ]; then echo "KP_MANIFEST_BEGIN"; cat "$dir/manifest.json"; echo; echo "KP_MANIFEST_END"; fi
  if [ -n "$h" ]; then
    echo "KP_FILES_BEGIN"
    (cd "$dir" && find . -type d -name __pycache__ -prune -o -type f ! -name '*.pyc' -exec "$h" {} +) || echo "KP_LIST_FAILED"
    echo "KP_FILES_END"
  fi
else
  echo "KP_DIR absent"
fi
`;

/**
 * Upload, build, swap, cache clear and (optionally) restart in ONE exec; stdin is the tar.
 * Args: componentDir stagingRoot domain runId restart(kill|none) deletedPath...
 * The tar's last entry is `.kp-complete-<runId>`: a truncated stream (kp killed mid-upload)
 * lacks it, so nothing is swapped and the live component stays as it was.
 */
export const APPLY_SCRIPT = `dir=$1; root=$2; domain=$3; id=$4; restart=$5
shift 5
work="$root/$domain.kp-$id"
die() { echo "KP_FAIL $*"; rm -rf "$work"; exit 3; }
parent=$(dirname "$dir")
mkdir -p "$root" "$parent" || die "cannot create $root or $parent"
${RECOVER}
if command -v stat >/dev/null 2>&1; then
  [ "$(stat -c %d "$root")" = "$(stat -c %d "$parent")" ] || die "$root and $parent are on different filesystems: the swap would not be atomic"
fi
mkdir -p "$work/new" || die "cannot create $work"
if [ -d "$dir" ]; then cp -a "$dir/." "$work/new/" || die "cannot copy the current component"; fi
for f in "$@"; do
  rm -f "$work/new/$f"
  d=$(dirname "$f")
  while [ "$d" != . ] && rmdir "$work/new/$d" 2>/dev/null; do d=$(dirname "$d"); done
done
tar -xf - -C "$work/new" || die "tar failed: upload incomplete"
[ -f "$work/new/.kp-complete-$id" ] || die "upload incomplete: end marker missing"
rm -f "$work/new/.kp-complete-$id"
echo "KP_PYCACHE_REMOVED $(find "$work/new" -type d -name __pycache__ | wc -l)"
find "$work/new" -type d -name __pycache__ -prune -exec rm -rf {} + || die "cannot remove __pycache__"
find "$work/new" -type f -name '*.pyc' -exec rm -f {} + || die "cannot remove .pyc files"
: > "$work/swapping" || die "cannot write the swap journal"
if [ -e "$dir" ]; then mv "$dir" "$work/old" || die "cannot move the old component aside"; fi
if ! mv "$work/new" "$dir"; then
  [ -d "$work/old" ] && mv "$work/old" "$dir"
  die "cannot move the new component in place"
fi
rm -rf "$work"
echo "KP_SWAPPED"
if [ "$restart" = kill ]; then
  echo "KP_RESTARTING"
  kill 1 || { echo "KP_KILL_FAILED"; exit 4; }
fi
echo "KP_DONE"
`;

/** Readiness probe run in the container: does HA's HTTP port 8123 answer? (busybox or GNU tools, or python) */
export const PROBE_SCRIPT = `if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null -m 3 http://127.0.0.1:8123/ && exit 0; fi
if command -v python3 >/dev/null 2>&1; then
  python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8123), 3)' 2>/dev/null && exit 0
fi
if command -v nc >/dev/null 2>&1; then
  case "$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 127.0.0.1 8123 2>/dev/null | head -n 1)" in HTTP/*) exit 0 ;; esac
fi
if command -v wget >/dev/null 2>&1; then
  out=$(wget -q -O /dev/null http://127.0.0.1:8123/ 2>&1) && exit 0
  case "$out" in *"server returned"*) exit 0 ;; esac
fi
exit 1
`;

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
  /** Staging dirs left by an interrupted run (cleaned by the next upload). */
  leftovers: string[];
  /** Remote paths kp will not touch because they are unsafe names. */
  unsafePaths: string[];
  listingFailed: boolean;
}

/** Undo GNU coreutils' checksum-line escaping (a leading `\\` marks `\\\\` and `\\n` in the name). */
function unescapeChecksumName(name: string): string {
  return name.replace(/\\(\\|n)/g, (_match, ch: string) => (ch === 'n' ? '\n' : '\\'));
}

/** Parse the stdout of LIST_SCRIPT. */
export function parseListing(stdout: string): RemoteListing {
  const listing: RemoteListing = {
    tools: {},
    hashAlgorithm: undefined,
    componentPresent: false,
    files: undefined,
    pycacheDirs: 0,
    manifest: undefined,
    leftovers: [],
    unsafePaths: [],
    listingFailed: false,
  };
  const lines = stdout.split('\n');
  let section: 'none' | 'files' | 'manifest' = 'none';
  const manifestLines: string[] = [];
  for (const line of lines) {
    if (section === 'manifest') {
      if (line === 'KP_MANIFEST_END') {
        section = 'none';
        listing.manifest = manifestLines.join('\n').trim();
      } else manifestLines.push(line);
      continue;
    }
    if (section === 'files') {
      if (line === 'KP_FILES_END') {
        section = 'none';
        continue;
      }
      if (line === 'KP_LIST_FAILED') {
        listing.listingFailed = true;
        continue;
      }
      const escaped = line.startsWith('\\');
      const match = /^\\?([0-9a-fA-F]{32,64}) [ *]\.\/(.+)$/.exec(line);
      if (!match) continue;
      const relative = escaped ? unescapeChecksumName(match[2]!) : match[2]!;
      if (unsafeReason(relative)) listing.unsafePaths.push(relative);
      else listing.files!.set(relative, match[1]!.toLowerCase());
      continue;
    }
    const [marker, ...rest] = line.split(' ');
    const value = rest.join(' ');
    switch (marker) {
      case 'KP_TOOL':
        listing.tools[rest[0] ?? ''] = rest[1] === 'yes';
        break;
      case 'KP_HASH':
        listing.hashAlgorithm = value === 'sha256' || value === 'md5' ? value : undefined;
        break;
      case 'KP_DIR':
        listing.componentPresent = value === 'present';
        break;
      case 'KP_PYCACHE':
        listing.pycacheDirs = Number.parseInt(value, 10) || 0;
        break;
      case 'KP_LEFTOVER':
        listing.leftovers.push(value);
        break;
      case 'KP_MANIFEST_BEGIN':
        section = 'manifest';
        break;
      case 'KP_FILES_BEGIN':
        section = 'files';
        listing.files = new Map();
        break;
      default:
        break;
    }
  }
  return listing;
}

/** What the apply exec reported. */
export interface ApplyOutcome {
  swapped: boolean;
  restartSent: boolean;
  pycacheRemoved: number;
  /** The script's own failure reason (KP_FAIL ...), when it refused or failed. */
  failure: string | undefined;
}

/** Parse the stdout of APPLY_SCRIPT. */
export function parseApply(stdout: string): ApplyOutcome {
  const lines = stdout.split('\n');
  const removed = lines.find((line) => line.startsWith('KP_PYCACHE_REMOVED '));
  return {
    swapped: lines.includes('KP_SWAPPED'),
    restartSent: lines.includes('KP_RESTARTING') && !lines.includes('KP_KILL_FAILED'),
    pycacheRemoved: removed ? Number.parseInt(removed.split(' ')[1] ?? '0', 10) || 0 : 0,
    failure: lines.find((line) => line.startsWith('KP_FAIL '))?.slice('KP_FAIL '.length),
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
