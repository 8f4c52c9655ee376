#!/usr/bin/env bash
# Runs the Galata UI tests against a real clusterhub. Builds nothing: first run `npm run build`
# (the hub) and scripts/build-labextension.sh (the extension, installed into .venv).
#   - picks two free ports (public proxy and hub) unless CLUSTERHUB_UI_PORT/_HUB_PORT are set;
#   - creates a fresh data folder, ui-tests/.data, and renders hub-config.yaml into it;
#   - creates the test user with the hub CLI (password on stdin);
#   - runs `npx playwright test` in ui-tests (arguments are passed on), which starts the hub.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CLI=packages/hub-service/lib/cli/main.js

[ -f "$CLI" ] || { echo "ui-tests: $CLI is missing; run 'npm run build' first" >&2; exit 1; }
chromium=${CLUSTERHUB_UI_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "ui-tests: $chromium is missing; apt-get install -y chromium" >&2; exit 1; }
if ! .venv/bin/jupyter labextension list 2>&1 | grep -q '@clusterhub/lab-extension.*enabled'; then
  echo "ui-tests: @clusterhub/lab-extension is not installed in .venv; run scripts/build-labextension.sh" >&2
  exit 1
fi

# A port nobody listens on now (the kernel picks it; bound and released at once).
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();})"
}

export CLUSTERHUB_UI_PORT=${CLUSTERHUB_UI_PORT:-$(free_port)}
if [ -z "${CLUSTERHUB_UI_HUB_PORT:-}" ]; then
  for _ in 1 2 3 4 5; do
    CLUSTERHUB_UI_HUB_PORT=$(free_port)
    [ "$CLUSTERHUB_UI_HUB_PORT" != "$CLUSTERHUB_UI_PORT" ] && break
  done
fi
export CLUSTERHUB_UI_HUB_PORT
export CLUSTERHUB_UI_DATA=$ROOT/ui-tests/.data
export CLUSTERHUB_UI_CONFIG=$CLUSTERHUB_UI_DATA/hub-config.yaml
export CLUSTERHUB_UI_USER=${CLUSTERHUB_UI_USER:-uitest}
export CLUSTERHUB_UI_PASSWORD=${CLUSTERHUB_UI_PASSWORD:-$(node -e "console.log(require('crypto').randomBytes(18).toString('base64url'))")}

rm -rf "$CLUSTERHUB_UI_DATA"
mkdir -p "$CLUSTERHUB_UI_DATA"
node ui-tests/render-config.js ui-tests/hub-config.yaml >"$CLUSTERHUB_UI_CONFIG"
printf '%s\n' "$CLUSTERHUB_UI_PASSWORD" |
  node "$CLI" user add --config "$CLUSTERHUB_UI_CONFIG" "$CLUSTERHUB_UI_USER" --password-stdin

echo "ui-tests: hub on http://127.0.0.1:$CLUSTERHUB_UI_PORT (hub $CLUSTERHUB_UI_HUB_PORT), data in $CLUSTERHUB_UI_DATA"
cd ui-tests
exec npx playwright test "$@"
