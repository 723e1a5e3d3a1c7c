#!/usr/bin/env bash
# Load figures: a release build over its own database, driven by the project's load tool
# (crates/loadtest) over loopback; the measured tables replace their sections of
# docs/benchmarks.md (each stamped with the date and the machine).
#
# Scenarios (ONLY=<one of them>, default all):
#   catalogue   GET pages for DURATION s over CONNECTIONS connections (LISTINGS demo listings)
#   flash-sale  BUYERS buyers race for UNITS units through cart, checkout and payment
#   checkout    CHECKOUT_BUYERS (a list) buyers loop over two-seller carts, checkout, payment
#   bid-storm   BIDDERS bidders on one auction for DURATION s
#   ws-fanout   WATCHERS sockets on one auction while BIDS bids are placed
#   multi       bid-storm and flash-sale against two `serve` processes and one `worker`
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/madeinpk-target}"
DURATION=${DURATION:-10}
LISTINGS=${LISTINGS:-10000}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18080}
BUYERS=${BUYERS:-1000}
UNITS=${UNITS:-10}
CHECKOUT_BUYERS=${CHECKOUT_BUYERS:-1 4 16}
BIDDERS=${BIDDERS:-50}
WATCHERS=${WATCHERS:-10000}
BIDS=${BIDS:-20}
ONLY=${ONLY:-all}
DB=postgres://postgres@127.0.0.1:5432/madeinpk_bench
BIN="$CARGO_TARGET_DIR/release"
RESULTS=$(mktemp -d)
want() { [ "$ONLY" = all ] || [ "$ONLY" = "$1" ]; }

cargo build --release -p madeinpk-app -p madeinpk-loadtest --bin madeinpk --bin loadtest
psql postgres://postgres@127.0.0.1:5432/postgres -qc "DROP DATABASE IF EXISTS madeinpk_bench WITH (FORCE)"
want catalogue || LISTINGS=20
DATABASE_URL=$DB "$BIN/madeinpk" seed --demo "$LISTINGS"

pids=()
serve() { # port, then extra VAR=value settings
    local port=$1
    shift
    env CATALOG_CACHE_MS="${CATALOG_CACHE_MS:-1000}" WS_MAX_PER_IP=0 REGISTER_RATE_PER_IP=0 BIND_ADDR="127.0.0.1:$port" \
        PUBLIC_BASE_URL="http://127.0.0.1:$port" DATABASE_URL=$DB MAIL_DIR="$RESULTS/mail" \
        MEDIA_DIR="$RESULTS/media" RUST_LOG=warn "$@" "$BIN/madeinpk" serve &
    pids+=($!)
    for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return 0; sleep 0.5; done
    echo "server on $port did not come up" >&2
    exit 1
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; pids=(); }
trap stop_all EXIT
tool() { "$BIN/loadtest" --base "http://127.0.0.1:$PORT" "$@"; }

