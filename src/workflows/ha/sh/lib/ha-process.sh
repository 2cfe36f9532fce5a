# shellcheck shell=dash
# Finding Home Assistant's own process (shared/spec/kamerplanter-workflow.md, "HA's in-place
# restart"): the official image runs s6-overlay as PID 1 and HA as `python3 -m homeassistant
# --config /config`, a child of `s6-supervise`, whose finish script restarts HA in place when it
# exits with 100 (what HA does on SIGHUP).
#
# ha_proc prints `<pid> <start> <parent comm>` of HA's process: never PID 1, never this shell, only
# a python or hass process whose command line runs homeassistant. Only processes in this script's
# own mount namespace count (a pod with a shared process namespace, or `--pid=host`, shows other
# containers' processes), and a supervised match wins over an unsupervised one. KP_HA_SCOPE_PPID
# (never set by kp) limits the search to one parent's children: kp's own tests run these scripts
# on a host, where another HA may run and must not be signalled.
# supervised PID START PARENT holds when the parent is s6-supervise, the one supervisor proven to
# restart HA in place. HA as PID 1, or under tini/docker-init, has no such supervisor: its exit
# ends the container.
ha_proc() {
  hfound=
  for hp in /proc/[0-9]*; do
    hp=${hp#/proc/}
    [ "$hp" = 1 ] && continue
    [ "$hp" = "$$" ] && continue
    { read -r hc < "/proc/$hp/comm"; } 2>/dev/null || continue
    case "$hc" in python*|hass) ;; *) continue ;; esac
    ha=$(tr '\000' ' ' < "/proc/$hp/cmdline" 2>/dev/null) || continue
    case " $ha " in *" -m homeassistant "*|*"/hass "*|" hass "*) ;; *) continue ;; esac
    # A one-off run (hass --script check_config) is not the server.
    case " $ha " in *" --script "*) continue ;; esac
    # Only this container's own processes (a shared pid namespace may show other containers' HA).
    [ "$(readlink "/proc/$hp/ns/mnt" 2>/dev/null)" = "$(readlink /proc/$$/ns/mnt 2>/dev/null)" ] || continue
    hs=$(cat "/proc/$hp/stat" 2>/dev/null) || continue
    hs=${hs##*") "}
    # shellcheck disable=SC2086 # split on purpose: the stat fields
    set -- $hs
    hpp=$2
    [ -n "${KP_HA_SCOPE_PPID:-}" ] && [ "$hpp" != "$KP_HA_SCOPE_PPID" ] && continue
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

# restarts_file ROOT: where kp counts the in-place restarts it sent to this container instance (in
# its staging folder ROOT, never written through a symlink), keyed by PID 1's start time, which
# changes with every container start. restarts_here ROOT: that count for this instance.
restarts_file() { echo "$1/.ha-restarts"; }
restarts_here() {
  k=$(proc_start 1)
  n=0
  rf=$(restarts_file "$1")
  if [ -f "$rf" ] && [ ! -L "$rf" ]; then
    read -r rk rn < "$rf"
    [ "$rk" = "$k" ] && n=$rn
  fi
  echo "$n"
}

# ha_age START: the process's age in seconds; ha_age_cs START: in 1/100 s.
ha_age() { read -r up _ < /proc/uptime; up=${up%.*}; echo $((up - $1 / 100)); }
ha_age_cs() { read -r up _ < /proc/uptime; up=${up%.*}${up#*.}; up=${up#0}; echo $((up - $1)); }
