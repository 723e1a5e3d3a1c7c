//! Bids and auction endings. A bid is one statement (one round trip): a conditional UPDATE of
//! the auction row enforces the rules on the row as it is when its lock is taken (status,
//! window, seller, minimum), and the same statement inserts the bid, queues the outbid notice
//! and publishes the bid with NOTIFY (delivered at commit to every app instance). Concurrent
//! bids on one auction are serialised by that row lock, so accepted bids strictly increase.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Numeric, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::auction::bid::{BidSnapshot, NewBid, Outbid, PlacedBid, judging_order};
use madeinpk_domain::auction::ending::{EndFacts, EndPlan, Ended, WonOrder};
use madeinpk_domain::auction::model::AuctionStatus;
use madeinpk_domain::auction::ports::{BiddingRepository, EndPlanner, OutbidOutbox};
use madeinpk_domain::auction::proxy::{Contest, ProxyMax};
use madeinpk_domain::ids::{AddressId, AuctionId, BidId, OrderId, ProductId, UserId};
use madeinpk_domain::order::checkout::Party;
use madeinpk_domain::order::model::OrderType;
use madeinpk_domain::outbox::Outbox;
use madeinpk_domain::store::StoreError;
use rand::Rng;

use crate::db::Db;
use crate::error::store;
use crate::money::{pkr, to_numeric};
use crate::schema::{
    addresses, auctions, bids, jobs, once_keys, order_items, order_sellers, orders, products,
    proxy_bids, users,
};

/// The NOTIFY channel of auction events (bids and endings), listened to by every app instance.
pub const AUCTION_CHANNEL: &str = "madeinpk_auctions";

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
/// soft-close window in seconds (0: off). Mirrors `BidRules` in the domain.
const PLACE_BID: &str = "
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

type SnapshotRow = (
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    BigDecimal,
    BigDecimal,
    i32,
    i64,
);

fn party((id, username, email): (i64, String, String)) -> Party {
    Party {
        id: UserId(id),
        username,
        email,
    }
}

async fn party_of(conn: &mut AsyncPgConnection, user: i64) -> QueryResult<Option<Party>> {
    Ok(users::table
        .find(user)
        .select((users::id, users::username, users::email))
        .first(conn)
        .await
        .optional()?
        .map(party))
}

/// The won order of an auction that ended before, with its winner.
async fn won_order(
    conn: &mut AsyncPgConnection,
    auction: i64,
    product: String,
) -> QueryResult<Option<WonOrder>> {
    let row: Option<(i64, i64)> = orders::table
        .filter(orders::auction_id.eq(auction))
        .select((orders::id, orders::buyer_id))
        .order(orders::id.desc())
        .first(conn)
        .await
        .optional()?;
    let Some((order, buyer)) = row else {
        return Ok(None);
    };
    Ok(party_of(conn, buyer).await?.map(|winner| WonOrder {
        order: OrderId(order),
        winner,
        product,
    }))
}

/// Stores the auction order of a won auction; its id.
async fn insert_order(
    conn: &mut AsyncPgConnection,
    facts: &EndFacts,
    order: &madeinpk_domain::auction::ending::AuctionOrder,
) -> QueryResult<i64> {
    let total = order.split.total;
    let id: i64 = diesel::insert_into(orders::table)
        .values((
            orders::order_number.eq(&order.number),
            orders::buyer_id.eq(order.buyer.get()),
            orders::order_type.eq(OrderType::Auction.as_str()),
            orders::seller_id.eq(facts.seller.id.get()),
            orders::product_id.eq(facts.product.get()),
            orders::auction_id.eq(facts.auction.get()),
            orders::quantity.eq(1),
            orders::unit_price.eq(to_numeric(total)),
            orders::total_amount.eq(to_numeric(total)),
            orders::platform_fee.eq(to_numeric(order.split.fee)),
            orders::seller_amount.eq(to_numeric(order.split.seller_amount)),
            orders::shipping_address_id.eq(order.shipping_address.map(AddressId::get)),
            orders::payment_deadline.eq(order.payment_deadline),
        ))
        .returning(orders::id)
        .get_result(conn)
        .await?;
    diesel::insert_into(order_items::table)
        .values((
            order_items::order_id.eq(id),
            order_items::product_id.eq(facts.product.get()),
            order_items::listing_id.eq(None::<i64>),
            order_items::seller_id.eq(facts.seller.id.get()),
            order_items::product_name.eq(&facts.product_name),
            order_items::quantity.eq(1),
            order_items::unit_price.eq(to_numeric(total)),
            order_items::subtotal.eq(to_numeric(total)),
        ))
        .execute(conn)
        .await?;
    for share in &order.split.sellers {
        diesel::insert_into(order_sellers::table)
            .values((
                order_sellers::order_id.eq(id),
                order_sellers::seller_id.eq(share.seller.get()),
                order_sellers::subtotal.eq(to_numeric(share.subtotal)),
                order_sellers::platform_fee.eq(to_numeric(share.fee)),
                order_sellers::seller_amount.eq(to_numeric(share.seller_amount)),
            ))
            .execute(conn)
            .await?;
    }
    Ok(id)
}

