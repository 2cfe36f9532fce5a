# shellcheck shell=dash
# Process and path helpers every script shares.
# proc_start PID: the process's start time (field 22 of /proc/PID/stat, counted after the command
# name, which may hold spaces). alive PID START: that very process still runs (a reused pid has
# another start time). own_dir DIR: a symlink or a non-directory where kp expects one of its own
# folders (staging root, lock) is removed, never followed: kp did not create it, and writing
# through it would write elsewhere. present PATH: anything is there, a dangling link included.
proc_start() {
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*") "}
  # shellcheck disable=SC2086 # split on purpose: the stat fields
  set -- $s
  shift 19
  echo "$1"
}
alive() { [ -n "$1" ] && [ -n "$2" ] && [ "$(proc_start "$1")" = "$2" ]; }
own_dir() {
  if [ -L "$1" ] || { [ -e "$1" ] && [ ! -d "$1" ]; }; then rm -f "$1"; fi
  mkdir -p "$1"
}
present() { [ -e "$1" ] || [ -L "$1" ]; }
