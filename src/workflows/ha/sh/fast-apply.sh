# shellcheck shell=dash source-path=SCRIPTDIR
# The watch's fast path: lock + check + apply.sh in ONE exec, when kp remembers what the previous
# round left in the target. The first argument is the digest (expectedListingDigest) of that
# remembered listing; the rest are apply.sh's. Under a lock it takes itself, the script hashes the
# installed component: only when it still is exactly what kp remembers (no leftovers, no symlinks,
# sha256sum present) does the apply go on. Otherwise it gives the lock back and prints
# `KP_STALE <why>` (or `KP_LOCK held <owner>`), having changed nothing: kp then runs a full round.
expect=$1; shift
. ./lib/proc.sh
. ./lib/ha-process.sh
. ./lib/lock.sh
. ./lib/recover.sh
. ./lib/apply-head.sh

if [ -z "$owner" ]; then echo "KP_STALE no owner"; exit 0; fi
prepare_lock "$root" "$lock" || { echo "KP_STALE cannot create $root"; exit 0; }
acquire_lock "$lock" "$owner"
case $? in
  0) ;;
  2) echo "KP_STALE cannot write $lock/owner"; exit 0 ;;
  3) echo "KP_STALE cannot create $lock: $lock_error"; exit 0 ;;
  *) echo "KP_LOCK held $(lock_owner "$lock")"; exit 0 ;;
esac
stale() { rm -rf "$lock"; echo "KP_STALE $*"; exit 0; }
command -v sha256sum >/dev/null 2>&1 || stale "no sha256sum"
for w in "$root/$domain".kp-*; do present "$w" && stale "leftovers of an interrupted sync"; done
{ [ -d "$dir" ] && [ ! -L "$dir" ]; } || stale "the component folder changed"
[ -z "$(cd "$dir" && find . -type l)" ] || stale "symlinks in the component"
got=$(cd "$dir" && find . -type d -name __pycache__ -prune -o -type f ! -name '*.pyc' -exec sha256sum {} + | LC_ALL=C sort | sha256sum) || stale "hashing failed"
# (not set --: the positional arguments are still the paths to delete)
[ "${got%% *}" = "$expect" ] || stale "the installed files changed since the last round"
echo "KP_LOCK acquired"

. ./lib/restart-inplace.sh
. ./lib/apply-body.sh
