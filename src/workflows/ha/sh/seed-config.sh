# shellcheck shell=dash
# The seed initContainer's script (ha/manifest.ts): copy the seed only when /config has no
# configuration.yaml. A dangling symlink counts as present (never overwrite). The copy goes through
# a temporary name, so a pod killed mid-copy never leaves half a file that would then count as
# present forever. SEED_DIR and CONFIG_DIR exist so the unit test runs this very script in a temp
# dir; the pod sets neither.
set -eu
seed="${SEED_DIR:-/seed}/configuration.yaml"
target="${CONFIG_DIR:-/config}/configuration.yaml"
if [ -e "$target" ] || [ -L "$target" ]; then
  echo "kp: $target exists, left as it is"
else
  cp "$seed" "$target.kp-seed"
  mv "$target.kp-seed" "$target"
  echo "kp: seeded $target"
fi
