#!/usr/bin/env bash
# Read-path load figures: a release build against its own database, driven by wrk over loopback.
# Bounded: each run lasts DURATION seconds; the server is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/madeinpk-target}"
DURATION=${DURATION:-10}
PORT=${PORT:-18080}
DB=postgres://postgres@127.0.0.1:5432/madeinpk_bench

cargo build --release --bin madeinpk
psql postgres://postgres@127.0.0.1:5432/postgres -qc "DROP DATABASE IF EXISTS madeinpk_bench WITH (FORCE)"
BIND_ADDR=127.0.0.1:$PORT DATABASE_URL=$DB MAIL_DIR=$(mktemp -d) RUST_LOG=warn \
    "$CARGO_TARGET_DIR/release/madeinpk" serve &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done

for path in /healthz /api/provinces/ "/api/cities/?page_size=100" /api/categories/; do
    echo "== GET $path"
    wrk -t2 -c32 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|Latency|99%|50%"
done
echo "== RSS of the server: $(ps -o rss= -p $server) KiB"
