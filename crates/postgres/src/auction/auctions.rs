//! Auction listings. A page is read in a bounded number of queries: count, ids, auctions (with
//! winners), the products' rows, images and regions, and the five newest bids of every auction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Numeric, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::auction::ending::end_job;
use madeinpk_domain::auction::model::{
    Auction, AuctionQuery, AuctionRemoval, AuctionSort, AuctionState, AuctionStatus, AuctionTerms,
    Bid, Winner,
};
use madeinpk_domain::auction::ports::AuctionRepository;
use madeinpk_domain::catalog::product::{NewProduct, ProductView};
use madeinpk_domain::ids::{AuctionId, BidId, ProductId, UserId};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::account::addresses::then_order;
use crate::catalog::products::{
    ProductRow, insert_product, matching_products, product_columns, product_source, view,
};
use crate::db::Db;
use crate::error::store;
use crate::money::{pkr as money, to_numeric};
use crate::schema::{auctions, products, users};

type AuctionRow = (
    i64,
    i64,
    bigdecimal::BigDecimal,
    bigdecimal::BigDecimal,
    Option<bigdecimal::BigDecimal>,
    DateTime<Utc>,
    DateTime<Utc>,
    String,
    Option<i64>,
    i32,
    DateTime<Utc>,
    Option<(String, String)>,
);

#[derive(QueryableByName)]
struct BidRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    auction_id: i64,
    #[diesel(sql_type = BigInt)]
    bidder_id: i64,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Numeric)]
    amount: bigdecimal::BigDecimal,
    #[diesel(sql_type = Timestamptz)]
    bid_time: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    is_winning: bool,
}

fn bid(r: BidRow) -> Bid {
    Bid {
        id: BidId(r.id),
        bidder: UserId(r.bidder_id),
        bidder_username: r.username,
        amount: money(&r.amount),
        bid_time: r.bid_time,
        is_winning: r.is_winning,
    }
}

macro_rules! auction_columns {
    () => {
        (
            auctions::id,
            auctions::product_id,
            auctions::starting_price,
            auctions::current_price,
            auctions::reserve_price,
            auctions::start_time,
            auctions::end_time,
            auctions::status,
            auctions::winner_id,
            auctions::total_bids,
            auctions::created_at,
            (users::username, users::email).nullable(),
        )
    };
}

async fn load(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
    viewer: Option<UserId>,
) -> QueryResult<Vec<Auction>> {
    let rows: Vec<AuctionRow> = auctions::table
        .left_join(users::table.on(users::id.nullable().eq(auctions::winner_id)))
        .filter(auctions::id.eq_any(ids))
        .select(auction_columns!())
        .load(conn)
        .await?;
    let product_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let product_rows: Vec<ProductRow> = product_source!()
        .filter(products::id.eq_any(&product_ids))
        .select(product_columns!(viewer))
        .load(conn)
        .await?;
    let mut views: HashMap<i64, ProductView> = product_rows
        .into_iter()
        .map(view)
        .map(|v| (v.id.get(), v))
        .collect();
    let latest: Vec<BidRow> = diesel::sql_query(
        "SELECT id, auction_id, bidder_id, username, amount, bid_time, is_winning FROM (
             SELECT b.id, b.auction_id, b.bidder_id, u.username, b.amount, b.bid_time,
                    b.id = a.winning_bid_id AS is_winning,
                    row_number() OVER (PARTITION BY b.auction_id ORDER BY b.id DESC) AS n
             FROM bids b JOIN users u ON u.id = b.bidder_id JOIN auctions a ON a.id = b.auction_id
             WHERE b.auction_id = ANY($1)
         ) newest WHERE n <= 5 ORDER BY auction_id, id DESC",
    )
    .bind::<Array<BigInt>, _>(ids)
    .load(conn)
    .await?;
    let mut by_auction: HashMap<i64, Vec<Bid>> = HashMap::new();
    for b in latest {
        by_auction.entry(b.auction_id).or_default().push(bid(b));
    }
    let mut out: Vec<Auction> = rows
        .into_iter()
        .filter_map(|r| {
            let product = views.remove(&r.1)?;
            let latest_bids = by_auction.remove(&r.0).unwrap_or_default();
            let winner = r.8.zip(r.11).map(|(id, (username, email))| Winner {
                id: UserId(id),
                username,
                email,
            });
            // Accepted bids only ever rise, so the winner's winning bid is their newest winning one.
            let winning_bid_amount = winner.as_ref().and_then(|w| {
                latest_bids
                    .iter()
                    .find(|b| b.is_winning && b.bidder == w.id)
                    .map(|b| b.amount)
            });
            Some(Auction {
                id: AuctionId(r.0),
                product,
                starting_price: money(&r.2),
                current_price: money(&r.3),
                reserve_price: r.4.as_ref().map(money),
                start_time: r.5,
                end_time: r.6,
                // The CHECK constraint admits only the four statuses.
                status: AuctionStatus::parse(&r.7).unwrap_or(AuctionStatus::Ended),
                winner,
                latest_bids,
                total_bids: i64::from(r.9),
                winning_bid_amount,
                created_at: r.10,
            })
        })
        .collect();
    out.sort_by_key(|a| ids.iter().position(|i| *i == a.id.get()));
    Ok(out)
}

