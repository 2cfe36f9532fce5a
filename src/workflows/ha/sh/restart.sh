# shellcheck shell=dash source-path=SCRIPTDIR
# An in-place restart on its own (after the swap, when a code reload was refused or failed): SIGHUP
# to HA under s6-supervise, only while this run still holds the sync lock. Prints what
# restart_inplace prints (parsed by parseApply), or `KP_FAIL <why>` and exit 3.
# Args: stagingRoot domain lockOwner.
root=$1; domain=$2; owner=$3
lock="$root/$domain.lock"
. ./lib/proc.sh
. ./lib/ha-process.sh
. ./lib/restart-inplace.sh
if [ -n "$owner" ] && ! { [ -d "$lock" ] && [ ! -L "$lock" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$owner" ]; }; then
  echo "KP_FAIL the sync lock $lock is no longer held by this run: not restarting"; exit 3
fi
restart_inplace "$root"
echo "KP_DONE"