/// Reads an ending auction under its lock: `Err(Ended)` when there is nothing to plan.
async fn end_facts(
    conn: &mut AsyncPgConnection,
    auction: i64,
    now: DateTime<Utc>,
) -> QueryResult<Result<EndFacts, Ended>> {
    type Row = (
        i64,
        String,
        i64,
        String,
        DateTime<Utc>,
        BigDecimal,
        Option<BigDecimal>,
        Option<i64>,
    );
    let row: Option<Row> = auctions::table
        .inner_join(products::table)
        .filter(auctions::id.eq(auction))
        .select((
            products::id,
            products::name,
            products::seller_id,
            auctions::status,
            auctions::end_time,
            auctions::current_price,
            auctions::reserve_price,
            auctions::leader_id,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some((product, name, seller, status, end, current, reserve, leader)) = row else {
        return Ok(Err(Ended::NotFound));
    };
    let status = AuctionStatus::parse(&status).unwrap_or(AuctionStatus::Ended);
    if status != AuctionStatus::Active {
        return Ok(Err(Ended::Closed(won_order(conn, auction, name).await?)));
    }
    if end > now {
        return Ok(Err(Ended::NotDue(end)));
    }
    let Some(seller) = party_of(conn, seller).await? else {
        return Ok(Err(Ended::NotFound));
    };
    let leader = match leader {
        Some(id) => party_of(conn, id).await?,
        None => None,
    };
    let leader_address: Option<i64> = match &leader {
        Some(p) => addresses::table
            .filter(addresses::user_id.eq(p.id.get()))
            .select(addresses::id)
            .order((addresses::is_default.desc(), addresses::id.desc()))
            .first(conn)
            .await
            .optional()?,
        None => None,
    };
    let others: Vec<(i64, String, String)> = users::table
        .filter(
            users::id.eq_any(
                bids::table
                    .filter(bids::auction_id.eq(auction))
                    .select(bids::bidder_id),
            ),
        )
        .filter(users::id.ne(leader.as_ref().map_or(0, |p| p.id.get())))
        .select((users::id, users::username, users::email))
        .order(users::id)
        .load(conn)
        .await?;
    Ok(Ok(EndFacts {
        auction: AuctionId(auction),
        product: ProductId(product),
        product_name: name,
        seller,
        status,
        end_time: end,
        current_price: pkr(&current),
        reserve_price: reserve.as_ref().map(pkr),
        leader: leader.map(|p| (p, pkr(&current))),
        leader_address: leader_address.map(AddressId),
        others: others.into_iter().map(party).collect(),
    }))
}

/// The leader's maximum and the best other (not blocked) bidder's, with the price.
const PROXY_CONTEST: &str = "
SELECT a.current_price, a.leader_id,
       (SELECT p.max_amount FROM proxy_bids p
         WHERE p.auction_id = a.id AND p.bidder_id = a.leader_id) AS leader_max,
       r.bidder_id AS rival, r.max_amount AS rival_max
FROM auctions a
LEFT JOIN LATERAL (
    SELECT p.bidder_id, p.max_amount FROM proxy_bids p JOIN users u ON u.id = p.bidder_id
    WHERE p.auction_id = a.id AND p.bidder_id <> a.leader_id AND NOT u.is_blocked
    ORDER BY p.max_amount DESC, p.updated_at, p.bidder_id LIMIT 1
) r ON TRUE
WHERE a.id = $1 AND a.leader_id IS NOT NULL";

#[derive(diesel::QueryableByName)]
struct ContestRow {
    #[diesel(sql_type = Numeric)]
    current_price: BigDecimal,
    #[diesel(sql_type = BigInt)]
    leader_id: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<Numeric>)]
    leader_max: Option<BigDecimal>,
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    rival: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Numeric>)]
    rival_max: Option<BigDecimal>,
}

impl BiddingRepository for Db {
    async fn set_proxy_max(
        &self,
        auction: AuctionId,
        bidder: UserId,
        max: madeinpk_domain::money::Money,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(proxy_bids::table)
            .values((
                proxy_bids::auction_id.eq(auction.get()),
                proxy_bids::bidder_id.eq(bidder.get()),
                proxy_bids::max_amount.eq(to_numeric(max)),
                proxy_bids::updated_at.eq(Utc::now()),
            ))
            .on_conflict((proxy_bids::auction_id, proxy_bids::bidder_id))
            .do_update()
            .set((
                proxy_bids::max_amount.eq(to_numeric(max)),
                proxy_bids::updated_at.eq(Utc::now()),
            ))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }

