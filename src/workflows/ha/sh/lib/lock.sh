# shellcheck shell=dash
# The target's sync lock: a folder LOCK (`<stagingRoot>/<domain>.lock`) created with an atomic
# mkdir, its owner's line in LOCK/owner. A symlink or a file in its place is removed, never followed.
# prepare_lock ROOT LOCK: kp's staging folder exists and nothing foreign sits where the lock goes
# (status 1 when ROOT cannot be created; lock_error says why). acquire_lock LOCK OWNER: status 0
# when taken, 1 when another run holds it, 2 when the owner cannot be written (the lock is given
# back), 3 when no lock can be created there at all (a read-only /config: lock_error says so; never
# mistaken for another run's lock). lock_owner LOCK: the holder's line.
prepare_lock() {
  lock_error=$(own_dir "$1" 2>&1) || return 1
  if [ -L "$2" ] || { [ -e "$2" ] && [ ! -d "$2" ]; }; then rm -f "$2"; fi
  return 0
}
acquire_lock() {
  if ! lock_error=$(mkdir "$1" 2>&1); then
    [ -d "$1" ] && return 1
    # Not held, and not created: once more (its holder may have just released it), then why not.
    lock_error=$(mkdir "$1" 2>&1) || { [ -d "$1" ] && return 1; return 3; }
  fi
  printf '%s\n' "$2" > "$1/owner" || { rm -rf "$1"; return 2; }
}
lock_owner() { head -n 1 "$1/owner" 2>/dev/null; }
