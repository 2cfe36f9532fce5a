# shellcheck shell=dash
# recover ROOT DOMAIN DIR, run under the lock only: a swap journal (`swapping` marker) left by an
# interrupted run is finished (complete new tree) or rolled back (old tree), then leftovers go. A
# staging folder whose apply process still runs in the target (its kp was killed, `exec` children
# outlive it) is left alone: it is not a leftover yet.
recover() {
  for w in "$1/$2".kp-*; do
    if [ -L "$w" ]; then rm -f "$w"; continue; fi
    [ -d "$w" ] || continue
    if [ -f "$w/pid" ]; then read -r wp ws < "$w/pid"; alive "$wp" "$ws" && continue; fi
    if [ -f "$w/swapping" ] && ! present "$3"; then
      if [ -d "$w/new" ]; then mv "$w/new" "$3"; elif [ -d "$w/old" ]; then mv "$w/old" "$3"; fi
    fi
    rm -rf "$w"
    echo "KP_RECOVERED $w"
  done
}
