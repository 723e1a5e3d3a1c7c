//! Placing a bid in one statement (one round trip): a conditional UPDATE of the auction row
//! enforces the bid rules on the row as it is when its lock is taken (status, window, seller,
//! minimum), and the same statement inserts the bid, queues the outbid notice and publishes the
//! bid with NOTIFY (delivered at commit to every app instance). Concurrent bids on one auction are
//! serialised by that row lock, so accepted bids strictly increase. Queued bids are placed in
//! batches the same way.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Numeric, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::auction::bid::{BidSnapshot, NewBid, PlacedBid, judging_order};
use madeinpk_domain::auction::model::AuctionStatus;
use madeinpk_domain::ids::{AuctionId, BidId, UserId};
use madeinpk_domain::store::StoreError;

use crate::auction::bid_queue::BatchWriter;
use crate::db::Db;
use crate::error::store;
use crate::money::{pkr, to_numeric};

#[derive(QueryableByName)]
struct PlacedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    bid: i64,
    #[diesel(sql_type = Timestamptz)]
    end_time: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    published: i64,
}

/// One statement: the rules as SQL over the locked row, then the bid, the outbid job and the
/// published event. `$5` first-bid premium, `$6`/`$7` increment bands (start, step), `$8`
/// soft-close window in seconds (0: off). Repeats `BidSnapshot::admit` of the domain for
/// atomicity; `tests/bid_rules_agree.rs` proves the two agree on random auctions and bids.
pub(crate) const PLACE_BID: &str = "
WITH a AS (
    UPDATE auctions SET
        current_price = $3,
        total_bids = total_bids + 1,
        previous_leader_id = leader_id,
        leader_id = $2,
        winning_bid_id = nextval('bids_id_seq'),
        end_time = CASE
            WHEN $8 > 0 AND end_time - $4 < make_interval(secs => $8)
            THEN GREATEST(end_time, $4 + make_interval(secs => $8))
            ELSE end_time END,
        updated_at = $4
    WHERE id = $1 AND status = 'active' AND start_time <= $4 AND end_time >= $4
      AND $3 >= CASE WHEN total_bids = 0 THEN starting_price + $5
          ELSE current_price + COALESCE(
              (SELECT step FROM unnest($6::numeric[], $7::numeric[]) AS t(lo, step)
                WHERE lo <= current_price ORDER BY lo DESC LIMIT 1),
              (SELECT step FROM unnest($6::numeric[], $7::numeric[]) AS t(lo, step)
                ORDER BY lo LIMIT 1),
              0.01) END
      AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = auctions.product_id AND p.seller_id = $2)
    RETURNING id, winning_bid_id, previous_leader_id, current_price, end_time, total_bids, product_id
), s AS (
    -- The seller hears of the first bid only (a notice per bid would flood them in a storm).
    INSERT INTO notifications (user_id, notification_type, title, message, auction_id)
    SELECT p.seller_id, 'bid_placed', 'New bid',
           'Your auction for ' || p.name || ' received its first bid of Rs. ' || a.current_price::text,
           a.id
    FROM a JOIN products p ON p.id = a.product_id WHERE a.total_bids = 1
), b AS (
    INSERT INTO bids (id, auction_id, bidder_id, amount, bid_time)
    SELECT winning_bid_id, id, $2, current_price, $4 FROM a
    RETURNING id
), j AS (
    INSERT INTO jobs (kind, payload, unique_key)
    SELECT 'notify_outbid',
           jsonb_build_object('kind', 'notify_outbid', 'data', jsonb_build_object('bid', a.winning_bid_id)),
           'outbid:' || a.id || ':' || a.previous_leader_id
    FROM a WHERE a.previous_leader_id IS NOT NULL AND a.previous_leader_id <> $2
    -- One notice waits per outbid bidder: later outbids join it (see `notify_outbid`).
    ON CONFLICT (unique_key) DO NOTHING
    RETURNING id
), n AS (
    SELECT pg_notify('madeinpk_auctions', json_build_object(
               'kind', 'bid', 'auction', a.id,
               'bidder', (SELECT username FROM users WHERE id = $2),
               'amount', a.current_price::text,
               'time', to_char($4 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'),
               'end_time', to_char(a.end_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'))::text),
           (SELECT count(*) FROM (SELECT pg_notify('madeinpk_jobs', '') FROM j) w)
    FROM a
)
SELECT a.id, b.id AS bid, a.end_time, (SELECT count(*) FROM n) AS published
FROM a, b";

/// The auction row under its lock, for a batch of bids.
const LOCK_FOR_BIDS: &str = "
SELECT a.status, a.start_time, a.end_time, a.starting_price, a.current_price, a.total_bids,
       a.leader_id, p.seller_id
FROM auctions a JOIN products p ON p.id = a.product_id
WHERE a.id = $1
FOR NO KEY UPDATE OF a";

#[derive(QueryableByName)]
struct LockedRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = Timestamptz)]
    start_time: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    end_time: DateTime<Utc>,
    #[diesel(sql_type = Numeric)]
    starting_price: BigDecimal,
    #[diesel(sql_type = Numeric)]
    current_price: BigDecimal,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    total_bids: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    leader_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
}

/// The accepted bids of a batch, in order (`$2`–`$6`: bidder, amount, time, the leader each
/// displaced, the end after each), and the auction's state after the last (`$7`–`$11`);
/// `$12`: the batch holds the auction's first bid. Writes what `PLACE_BID` writes per bid.
const PLACE_BIDS: &str = "
WITH t AS (
    SELECT t.ord, nextval('bids_id_seq') AS id, t.bidder, t.amount, t.at, t.prev, t.ends
    FROM unnest($2::bigint[], $3::numeric[], $4::timestamptz[], $5::bigint[], $6::timestamptz[])
         WITH ORDINALITY AS t(bidder, amount, at, prev, ends, ord)
    -- Ids are drawn in the judged order (the history is read by id).
    ORDER BY t.ord
), b AS (
    INSERT INTO bids (id, auction_id, bidder_id, amount, bid_time)
    SELECT id, $1, bidder, amount, at FROM t
), a AS (
    UPDATE auctions SET
        current_price = $7,
        total_bids = total_bids + cardinality($2::bigint[]),
        previous_leader_id = $8,
        leader_id = $9,
        winning_bid_id = (SELECT id FROM t ORDER BY ord DESC LIMIT 1),
        end_time = $10,
        updated_at = $11
    WHERE id = $1
    RETURNING id, product_id
), s AS (
    INSERT INTO notifications (user_id, notification_type, title, message, auction_id)
    SELECT p.seller_id, 'bid_placed', 'New bid',
           'Your auction for ' || p.name || ' received its first bid of Rs. '
               || (SELECT round(amount, 2) FROM t WHERE ord = 1)::text,
           a.id
    FROM a JOIN products p ON p.id = a.product_id WHERE $12
), j AS (
    INSERT INTO jobs (kind, payload, unique_key)
    SELECT 'notify_outbid',
           jsonb_build_object('kind', 'notify_outbid', 'data', jsonb_build_object('bid', t.id)),
           'outbid:' || $1 || ':' || t.prev
    FROM t WHERE t.prev IS NOT NULL AND t.prev <> t.bidder
    ORDER BY t.ord
    ON CONFLICT (unique_key) DO NOTHING
    RETURNING id
), n AS (
    SELECT pg_notify('madeinpk_auctions', json_build_object(
               'kind', 'bid', 'auction', $1,
               'bidder', (SELECT username FROM users WHERE id = t.bidder),
               'amount', round(t.amount, 2)::text,
               'time', to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'),
               'end_time', to_char(t.ends AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'))::text)
    FROM t ORDER BY t.ord
)
SELECT t.id, (SELECT count(*) FROM n) AS published,
       (SELECT count(*) FROM (SELECT pg_notify('madeinpk_jobs', '') FROM j) w) AS queued
FROM t ORDER BY t.ord";

/// An accepted bid of a batch.
struct Taken {
    /// Its place in the batch.
    index: usize,
    /// The leader it displaced.
    displaced: Option<i64>,
    /// The auction's end after it.
    end: DateTime<Utc>,
    /// Its time.
    at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct BatchRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    published: i64,
}

impl Db {
    /// Places bids on one auction in arrival order, in one transaction under the auction's
    /// lock: each is judged against the auction as the bids before it left it. One outcome per
    /// bid (`None`: refused).
    pub async fn place_bids(&self, batch: &[NewBid]) -> Result<Vec<Option<PlacedBid>>, StoreError> {
        let Some(auction) = batch.first().map(|b| b.auction) else {
            return Ok(Vec::new());
        };
        if let [bid] = batch {
            return Ok(vec![self.place_one(bid.clone()).await?]);
        }
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let row: Option<LockedRow> = diesel::sql_query(LOCK_FOR_BIDS)
                .bind::<BigInt, _>(auction.get())
                .get_result(conn)
                .await
                .optional()?;
            let Some(row) = row else {
                return Ok(vec![None; batch.len()]);
            };
            let mut state = BidSnapshot {
                auction,
                status: AuctionStatus::parse(&row.status).unwrap_or(AuctionStatus::Ended),
                start_time: row.start_time,
                end_time: row.end_time,
                starting_price: pkr(&row.starting_price),
                current_price: pkr(&row.current_price),
                total_bids: i64::from(row.total_bids),
                seller: UserId(row.seller_id),
            };
            let first_ever = state.total_bids == 0;
            let (mut leader, mut previous) = (row.leader_id, None);
            // Times never go backwards.
            let mut accepted: Vec<Taken> = Vec::new();
            let mut last_at = DateTime::<Utc>::MIN_UTC;
            for i in judging_order(batch) {
                let bid = &batch[i];
                if state.admit(bid) {
                    last_at = last_at.max(bid.now);
                    accepted.push(Taken {
                        index: i,
                        displaced: leader,
                        end: state.end_time,
                        at: last_at,
                    });
                    previous = leader;
                    leader = Some(bid.bidder.get());
                }
            }
            let mut out = vec![None; batch.len()];
            let Some(&Taken {
                index: last, at, ..
            }) = accepted.last()
            else {
                return Ok(out);
            };
            let taken: Vec<&NewBid> = accepted.iter().map(|a| &batch[a.index]).collect();
            let bidders: Vec<i64> = taken.iter().map(|b| b.bidder.get()).collect();
            let amounts: Vec<BigDecimal> = taken.iter().map(|b| to_numeric(b.amount)).collect();
            let times: Vec<DateTime<Utc>> = accepted.iter().map(|a| a.at).collect();
            let prevs: Vec<Option<i64>> = accepted.iter().map(|a| a.displaced).collect();
            let ends: Vec<DateTime<Utc>> = accepted.iter().map(|a| a.end).collect();
            let rows: Vec<BatchRow> = diesel::sql_query(PLACE_BIDS)
                .bind::<BigInt, _>(auction.get())
                .bind::<Array<BigInt>, _>(bidders)
                .bind::<Array<Numeric>, _>(amounts)
                .bind::<Array<Timestamptz>, _>(times)
                .bind::<Array<diesel::sql_types::Nullable<BigInt>>, _>(prevs)
                .bind::<Array<Timestamptz>, _>(ends)
                .bind::<Numeric, _>(to_numeric(state.current_price))
                .bind::<diesel::sql_types::Nullable<BigInt>, _>(previous)
                .bind::<BigInt, _>(batch[last].bidder.get())
                .bind::<Timestamptz, _>(state.end_time)
                .bind::<Timestamptz, _>(at)
                .bind::<diesel::sql_types::Bool, _>(first_ever)
                .load(conn)
                .await?;
            for (a, r) in accepted.iter().zip(&rows) {
                debug_assert_eq!(usize::try_from(r.published).ok(), Some(rows.len()));
                let bid = &batch[a.index];
                out[a.index] = Some(PlacedBid {
                    id: BidId(r.id),
                    auction,
                    bidder: bid.bidder,
                    amount: bid.amount,
                    bid_time: a.at,
                    end_time: a.end,
                });
            }
            Ok(out)
        })
        .await
        .map_err(store)
    }

    /// One bid in one statement (`PLACE_BID`): the common, uncontended case.
    async fn place_one(&self, bid: NewBid) -> Result<Option<PlacedBid>, StoreError> {
        let mut conn = self.conn().await?;
        let bands: (Vec<BigDecimal>, Vec<BigDecimal>) = bid
            .rules
            .increments
            .iter()
            .map(|(from, step)| (to_numeric(*from), to_numeric(*step)))
            .unzip();
        let window = bid.rules.soft_close.map_or(0.0, |w| {
            i32::try_from(w.num_seconds()).map_or(f64::from(i32::MAX), f64::from)
        });
        let row: Option<PlacedRow> = diesel::sql_query(PLACE_BID)
            .bind::<BigInt, _>(bid.auction.get())
            .bind::<BigInt, _>(bid.bidder.get())
            .bind::<Numeric, _>(to_numeric(bid.amount))
            .bind::<Timestamptz, _>(bid.now)
            .bind::<Numeric, _>(to_numeric(bid.rules.first_premium()))
            .bind::<Array<Numeric>, _>(bands.0)
            .bind::<Array<Numeric>, _>(bands.1)
            .bind::<Double, _>(window)
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|r| {
            debug_assert_eq!(r.published, 1);
            PlacedBid {
                id: BidId(r.bid),
                auction: AuctionId(r.id),
                bidder: bid.bidder,
                amount: bid.amount,
                bid_time: bid.now,
                end_time: r.end_time,
            }
        }))
    }
}

impl BatchWriter for Db {
    async fn place_bids(&self, batch: &[NewBid]) -> Result<Vec<Option<PlacedBid>>, StoreError> {
        Db::place_bids(self, batch).await
    }
}
