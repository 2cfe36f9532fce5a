/**
 * Stand-ins for the Kamerplanter images, built from busybox-static: each answers the
 * healthcheck and endpoints of the SHIPPED compose file, so e2e runs that file unchanged
 * with only the image variables overridden.
 */
import {buildStandinImage} from '../../helpers/standin-image.js';

/** Env overrides that make the shipped compose file use the stand-ins tagged `tag`. */
export function standinEnv(tag = 'e2e') {
  return {
    ARANGODB_IMAGE: `kp-standin-arangodb:${tag}`,
    VALKEY_IMAGE: `kp-standin-valkey:${tag}`,
    BACKEND_IMAGE_REPOSITORY: 'kp-standin-backend',
    FRONTEND_IMAGE_REPOSITORY: 'kp-standin-frontend',
    KAMERPLANTER_VERSION: tag,
  };
}

/** The stand-ins under the default tag (the bench uses these). */
export const STANDIN_ENV = standinEnv();

/** Every image tag buildComposeStandins(tag) creates (for removal). */
export function composeStandinImages(tag = 'e2e'): string[] {
  return ['arangodb', 'valkey', 'backend', 'frontend'].map((name) => `kp-standin-${name}:${tag}`);
}

const script = (body: string) => ({content: `#!/bin/sh\n${body.trim()}\n`, mode: 0o755});

/** Build all four stand-in images, tagged `tag` (about a second: docker import of ~2 MB each). */
export function buildComposeStandins(tag = 'e2e'): void {
  const env = standinEnv(tag);
  // arangod: /_api/version behind basic auth with the root password, data under /var/lib/arangodb3.
  buildStandinImage(
    env.ARANGODB_IMAGE,
    {
      '/usr/local/bin/arangod': script(`
mkdir -p /www/_api /var/lib/arangodb3 /var/lib/arangodb3-apps
echo '{"server":"arango","version":"3.12.4","license":"community"}' > /www/_api/version
echo "/_api:root:$ARANGO_ROOT_PASSWORD" > /etc/httpd.conf
echo "stand-in arangod ready on 8529"
trap 'exit 0' TERM INT
httpd -f -p 8529 -h /www -c /etc/httpd.conf &
wait`),
    },
    {cmd: ['arangod']},
  );

  // valkey-server: any TCP answer on 6379; valkey-cli ping says PONG when it answers.
  buildStandinImage(
    env.VALKEY_IMAGE,
    {
      '/usr/local/bin/valkey-server': script(`
mkdir -p /data /www && echo PONG > /www/index.html
echo "stand-in valkey ready on 6379"
trap 'exit 0' TERM INT
httpd -f -p 6379 -h /www &
wait`),
      '/usr/local/bin/valkey-cli': script(`
if wget -q -O /dev/null "http://127.0.0.1:6379/"; then echo PONG; else echo "Could not connect to Valkey at 127.0.0.1:6379: Connection refused"; exit 1; fi`),
    },
    {cmd: ['valkey-server']},
  );

  // backend: live at once, ready only while ArangoDB accepts the configured credentials. It answers
  // JSON (application/json, as FastAPI does) for what the compose healthchecks and the Kamerplanter
  // HA integration ask (config_flow.py: /api/health in light mode, /api/v1/tenants/; its coordinators:
  // the tenant's lists, empty here), so a real Home Assistant can wire and load the integration.
  buildStandinImage(
    `${env.BACKEND_IMAGE_REPOSITORY}:${tag}`,
    {
      '/usr/local/bin/uvicorn': script(`
echo "stand-in backend (mode $KAMERPLANTER_MODE) listening on 8000"
trap 'exit 0' TERM INT
nc -ll -p 8000 -e /usr/local/bin/kp-backend-api &
auth() { printf '%s:%s' "$1" "$2" | base64 | tr -d '\\n'; }
while true; do
  if wget -q -O /dev/null --header "Authorization: Basic $(auth "$ARANGODB_USERNAME" "$ARANGODB_PASSWORD")" "http://$ARANGODB_HOST:$ARANGODB_PORT/_api/version" 2>/dev/null; then
    [ -f /tmp/ready ] || echo "ArangoDB connected: ready"
    : > /tmp/ready
  else
    [ -f /tmp/ready ] && echo "ArangoDB unreachable: not ready"
    rm -f /tmp/ready
  fi
  sleep 1 & wait $!
done`),
      '/usr/local/bin/kp-backend-api': script(`
read -r method target proto
cr=$(printf '\\r')
while IFS= read -r line; do line=\${line%"$cr"}; [ -z "$line" ] && break; done
respond() {
  printf 'HTTP/1.1 %s\\r\\nContent-Type: %s\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' "$1" "\${3:-application/json}" "\${#2}" "$2"
  exit 0
}
path=\${target%%\\?*}
case "$method $path" in
  "GET /api/v1/health/live") respond '200 OK' '{"status":"alive"}' ;;
  "GET /api/v1/health/ready") [ -f /tmp/ready ] && respond '200 OK' '{"status":"ready"}'; respond '503 Service Unavailable' '{"status":"not ready"}' ;;
  "GET /api/health") respond '200 OK' "{\\"status\\":\\"ok\\",\\"mode\\":\\"\${KAMERPLANTER_MODE:-light}\\",\\"version\\":\\"0.0.0-standin\\"}" ;;
  "GET /docs"|"GET /docs/") respond '200 OK' '<html><title>Kamerplanter API docs</title></html>' text/html ;;
  "GET /api/v1/tenants/") respond '200 OK' '[{"key":"default","slug":"default","name":"Default"}]' ;;
  "GET /api/v1/t/"*) respond '200 OK' '[]' ;;
esac
respond '404 Not Found' '{"detail":"Not Found"}'`),
      // The healthcheck runs python -c "...urlopen('URL'...)": fetch that URL.
      '/usr/local/bin/python': script(`
url=$(printf '%s' "$2" | sed -n "s/.*urlopen('\\([^']*\\)'.*/\\1/p")
[ "$1" = "-c" ] && [ -n "$url" ] || { echo "stand-in python only runs urlopen health checks" >&2; exit 2; }
exec wget -q -O /dev/null "$url"`),
      '/usr/local/bin/celery': script(`
case " $* " in
  *" inspect ping "*) wget -q -O /dev/null "http://valkey:6379/" && echo "-> celery@$HOSTNAME: OK" && echo "        pong" ;;
  *" worker "*|*" beat "*)
    echo "stand-in celery $* started (broker $REDIS_URL)"
    trap 'exit 0' TERM INT
    while true; do sleep 5 & wait $!; done ;;
  *) echo "stand-in celery: unsupported: $*" >&2; exit 2 ;;
esac`),
    },
    {cmd: ['uvicorn']},
  );

  buildStandinImage(
    `${env.FRONTEND_IMAGE_REPOSITORY}:${tag}`,
    {
      '/usr/local/bin/nginx': script(`
mkdir -p /www && echo '<!doctype html><title>Kamerplanter</title><div id="root"></div>' > /www/index.html
echo "stand-in nginx serving the SPA on 80"
trap 'exit 0' TERM INT
httpd -f -p 80 -h /www &
wait`),
    },
    {cmd: ['nginx']},
  );
}
