#!/usr/bin/env bash
# Installs the real tools the tests run (pinned in versions.sh) into one cache directory that later
# runs on this machine reuse: ruff from PyPI, Helm and Skaffold built from the Go module proxy, and a
# real Home Assistant image (Debian forky + pip) built locally with `docker import`. Nothing is
# downloaded from anywhere else, and no image is pulled.
#
#   bash scripts/test-tools/install.sh            # everything
#   bash scripts/test-tools/install.sh ruff helm  # only these (ruff, helm, skaffold, ha, pytest)
#
# The cache: $KP_TEST_TOOLS_DIR, else ${XDG_CACHE_HOME:-~/.cache}/kp/test-tools. It ends with
# tools.env (KP_REAL_RUFF, KP_REAL_HELM, KP_REAL_SKAFFOLD, KP_REAL_HA_IMAGE, KP_REAL_PYTEST_DIR), which the tests read.
# A tool that cannot be installed fails this script, naming the tool and the registry: the tests
# that need it then fail too, never skip.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/test-tools/versions.sh
. "$here/versions.sh"

cache="${KP_TEST_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kp/test-tools}"
mkdir -p "$cache"
log() { printf '=== test-tools: %s\n' "$*" >&2; }
fail() { printf 'test-tools: %s\n' "$*" >&2; exit 1; }

install_ruff() {
  local dir="$cache/ruff-$RUFF_VERSION"
  if [ ! -x "$dir/bin/ruff" ]; then
    log "ruff $RUFF_VERSION from PyPI"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "ruff==$RUFF_VERSION" || fail "pip could not install ruff==$RUFF_VERSION from PyPI"
  fi
  echo "KP_REAL_RUFF=$dir/bin/ruff"
}

install_helm() {
  local dir="$cache/helm-$HELM_VERSION"
  # Helm's source says only its minor line (`v3.22`) unless the linker sets the version, as its
  # Makefile does for a release: an installed binary without it is built again.
  if [ "$("$dir/helm" version --short 2>/dev/null)" != "$HELM_VERSION" ]; then
    log "helm $HELM_VERSION from the Go module proxy (go install)"
    rm -rf "$dir"
    local ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
    GOBIN="$dir" GOFLAGS=-buildvcs=false go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" || fail "go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION failed"
  fi
  echo "KP_REAL_HELM=$dir/helm"
}

install_skaffold() {
  local dir="$cache/skaffold-$SKAFFOLD_VERSION"
  # A source build carries no version unless the linker sets it (as Skaffold's Makefile does), and
  # kp reads `skaffold version`: an installed binary without it is built again.
  if [ "$("$dir/skaffold" version 2>/dev/null)" != "$SKAFFOLD_VERSION" ]; then
    log "skaffold $SKAFFOLD_VERSION from the Go module proxy (go mod download, go build)"
    # Its go.mod has replace directives, which `go install pkg@version` refuses: build in a copy.
    local module src
    module="$(go mod download -json "github.com/GoogleContainerTools/skaffold/v2@$SKAFFOLD_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -n "$module" ] || fail "go mod download github.com/GoogleContainerTools/skaffold/v2@$SKAFFOLD_VERSION failed"
    src="$(mktemp -d)"
    cp -R "$module/." "$src/"
    chmod -R u+w "$src"
    mkdir -p "$dir"
    local ldflags="-X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$SKAFFOLD_VERSION"
    (cd "$src" && GOFLAGS=-buildvcs=false go build -ldflags "$ldflags" -o "$dir/skaffold" ./cmd/skaffold) || fail "go build of skaffold $SKAFFOLD_VERSION failed"
    rm -rf "$src"
  fi
  echo "KP_REAL_SKAFFOLD=$dir/skaffold"
}

install_ha() {
  local image
  # Named by the build's content (not its path): any checkout of the same script reuses the image.
  image="kp-real-ha:$HA_VERSION-$({ cat "$here/ha-image.sh"; echo "$HA_VERSION"; } | sha256sum | cut -c1-8)"
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    log "Home Assistant $HA_VERSION image $image (Debian forky, pip; about 10 minutes once)"
    bash "$here/ha-image.sh" "$image" "$HA_VERSION" "$cache/ha-build" || fail "building the Home Assistant $HA_VERSION image failed"
    # Earlier builds (1.4 GB each) go, unless a container still uses one.
    docker image ls kp-real-ha --format '{{.Repository}}:{{.Tag}}' | grep -vx "$image" | xargs -r docker image rm >/dev/null 2>&1 || true
  fi
  echo "KP_REAL_HA_IMAGE=$image"
}

install_pytest() {
  # Pure-Python wheels for the HA image's Python 3.14, mounted into that image by the companion's tests.
  local dir="$cache/pytest-$PYTEST_VERSION"
  if [ ! -f "$dir/pytest/__init__.py" ]; then
    log "pytest $PYTEST_VERSION from PyPI (wheels for Python 3.14)"
    rm -rf "$dir" "$dir.pip"
    # pip from a venv of its own (as for ruff): the machine's python3 may have no pip module.
    python3 -m venv "$dir.pip"
    "$dir.pip/bin/pip" install --quiet --disable-pip-version-check --target "$dir" --python-version 3.14 --only-binary=:all: "pytest==$PYTEST_VERSION" ||
      fail "pip could not download pytest==$PYTEST_VERSION for Python 3.14 from PyPI"
    rm -rf "$dir.pip"
  fi
  echo "KP_REAL_PYTEST_DIR=$dir"
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(ruff helm skaffold ha pytest)
env_file="$cache/tools.env"
touch "$env_file"
for tool in "${tools[@]}"; do
  case "$tool" in
    ruff | helm | skaffold | ha | pytest) line="$("install_$tool")" ;;
    *) fail "unknown tool '$tool' (ruff, helm, skaffold, ha, pytest)" ;;
  esac
  # One line per variable: replace this tool's line, keep the others'.
  key="${line%%=*}"
  grep -v "^$key=" "$env_file" >"$env_file.new" || true
  echo "$line" >>"$env_file.new"
  mv "$env_file.new" "$env_file"
done
log "ready: $env_file"
cat "$env_file"
