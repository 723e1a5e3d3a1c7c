//! The admin dashboard's figures, read over five pooled connections at once: the reads are
//! independent, and PostgreSQL runs each on a core of its own, so one operator waits for the
//! longest lane rather than for the sum of a dozen statements.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{Array, BigInt, Bool, Date, Integer, Numeric, Text, Timestamptz};
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use madeinpk_domain::reporting::dashboard::{
    BestSelling, Dashboard, RecentOrder, TopRated, TopSeller,
};
use madeinpk_domain::reporting::order_figures::{
    OrderFigures, OrderGroup, RECENT_DAYS, RefundGroup, order_figures, paying_statuses,
};
use madeinpk_domain::reporting::ports::DashboardRepository;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::money::{hundredths, pkr};
use crate::reporting::dashboard_sql as q;

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

#[derive(QueryableByName)]
struct Group {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    order_type: String,
    #[diesel(sql_type = BigInt)]
    orders: i64,
    #[diesel(sql_type = Numeric)]
    total: BigDecimal,
    #[diesel(sql_type = Numeric)]
    fee: BigDecimal,
    #[diesel(sql_type = BigInt)]
    placed_recently: i64,
    #[diesel(sql_type = Numeric)]
    paid_recently: BigDecimal,
}

#[derive(QueryableByName)]
struct Back {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Bool)]
    paid_recently: bool,
    #[diesel(sql_type = Numeric)]
    refunded: BigDecimal,
    #[diesel(sql_type = Numeric)]
    fee_refunded: BigDecimal,
}

fn pairs(rows: Vec<Counted>) -> Vec<(String, i64)> {
    rows.into_iter().map(|r| (r.name, r.n)).collect()
}

/// The figures of everything but the orders.
struct Others {
    totals: Totals,
    by_condition: Vec<Counted>,
    categories: Vec<Counted>,
}

/// Best sellers and ratings.
struct Leaders {
    best: Vec<Best>,
    rated: Vec<Rated>,
    recent: Vec<Recent>,
}

/// Earnings and sign-ups.
struct People {
    earners: Vec<Earner>,
    registrations: Vec<Counted>,
}

fn recent_days() -> i32 {
    i32::try_from(RECENT_DAYS).unwrap_or(30)
}

impl Db {
    async fn dashboard_others(&self, now: DateTime<Utc>) -> Result<Others, StoreError> {
        let mut conn = self.conn().await?;
        let totals = sql_query(q::TOTALS)
            .bind::<Timestamptz, _>(now)
            .bind::<Integer, _>(recent_days())
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let by_condition = sql_query(q::BY_CONDITION)
            .load(&mut conn)
            .await
            .map_err(store)?;
        let categories = sql_query(q::CATEGORIES)
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(Others {
            totals,
            by_condition,
            categories,
        })
    }

    async fn dashboard_orders(&self, now: DateTime<Utc>) -> Result<OrderFigures, StoreError> {
        let mut conn = self.conn().await?;
        let groups: Vec<Group> = sql_query(q::ORDER_GROUPS)
            .bind::<Timestamptz, _>(now)
            .bind::<Integer, _>(recent_days())
            .load(&mut conn)
            .await
            .map_err(store)?;
        let backs: Vec<Back> = sql_query(q::REFUND_GROUPS)
            .bind::<Timestamptz, _>(now)
            .bind::<Integer, _>(recent_days())
            .load(&mut conn)
            .await
            .map_err(store)?;
        let groups: Vec<OrderGroup> = groups
            .into_iter()
            .map(|g| OrderGroup {
                status: g.status,
                order_type: g.order_type,
                orders: g.orders,
                total: pkr(&g.total),
                fee: pkr(&g.fee),
                placed_recently: g.placed_recently,
                paid_recently: pkr(&g.paid_recently),
            })
            .collect();
        let backs: Vec<RefundGroup> = backs
            .into_iter()
            .map(|b| RefundGroup {
                status: b.status,
                paid_recently: b.paid_recently,
                refunded: pkr(&b.refunded),
                fee_refunded: pkr(&b.fee_refunded),
            })
            .collect();
        Ok(order_figures(&groups, &backs))
    }

