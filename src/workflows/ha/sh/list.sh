# shellcheck shell=dash source-path=SCRIPTDIR
# Lock + recovery + preflight + listing in ONE exec.
# Args: componentDir stagingRoot domain owner takeover expect.
# With an owner, the target's sync lock is taken first; when another run holds it the script prints
# `KP_LOCK held <owner>` and lists nothing. `takeover` names an owner kp proved gone: its lock is
# removed, only if it still holds it, only while no apply it started still runs in the target, and
# one takeover at a time (an atomic `mkdir` of `<lock>.takeover`). Under the lock, leftovers of an
# interrupted run are repaired before anything is listed. Without an owner (dry-run) nothing is
# locked or repaired.
# Prints KP_* marker lines; hashes between KP_FILES_BEGIN/END as `<hash>  ./<path>`; symlinks in the
# component (never followed) between KP_LINKS_BEGIN/END; `KP_DIR replace` when the component path
# is a symlink or a file; `KP_PARENT_LINK` (and nothing else) when custom_components/ itself is a
# symlink. `expect` is the digest of the listing kp would find up to date (expectedListingDigest):
# when the listing hashes to it, the lock is released at once (`KP_LOCK released`).
dir=$1; root=$2; domain=$3; owner=$4; takeover=$5; expect=$6
echo "KP_SH ok"
. ./lib/proc.sh
. ./lib/ha-process.sh
. ./lib/lock.sh
. ./lib/recover.sh

# take_over OWNER: remove the lock of OWNER, a run kp proved gone (see above).
take_over() {
  [ "$(cat "$lock/owner" 2>/dev/null)" = "$1" ] || return 0
  guard="$lock.takeover"
  if [ -f "$guard/pid" ]; then read -r gp gs < "$guard/pid"; alive "$gp" "$gs" || rm -rf "$guard"; fi
  mkdir "$guard" 2>/dev/null || return 0
  echo "$$ $(proc_start $$)" > "$guard/pid"
  running=
  if [ -f "$lock/apply" ]; then read -r ap as < "$lock/apply"; alive "$ap" "$as" && running=yes; fi
  if [ -z "$running" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$1" ]; then
    mv "$lock" "$lock.gone-$$" 2>/dev/null && rm -rf "$lock.gone-$$"
  fi
  rm -rf "$guard"
}

parent=$(dirname "$dir")
if [ -L "$parent" ]; then echo "KP_PARENT_LINK $parent"; exit 0; fi
lock="$root/$domain.lock"
if [ -n "$owner" ]; then
  prepare_lock "$root" "$lock" || { echo "KP_LOCK failed cannot create $root: $lock_error"; exit 0; }
  [ -n "$takeover" ] && take_over "$takeover"
  acquire_lock "$lock" "$owner"
  case $? in
    0) echo "KP_LOCK acquired" ;;
    2) echo "KP_LOCK failed cannot write $lock/owner"; exit 0 ;;
    3) echo "KP_LOCK failed cannot create $lock: $lock_error"; exit 0 ;;
    *) echo "KP_LOCK held $(lock_owner "$lock")"; exit 0 ;;
  esac
  recover "$root" "$domain" "$dir"
fi
for t in tar find cp mv; do
  if command -v "$t" >/dev/null 2>&1; then echo "KP_TOOL $t yes"; else echo "KP_TOOL $t no"; fi
done
if hp=$(ha_proc); then
  # shellcheck disable=SC2086 # split on purpose: pid, start, parent
  set -- $hp
  echo "KP_HA $1 $2 $3 $(ha_age "$2") $(restarts_here "$root")"
else
  echo "KP_HA none"
fi
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
      [ -n "$files" ] && printf '%s\n' "$files"
    else
      echo "KP_LIST_FAILED"; files=
    fi
    echo "KP_FILES_END"
    # Nothing to do (the files kp would send hash to what it expects, no link to replace): the
    # lock is released here, saving the round a second exec.
    if [ -n "$owner" ] && [ -n "$expect" ] && [ -n "$files" ] && [ "$links" -eq 0 ]; then
      digest=$(printf '%s\n' "$files" | LC_ALL=C sort | "$h")
      if [ "${digest%% *}" = "$expect" ] && [ "$(lock_owner "$lock")" = "$owner" ]; then rm -rf "$lock" && echo "KP_LOCK released"; fi
    fi
  fi
else
  echo "KP_DIR absent"
fi