    async fn proxy_contest(&self, auction: AuctionId) -> Result<Option<Contest>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ContestRow> = diesel::sql_query(PROXY_CONTEST)
            .bind::<BigInt, _>(auction.get())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|r| Contest {
            price: pkr(&r.current_price),
            leader: UserId(r.leader_id),
            leader_max: r.leader_max.as_ref().map(pkr),
            rival: r
                .rival
                .zip(r.rival_max.as_ref())
                .map(|(bidder, max)| ProxyMax {
                    bidder: UserId(bidder),
                    max: pkr(max),
                }),
        }))
    }

    async fn place_bid(&self, bid: NewBid) -> Result<Option<PlacedBid>, StoreError> {
        self.bid_queues().place(self, bid).await
    }

    async fn bid_snapshot(&self, auction: AuctionId) -> Result<Option<BidSnapshot>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<SnapshotRow> = auctions::table
            .inner_join(products::table)
            .filter(auctions::id.eq(auction.get()))
            .select((
                auctions::status,
                auctions::start_time,
                auctions::end_time,
                auctions::starting_price,
                auctions::current_price,
                auctions::total_bids,
                products::seller_id,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|r| BidSnapshot {
            auction,
            status: AuctionStatus::parse(&r.0).unwrap_or(AuctionStatus::Ended),
            start_time: r.1,
            end_time: r.2,
            starting_price: pkr(&r.3),
            current_price: pkr(&r.4),
            total_bids: i64::from(r.5),
            seller: UserId(r.6),
        }))
    }

    async fn notify_outbid(&self, bid: BidId, outbox: OutbidOutbox) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // Marked in the transaction that writes the notice: once, however often it runs.
            let row: Option<(i64, i64)> = diesel::update(
                bids::table.filter(bids::id.eq(bid.get()).and(bids::outbid_notified.eq(false))),
            )
            .set(bids::outbid_notified.eq(true))
            .returning((bids::auction_id, bids::bidder_id))
            .get_result(conn)
            .await
            .optional()?;
            let Some((auction, bidder)) = row else {
                return Ok(());
            };
            // Waits for a bid being written on the auction: it either joined this notice
            // before the key is freed below, or finds the key free and queues its own.
            diesel::sql_query("SELECT id FROM auctions WHERE id = $1 FOR SHARE")
                .bind::<BigInt, _>(auction)
                .execute(conn)
                .await?;
            // The bid just before this one led until it came (bids only ever rise).
            let previous: Option<i64> = bids::table
                .filter(bids::auction_id.eq(auction).and(bids::id.lt(bid.get())))
                .select(bids::bidder_id)
                .order(bids::id.desc())
                .first(conn)
                .await
                .optional()?;
            let Some(previous) = previous.filter(|p| *p != bidder) else {
                return Ok(());
            };
            // From here a new outbid queues a new notice: the ones that joined this job while
            // it waited are told by it. A storm's bidder is told once per wait, not per bid.
            diesel::update(
                jobs::table.filter(jobs::unique_key.eq(format!("outbid:{auction}:{previous}"))),
            )
            .set(jobs::unique_key.eq(None::<String>))
            .execute(conn)
            .await?;
            let (product, price, leader): (String, BigDecimal, Option<i64>) = auctions::table
                .inner_join(products::table)
                .filter(auctions::id.eq(auction))
                .select((products::name, auctions::current_price, auctions::leader_id))
                .first(conn)
                .await?;
            if leader == Some(previous) {
                // They bid again and lead: there is nothing to tell.
                return Ok(());
            }
            let Some(outbid) = party_of(conn, previous).await? else {
                return Ok(());
            };
            let facts = Outbid {
                auction: AuctionId(auction),
                product,
                amount: pkr(&price),
                outbid,
            };
            crate::outbox::write(conn, outbox(&facts)).await
        })
        .await
        .map_err(store)
    }

    async fn end_auction(
        &self,
        auction: AuctionId,
        now: DateTime<Utc>,
        plan: EndPlanner,
    ) -> Result<Ended, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // A blocked account never wins, however it came to lead.
            crate::auction::bid_withdrawal::withdraw_blocked_leaders(conn, auction.get()).await?;
            let facts = match end_facts(conn, auction.get(), now).await? {
                Ok(facts) => facts,
                Err(ended) => return Ok(ended),
            };
            let entropy: u64 = rand::rng().random();
            let EndPlan::Close {
                winner,
                order,
                mut outbox,
            } = plan(&facts, entropy)
            else {
                return Ok(Ended::NotDue(facts.end_time));
            };
            diesel::update(auctions::table.find(auction.get()))
                .set((
                    auctions::status.eq(AuctionStatus::Ended.as_str()),
                    auctions::winner_id.eq(winner.map(UserId::get)),
                    auctions::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            let won = match &order {
                Some(order) => {
                    let id = insert_order(conn, &facts, order).await?;
                    for notice in &mut outbox.notices {
                        if notice.notification.user == order.buyer {
                            notice.notification.order_id = Some(id);
                        }
                    }
                    facts.leader.as_ref().map(|(p, _)| WonOrder {
                        order: OrderId(id),
                        winner: p.clone(),
                        product: facts.product_name.clone(),
                    })
                }
                None => None,
            };
            crate::outbox::write(conn, outbox).await?;
            diesel::sql_query("SELECT pg_notify($1, $2)")
                .bind::<diesel::sql_types::Text, _>(AUCTION_CHANNEL)
                .bind::<diesel::sql_types::Text, _>(
                    serde_json::json!({"kind": "ended", "auction": auction.get()}).to_string(),
                )
                .execute(conn)
                .await?;
            Ok(Ended::Closed(won))
        })
        .await
        .map_err(store)
    }

    async fn write_outbox(&self, outbox: Outbox, once_key: String) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let fresh = diesel::insert_into(once_keys::table)
                .values(once_keys::key.eq(once_key))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            if fresh == 0 {
                return Ok(false);
            }
            crate::outbox::write(conn, outbox).await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }

    async fn email_of(&self, user: UserId) -> Result<Option<String>, StoreError> {
        let mut conn = self.conn().await?;
        users::table
            .find(user.get())
            .select(users::email)
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)
    }

    async fn auctions_due(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<AuctionId>, StoreError> {
        let mut conn = self.conn().await?;
        let ids: Vec<i64> = auctions::table
            .filter(
                auctions::status
                    .eq(AuctionStatus::Active.as_str())
                    .and(auctions::end_time.le(now)),
            )
            .select(auctions::id)
            .order(auctions::end_time)
            .limit(limit)
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(ids.into_iter().map(AuctionId).collect())
    }
}