    async fn dashboard_days(
        &self,
        now: DateTime<Utc>,
        zone: String,
        days: i64,
    ) -> Result<Vec<Day>, StoreError> {
        let mut conn = self.conn().await?;
        sql_query(q::DAYS)
            .bind::<Timestamptz, _>(now)
            .bind::<Text, _>(zone)
            .bind::<Integer, _>(i32::try_from(days).unwrap_or(30))
            .bind::<Array<Text>, _>(paying_statuses())
            .load(&mut conn)
            .await
            .map_err(store)
    }

    async fn dashboard_leaders(&self) -> Result<Leaders, StoreError> {
        let mut conn = self.conn().await?;
        let best = sql_query(q::BEST_SELLING)
            .bind::<Array<Text>, _>(paying_statuses())
            .load(&mut conn)
            .await
            .map_err(store)?;
        let rated = sql_query(q::TOP_RATED)
            .load(&mut conn)
            .await
            .map_err(store)?;
        let recent = sql_query(q::RECENT_ORDERS)
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(Leaders {
            best,
            rated,
            recent,
        })
    }

    async fn dashboard_people(
        &self,
        now: DateTime<Utc>,
        zone: String,
    ) -> Result<People, StoreError> {
        let mut conn = self.conn().await?;
        let earners = sql_query(q::TOP_SELLERS)
            .bind::<Array<Text>, _>(paying_statuses())
            .load(&mut conn)
            .await
            .map_err(store)?;
        let registrations = sql_query(q::REGISTRATIONS)
            .bind::<Timestamptz, _>(now)
            .bind::<Text, _>(zone)
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(People {
            earners,
            registrations,
        })
    }
}

impl DashboardRepository for Db {
    async fn dashboard(
        &self,
        now: DateTime<Utc>,
        zone: String,
        days: i64,
    ) -> Result<Dashboard, StoreError> {
        let (others, o, days, leaders, people) = tokio::try_join!(
            self.dashboard_others(now),
            self.dashboard_orders(now),
            self.dashboard_days(now, zone.clone(), days),
            self.dashboard_leaders(),
            self.dashboard_people(now, zone),
        )?;
        let t = others.totals;
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
            total_orders: o.total_orders,
            pending_orders: o.pending_orders,
            completed_orders: o.completed_orders,
            orders_this_month: o.orders_this_month,
            awaiting_shipment: o.awaiting_shipment,
            total_revenue: o.total_revenue,
            platform_fees: o.platform_fees,
            revenue_this_month: o.revenue_this_month,
            avg_order_value: o.avg_order_value,
            verified_sellers: t.verified_sellers,
            total_seller_profiles: t.total_seller_profiles,
            total_feedbacks: t.total_feedbacks,
            seller_rating_sum: t.seller_rating_sum,
            platform_rating_sum: t.platform_rating_sum,
            total_transfers: t.total_transfers,
            total_transferred_amount: pkr(&t.total_transferred_amount),
            pending_transfers: t.pending_transfers,
            failed_transfers: t.failed_transfers,
            orders_by_status: o.orders_by_status,
            order_type_distribution: o.order_type_distribution,
            condition_distribution: pairs(others.by_condition),
            top_categories: pairs(others.categories),
            revenue_trend: days.iter().map(|d| (d.day, pkr(&d.amount))).collect(),
            orders_trend: days.iter().map(|d| (d.day, d.n)).collect(),
            registrations: pairs(people.registrations),
            best_selling: leaders
                .best
                .into_iter()
                .map(|b| BestSelling {
                    id: b.id,
                    name: b.name,
                    total_sold: b.n,
                    seller_username: b.seller,
                })
                .collect(),
            top_sellers: people
                .earners
                .into_iter()
                .map(|e| TopSeller {
                    id: e.id,
                    username: e.username,
                    email: e.email,
                    total_revenue: pkr(&e.amount),
                })
                .collect(),
            top_rated: leaders
                .rated
                .into_iter()
                .map(|r| TopRated {
                    username: r.username,
                    brand_name: r.brand_name,
                    average_rating_centi: hundredths(&r.rating),
                    total_feedbacks: r.total,
                })
                .collect(),
            recent_orders: leaders
                .recent
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
