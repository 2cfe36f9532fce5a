# shellcheck shell=dash
# The apply's arguments and its own helpers (apply.sh). die REASON: print `KP_FAIL REASON`, remove
# this run's staging folder, drop its pid from the lock, exit 3. ours: this run still holds the
# lock (always true without an owner: dry-run never applies, a no-lock apply is a test's).
dir=$1; root=$2; domain=$3; id=$4; restart=$5; owner=$6; release=$7
shift 7
work="$root/$domain.kp-$id"
lock="$root/$domain.lock"
die() { echo "KP_FAIL $*"; rm -rf "$work"; [ -n "$owner" ] && ours && rm -f "$lock/apply"; exit 3; }
ours() { [ -z "$owner" ] || { [ -d "$lock" ] && [ ! -L "$lock" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$owner" ]; }; }
parent=$(dirname "$dir")
[ -L "$parent" ] && die "$parent is a symlink: kp does not write through a link it did not create"
