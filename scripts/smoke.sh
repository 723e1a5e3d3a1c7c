#!/usr/bin/env bash
# Browser smoke run: a debug build over its own fresh database (madeinpk_smoke), driven by
# headless Chromium (e2e/smoke.mjs, playwright-core): two sellers list, a buyer checks out a
# two-seller cart and pays by clicking Pay on the dev gateway's checkout page, the order shows
# paid. BIN=path skips the build; PORT (default 18070; the front end stub takes PORT+1);
# CHROMIUM (default /usr/bin/chromium, Debian's package, installed with apt if missing);
# SMOKE_STRICT=1 makes the extra checks' warnings failures. The server is stopped at the end; its
# log is printed when the run fails. Screenshots go to e2e/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/madeinpk-target}"
PORT=${PORT:-18070}
BASE="http://127.0.0.1:$PORT"
# Where the server sends the browser after paying: the front end is not in this repo, so the
# smoke script serves a stub of it on this (loopback) address.
FRONTEND_URL=${FRONTEND_URL:-http://127.0.0.1:$((PORT + 1))}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
DB_NAME=madeinpk_smoke
ADMIN_DB=postgres://postgres@127.0.0.1:5432/postgres
DB=postgres://postgres@127.0.0.1:5432/$DB_NAME

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
  cargo build -p madeinpk-app --bin madeinpk
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
# No Stripe key and no SMTP: the offline dev gateway takes payments, mail goes to files.
env -u STRIPE_SECRET_KEY -u SMTP_URL \
  DATABASE_URL=$DB BIND_ADDR=127.0.0.1:$PORT PUBLIC_BASE_URL="$BASE" FRONTEND_URL="$FRONTEND_URL" \
  MAIL_DIR="$tmp/mail" MEDIA_DIR="$tmp/media" RUST_LOG=warn "$BIN" serve >"$log" 2>&1 &
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
BASE="$BASE" FRONTEND_URL="$FRONTEND_URL" CHROMIUM="$CHROMIUM" node e2e/smoke.mjs || status=$?
if [ -s "$log" ]; then
  echo "== server log (RUST_LOG=warn)"
  if [ "$status" -eq 0 ]; then tail -n 20 "$log"; else cat "$log"; fi
fi
exit "$status"
