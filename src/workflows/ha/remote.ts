/**
 * The shell scripts kp runs inside the HA container (busybox ash or dash + busybox/GNU tools)
 * and pure parsers for what they print. Variable data always arrives as positional
 * arguments (`sh -c SCRIPT sh ARG...`), never interpolated into the script text.
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

/**
 * Finding Home Assistant's own process (shared/spec/kamerplanter-workflow.md, "HA's in-place
 * restart"): the official image runs s6-overlay as PID 1 and HA as `python3 -m homeassistant
 * --config /config`, a child of `s6-supervise`, whose finish script restarts HA in place when it
 * exits with 100 (what HA does on SIGHUP). `ha_proc` prints `<pid> <start> <parent comm>` of HA's
 * process (never PID 1, never this shell: only a python or hass process whose command line runs
 * homeassistant); `supervised` holds when that parent is s6-supervise, the one supervisor proven to
 * restart HA in place. HA as PID 1, or under tini/docker-init, has no such supervisor: its exit
 * ends the container. Only processes in the script's own mount namespace count (a pod with a
 * shared process namespace, or `--pid=host`, shows other containers' processes), and a supervised
 * match wins over an unsupervised one. KP_HA_SCOPE_PPID (never set by kp) limits the search to one
 * parent's children: kp's own tests run these scripts on a host, where another HA may run and must
 * not be signalled. `restarts_file` (in kp's staging folder, never written through a symlink)
 * counts the in-place restarts kp sent to this container instance (keyed by PID 1's start time,
 * which changes with every container start). `ha_age_cs START`: the process's age in 1/100 s.
 */
const HA_PROCESS = `ha_proc() {
  hfound=
  for hp in /proc/[0-9]*; do
    hp=\${hp#/proc/}
    [ "$hp" = 1 ] && continue
    [ "$hp" = "$$" ] && continue
    { read -r hc < "/proc/$hp/comm"; } 2>/dev/null || continue
    case "$hc" in python*|hass) ;; *) continue ;; esac
    ha=$(tr '\\000' ' ' < "/proc/$hp/cmdline" 2>/dev/null) || continue
    case " $ha " in *" -m homeassistant "*|*"/hass "*|" hass "*) ;; *) continue ;; esac
    # A one-off run (hass --script check_config) is not the server.
    case " $ha " in *" --script "*) continue ;; esac
    # Only this container's own processes (a shared pid namespace may show other containers' HA).
    [ "$(readlink "/proc/$hp/ns/mnt" 2>/dev/null)" = "$(readlink /proc/$$/ns/mnt 2>/dev/null)" ] || continue
    hs=$(cat "/proc/$hp/stat" 2>/dev/null) || continue
    hs=\${hs##*") "}
    set -- $hs
    hpp=$2
    [ -n "\${KP_HA_SCOPE_PPID:-}" ] && [ "$hpp" != "$KP_HA_SCOPE_PPID" ] && continue
    shift 19
    { read -r hpc < "/proc/$hpp/comm"; } 2>/dev/null || hpc=none
    # The supervised one wins; another match is kept only when none is supervised.
    if [ "$hpc" = s6-supervise ]; then echo "$hp $1 $hpc"; return 0; fi
    [ -z "$hfound" ] && hfound="$hp $1 $hpc"
  done
  [ -n "$hfound" ] && { echo "$hfound"; return 0; }
  return 1
}
supervised() { [ "$3" = s6-supervise ]; }
restarts_file() { echo "$root/.ha-restarts"; }
restarts_here() { k=$(proc_start 1); n=0; if [ -f "$(restarts_file)" ] && [ ! -L "$(restarts_file)" ]; then read -r rk rn < "$(restarts_file)"; [ "$rk" = "$k" ] && n=$rn; fi; echo "$n"; }
ha_age() { read -r up _ < /proc/uptime; up=\${up%.*}; echo $((up - $1 / 100)); }
ha_age_cs() { read -r up _ < /proc/uptime; up=\${up%.*}\${up#*.}; up=\${up#0}; echo $((up - $1)); }`;

