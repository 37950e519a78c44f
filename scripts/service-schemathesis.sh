#!/usr/bin/env bash
# schemathesis (PyPI) against `custody serve`'s own OpenAPI document (issue 20, acceptance 6):
# starts the service on 127.0.0.1 with a fresh data directory (one organisation, the Cu-again
# bundle and a finished run, so that ids exist), then runs a bounded number of examples per
# operation with the admin token. Passes when no response is a 5xx and every response matches
# the document (status code, content type, schema).
# Cost: pip install into scripts/.venv about 1 minute the first time; the run about 1-3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${EXAMPLES:-25}"
VENV=scripts/.venv
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==4.32.5"
fi
BIN="${BIN:-$(swift build --show-bin-path)/custody}"
TMP="$(mktemp -d)"
"$BIN" serve init --data "$TMP/d" > "$TMP/token"
TOKEN="$(cat "$TMP/token")"
"$BIN" serve --data "$TMP/d" --host 127.0.0.1 --port 0 --workers 2 --log-level warning 2> "$TMP/serve.log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$TMP"' EXIT
PORT=""
for _ in $(seq 1 600); do
  PORT="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$TMP/serve.log" | grep -o '[0-9]*$' || true)"
  [ -n "$PORT" ] && break
  sleep 0.05
done
[ -n "$PORT" ] || { cat "$TMP/serve.log"; echo "service did not start"; exit 1; }
BASE="http://127.0.0.1:$PORT"

# Seed data: organisation 1, the bundle, one submission with a finished run.
(cd "$TMP" && mkdir -p bundle/standards && cp -r "$OLDPWD/standards/schema" bundle/standards/ \
  && cp "$OLDPWD/standards/cu-again-coc.yaml" bundle/standards/ && cp -r "$OLDPWD/rules" bundle/ \
  && (cd bundle && python3 -c "import shutil; shutil.make_archive('../bundle', 'zip', '.')"))
curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"slug":"seed","name":"Seed"}' "$BASE/api/v1/organisations" > /dev/null
DIGEST="$(curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/zip' \
  --data-binary @"$TMP/bundle.zip" "$BASE/api/v1/bundles" | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])')"
ARGS=()
for f in fixtures/planted/cua-4.3/*.csv; do ARGS+=(-F "file=@$f"); done
curl -sf -H "Authorization: Bearer $TOKEN" -F period=2025 -F "bundle=$DIGEST" "${ARGS[@]}" \
  "$BASE/api/v1/organisations/1/submissions" > /dev/null
sleep 3

# From the scratch folder: schemathesis keeps a cache (.schemathesis/) in its working directory.
ST="$PWD/$VENV/bin/schemathesis"
cd "$TMP"
"$ST" run "$BASE/api/v1/openapi.yaml" --url "$BASE" \
  -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$EXAMPLES" --seed 20 --generation-deterministic --no-shrink \
  --request-timeout 30 --workers 1 \
  --exclude-path /api/v1/tokens/{token}
