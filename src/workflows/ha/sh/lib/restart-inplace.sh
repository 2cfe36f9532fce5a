# shellcheck shell=dash
# restart_inplace ROOT: SIGHUP to HA's own process when s6-supervise runs it, counted in ROOT's
# restart file; prints `KP_RESTARTING inplace <pid> <start>`, or `KP_NO_SUPERVISOR <why>` and
# restarts nothing (kp then restarts the container from outside). Needs proc.sh and ha-process.sh.
restart_inplace() {
  rroot=$1
  # HA between two of its own processes (a restart still under way) has none for a moment.
  i=0
  until hp=$(ha_proc); do i=$((i + 1)); [ "$i" -ge 30 ] && break; sleep 0.1; done
  # shellcheck disable=SC2086 # split on purpose: pid, start, parent
  set -- $hp
  if [ -z "$hp" ]; then echo "KP_NO_SUPERVISOR no Home Assistant process found (HA runs as PID 1, or is not running)"
  elif ! supervised "$@"; then echo "KP_NO_SUPERVISOR the HA process $1 runs under $3, not s6-supervise: its exit would end the container"
  else
    echo "KP_RESTARTING inplace $1 $2"
    kill -HUP "$1" || { echo "KP_KILL_FAILED"; exit 4; }
    n=$(restarts_here "$rroot"); rf=$(restarts_file "$rroot")
    { [ -L "$rf" ] || [ -d "$rf" ]; } && rm -rf "$rf"
    echo "$(proc_start 1) $((n + 1))" > "$rf" 2>/dev/null
  fi
}
