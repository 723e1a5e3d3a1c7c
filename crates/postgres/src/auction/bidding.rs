//! The bidding repository: proxy maxima and contests, bid snapshots and outbid notices here;
//! placing bids in `bid_statement`, endings in `auction_ending`, events in `events`.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Numeric};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::auction::bid::{BidSnapshot, NewBid, Outbid, PlacedBid};
use madeinpk_domain::auction::ending::Ended;
use madeinpk_domain::auction::model::AuctionStatus;
use madeinpk_domain::auction::ports::{BiddingRepository, EndPlanner, OutbidOutbox};
use madeinpk_domain::auction::proxy::{Contest, ProxyMax};
use madeinpk_domain::ids::{AuctionId, BidId, UserId};
use madeinpk_domain::outbox::Outbox;
use madeinpk_domain::store::StoreError;

use crate::auction::auction_ending::{self, party_of};
use crate::db::Db;
use crate::error::store;
use crate::money::{pkr, to_numeric};
use crate::schema::{auctions, bids, jobs, once_keys, products, proxy_bids, users};

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

type SnapshotRow = (
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    BigDecimal,
    BigDecimal,
    i32,
    i64,
);

impl BiddingRepository for Db {
    async fn cut_short(&self, auction: AuctionId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(
            auctions::table
                .find(auction.get())
                .filter(auctions::status.eq("active"))
                .filter(auctions::end_time.gt(now)),
        )
        .set((auctions::end_time.eq(now), auctions::updated_at.eq(now)))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(n == 1)
    }

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
        auction_ending::end_auction(self, auction, now, plan).await
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
        auction_ending::auctions_due(self, now, limit).await
    }
}