/**
 * Shell helpers both scripts share. `proc_start PID`: the process's start time (field 22 of
 * /proc/PID/stat, counted after the command name, which may hold spaces); `alive PID START`: that
 * very process still runs (a reused pid has another start time). `own_dir`: a symlink or a
 * non-directory where kp expects one of its own folders (staging root, lock) is removed, never
 * followed: kp did not create it, and writing through it would write elsewhere.
 */
const HELPERS = `proc_start() { s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=\${s##*") "}; set -- $s; shift 19; echo "$1"; }
alive() { [ -n "$1" ] && [ -n "$2" ] && [ "$(proc_start "$1")" = "$2" ]; }
own_dir() { if [ -L "$1" ] || { [ -e "$1" ] && [ ! -d "$1" ]; }; then rm -f "$1"; fi; mkdir -p "$1"; }
present() { [ -e "$1" ] || [ -L "$1" ]; }
${HA_PROCESS}`;

/**
 * Recovery, run under the lock only: a swap journal (`swapping` marker) left by an interrupted run
 * is finished (complete new tree) or rolled back (old tree), then leftovers go. A staging folder
 * whose apply process still runs in the target (its kp was killed, `exec` children outlive it) is
 * left alone: it is not a leftover yet.
 */
const RECOVER = `
for w in "$root/$domain".kp-*; do
  if [ -L "$w" ]; then rm -f "$w"; continue; fi
  [ -d "$w" ] || continue
  if [ -f "$w/pid" ]; then read -r wp ws < "$w/pid"; alive "$wp" "$ws" && continue; fi
  if [ -f "$w/swapping" ] && ! present "$dir"; then
    if [ -d "$w/new" ]; then mv "$w/new" "$dir"; elif [ -d "$w/old" ]; then mv "$w/old" "$dir"; fi
  fi
  rm -rf "$w"
  echo "KP_RECOVERED $w"
done
`;

/**
 * Lock + recovery + preflight + listing in ONE exec. Args: componentDir stagingRoot domain owner
 * takeover expect.
 * With an owner, the target's sync lock (`<stagingRoot>/<domain>.lock`, created with an atomic
 * mkdir, owner in `owner`) is taken first; when another run holds it the script prints
 * `KP_LOCK held <owner>` and lists nothing. `takeover` names an owner kp proved gone: its lock is
 * removed, only if it still holds it, only while no apply it started still runs in the target, and
 * one takeover at a time (an atomic `mkdir` of `<lock>.takeover`). Under the lock, leftovers of an
 * interrupted run are repaired before anything is listed. Without an owner (dry-run) nothing is
 * locked or repaired.
 * Prints KP_* marker lines; hashes between KP_FILES_BEGIN/END as `<hash>  ./<path>`; symlinks in
 * the component (never followed) between KP_LINKS_BEGIN/END; `KP_DIR replace` when the component
 * path is a symlink or a file; `KP_PARENT_LINK` (and nothing else) when custom_components/ itself is
 * a symlink. `expect` is the digest of the listing kp would find up to date (expectedListingDigest):
 * when the listing hashes to it, the lock is released at once (`KP_LOCK released`).
 */