async fn claim_product(conn: &mut AsyncPgConnection, product: i64) -> QueryResult<bool> {
    // The product's one listing slot: "listing or auction, never both", race-free.
    let n = diesel::update(
        products::table.filter(
            products::id
                .eq(product)
                .and(products::listing_type.is_null()),
        ),
    )
    .set((
        products::listing_type.eq("auction"),
        products::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

async fn insert_auction(
    conn: &mut AsyncPgConnection,
    product: i64,
    terms: &AuctionTerms,
) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(auctions::table)
        .values((
            auctions::product_id.eq(product),
            auctions::starting_price.eq(to_numeric(terms.starting_price)),
            auctions::current_price.eq(to_numeric(terms.starting_price)),
            auctions::reserve_price.eq(terms.reserve_price.map(to_numeric)),
            auctions::start_time.eq(terms.start_time),
            auctions::end_time.eq(terms.end_time),
        ))
        .returning(auctions::id)
        .get_result(conn)
        .await?;
    // The auction ends at its end time, to the second, by its own job.
    crate::job::queue::insert_job(conn, &end_job(AuctionId(id), terms.end_time)).await?;
    Ok(id)
}

impl AuctionRepository for Db {
    async fn cancel_auction(&self, id: AuctionId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        // Conditional, so a bid that lands meanwhile keeps the auction alive.
        let n = diesel::update(
            auctions::table
                .find(id.get())
                .filter(auctions::status.eq("active"))
                .filter(auctions::total_bids.eq(0)),
        )
        .set((
            auctions::status.eq("cancelled"),
            auctions::updated_at.eq(diesel::dsl::now),
        ))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(n == 1)
    }

    async fn list_auctions(
        &self,
        query: AuctionQuery,
        page: PageRequest,
        viewer: Option<UserId>,
    ) -> Result<Page<Auction>, StoreError> {
        let mut conn = self.conn().await?;
        let filtered = || {
            let mut q = auctions::table.into_boxed();
            if let Some(ids) = matching_products(&query.product, query.mine) {
                q = q.filter(auctions::product_id.eq_any(ids));
            }
            if let Some(s) = query.status {
                q = q.filter(auctions::status.eq(s.as_str()));
            }
            q
        };
        let mut q = filtered().select(auctions::id);
        for s in &query.ordering {
            q = match s.field {
                AuctionSort::EndTime => then_order!(q, auctions::end_time, s.descending),
                AuctionSort::CurrentPrice => then_order!(q, auctions::current_price, s.descending),
                AuctionSort::CreatedAt => then_order!(q, auctions::created_at, s.descending),
            };
        }
        let ids: Vec<i64> = q
            .then_order_by(auctions::id.asc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        // An index-only count; cheaper than carrying a window count on every row.
        let count: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let items = load(&mut conn, &ids, viewer).await.map_err(store)?;
        Ok(Page { count, items })
    }

    async fn auction(
        &self,
        id: AuctionId,
        viewer: Option<UserId>,
    ) -> Result<Option<Auction>, StoreError> {
        let mut conn = self.conn().await?;
        Ok(load(&mut conn, &[id.get()], viewer)
            .await
            .map_err(store)?
            .pop())
    }

    async fn auction_state(&self, id: AuctionId) -> Result<Option<AuctionState>, StoreError> {
        let mut conn = self.conn().await?;
        type Row = (
            i64,
            i32,
            bigdecimal::BigDecimal,
            DateTime<Utc>,
            DateTime<Utc>,
            Option<bigdecimal::BigDecimal>,
            String,
        );
        let row: Option<Row> = auctions::table
            .inner_join(products::table)
            .filter(auctions::id.eq(id.get()))
            .select((
                products::seller_id,
                auctions::total_bids,
                auctions::starting_price,
                auctions::start_time,
                auctions::end_time,
                auctions::reserve_price,
                auctions::status,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|r| AuctionState {
            seller: UserId(r.0),
            total_bids: i64::from(r.1),
            starting_price: money(&r.2),
            start_time: r.3,
            end_time: r.4,
            reserve_price: r.5.as_ref().map(money),
            status: AuctionStatus::parse(&r.6).unwrap_or(AuctionStatus::Ended),
        }))
    }

    async fn create_auction(
        &self,
        product: ProductId,
        terms: AuctionTerms,
    ) -> Result<Option<AuctionId>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            if !claim_product(conn, product.get()).await? {
                return Ok(None);
            }
            Ok(Some(AuctionId(
                insert_auction(conn, product.get(), &terms).await?,
            )))
        })
        .await
        .map_err(store)
    }

    async fn create_auction_with_product(
        &self,
        product: NewProduct,
        terms: AuctionTerms,
    ) -> Result<AuctionId, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let id = insert_product(conn, &product).await?;
            claim_product(conn, id.get()).await?;
            Ok(AuctionId(insert_auction(conn, id.get(), &terms).await?))
        })
        .await
        .map_err(store)
    }

    async fn update_auction(&self, id: AuctionId, terms: AuctionTerms) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // Decided in the statement: a bid that lands meanwhile makes this a no-op.
            let n = diesel::update(
                auctions::table.filter(auctions::id.eq(id.get()).and(auctions::total_bids.eq(0))),
            )
            .set((
                auctions::starting_price.eq(to_numeric(terms.starting_price)),
                auctions::current_price.eq(to_numeric(terms.starting_price)),
                auctions::reserve_price.eq(terms.reserve_price.map(to_numeric)),
                auctions::start_time.eq(terms.start_time),
                auctions::end_time.eq(terms.end_time),
                auctions::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
            if n == 1 {
                // A job for the new end time (the old one finds it not due and stops).
                crate::job::queue::insert_job(conn, &end_job(id, terms.end_time)).await?;
            }
            Ok(n == 1)
        })
        .await
        .map_err(store)
    }

    async fn delete_auction(&self, id: AuctionId) -> Result<AuctionRemoval, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let row: Option<(i64, i32)> = auctions::table
                .find(id.get())
                .select((auctions::product_id, auctions::total_bids))
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some((product, total_bids)) = row else {
                return Ok(AuctionRemoval::NotFound);
            };
            if total_bids > 0 {
                return Ok(AuctionRemoval::HasBids);
            }
            diesel::delete(auctions::table.find(id.get()))
                .execute(conn)
                .await?;
            diesel::update(products::table.find(product))
                .set(products::listing_type.eq(None::<String>))
                .execute(conn)
                .await?;
            Ok(AuctionRemoval::Deleted)
        })
        .await
        .map_err(store)
    }

    async fn bids(&self, id: AuctionId) -> Result<Vec<Bid>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<BidRow> = diesel::sql_query(
            "SELECT b.id, b.auction_id, b.bidder_id, u.username, b.amount, b.bid_time,
                    b.id = a.winning_bid_id AS is_winning
             FROM bids b JOIN users u ON u.id = b.bidder_id JOIN auctions a ON a.id = b.auction_id
             WHERE b.auction_id = $1 ORDER BY b.id DESC",
        )
        .bind::<BigInt, _>(id.get())
        .load(&mut conn)
        .await
        .map_err(store)?;
        Ok(rows.into_iter().map(bid).collect())
    }
}
