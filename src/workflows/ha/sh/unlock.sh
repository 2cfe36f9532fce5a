# shellcheck shell=dash
# Release the target's sync lock, only if `owner` still holds it. Args: stagingRoot domain owner.
root=$1; domain=$2; owner=$3; lock="$root/$domain.lock"
if [ -d "$lock" ] && [ ! -L "$lock" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$owner" ]; then
  rm -rf "$lock" && echo "KP_UNLOCKED"
else
  echo "KP_NOT_OURS"
fi
