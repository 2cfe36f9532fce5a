# shellcheck shell=dash source-path=SCRIPTDIR
# The wait after an in-place restart, in ONE exec of up to `tries` x 0.1 s: first a NEW HA process
# (another pid, or the same pid with another start time, than `oldpid oldstart`), then port 8123
# answering. Prints `KP_HA_NEW <pid> <start> <age in 1/100 s>` once the new process is seen and
# `KP_HA_READY` when it answers (exit 0); `KP_WAIT_TIMEOUT` and exit 1 when the tries ran out first
# (output with neither means the exec did not run to its end: the container went away). A new
# process seen for the first time and not answering yet ends the exec at once (`KP_WAIT_SEEN`,
# exit 2), so the two steps are timed apart; the next exec names it as `known` ("<pid> <start>") and
# waits for the port.
# Args: oldpid oldstart tries [known].
old=$1; olds=$2; tries=${3:-0}; known="$4"; seen=
. ./lib/proc.sh
. ./lib/ha-process.sh
. ./lib/probe-once.sh
while :; do
  if [ -z "$seen" ] && hp=$(ha_proc); then
    # shellcheck disable=SC2086 # split on purpose: pid, start, parent
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
