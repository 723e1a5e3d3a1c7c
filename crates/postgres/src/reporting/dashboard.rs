//! The admin dashboard's figures: one statement for the totals, one per distribution or
//! trend. Counting uses subqueries, never joins of two counted tables (community D23).

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Date, Numeric, Text, Timestamptz};
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use madeinpk_domain::reporting::dashboard::{
    BestSelling, Dashboard, RecentOrder, TopRated, TopSeller,
};
use madeinpk_domain::reporting::ports::DashboardRepository;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::money::{hundredths, pkr};

/// Orders whose money the platform took (refunded ones count less what was refunded).
const TOOK_MONEY: &str = "('paid', 'shipped', 'delivered', 'partially_refunded', 'refunded')";

const TOTALS: &str = "
WITH refunded AS (
    -- Only orders with a refund have anything to subtract: one pass, then a hash join.
    SELECT s.order_id, sum(s.refunded) AS refunded, sum(s.fee_refunded) AS fee_refunded
    FROM order_sellers s WHERE s.refunded <> 0 OR s.fee_refunded <> 0 GROUP BY s.order_id
), took AS (
    SELECT o.id, o.total_amount, o.platform_fee, o.paid_at,
           COALESCE(r.refunded, 0) AS refunded, COALESCE(r.fee_refunded, 0) AS fee_refunded
    FROM orders o LEFT JOIN refunded r ON r.order_id = o.id WHERE o.status IN {took}
),
-- One pass per table, each figure a FILTERed aggregate.
u AS (
    SELECT count(*) AS total_users,
           count(*) FILTER (WHERE role IN ('buyer', 'both')) AS total_buyers,
           count(*) FILTER (WHERE role IN ('seller', 'both')) AS total_sellers,
           count(*) FILTER (WHERE created_at > $1 - interval '30 days') AS new_users_this_month,
           count(*) FILTER (WHERE is_blocked) AS blocked_users
    FROM users
), p AS (
    SELECT count(*) AS total_products,
           count(*) FILTER (WHERE created_at > $1 - interval '30 days') AS products_this_month
    FROM products
), o AS (
    SELECT count(*) AS total_orders,
           count(*) FILTER (WHERE status = 'pending_payment') AS pending_orders,
           count(*) FILTER (WHERE status IN ('shipped', 'delivered')) AS completed_orders,
           count(*) FILTER (WHERE created_at > $1 - interval '30 days') AS orders_this_month,
           count(*) FILTER (WHERE status = 'paid') AS awaiting_shipment
    FROM orders
), m AS (
    SELECT COALESCE(sum(total_amount - refunded), 0) AS total_revenue,
           COALESCE(sum(platform_fee - fee_refunded), 0) AS platform_fees,
           COALESCE(sum(total_amount - refunded) FILTER (WHERE paid_at > $1 - interval '30 days'), 0)
               AS revenue_this_month,
           COALESCE(round(avg(total_amount), 2), 0) AS avg_order_value
    FROM took
), sp AS (
    SELECT count(*) FILTER (WHERE is_verified) AS verified_sellers, count(*) AS total_seller_profiles
    FROM seller_profiles
), f AS (
    SELECT count(*) AS total_feedbacks,
           COALESCE(sum(seller_rating), 0)::bigint AS seller_rating_sum,
           COALESCE(sum(platform_rating), 0)::bigint AS platform_rating_sum
    FROM feedbacks
), t AS (
    SELECT count(*) FILTER (WHERE status IN ('succeeded', 'reversed')) AS total_transfers,
           COALESCE(sum(amount) FILTER (WHERE status IN ('succeeded', 'reversed')), 0)
               AS total_transferred_amount,
           count(*) FILTER (WHERE status IN ('pending', 'processing')) AS pending_transfers,
           count(*) FILTER (WHERE status = 'failed') AS failed_transfers
    FROM seller_transfers
)
SELECT u.*, p.total_products,
  (SELECT count(*) FROM auctions WHERE status = 'active') AS active_auction_listings,
  (SELECT count(*) FROM listings WHERE status = 'active') AS active_fixed_price_listings,
  p.products_this_month, o.*, m.*, sp.*, f.*, t.*