export const LIST_SCRIPT = `dir=$1; root=$2; domain=$3; owner=$4; takeover=$5; expect=$6
echo "KP_SH ok"
${HELPERS}
parent=$(dirname "$dir")
if [ -L "$parent" ]; then echo "KP_PARENT_LINK $parent"; exit 0; fi
lock="$root/$domain.lock"
if [ -n "$owner" ]; then
  own_dir "$root" 2>/dev/null || { echo "KP_LOCK failed cannot create $root"; exit 0; }
  if [ -L "$lock" ] || { [ -e "$lock" ] && [ ! -d "$lock" ]; }; then rm -f "$lock"; fi
  if [ -n "$takeover" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$takeover" ]; then
    guard="$lock.takeover"
    if [ -f "$guard/pid" ]; then read -r gp gs < "$guard/pid"; alive "$gp" "$gs" || rm -rf "$guard"; fi
    if mkdir "$guard" 2>/dev/null; then
      echo "$$ $(proc_start $$)" > "$guard/pid"
      running=
      if [ -f "$lock/apply" ]; then read -r ap as < "$lock/apply"; alive "$ap" "$as" && running=yes; fi
      if [ -z "$running" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$takeover" ]; then
        mv "$lock" "$lock.gone-$$" 2>/dev/null && rm -rf "$lock.gone-$$"
      fi
      rm -rf "$guard"
    fi
  fi
  if mkdir "$lock" 2>/dev/null; then
    printf '%s\\n' "$owner" > "$lock/owner" || { rmdir "$lock"; echo "KP_LOCK failed cannot write $lock/owner"; exit 0; }
    echo "KP_LOCK acquired"
  else
    echo "KP_LOCK held $(head -n 1 "$lock/owner" 2>/dev/null)"
    exit 0
  fi
  ${RECOVER}
fi
for t in tar find cp mv; do
  if command -v "$t" >/dev/null 2>&1; then echo "KP_TOOL $t yes"; else echo "KP_TOOL $t no"; fi
done
if hp=$(ha_proc); then set -- $hp; echo "KP_HA $1 $2 $3 $(ha_age "$2") $(restarts_here)"; else echo "KP_HA none"; fi
if command -v sha256sum >/dev/null 2>&1; then h=sha256sum; echo "KP_HASH sha256"
elif command -v md5sum >/dev/null 2>&1; then h=md5sum; echo "KP_HASH md5"
else h=; echo "KP_HASH none"; fi
for w in "$root/$domain".kp-*; do [ -d "$w" ] && [ ! -L "$w" ] && echo "KP_LEFTOVER $w"; done
if [ -L "$dir" ] || { [ -e "$dir" ] && [ ! -d "$dir" ]; }; then
  echo "KP_DIR replace"
elif [ -d "$dir" ]; then
  echo "KP_DIR present"
  echo "KP_PYCACHE $(find "$dir" -type d -name __pycache__ | wc -l)"
  if [ -f "$dir/manifest.json" ] && [ ! -L "$dir/manifest.json" ]; then echo "KP_MANIFEST_BEGIN"; cat "$dir/manifest.json"; echo; echo "KP_MANIFEST_END"; fi
  echo "KP_LINKS_BEGIN"
  (cd "$dir" && find . -type l)
  echo "KP_LINKS_END"
  links=$(cd "$dir" && find . -type l | wc -l)
  if [ -n "$h" ]; then
    echo "KP_FILES_BEGIN"
    if files=$(cd "$dir" && find . -type d -name __pycache__ -prune -o -type f ! -name '*.pyc' -exec "$h" {} +); then
      [ -n "$files" ] && printf '%s\\n' "$files"
    else
      echo "KP_LIST_FAILED"; files=
    fi
    echo "KP_FILES_END"
    # Nothing to do (the files kp would send hash to what it expects, no link to replace): the
    # lock is released here, saving the round a second exec.
    if [ -n "$owner" ] && [ -n "$expect" ] && [ -n "$files" ] && [ "$links" -eq 0 ]; then
      set -- $(printf '%s\\n' "$files" | LC_ALL=C sort | "$h")
      if [ "$1" = "$expect" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$owner" ]; then rm -rf "$lock" && echo "KP_LOCK released"; fi
    fi
  fi
else
  echo "KP_DIR absent"
fi
`;

/**
 * Release the target's sync lock, only if `owner` still holds it. Args: stagingRoot domain owner.
 */
export const UNLOCK_SCRIPT = `root=$1; domain=$2; owner=$3; lock="$root/$domain.lock"
if [ -d "$lock" ] && [ ! -L "$lock" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$owner" ]; then
  rm -rf "$lock" && echo "KP_UNLOCKED"
else
  echo "KP_NOT_OURS"
fi
`;

