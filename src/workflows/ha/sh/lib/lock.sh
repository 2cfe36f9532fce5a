# shellcheck shell=dash
# The target's sync lock: a folder LOCK (`<stagingRoot>/<domain>.lock`) created with an atomic
# mkdir, its owner's line in LOCK/owner. A symlink or a file in its place is removed, never followed.
# prepare_lock ROOT LOCK: kp's staging folder exists and nothing foreign sits where the lock goes
# (status 1 when ROOT cannot be created). acquire_lock LOCK OWNER: status 0 when taken, 1 when
# another run holds it, 2 when the owner cannot be written (the lock is given back).
# lock_owner LOCK: the holder's line.
prepare_lock() {
  own_dir "$1" 2>/dev/null || return 1
  if [ -L "$2" ] || { [ -e "$2" ] && [ ! -d "$2" ]; }; then rm -f "$2"; fi
  return 0
}
acquire_lock() {
  mkdir "$1" 2>/dev/null || return 1
  printf '%s\n' "$2" > "$1/owner" || { rm -rf "$1"; return 2; }
}
lock_owner() { head -n 1 "$1/owner" 2>/dev/null; }