if want catalogue || want flash-sale || want checkout || want bid-storm || want ws-fanout; then
serve "$PORT"
fi
if want catalogue; then
    pages=$((LISTINGS / 20))
    listing_pages=()
    for i in $(seq 1 50); do listing_pages+=(--path "/api/listings/?page=$(( (i * 37) % pages + 1 ))"); done
    run() { local label=$1; shift; echo "== $label"; tool --connections "$CONNECTIONS" --duration "$DURATION" --markdown "$RESULTS/catalogue.rows" --label "$label" "$@"; }
    run '`GET /healthz`' --path /healthz
    run "\`GET /api/listings/?page=N\` (20 items, 50 pages of $LISTINGS listings)" "${listing_pages[@]}"
    run '`GET /api/listings/?ordering=-price`' --path "/api/listings/?ordering=-price"
    run '`GET /api/listings/?search=shawl`' --path "/api/listings/?search=shawl"
    run '`GET /api/products/?page=3`' --path "/api/products/?page=3"
    token=$(curl -sf -X POST -H 'Content-Type: application/json' \
      -d '{"username":"bench_reader","email":"bench_reader@bench.test","password":"Bench-Reader-2026!","password_confirm":"Bench-Reader-2026!"}' \
      "http://127.0.0.1:$PORT/api/auth/register/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    run '`GET /api/listings/?page=N` signed in (50 pages)' --token "$token" "${listing_pages[@]}"
fi
want flash-sale && tool --scenario flash-sale --buyers "$BUYERS" --units "$UNITS" --markdown "$RESULTS/flash-sale.rows"
if want checkout; then
    for n in $CHECKOUT_BUYERS; do
        tool --scenario checkout --buyers "$n" --duration "$DURATION" --markdown "$RESULTS/checkout.rows"
    done
fi
want bid-storm && tool --scenario bid-storm --bidders "$BIDDERS" --duration "$DURATION" --markdown "$RESULTS/bid-storm.rows"
want ws-fanout && tool --scenario ws-fanout --watchers "$WATCHERS" --bids "$BIDS" --markdown "$RESULTS/ws-fanout.rows"
if [ "${#pids[@]}" -gt 0 ]; then
    rss=$(ps -o rss= -p "${pids[0]}")
    echo "== RSS of the server: $rss KiB"
    echo "$rss" >"$RESULTS/rss"
fi
stop_all

if want multi; then
    # Two HTTP instances without workers and one worker process, on one database.
    serve "$PORT" SERVE_RUNS_WORKERS=false
    serve "$((PORT + 1))" SERVE_RUNS_WORKERS=false
    DATABASE_URL=$DB MAIL_DIR="$RESULTS/mail" MEDIA_DIR="$RESULTS/media" RUST_LOG=warn "$BIN/madeinpk" worker &
    pids+=($!)
    both="http://127.0.0.1:$PORT,http://127.0.0.1:$((PORT + 1))"
    "$BIN/loadtest" --base "$both" --scenario bid-storm --bidders "$BIDDERS" --duration "$DURATION" --markdown "$RESULTS/multi-bid-storm.rows"
    "$BIN/loadtest" --base "$both" --scenario flash-sale --buyers "$BUYERS" --units "$UNITS" --markdown "$RESULTS/multi-flash-sale.rows"
    stop_all
fi

# The tables into docs/benchmarks.md, between each scenario's markers.
python3 - "$RESULTS" docs/benchmarks.md <<'PY'
import datetime, os, platform, re, subprocess, sys
results, doc = sys.argv[1], sys.argv[2]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) // 1024 // 1024
pg = subprocess.run(["psql", "-At", "postgres://postgres@127.0.0.1:5432/postgres", "-c", "SHOW server_version"],
                    capture_output=True, text=True).stdout.strip()
stamp = (f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
         f"({cpu}), {mem} GiB, Linux {platform.release()}, PostgreSQL {pg}; server, database and load tool share the machine.")
heads = {
    "catalogue": "| endpoint | req/s | p50 | p99 | errors |\n|---|---:|---:|---:|---:|",
    "flash-sale": "| buyers × units | added (p99) | checked out (p95) | paid (p95) | req/s | oversold | unaccounted | server errors |\n|---|---:|---:|---:|---:|---:|---:|---:|",
    "checkout": "| buyers | orders (rate) | add p95 | checkout p50 | checkout p95 | checkout p99 | pay p95 | oversold | unaccounted | server errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    "bid-storm": "| bidders | bids sent | accepted | accepted/s | refused (too low) | errors | p50 | p99 | out of order | missing | wrong price |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    "ws-fanout": "| watchers × bids | delivered | lost | failed to connect | p50 per delivery | p99 per delivery | reach all: p50 | reach all: p99 |\n|---|---:|---:|---:|---:|---:|---:|---:|",
}
heads["multi-bid-storm"] = heads["bid-storm"]
heads["multi-flash-sale"] = heads["flash-sale"]
text = open(doc).read()
rss = open(os.path.join(results, "rss")).read().strip() if os.path.exists(os.path.join(results, "rss")) else None
for name, head in heads.items():
    path = os.path.join(results, f"{name}.rows")
    if not os.path.exists(path):
        continue
    body = f"{stamp}\n\n{head}\n{open(path).read().rstrip()}\n"
    if rss and name == "ws-fanout":
        body += f"\nServer RSS after the single-instance scenarios (10,000 sockets were open): {int(rss) // 1024} MiB.\n"
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{body}{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        print(f"docs: no markers for {name}; add {begin} … {end}", file=sys.stderr)
open(doc, "w").write(text)
print(f"== tables written to {doc}")
PY