/**
 * Upload, build, swap, cache clear and (optionally) restart in ONE exec; stdin is the tar.
 * Args: componentDir stagingRoot domain runId restart(kill|inplace|none) lockOwner release(yes|no) deletedPath...
 * `inplace` sends SIGHUP to HA's own process when s6-supervise runs it (else prints
 * `KP_NO_SUPERVISOR <why>` and restarts nothing: kp then falls back from outside); `kill` is `kill 1`.
 * With a lock owner the script refuses unless that owner still holds the lock (checked again right
 * before the swap and before `kill 1`), and records its own pid in the lock and in its staging
 * folder, so nobody takes the lock over or clears the folder while it still runs (an exec outlives
 * a killed kp). The round releases the lock after the restart and the verdict (a second sync must
 * not restart HA under the first one), or this script does with `release=yes` when no restart follows.
 * The tar's last entry is `.kp-complete-<runId>`: a truncated stream (kp killed mid-upload)
 * lacks it, so nothing is swapped and the live component stays as it was.
 */
export const APPLY_SCRIPT = applyScript('');

/**
 * The watch's fast path: lock + check + APPLY_SCRIPT in ONE exec, when kp remembers what the
 * previous round left in the target. The first argument is the digest (expectedListingDigest) of
 * that remembered listing; the rest are APPLY_SCRIPT's. Under a lock it takes itself, the script
 * hashes the installed component: only when it still is exactly what kp remembers (no leftovers,
 * no symlinks, sha256sum present) does the apply go on. Otherwise it gives the lock back and prints
 * `KP_STALE <why>` (or `KP_LOCK held <owner>`), having changed nothing: kp then runs a full round.
 */
export const FAST_APPLY_SCRIPT = `expect=$1; shift
${applyScript(`
if [ -z "$owner" ]; then echo "KP_STALE no owner"; exit 0; fi
own_dir "$root" 2>/dev/null || { echo "KP_STALE cannot create $root"; exit 0; }
if [ -L "$lock" ] || { [ -e "$lock" ] && [ ! -d "$lock" ]; }; then rm -f "$lock"; fi
mkdir "$lock" 2>/dev/null || { echo "KP_LOCK held $(head -n 1 "$lock/owner" 2>/dev/null)"; exit 0; }
printf '%s\\n' "$owner" > "$lock/owner" || { rm -rf "$lock"; echo "KP_STALE cannot write $lock/owner"; exit 0; }
stale() { rm -rf "$lock"; echo "KP_STALE $*"; exit 0; }
command -v sha256sum >/dev/null 2>&1 || stale "no sha256sum"
for w in "$root/$domain".kp-*; do present "$w" && stale "leftovers of an interrupted sync"; done
{ [ -d "$dir" ] && [ ! -L "$dir" ]; } || stale "the component folder changed"
[ -z "$(cd "$dir" && find . -type l)" ] || stale "symlinks in the component"
got=$(cd "$dir" && find . -type d -name __pycache__ -prune -o -type f ! -name '*.pyc' -exec sha256sum {} + | LC_ALL=C sort | sha256sum) || stale "hashing failed"
# (not set --: the positional arguments are still the paths to delete)
[ "\${got%% *}" = "$expect" ] || stale "the installed files changed since the last round"
echo "KP_LOCK acquired"
`)}`;