FROM u, p, o, m, sp, f, t";

#[derive(QueryableByName)]
struct Totals {
    #[diesel(sql_type = BigInt)]
    total_users: i64,
    #[diesel(sql_type = BigInt)]
    total_buyers: i64,
    #[diesel(sql_type = BigInt)]
    total_sellers: i64,
    #[diesel(sql_type = BigInt)]
    new_users_this_month: i64,
    #[diesel(sql_type = BigInt)]
    blocked_users: i64,
    #[diesel(sql_type = BigInt)]
    total_products: i64,
    #[diesel(sql_type = BigInt)]
    active_auction_listings: i64,
    #[diesel(sql_type = BigInt)]
    active_fixed_price_listings: i64,
    #[diesel(sql_type = BigInt)]
    products_this_month: i64,
    #[diesel(sql_type = BigInt)]
    total_orders: i64,
    #[diesel(sql_type = BigInt)]
    pending_orders: i64,
    #[diesel(sql_type = BigInt)]
    completed_orders: i64,
    #[diesel(sql_type = BigInt)]
    orders_this_month: i64,
    #[diesel(sql_type = BigInt)]
    awaiting_shipment: i64,
    #[diesel(sql_type = Numeric)]
    total_revenue: BigDecimal,
    #[diesel(sql_type = Numeric)]
    platform_fees: BigDecimal,
    #[diesel(sql_type = Numeric)]
    revenue_this_month: BigDecimal,
    #[diesel(sql_type = Numeric)]
    avg_order_value: BigDecimal,
    #[diesel(sql_type = BigInt)]
    verified_sellers: i64,
    #[diesel(sql_type = BigInt)]
    total_seller_profiles: i64,
    #[diesel(sql_type = BigInt)]
    total_feedbacks: i64,
    #[diesel(sql_type = BigInt)]
    seller_rating_sum: i64,
    #[diesel(sql_type = BigInt)]
    platform_rating_sum: i64,
    #[diesel(sql_type = BigInt)]
    total_transfers: i64,
    #[diesel(sql_type = Numeric)]
    total_transferred_amount: BigDecimal,
    #[diesel(sql_type = BigInt)]
    pending_transfers: i64,
    #[diesel(sql_type = BigInt)]
    failed_transfers: i64,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Day {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
    #[diesel(sql_type = Numeric)]
    amount: BigDecimal,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Best {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Text)]
    seller: String,
}

#[derive(QueryableByName)]
struct Earner {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Numeric)]
    amount: BigDecimal,
}

#[derive(QueryableByName)]
struct Rated {
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Text)]
    brand_name: String,
    #[diesel(sql_type = Numeric)]
    rating: BigDecimal,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    total: i32,
}

#[derive(QueryableByName)]
struct Recent {
    #[diesel(sql_type = Text)]
    number: String,
    #[diesel(sql_type = Text)]
    buyer: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    seller: Option<String>,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Numeric)]
    total: BigDecimal,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

fn pairs(rows: Vec<Counted>) -> Vec<(String, i64)> {
    rows.into_iter().map(|r| (r.name, r.n)).collect()
}