/// An auction event published by any app instance (a bid accepted, an auction ended).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuctionEvent {
    /// A bid was accepted.
    Bid {
        /// The auction.
        auction: i64,
        /// The bidder's username.
        bidder: String,
        /// The amount (2-decimal string), now the current price.
        amount: String,
        /// When (ISO-8601, UTC).
        time: String,
        /// The auction's end after the bid (ISO-8601, UTC).
        end_time: String,
    },
    /// An auction ended.
    Ended {
        /// The auction.
        auction: i64,
    },
    /// An auction changed other than by a bid (a blocked bidder's bids were withdrawn).
    Changed {
        /// The auction.
        auction: i64,
    },
}

impl AuctionEvent {
    /// The auction it concerns.
    pub const fn auction(&self) -> i64 {
        match self {
            Self::Bid { auction, .. } | Self::Ended { auction } | Self::Changed { auction } => {
                *auction
            }
        }
    }
}

/// A dedicated connection `LISTEN`ing for auction events.
pub struct AuctionListener {
    conn: AsyncPgConnection,
}

impl AuctionListener {
    /// Opens the connection and subscribes.
    pub async fn connect(url: &str) -> Result<Self, crate::db::DbError> {
        let mut conn = crate::db::connect_once(url).await?;
        diesel::sql_query(format!("LISTEN {AUCTION_CHANNEL}"))
            .execute(&mut conn)
            .await
            .map_err(|e| crate::db::DbError::Setup(e.to_string()))?;
        Ok(Self { conn })
    }

    /// The next event; `None` when the connection broke (reconnect). Unreadable payloads are
    /// skipped.
    pub async fn next(&mut self) -> Option<AuctionEvent> {
        use futures_util::StreamExt;
        let stream = self.conn.notifications_stream();
        futures_util::pin_mut!(stream);
        loop {
            match stream.next().await {
                Some(Ok(n)) => {
                    if let Ok(event) = serde_json::from_str(&n.payload) {
                        return Some(event);
                    }
                    tracing::warn!(payload = %n.payload, "unreadable auction event");
                }
                Some(Err(_)) | None => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bid_statement_notifies_the_channels_the_listeners_use() {
        assert!(super::PLACE_BID.contains(&format!("'{}'", crate::job::queue::CHANNEL)));
        assert!(super::PLACE_BID.contains(&format!("'{}'", super::AUCTION_CHANNEL)));
    }
}
