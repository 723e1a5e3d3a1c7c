#!/usr/bin/env bash
# Fault injection: buyers loop over two-seller carts (add, checkout, pay on the dev page) while
# the server is killed with SIGKILL every few seconds and started again; then the queue drains
# and every order is checked against the database: no unit lost or sold twice, one payment per
# paid order, exactly one payout per seller of every paid order (one provider transfer id), and
# every queued email sent, each as one file (its Message-ID). Exits non-zero on any mismatch.
#
# KILLS kills, one every 2-5 s, during DURATION seconds of load from BUYERS buyers. BIN: a
# directory holding release builds of `madeinpk` and `loadtest` (built when not given).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/madeinpk-target}"
PORT=${PORT:-18100}
BUYERS=${BUYERS:-16}
DURATION=${DURATION:-40}
KILLS=${KILLS:-8}
NAME=madeinpk_faults
SERVER=postgres://postgres@127.0.0.1:5432
DB=$SERVER/$NAME
if [ -z "${BIN:-}" ]; then
    cargo build --release -p madeinpk-app -p madeinpk-loadtest --bin madeinpk --bin loadtest
    BIN="$CARGO_TARGET_DIR/release"
fi
WORK=$(mktemp -d /tmp/madeinpk-faults.XXXXXX)
MAIL="$WORK/mail"
mkdir -p "$MAIL" "$WORK/media"
LOG="$WORK/server.log"
echo "== fault injection: $BUYERS buyers for $DURATION s, $KILLS kills; files in $WORK"

psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $NAME WITH (FORCE)"
DATABASE_URL=$DB "$BIN/madeinpk" seed >>"$LOG" 2>&1
sql() { psql "$DB" -Atqc "$1"; }

server=
start() {
    # Short leases: a killed worker's jobs run again seconds later, not minutes.
    env -u STRIPE_SECRET_KEY -u SMTP_URL BIND_ADDR=127.0.0.1:$PORT \
        PUBLIC_BASE_URL=http://127.0.0.1:$PORT DATABASE_URL=$DB MAIL_DIR="$MAIL" \
        MEDIA_DIR="$WORK/media" JOB_LEASE_SECS=3 JOB_POLL_MS=500 SWEEP_INTERVAL_MS=1000 \
        RUST_LOG=warn "$BIN/madeinpk" serve >>"$LOG" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return 0
        sleep 0.1
    done
    echo "the server did not come up; its log:" >&2
    cat "$LOG" >&2
    exit 1
}
stop() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; }
trap stop EXIT
start

"$BIN/loadtest" --base "http://127.0.0.1:$PORT" --scenario checkout --buyers "$BUYERS" \
    --duration "$DURATION" --keep-going >"$WORK/load.log" 2>&1 &
load=$!
# The load tool registers its users first (argon2, a few seconds); kill once it is buying.
for _ in $(seq 1 300); do
    [ "$(sql "SELECT count(*) FROM orders")" -gt 0 ] && break
    sleep 0.1
done
kills=0
while [ "$kills" -lt "$KILLS" ] && kill -0 "$load" 2>/dev/null; do
    sleep "$(( RANDOM % 4 + 2 )).$(( RANDOM % 10 ))"
    busy=$(sql "SELECT count(*) FROM jobs WHERE status = 'running'")
    kill -9 "$server"
    wait "$server" 2>/dev/null || true
    kills=$((kills + 1))
    echo "  kill $kills: SIGKILL with $busy jobs running, $(sql "SELECT count(*) FROM orders") orders so far"
    start
done
wait "$load" || true
cat "$WORK/load.log"

# Drain: every job that is due has run (a killed worker's jobs come back when their lease ends).
for _ in $(seq 1 600); do
    left=$(sql "SELECT count(*) FROM jobs WHERE status NOT IN ('done', 'dead') AND run_at <= now()")
    [ "$left" = 0 ] && break
    sleep 0.5
done

# Stopped gracefully before the checks, so nothing moves while they read.
stop
server=

