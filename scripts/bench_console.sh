#!/usr/bin/env bash
# Console speed: a release build over its own database seeded with `seed --demo 10000` (10,000
# listings and a year of 10,000 orders), an admin signed in through the form, then the load tool
# GETs one page at a time (one operator) and over 4 connections: a list over 10,000 rows with a
# search and a filter, and the dashboard over the year. Prints p50/p95/p99 per page.
#   N (default 10000), DURATION (s per run, default 10), PORT (default 18090)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/madeinpk-target}"
N=${N:-10000}
DURATION=${DURATION:-10}
PORT=${PORT:-18090}
BASE="http://127.0.0.1:$PORT"
DB_NAME=madeinpk_console_bench
DB=postgres://postgres@127.0.0.1:5432/$DB_NAME
ADMIN_DB=postgres://postgres@127.0.0.1:5432/postgres

cargo build --release --workspace --bin madeinpk --bin loadtest
BIN="$CARGO_TARGET_DIR/release"
psql "$ADMIN_DB" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
psql "$ADMIN_DB" -qc "CREATE DATABASE $DB_NAME"
tmp=$(mktemp -d)
export DATABASE_URL=$DB MAIL_DIR="$tmp/mail" MEDIA_DIR="$tmp/media"
"$BIN/madeinpk" migrate
/usr/bin/time -f "seed --demo $N: %e s" "$BIN/madeinpk" seed --demo "$N"
# What autovacuum leaves a settled database with: statistics and the visibility map (the
# dashboard's daily figures are index-only scans).
psql "$DB" -qc "VACUUM ANALYZE"
"$BIN/madeinpk" create-admin --email bench@example.com --password 'Rawalpindi-Wool-2026!' >/dev/null
env -u STRIPE_SECRET_KEY -u SMTP_URL BIND_ADDR=127.0.0.1:$PORT PUBLIC_BASE_URL="$BASE" \
  RUST_LOG=warn "$BIN/madeinpk" serve >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.5; done

# Sign in through the form, as a browser does.
jar="$tmp/cookies"
csrf=$(curl -s -c "$jar" "$BASE/admin/login/" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1)
page=$(curl -s -b "$jar" -c "$jar" -d "email=bench@example.com" \
  --data-urlencode "password=Rawalpindi-Wool-2026!" -d "csrf_token=$csrf" "$BASE/admin/login/")
# An admin's first sign-in enrols two-factor sign-in: answer with the key's current code.
hidden() { printf '%s' "$page" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -n 1; }
secret=$(printf '%s' "$page" | sed -n 's/.*id="totp-secret">\([A-Z2-7]*\)<.*/\1/p')
code=$(python3 -c '
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
o = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff) % 1000000))' "$secret")
curl -s -b "$jar" -c "$jar" -o /dev/null -d "challenge=$(hidden challenge)" -d "code=$code" \
  -d "csrf_token=$(hidden csrf_token)" "$BASE/admin/login/code/"
session=$(awk '$6 == "madeinpk_console" {print $7}' "$jar")
[ -n "$session" ] || { echo "sign-in failed" >&2; exit 1; }
cookie="madeinpk_console=$session"

psql "$DB" -Atc "SELECT 'orders: ' || count(*) FROM orders UNION ALL SELECT 'products: ' || count(*) FROM products"
run() { # label connections path
  printf '%-58s %s conn: ' "$1" "$2"
  "$BIN/loadtest" --base "$BASE" --cookie "$cookie" --connections "$2" --duration "$DURATION" --path "$3"
}
run "reference: /healthz (no database)" 1 "/healthz"
for c in 1 4; do
  run "orders list: search + status filter (10k rows)" $c "/admin/orders/?q=demo_buyer_1&status=delivered"
  run "orders list: sorted by total, page 50" $c "/admin/orders/?o=-total&p=50"
  run "products list: search + condition filter (10k rows)" $c "/admin/products/?q=Ajrak&condition=new"
  run "dashboard over 365 days (10k orders)" $c "/admin/?range=365"
  run "a dashboard chart (revenue per day, 365 days)" $c "/admin/charts/revenue.svg?range=365"
done
