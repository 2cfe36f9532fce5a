# shellcheck shell=dash
# The apply itself (apply.sh): build the new tree in staging, swap it in, restart.
ours || die "the sync lock $lock is no longer held by this run"
me="$$ $(proc_start $$)"
[ -n "$owner" ] && echo "$me" > "$lock/apply"
own_dir "$root" || die "cannot create $root"
mkdir -p "$parent" || die "cannot create $parent"
[ -n "$owner" ] || recover "$root" "$domain" "$dir"
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
  restart_inplace "$root"
fi
echo "KP_DONE"