fail=0
check() { # name, SQL giving the number of bad rows
    local n
    n=$(sql "$2")
    if [ "$n" = 0 ]; then echo "  ok   $1"; else echo "  FAIL $1: $n"; fail=1; fi
}
echo "== after $kills kills: $(sql "SELECT count(*) FROM orders") orders, $(sql "SELECT count(*) FROM orders WHERE status = 'paid'") paid, $(sql "SELECT count(*) FROM seller_transfers") payouts, $(sql "SELECT count(*) FROM jobs WHERE kind = 'send_email'") emails queued"
check "jobs left undone (queued, running or dead)" \
    "SELECT count(*) FROM jobs WHERE status <> 'done' AND run_at <= now()"
check "listings whose units do not add up (in stock + in live orders = listed)" "
    SELECT count(*) FROM listings l
    WHERE l.quantity + COALESCE((SELECT sum(i.quantity) FROM order_items i JOIN orders o ON o.id = i.order_id
                                 WHERE i.listing_id = l.id AND o.status <> 'cancelled'), 0)
          <> 1000000
      AND l.product_id IN (SELECT id FROM products WHERE name LIKE 'co_seller_%')"
check "listings whose held units are not the carts' holds" "
    SELECT count(*) FROM listings l
    WHERE l.reserved_quantity <> COALESCE((SELECT sum(c.held) FROM cart_items c WHERE c.listing_id = l.id), 0)"
check "orders paid more than once" \
    "SELECT count(*) FROM (SELECT order_id FROM payments WHERE status = 'succeeded' GROUP BY order_id HAVING count(*) > 1) d"
check "paid orders without their payment, or payments of unpaid orders" "
    SELECT count(*) FROM orders o
    WHERE (o.status = 'paid') <> EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status = 'succeeded')"
check "sellers of paid orders without exactly one succeeded payout of their share" "
    SELECT count(*) FROM order_sellers s JOIN orders o ON o.id = s.order_id
    WHERE o.status = 'paid' AND (SELECT count(*) FROM seller_transfers t
        WHERE t.order_id = s.order_id AND t.seller_id = s.seller_id AND t.status = 'succeeded'
          AND t.amount = s.seller_amount) <> 1"
check "payouts duplicated (two rows or two provider transfers for one order and seller)" "
    SELECT count(*) FROM (SELECT order_id, seller_id FROM seller_transfers GROUP BY order_id, seller_id
        HAVING count(*) > 1 OR count(DISTINCT stripe_transfer_id) > 1) d"
check "payouts of orders that are not paid" "
    SELECT count(*) FROM seller_transfers t JOIN orders o ON o.id = t.order_id WHERE o.status <> 'paid'"
emails=$(sql "SELECT count(*) FROM jobs WHERE kind = 'send_email' AND status = 'done'")
files=$(find "$MAIL" -name '*.eml' | wc -l)
partial=$(find "$MAIL" -name '*.partial' | wc -l)
names=$(sql "SELECT count(*) FROM jobs WHERE kind = 'send_email' AND status = 'done'
             AND id NOT IN ($(find "$MAIL" -name 'email-job-*.eml' -printf '%f\n' | sed 's/email-job-//; s/\..*\.eml//' | paste -sd, - | sed 's/^$/0/'))")
if [ "$emails" = "$files" ] && [ "$names" = 0 ]; then
    echo "  ok   emails: $emails sent jobs, $files files, each job's file once ($partial half-written leftovers)"
else
    echo "  FAIL emails: $emails sent jobs, $files files, $names sent jobs without their file"
    fail=1
fi
[ "$(sql "SELECT count(*) FROM orders")" -gt 0 ] || { echo "  FAIL no orders were placed"; fail=1; }
grep -q "panicked" "$LOG" && { echo "  FAIL the server panicked (see $LOG)"; fail=1; }
[ "$fail" = 0 ] && echo "== consistent after $kills kills" || echo "== INCONSISTENT (server log: $LOG)"
exit "$fail"
