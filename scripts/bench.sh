#!/usr/bin/env bash
# Load figures: a release build over its own database seeded with demo listings, driven by the
# project's load tool (crates/loadtest) over loopback. Scenarios: the catalogue reads (each run
# lasts DURATION seconds) and the flash sale (BUYERS buyers race for UNITS units through cart,
# checkout and the dev payment page), the bid storm (BIDDERS bidders on one auction for
# DURATION seconds) and the WebSocket fan-out (WATCHERS sockets on one auction, BIDS bids).
# ONLY=catalogue|flash-sale|bid-storm|ws-fanout runs one of them. The server is stopped at the
# end.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/madeinpk-target}"
DURATION=${DURATION:-10}
LISTINGS=${LISTINGS:-10000}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18080}
BUYERS=${BUYERS:-1000}
UNITS=${UNITS:-10}
BIDDERS=${BIDDERS:-50}
WATCHERS=${WATCHERS:-10000}
BIDS=${BIDS:-20}
ONLY=${ONLY:-all}
DB=postgres://postgres@127.0.0.1:5432/madeinpk_bench
BIN="$CARGO_TARGET_DIR/release"

cargo build --release -p madeinpk-app -p madeinpk-loadtest --bin madeinpk --bin loadtest
psql postgres://postgres@127.0.0.1:5432/postgres -qc "DROP DATABASE IF EXISTS madeinpk_bench WITH (FORCE)"
if [ "$ONLY" != all ] && [ "$ONLY" != catalogue ]; then LISTINGS=20; fi
DATABASE_URL=$DB "$BIN/madeinpk" seed --demo "$LISTINGS"
CATALOG_CACHE_MS=${CATALOG_CACHE_MS:-1000} BIND_ADDR=127.0.0.1:$PORT DATABASE_URL=$DB MAIL_DIR=$(mktemp -d) MEDIA_DIR=$(mktemp -d) RUST_LOG=warn "$BIN/madeinpk" serve &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done

pages=$((LISTINGS / 20))
listing_pages=()
for i in $(seq 1 50); do listing_pages+=(--path "/api/listings/?page=$(( (i * 37) % pages + 1 ))"); done
run() { echo "== $1"; shift; "$BIN/loadtest" --base "http://127.0.0.1:$PORT" --connections "$CONNECTIONS" --duration "$DURATION" "$@"; }
want() { [ "$ONLY" = all ] || [ "$ONLY" = "$1" ]; }
if want catalogue; then
run "GET /healthz" --path /healthz
run "GET /api/listings/ (20 per page, pages across $LISTINGS listings)" "${listing_pages[@]}"
run "GET /api/listings/?ordering=-price" --path "/api/listings/?ordering=-price"
run "GET /api/listings/?search=shawl" --path "/api/listings/?search=shawl"
run "GET /api/products/?page=3" --path "/api/products/?page=3"
token=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"username":"bench_reader","email":"bench_reader@bench.test","password":"Bench-Reader-2026!","password_confirm":"Bench-Reader-2026!"}' \
  "http://127.0.0.1:$PORT/api/auth/register/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
run "GET /api/listings/ signed in (20 per page, 50 pages)" --token "$token" "${listing_pages[@]}"
fi
if want flash-sale; then
  "$BIN/loadtest" --base "http://127.0.0.1:$PORT" --scenario flash-sale --buyers "$BUYERS" --units "$UNITS"
fi
if want bid-storm; then
  "$BIN/loadtest" --base "http://127.0.0.1:$PORT" --scenario bid-storm --bidders "$BIDDERS" --duration "$DURATION"
fi
if want ws-fanout; then
  "$BIN/loadtest" --base "http://127.0.0.1:$PORT" --scenario ws-fanout --watchers "$WATCHERS" --bids "$BIDS"
fi
echo "== RSS of the server: $(ps -o rss= -p $server) KiB"
