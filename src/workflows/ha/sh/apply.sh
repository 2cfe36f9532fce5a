# shellcheck shell=dash source-path=SCRIPTDIR
# Upload, build, swap, cache clear and (optionally) restart in ONE exec; stdin is the tar.
# Args: componentDir stagingRoot domain runId restart(kill|inplace|none) lockOwner release(yes|no) deletedPath...
# `inplace` sends SIGHUP to HA's own process when s6-supervise runs it (else prints
# `KP_NO_SUPERVISOR <why>` and restarts nothing: kp then falls back from outside); `kill` is `kill 1`.
# With a lock owner the script refuses unless that owner still holds the lock (checked again right
# before the swap and before `kill 1`), and records its own pid in the lock and in its staging
# folder, so nobody takes the lock over or clears the folder while it still runs (an exec outlives
# a killed kp). The round releases the lock after the restart and the verdict (a second sync must
# not restart HA under the first one), or this script does with `release=yes` when no restart follows.
# The tar's last entry is `.kp-complete-<runId>`: a truncated stream (kp killed mid-upload) lacks
# it, so nothing is swapped and the live component stays as it was.
. ./lib/proc.sh
. ./lib/ha-process.sh
. ./lib/recover.sh
. ./lib/apply-head.sh
. ./lib/restart-inplace.sh
. ./lib/apply-body.sh
