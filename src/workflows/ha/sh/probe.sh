# shellcheck shell=dash source-path=SCRIPTDIR
# Readiness probe run in the container: does HA's HTTP port 8123 answer? (busybox or GNU tools, or
# python). Arg: how many more tries, 0.1 s apart (default 0: one try), so one exec can wait out a
# restart instead of one exec per poll.
tries=${1:-0}
. ./lib/probe-once.sh
while :; do
  (probe_once) && exit 0
  [ "$tries" -gt 0 ] || exit 1
  tries=$((tries - 1))
  sleep 0.1
done