/** APPLY_SCRIPT with `prelude` run after its helpers and before its lock check. */
function applyScript(prelude: string): string {
  return `dir=$1; root=$2; domain=$3; id=$4; restart=$5; owner=$6; release=$7
shift 7
work="$root/$domain.kp-$id"
lock="$root/$domain.lock"
die() { echo "KP_FAIL $*"; rm -rf "$work"; [ -n "$owner" ] && ours && rm -f "$lock/apply"; exit 3; }
${HELPERS}
ours() { [ -z "$owner" ] || { [ -d "$lock" ] && [ ! -L "$lock" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$owner" ]; }; }
parent=$(dirname "$dir")
[ -L "$parent" ] && die "$parent is a symlink: kp does not write through a link it did not create"
${prelude}
ours || die "the sync lock $lock is no longer held by this run"
me="$$ $(proc_start $$)"
[ -n "$owner" ] && echo "$me" > "$lock/apply"
own_dir "$root" || die "cannot create $root"
mkdir -p "$parent" || die "cannot create $parent"
[ -n "$owner" ] || { ${RECOVER} }
if command -v stat >/dev/null 2>&1; then
  [ "$(stat -c %d "$root")" = "$(stat -c %d "$parent")" ] || die "$root and $parent are on different filesystems: the swap would not be atomic"
fi
mkdir -p "$work/new" || die "cannot create $work"
echo "$me" > "$work/pid"
if [ -d "$dir" ] && [ ! -L "$dir" ]; then cp -a "$dir/." "$work/new/" || die "cannot copy the current component"; fi
# A symlink in the tree is an entry to replace, never a folder to write into: drop them all
# before anything is deleted or extracted (find does not follow them).
find "$work/new" -type l -exec rm -f {} + || die "cannot remove symlinks from the new tree"
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
ours || die "the sync lock $lock was taken over before the swap"
: > "$work/swapping" || die "cannot write the swap journal"
if present "$dir"; then mv "$dir" "$work/old" || die "cannot move the old component aside"; fi
if ! mv "$work/new" "$dir"; then
  [ -d "$work/old" ] && mv "$work/old" "$dir"
  die "cannot move the new component in place"
fi
rm -rf "$work"
echo "KP_SWAPPED"
[ -n "$owner" ] && ours && rm -f "$lock/apply"
# No restart follows: nothing else of this round touches the target, so the lock goes now.
if [ "$release" = yes ] && [ -n "$owner" ] && ours; then rm -rf "$lock" && echo "KP_UNLOCKED"; fi
if [ "$restart" = kill ]; then
  ours || { echo "KP_FAIL the sync lock $lock was taken over: not restarting"; exit 3; }
  echo "KP_RESTARTING"
  kill 1 || { echo "KP_KILL_FAILED"; exit 4; }
elif [ "$restart" = inplace ]; then
  ours || { echo "KP_FAIL the sync lock $lock was taken over: not restarting"; exit 3; }
  # HA between two of its own processes (a restart still under way) has none for a moment.
  i=0
  until hp=$(ha_proc); do i=$((i + 1)); [ "$i" -ge 30 ] && break; sleep 0.1; done
  if [ -z "$hp" ]; then echo "KP_NO_SUPERVISOR no Home Assistant process found (HA runs as PID 1, or is not running)"
  elif ! supervised $hp; then set -- $hp; echo "KP_NO_SUPERVISOR the HA process $1 runs under $3, not s6-supervise: its exit would end the container"
  else
    set -- $hp
    echo "KP_RESTARTING inplace $1 $2"
    kill -HUP "$1" || { echo "KP_KILL_FAILED"; exit 4; }
    n=$(restarts_here); rf=$(restarts_file); { [ -L "$rf" ] || [ -d "$rf" ]; } && rm -rf "$rf"; echo "$(proc_start 1) $((n + 1))" > "$rf" 2>/dev/null
  fi
fi
echo "KP_DONE"
`;
}

/** One try of "does HA's HTTP port 8123 answer?" with whatever the image has (curl, python, nc, wget); run it in a subshell (it exits 0 on success). */
const PROBE_ONCE = `probe_once() {
  if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null -m 3 http://127.0.0.1:8123/ && exit 0; fi
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
  return 1
}`;

/**
 * Readiness probe run in the container: does HA's HTTP port 8123 answer? (busybox or GNU tools, or
 * python). Arg: how many more tries, 0.1 s apart (default 0: one try), so one exec can wait out a
 * restart instead of one exec per poll.
 */
export const PROBE_SCRIPT = `tries=\${1:-0}
${PROBE_ONCE}
while :; do
  (probe_once) && exit 0
  [ "$tries" -gt 0 ] || exit 1
  tries=$((tries - 1))
  sleep 0.1
done
`;

