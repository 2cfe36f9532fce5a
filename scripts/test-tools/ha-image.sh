#!/usr/bin/env bash
# Builds a real Home Assistant image without a registry: a Debian forky root file system
# (Python 3.14), `pip install homeassistant==VERSION` in a venv, HA run once with network so it
# installs what its integrations need, and HA started the way the official image starts it (under
# s6-supervise: exit 100 after SIGHUP -> started again in the same container). `docker import` makes
# it an image. Called by install.sh; usage: ha-image.sh IMAGE VERSION WORKDIR
set -euo pipefail
image="$1"
version="$2"
work="$3"
log() { printf '=== ha-image: %s\n' "$*" >&2; }

# The Debian mirror apt already uses (read at run time, never written into the project).
mirror="$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)"
[ -n "$mirror" ] || mirror="$(sed -n 's/^deb[[:space:]]\+\([^[:space:]]\+\)[[:space:]].*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)"
[ -n "$mirror" ] || { echo "ha-image: no Debian mirror found in apt's sources" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "ha-image: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

rootfs="$work/rootfs"
rm -rf "$work"
mkdir -p "$work"
log "debootstrap forky from $mirror"
# bookworm's debootstrap has no forky script; sid's works for testing suites.
# Some of HA's dependencies have no wheel for Python 3.14 (lru-dict, seen here) and build from source.
debootstrap --variant=minbase --include=python3,python3-venv,python3-dev,gcc,libc6-dev,libffi-dev,libssl-dev,zlib1g-dev,libjpeg-dev,s6,wget,procps,ca-certificates forky "$rootfs" "$mirror" /usr/share/debootstrap/scripts/sid >"$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }

# pip inside needs this machine's CA bundle and resolver; none of the machine's pip configuration.
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/kp-build-ca.crt"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
root_env=(env -i PATH=/srv/homeassistant/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 PIP_CERT=/etc/ssl/certs/kp-build-ca.crt SSL_CERT_FILE=/etc/ssl/certs/kp-build-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1)
in_root() { chroot "$rootfs" "${root_env[@]}" "$@"; }

log "python $(in_root python3 --version 2>&1); pip install homeassistant==$version"
in_root python3 -m venv /srv/homeassistant
in_root pip install --no-cache-dir --quiet "homeassistant==$version"

# The configuration kp's tests start from: the frontend (its page is what the compose healthcheck and
# a person open), the API, config entries and onboarding; nothing that looks for devices on the
# network (default_config does). Docker copies it into a new, empty /config volume.
mkdir -p "$rootfs/config"
cat >"$rootfs/config/configuration.yaml" <<'YAML'
# kp's test Home Assistant: the frontend, the API, onboarding and config entries.
homeassistant:
  name: kp test
  time_zone: UTC
frontend:
http:
api:
config:
onboarding:
logger:
  default: info
YAML

# One run with network: HA installs the requirements of what it loads (into the venv), as the
# official image ships them. It is stopped once it answers.
log "first start of Home Assistant (installs its integrations' requirements)"
cp -R "$rootfs/config" "$rootfs/tmp/warm-config"
# It runs in this machine's network namespace: on a free loopback port of its own, never on 8123
# (a Home Assistant of the user's, or a test's, may hold that).
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
sed -i "s/^http:$/http:\n  server_host: 127.0.0.1\n  server_port: $port/" "$rootfs/tmp/warm-config/configuration.yaml"
# exec: the background job IS Home Assistant, so $! is the process to stop.
(exec chroot "$rootfs" "${root_env[@]}" python3 -m homeassistant --config /tmp/warm-config) >"$work/first-start.log" 2>&1 &
ha=$!
# However this script ends, that Home Assistant does not outlive it.
trap 'kill -TERM "$ha" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  if grep -q "Home Assistant initialized\|Starting Home Assistant" "$work/first-start.log" && wget -q -O /dev/null "http://127.0.0.1:$port/api/onboarding" 2>/dev/null; then break; fi
  kill -0 "$ha" 2>/dev/null || break
  sleep 1
done
kill -TERM "$ha" 2>/dev/null || true
wait "$ha" 2>/dev/null || true
grep -q "Starting Home Assistant" "$work/first-start.log" || { tail -n 40 "$work/first-start.log" >&2; exit 1; }
rm -rf "$rootfs/tmp/warm-config" "$rootfs/etc/ssl/certs/kp-build-ca.crt"
: >"$rootfs/etc/resolv.conf"

# HA under s6 as in the official image: exit 100 (SIGHUP, the restart service) starts it again in
# place; any other exit ends the container.
mkdir -p "$rootfs/etc/s6/homeassistant"
cat >"$rootfs/etc/s6/homeassistant/run" <<'RUN'
#!/bin/sh
cd /config || exit 1
exec /srv/homeassistant/bin/python3 -m homeassistant --config /config
RUN
cat >"$rootfs/etc/s6/homeassistant/finish" <<'FINISH'
#!/bin/sh
[ "$1" = 100 ] && exit 0
exec s6-svscanctl -t /etc/s6
FINISH
chmod 755 "$rootfs/etc/s6/homeassistant/run" "$rootfs/etc/s6/homeassistant/finish"

log "docker import -> $image"
tar -C "$rootfs" -c . | docker import \
  --change 'CMD ["/usr/bin/s6-svscan", "/etc/s6"]' \
  --change 'ENV PATH=/srv/homeassistant/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
  --change 'WORKDIR /config' \
  --change 'EXPOSE 8123/tcp' \
  - "$image" >/dev/null
rm -rf "$work"
log "done: $image"
