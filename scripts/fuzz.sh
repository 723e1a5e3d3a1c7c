#!/usr/bin/env bash
# Schema fuzzing: a debug build over its own database seeded with demo listings, driven by
# schemathesis (pinned, in a venv outside the repo) from the served OpenAPI document over loopback.
# Checks: no 5xx, documented response bodies match their schemas, documented content types are
# served (status codes are not checked). One pass signed in as a buyer (USER_ROLE=seller|both
# registers it with that role), one as an admin (ADMIN=0 skips it); POST /api/auth/logout/ gets
# its own pass with a throwaway token, since it revokes the token it is called with. Half the ids
# drawn are the seeded ones. MAX_EXAMPLES cases per operation and phase, WORKERS workers, SEED
# fixes the generated data, PHASES picks schemathesis' phases. BIN=path skips the build. Reports
# (JUnit, NDJSON) go to OUT, the server's output to SERVER_LOG. Exits non-zero when schemathesis
# finds a failure. The server is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/madeinpk-target}"
ST_VERSION=4.32.5
VENV=${VENV:-/var/tmp/madeinpk-venv}
PORT=${PORT:-18090}
MAX_EXAMPLES=${MAX_EXAMPLES:-25}
WORKERS=${WORKERS:-2}
SEED=${SEED:-20260101}
PHASES=${PHASES:-examples,coverage,fuzzing,stateful}
ADMIN=${ADMIN:-1}
OUT=${OUT:-/tmp/madeinpk-fuzz}
SERVER_LOG=${SERVER_LOG:-/tmp/madeinpk-fuzz-server.log}
ADMIN_EMAIL=fuzz-admin@fuzz.test
# Not `Fuzz-Admin-2026!`: create-admin refuses a password containing the email's local part.
ADMIN_PASSWORD=${ADMIN_PASSWORD:-Fuzz-Operator-2026!}
USER_PASSWORD=Fuzz-User-2026!
DB=postgres://postgres@127.0.0.1:5432/madeinpk_fuzz
BASE=http://127.0.0.1:$PORT

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "version $ST_VERSION\$"; then
  # Under Python 3.11, hypothesis' ast.parse from several worker threads can fail spuriously
  # ("AST constructor recursion depth mismatch"): take a newer Python when there is one.
  if [ -z "${PYTHON:-}" ]; then
    for PYTHON in python3.13 python3.12 python3; do "$PYTHON" -c '' 2>/dev/null && break; done
  fi
  "$PYTHON" -m venv --clear "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$ST_VERSION"
fi
if [ -z "${BIN:-}" ]; then
  cargo build -p madeinpk-app --bin madeinpk
  BIN="$CARGO_TARGET_DIR/debug/madeinpk"
fi

psql postgres://postgres@127.0.0.1:5432/postgres -qc "DROP DATABASE IF EXISTS madeinpk_fuzz WITH (FORCE)"
psql postgres://postgres@127.0.0.1:5432/postgres -qc "CREATE DATABASE madeinpk_fuzz"
DATABASE_URL=$DB "$BIN" seed --demo 20
DATABASE_URL=$DB "$BIN" create-admin --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD"
rm -rf "$OUT/user" "$OUT/logout" "$OUT/admin" "$OUT/work" "$OUT/mail" "$OUT/media"
mkdir -p "$OUT/work" "$OUT/mail" "$OUT/media"
BIND_ADDR=127.0.0.1:$PORT DATABASE_URL=$DB MAIL_DIR=$OUT/mail MEDIA_DIR=$OUT/media RUST_LOG=warn \
  "$BIN" serve >"$SERVER_LOG" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "$BASE/readyz" >/dev/null || { echo "server not ready, see $SERVER_LOG" >&2; exit 1; }

token() { python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
register() { # username [role]
  curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"email\":\"$1@fuzz.test\",\"password\":\"$USER_PASSWORD\",\"password_confirm\":\"$USER_PASSWORD\"${2:+,\"role\":\"$2\"}}" \
    "$BASE/api/auth/register/" | token
}
user_token=$(register fuzz_user "${USER_ROLE:-}")
logout_token=$(register fuzz_logout)
admin_token=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" "$BASE/api/auth/login/" | token)

# Seeded rows: products and listings 1-20, their sellers, categories, provinces and cities.
# Path ids are strings in the document, query ids integers.
cat >"$OUT/schemathesis.toml" <<'TOML'
[dictionaries]
seeded-ids = { values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20] }
seeded-path-ids = { values = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20"] }

[parameters]
"path.id" = { dictionary = "seeded-path-ids", probability = 0.5 }
"path.product_id" = { dictionary = "seeded-path-ids", probability = 0.5 }
"query.seller_id" = { dictionary = "seeded-ids", probability = 0.5 }
"query.seller" = { dictionary = "seeded-ids", probability = 0.5 }
"query.category" = { dictionary = "seeded-ids", probability = 0.5 }
"query.product" = { dictionary = "seeded-ids", probability = 0.5 }
TOML

failed=0
fuzz() { # name token [st run options]
  local name=$1 tok=$2
  shift 2
  echo "== schemathesis $ST_VERSION: $name"
  # From an empty directory, so nothing is read from or written to the repository.
  (cd "$OUT/work" && "$VENV/bin/st" --config-file "$OUT/schemathesis.toml" run \
    "$BASE/api/openapi.json" --url "$BASE" --header "Authorization: Token $tok" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --phases "$PHASES" --max-examples "$MAX_EXAMPLES" --workers "$WORKERS" --seed "$SEED" \
    --generation-with-security-parameters false --generation-database none \
    --request-timeout 30 --max-redirects 0 --no-color \
    --report junit,ndjson --report-dir "$OUT/$name" "$@") || failed=1
}
fuzz user "$user_token" --exclude-path /api/auth/logout/
fuzz logout "$logout_token" --include-path /api/auth/logout/
if [ "$ADMIN" = 1 ]; then fuzz admin "$admin_token" --exclude-path /api/auth/logout/; fi
echo "== reports in $OUT, server output in $SERVER_LOG"
exit $failed
