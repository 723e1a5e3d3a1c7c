#!/usr/bin/env bash
# Browser run of the operator console (/admin/, docs/console.md): a debug build over its own fresh
# database (madeinpk_console_e2e) with a demo history (`seed --demo 300`) and an admin, driven by
# headless Chromium (e2e/console.mjs, playwright-core): sign in, the dashboard's charts, block a
# demo buyer (the email and the audit entry), end an auction (the winner's order), the orders CSV,
# a phone-sized screen, sign out. BIN=path skips the build; PORT (default 18080); CHROMIUM
# (default /usr/bin/chromium, Debian's package, installed with apt if missing); OUT (screenshots,
# default e2e/out/console). The job worker runs inside serve (SERVE_RUNS_WORKERS left at its
# default), so emails land in the run's mail folder at once. The server is stopped at the end;
# its log is printed when the run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/madeinpk-target}"
PORT=${PORT:-18080}
BASE="http://127.0.0.1:$PORT"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
OUT=${OUT:-e2e/out/console}
DB_NAME=madeinpk_console_e2e
ADMIN_DB=postgres://postgres@127.0.0.1:5432/postgres
DB=postgres://postgres@127.0.0.1:5432/$DB_NAME
ADMIN_EMAIL=console-admin@example.com
ADMIN_PASSWORD='Console-Pass-2026!'

if [ ! -x "$CHROMIUM" ]; then
  if [ "$CHROMIUM" != /usr/bin/chromium ]; then
    echo "CHROMIUM=$CHROMIUM is not an executable" >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y chromium
fi
if [ ! -d e2e/node_modules ]; then
  (cd e2e && npm ci --no-audit --no-fund)
fi

if [ -z "${BIN:-}" ]; then
  # --workspace, not -p madeinpk-app: the workspace's feature unification, so the dependencies
  # built for `cargo test --workspace` are reused instead of rebuilt.
  cargo build --workspace --bin madeinpk
  BIN="$CARGO_TARGET_DIR/debug/madeinpk"
fi
if [ ! -x "$BIN" ]; then
  echo "no server binary at $BIN" >&2
  exit 1
fi
if curl -sf "$BASE/healthz" >/dev/null 2>&1; then
  echo "something already answers on $BASE; stop it or set PORT" >&2
  exit 1
fi

psql "$ADMIN_DB" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
psql "$ADMIN_DB" -qc "CREATE DATABASE $DB_NAME"

tmp=$(mktemp -d)
mkdir -p "$tmp/mail" "$tmp/media"
log="$tmp/server.log"
trap 'rm -rf "$tmp"' EXIT
# The same environment for the set-up commands and serve. No Stripe key and no SMTP: the offline
# dev gateway takes payments, mail goes to files in $tmp/mail; SERVE_RUNS_WORKERS at its default
# (serve runs the job worker).
server_env=(
  env -u STRIPE_SECRET_KEY -u SMTP_URL -u SERVE_RUNS_WORKERS
  DATABASE_URL="$DB" BIND_ADDR="127.0.0.1:$PORT" PUBLIC_BASE_URL="$BASE"
  MAIL_DIR="$tmp/mail" MEDIA_DIR="$tmp/media" RUST_LOG=warn
)

# Set-up: schema, reference data and the demo history (sellers, listings, buyers demo_buyer_K,
# orders, active auctions with bids), and the admin who signs in.
echo "== migrate, seed --demo 300, create-admin $ADMIN_EMAIL"
"${server_env[@]}" "$BIN" migrate
"${server_env[@]}" "$BIN" seed --demo 300
"${server_env[@]}" "$BIN" create-admin --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD"

"${server_env[@]}" "$BIN" serve >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$tmp"' EXIT

ready=
for _ in $(seq 1 120); do
  if curl -sf "$BASE/readyz" >/dev/null; then ready=1; break; fi
  if ! kill -0 $server 2>/dev/null; then break; fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "the server did not become ready on $BASE/readyz; its log:" >&2
  cat "$log" >&2
  exit 1
fi

status=0
BASE="$BASE" CHROMIUM="$CHROMIUM" MAIL_DIR="$tmp/mail" OUT="$OUT" \
  ADMIN_EMAIL="$ADMIN_EMAIL" ADMIN_PASSWORD="$ADMIN_PASSWORD" node e2e/console.mjs || status=$?
if [ -s "$log" ]; then
  echo "== server log (RUST_LOG=warn)"
  if [ "$status" -eq 0 ]; then tail -n 20 "$log"; else cat "$log"; fi
fi
exit "$status"