/**
 * The wait after an in-place restart, in ONE exec of up to `tries` x 0.1 s: first a NEW HA process
 * (another pid, or the same pid with another start time, than `oldpid oldstart`), then port 8123
 * answering. Prints `KP_HA_NEW <pid> <start>` once the new process is seen and `KP_HA_READY` when
 * it answers (exit 0); `KP_WAIT_TIMEOUT` and exit 1 when the tries ran out first (output with
 * neither means the exec did not run to its end: the container went away). A new process seen for
 * the first time and not answering yet ends the exec at once (`KP_WAIT_SEEN`, exit 2), so the two
 * steps are timed apart; the next exec names it as `known` ("<pid> <start>") and waits for the port.
 * Args: oldpid oldstart tries [known].
 */
export const INPLACE_WAIT_SCRIPT = `old=$1; olds=$2; tries=\${3:-0}; known="$4"; seen=
${HELPERS}
${PROBE_ONCE}
while :; do
  if [ -z "$seen" ] && hp=$(ha_proc); then
    set -- $hp
    if [ "$1" != "$old" ] || [ "$2" != "$olds" ]; then
      seen="$1 $2"; echo "KP_HA_NEW $seen $(ha_age_cs "$2")"
      # First seen, not answering yet: end here, so kp times the two steps apart (its next exec,
      # which names this process as known, waits for the port).
      if [ "$seen" != "$known" ]; then (probe_once) && { echo "KP_HA_READY"; exit 0; }; echo "KP_WAIT_SEEN"; exit 2; fi
    fi
  fi
  if [ -n "$seen" ] && (probe_once); then echo "KP_HA_READY"; exit 0; fi
  [ "$tries" -gt 0 ] || { echo "KP_WAIT_TIMEOUT"; exit 1; }
  tries=$((tries - 1))
  sleep 0.1
done
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
    recovered: [],
    parentLink: undefined,
    unsafePaths: [],
    symlinks: [],
    replaceComponent: false,
    lock: {state: 'none'},
    listingFailed: false,
    ha: undefined,
  };
  const lines = stdout.split('\n');
  let section: 'none' | 'files' | 'manifest' | 'links' = 'none';
  const manifestLines: string[] = [];
  for (const line of lines) {
    if (section === 'manifest') {
      if (line === 'KP_MANIFEST_END') {
        section = 'none';
        listing.manifest = manifestLines.join('\n').trim();
      } else manifestLines.push(line);
      continue;
    }
    if (section === 'links') {
      if (line === 'KP_LINKS_END') section = 'none';
      else if (line.startsWith('./')) listing.symlinks.push(line.slice(2));
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
        listing.lock =
          rest[0] === 'acquired'
            ? {state: 'acquired'}
            : rest[0] === 'released'
              ? {state: 'released'}
              : rest[0] === 'held'
                ? {state: 'held', owner: rest.slice(1).join(' ')}
                : {state: 'failed', reason: rest.slice(1).join(' ')};
        break;
      case 'KP_LINKS_BEGIN':
        section = 'links';
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

/** Parse the stdout of APPLY_SCRIPT. */
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
    stale: lines.find((line) => line.startsWith('KP_STALE '))?.slice('KP_STALE '.length) ?? lines.find((line) => line.startsWith('KP_LOCK held'))?.replace('KP_LOCK held', 'the sync lock is held by'),
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

/** Parse the stdout of INPLACE_WAIT_SCRIPT. */
export function parseInplaceWait(stdout: string): InplaceWait {
  const lines = stdout.split('\n');
  const seen = lines.map((line) => /^KP_HA_NEW (\d+) (\d+)(?: (-?\d+))?$/.exec(line)).find(Boolean);
  const ready = lines.includes('KP_HA_READY');
  return {
    newProcess: seen ? {pid: Number.parseInt(seen[1]!, 10), start: seen[2]!, ageMs: seen[3] === undefined ? undefined : Number.parseInt(seen[3], 10) * 10} : undefined,
    ready,
    finished: ready || lines.includes('KP_WAIT_TIMEOUT') || lines.includes('KP_WAIT_SEEN'),
  };
}
