//! The periodic stock sweep: lapsed holds, expiry notices, abandoned carts, unpaid orders. Each
//! step locks the carts it touches with `SKIP LOCKED`, so several workers can sweep at once and
//! a sweep never waits on (or deadlocks with) a buyer's checkout.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::ids::{OrderId, UserId};
use madeinpk_domain::order::checkout::{ExpiringCart, Party};
use madeinpk_domain::order::model::OrderStatus;
use madeinpk_domain::order::ports::ReservationRepository;
use madeinpk_domain::outbox::Outbox;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::order::carts::release_holds;
use crate::schema::{cart_items, carts, orders};

/// Carts swept per statement.
const BATCH: i64 = 500;

#[derive(QueryableByName)]
struct ExpiringRow {
    #[diesel(sql_type = BigInt)]
    cart: i64,
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Timestamptz)]
    until: DateTime<Utc>,
    #[diesel(sql_type = Array<Text>)]
    products: Vec<String>,
}

impl ReservationRepository for Db {
    async fn release_lapsed_holds(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let lapsed = cart_items::table
                .filter(cart_items::held.gt(0).and(cart_items::held_until.le(now)))
                .select(cart_items::cart_id);
            let locked: Vec<i64> = carts::table
                .filter(carts::id.eq_any(lapsed))
                .select(carts::id)
                .order(carts::id)
                .limit(BATCH)
                .for_update()
                .skip_locked()
                .load(conn)
                .await?;
            if locked.is_empty() {
                return Ok(0);
            }
            // The cart locks keep these lines still while they are read and released.
            let lapsed_lines = || {
                cart_items::table.filter(
                    cart_items::cart_id
                        .eq_any(&locked)
                        .and(cart_items::held.gt(0))
                        .and(cart_items::held_until.le(now)),
                )
            };
            let held: Vec<(i64, i32)> = lapsed_lines()
                .select((cart_items::listing_id, cart_items::held))
                .load(conn)
                .await?;
            diesel::update(lapsed_lines())
                .set(cart_items::held.eq(0))
                .execute(conn)
                .await?;
            let n = held.len();
            release_holds(conn, held).await?;
            Ok(n)
        })
        .await
        .map_err(store)
    }

    async fn carts_expiring(
        &self,
        now: DateTime<Utc>,
        by: DateTime<Utc>,
    ) -> Result<Vec<ExpiringCart>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<ExpiringRow> = diesel::sql_query(
            "SELECT c.id AS cart, u.id AS user_id, u.username, u.email, m.until, m.products \
             FROM (SELECT ci.cart_id, min(ci.held_until) AS until, \
                          array_agg(p.name ORDER BY ci.id) AS products \
                   FROM cart_items ci \
                   JOIN listings l ON l.id = ci.listing_id \
                   JOIN products p ON p.id = l.product_id \
                   WHERE ci.held > 0 GROUP BY ci.cart_id) m \
             JOIN carts c ON c.id = m.cart_id \
             JOIN users u ON u.id = c.user_id \
             WHERE m.until > $1 AND m.until <= $2 \
               AND c.notice_sent_for IS DISTINCT FROM m.until \
             ORDER BY m.until LIMIT 200",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(by)
        .load(&mut conn)
        .await
        .map_err(store)?;
        Ok(rows
            .into_iter()
            .map(|r| ExpiringCart {
                cart: r.cart,
                owner: Party {
                    id: UserId(r.user_id),
                    username: r.username,
                    email: r.email,
                },
                until: r.until,
                products: r.products,
            })
            .collect())
    }

    async fn record_expiry_notice(
        &self,
        cart: i64,
        until: DateTime<Utc>,
        outbox: Outbox,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let marked = diesel::update(
                carts::table.filter(
                    carts::id
                        .eq(cart)
                        .and(carts::notice_sent_for.is_distinct_from(until)),
                ),
            )
            .set(carts::notice_sent_for.eq(until))
            .execute(conn)
            .await?;
            if marked == 0 {
                return Ok(false);
            }
            crate::outbox::write(conn, outbox).await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }

    async fn clear_abandoned_carts(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let locked: Vec<i64> = carts::table
                .filter(carts::updated_at.lt(before))
                .select(carts::id)
                .order(carts::id)
                .limit(BATCH)
                .for_update()
                .skip_locked()
                .load(conn)
                .await?;
            if locked.is_empty() {
                return Ok(0);
            }
            let held: Vec<(i64, i32)> =
                diesel::delete(cart_items::table.filter(cart_items::cart_id.eq_any(&locked)))
                    .returning((cart_items::listing_id, cart_items::held))
                    .get_results(conn)
                    .await?;
            release_holds(conn, held).await?;
            diesel::delete(carts::table.filter(carts::id.eq_any(&locked)))
                .execute(conn)
                .await
        })
        .await
        .map_err(store)
    }

    async fn unpaid_orders_due(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OrderId>, StoreError> {
        let mut conn = self.conn().await?;
        let ids: Vec<i64> = orders::table
            .filter(
                orders::status
                    .eq(OrderStatus::PendingPayment.as_str())
                    .and(orders::payment_deadline.le(now)),
            )
            .select(orders::id)
            .order(orders::payment_deadline)
            .limit(limit)
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(ids.into_iter().map(OrderId).collect())
    }
}
