# shellcheck shell=dash
# probe_once: does HA's HTTP port 8123 answer, with whatever the image has (curl, python, nc,
# wget)? Run it in a subshell: it exits 0 on success.
probe_once() {
  if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null -m 3 http://127.0.0.1:8123/ && exit 0; fi
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8123), 3)' 2>/dev/null && exit 0
  fi
  if command -v nc >/dev/null 2>&1; then
    case "$(printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 127.0.0.1 8123 2>/dev/null | head -n 1)" in HTTP/*) exit 0 ;; esac
  fi
  if command -v wget >/dev/null 2>&1; then
    out=$(wget -q -O /dev/null http://127.0.0.1:8123/ 2>&1) && exit 0
    case "$out" in *"server returned"*) exit 0 ;; esac
  fi
  return 1
}