impl DashboardRepository for Db {
    async fn dashboard(
        &self,
        now: DateTime<Utc>,
        zone: String,
        days: i64,
    ) -> Result<Dashboard, StoreError> {
        let mut conn = self.conn().await?;
        let t: Totals = sql_query(TOTALS.replace("{took}", TOOK_MONEY))
            .bind::<Timestamptz, _>(now)
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let counted = |sql: &'static str| sql_query(sql);
        let by_status: Vec<Counted> = counted(
            "SELECT status AS name, count(*) AS n FROM orders GROUP BY status ORDER BY n DESC, name",
        )
        .load(&mut conn)
        .await
        .map_err(store)?;
        let by_type: Vec<Counted> = counted(
            "SELECT order_type AS name, count(*) AS n FROM orders GROUP BY order_type ORDER BY n DESC, name",
        )
        .load(&mut conn)
        .await
        .map_err(store)?;
        let by_condition: Vec<Counted> = counted(
            "SELECT condition AS name, count(*) AS n FROM products GROUP BY condition ORDER BY n DESC, name",
        )
        .load(&mut conn)
        .await
        .map_err(store)?;
        let categories: Vec<Counted> = counted(
            "SELECT c.name::text AS name, (SELECT count(*) FROM products p WHERE p.category_id = c.id) AS n \
             FROM categories c ORDER BY n DESC, c.name LIMIT 10",
        )
        .load(&mut conn)
        .await
        .map_err(store)?;
        // `days` local days ending today, each with the revenue paid (less what was refunded,
        // as the totals) and the orders placed; one pass over the month's orders each.
        let days: Vec<Day> = sql_query(format!(
            "WITH d AS (SELECT generate_series(($1 AT TIME ZONE $2)::date - ($3::int - 1), ($1 AT TIME ZONE $2)::date, \
               interval '1 day')::date AS day), \
             refunded AS (SELECT s.order_id, sum(s.refunded) AS refunded FROM order_sellers s \
               WHERE s.refunded <> 0 GROUP BY s.order_id), \
             paid AS (SELECT (o.paid_at AT TIME ZONE $2)::date AS day, \
                 sum(o.total_amount - COALESCE(r.refunded, 0)) AS amount \
               FROM orders o LEFT JOIN refunded r ON r.order_id = o.id \
               WHERE o.status IN {TOOK_MONEY} AND o.paid_at > $1 - make_interval(days => $3::int + 1) \
               GROUP BY 1), \
             placed AS (SELECT (created_at AT TIME ZONE $2)::date AS day, count(*) AS n \
               FROM orders WHERE created_at > $1 - make_interval(days => $3::int + 1) GROUP BY 1) \
             SELECT d.day, COALESCE(paid.amount, 0) AS amount, COALESCE(placed.n, 0) AS n \
             FROM d LEFT JOIN paid USING (day) LEFT JOIN placed USING (day) ORDER BY d.day"
        ))
        .bind::<Timestamptz, _>(now)
        .bind::<Text, _>(zone.clone())
        .bind::<diesel::sql_types::Integer, _>(i32::try_from(days).unwrap_or(30))
        .load(&mut conn)
        .await
        .map_err(store)?;
        // Twelve local calendar months ending with this one.
        let registrations: Vec<Counted> = sql_query(
            "WITH m AS (SELECT generate_series(date_trunc('month', $1 AT TIME ZONE $2) - interval '11 months', \
               date_trunc('month', $1 AT TIME ZONE $2), interval '1 month') AS start) \
             SELECT to_char(m.start, 'Mon YYYY') AS name, \
               (SELECT count(*) FROM users u WHERE u.created_at AT TIME ZONE $2 >= m.start \
                 AND u.created_at AT TIME ZONE $2 < m.start + interval '1 month') AS n \
             FROM m ORDER BY m.start",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<Text, _>(zone)
        .load(&mut conn)
        .await
        .map_err(store)?;
        let best: Vec<Best> = sql_query(format!(
            "WITH sold AS (SELECT i.product_id, sum(i.quantity - i.refunded_quantity)::bigint AS n \
               FROM order_items i JOIN orders o ON o.id = i.order_id \
               WHERE o.status IN {TOOK_MONEY} GROUP BY i.product_id \
               HAVING sum(i.quantity - i.refunded_quantity) > 0 ORDER BY n DESC, i.product_id LIMIT 10) \
             SELECT p.id, p.name::text AS name, sold.n, u.username::text AS seller \
             FROM sold JOIN products p ON p.id = sold.product_id JOIN users u ON u.id = p.seller_id \
             ORDER BY sold.n DESC, p.id"
        ))
        .load(&mut conn)
        .await
        .map_err(store)?;
        let earners: Vec<Earner> = sql_query(format!(
            "SELECT u.id, u.username::text AS username, u.email::text AS email, \
               sum(s.seller_amount - (s.refunded - s.fee_refunded)) AS amount \
             FROM order_sellers s JOIN orders o ON o.id = s.order_id JOIN users u ON u.id = s.seller_id \
             WHERE o.status IN {TOOK_MONEY} GROUP BY u.id ORDER BY amount DESC, u.id LIMIT 10"
        ))
        .load(&mut conn)
        .await
        .map_err(store)?;
        let rated: Vec<Rated> = sql_query(
            "SELECT u.username::text AS username, sp.brand_name::text AS brand_name, \
               sp.average_rating AS rating, sp.total_feedbacks AS total \
             FROM seller_profiles sp JOIN users u ON u.id = sp.user_id \
             WHERE sp.total_feedbacks >= 5 ORDER BY sp.average_rating DESC, sp.total_feedbacks DESC LIMIT 10",
        )
        .load(&mut conn)
        .await
        .map_err(store)?;
        let recent: Vec<Recent> = sql_query(
            "SELECT o.order_number AS number, b.username::text AS buyer, s.username::text AS seller, \
               o.order_type AS kind, o.total_amount AS total, o.status, o.created_at \
             FROM orders o JOIN users b ON b.id = o.buyer_id LEFT JOIN users s ON s.id = o.seller_id \
             ORDER BY o.created_at DESC, o.id DESC LIMIT 10",
        )
        .load(&mut conn)
        .await
        .map_err(store)?;
        Ok(Dashboard {
            total_users: t.total_users,
            total_buyers: t.total_buyers,
            total_sellers: t.total_sellers,
            new_users_this_month: t.new_users_this_month,
            blocked_users: t.blocked_users,
            total_products: t.total_products,
            active_auction_listings: t.active_auction_listings,
            active_fixed_price_listings: t.active_fixed_price_listings,
            products_this_month: t.products_this_month,
            total_orders: t.total_orders,
            pending_orders: t.pending_orders,
            completed_orders: t.completed_orders,
            orders_this_month: t.orders_this_month,
            awaiting_shipment: t.awaiting_shipment,
            total_revenue: pkr(&t.total_revenue),
            platform_fees: pkr(&t.platform_fees),
            revenue_this_month: pkr(&t.revenue_this_month),
            avg_order_value: pkr(&t.avg_order_value),
            verified_sellers: t.verified_sellers,
            total_seller_profiles: t.total_seller_profiles,
            total_feedbacks: t.total_feedbacks,
            seller_rating_sum: t.seller_rating_sum,
            platform_rating_sum: t.platform_rating_sum,
            total_transfers: t.total_transfers,
            total_transferred_amount: pkr(&t.total_transferred_amount),
            pending_transfers: t.pending_transfers,
            failed_transfers: t.failed_transfers,
            orders_by_status: pairs(by_status),
            order_type_distribution: pairs(by_type),
            condition_distribution: pairs(by_condition),
            top_categories: pairs(categories),
            revenue_trend: days.iter().map(|d| (d.day, pkr(&d.amount))).collect(),
            orders_trend: days.iter().map(|d| (d.day, d.n)).collect(),
            registrations: pairs(registrations),
            best_selling: best
                .into_iter()
                .map(|b| BestSelling {
                    id: b.id,
                    name: b.name,
                    total_sold: b.n,
                    seller_username: b.seller,
                })
                .collect(),
            top_sellers: earners
                .into_iter()
                .map(|e| TopSeller {
                    id: e.id,
                    username: e.username,
                    email: e.email,
                    total_revenue: pkr(&e.amount),
                })
                .collect(),
            top_rated: rated
                .into_iter()
                .map(|r| TopRated {
                    username: r.username,
                    brand_name: r.brand_name,
                    average_rating_centi: hundredths(&r.rating),
                    total_feedbacks: r.total,
                })
                .collect(),
            recent_orders: recent
                .into_iter()
                .map(|r| RecentOrder {
                    number: r.number,
                    buyer: r.buyer,
                    seller: r.seller,
                    order_type: r.kind,
                    total: pkr(&r.total),
                    status: r.status,
                    created_at: r.created_at,
                })
                .collect(),
        })
    }
}
