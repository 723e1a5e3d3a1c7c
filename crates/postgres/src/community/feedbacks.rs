//! Seller feedback, and the seller profile's rating cache, refreshed in the transaction of every
//! write with the seller's profile row locked (so concurrent writes cannot leave it stale).

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::community::feedback::{
    Feedback, FeedbackChanges, FeedbackOrder, FeedbackQuery, FeedbackSort, NewFeedback, SellerStats,
};
use madeinpk_domain::community::ports::FeedbackRepository;
use madeinpk_domain::ids::{FeedbackId, OrderId, UserId};
use madeinpk_domain::order::model::{OrderStatus, OrderType};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::account::addresses::then_order;
use crate::db::Db;
use crate::error::store;
use crate::schema::{feedbacks, orders, seller_profiles, users};

type Row = (
    i64,
    i64,
    String,
    i64,
    String,
    i64,
    i16,
    String,
    i16,
    String,
    i16,
    bool,
    i16,
    DateTime<Utc>,
);

macro_rules! feedback_query {
    () => {
        feedbacks::table
            .inner_join(orders::table)
            .inner_join(users::table)
            .select((
                feedbacks::id,
                feedbacks::order_id,
                orders::order_number,
                feedbacks::buyer_id,
                users::username,
                feedbacks::seller_id,
                feedbacks::seller_rating,
                feedbacks::seller_comment,
                feedbacks::platform_rating,
                feedbacks::platform_comment,
                feedbacks::communication_rating,
                feedbacks::product_as_described,
                feedbacks::shipping_speed_rating,
                feedbacks::created_at,
            ))
    };
}

fn to_feedback(r: Row) -> Feedback {
    Feedback {
        id: FeedbackId(r.0),
        order: OrderId(r.1),
        order_number: r.2,
        buyer: UserId(r.3),
        buyer_username: r.4,
        seller: UserId(r.5),
        seller_rating: r.6,
        seller_comment: r.7,
        platform_rating: r.8,
        platform_comment: r.9,
        communication_rating: r.10,
        product_as_described: r.11,
        shipping_speed_rating: r.12,
        created_at: r.13,
    }
}

#[derive(QueryableByName)]
struct Totals {
    #[diesel(sql_type = BigInt)]
    total: i64,
    #[diesel(sql_type = BigInt)]
    seller_sum: i64,
    #[diesel(sql_type = BigInt)]
    communication_sum: i64,
    #[diesel(sql_type = BigInt)]
    shipping_sum: i64,
    #[diesel(sql_type = BigInt)]
    described: i64,
}

/// Integer totals over one seller's feedback (also behind the profile's `average_seller_rating`).
pub(crate) async fn totals(conn: &mut AsyncPgConnection, seller: i64) -> QueryResult<SellerStats> {
    let t: Totals = diesel::sql_query(
        "SELECT count(*) AS total,
                coalesce(sum(seller_rating), 0)::int8 AS seller_sum,
                coalesce(sum(communication_rating), 0)::int8 AS communication_sum,
                coalesce(sum(shipping_speed_rating), 0)::int8 AS shipping_sum,
                count(*) FILTER (WHERE product_as_described) AS described
         FROM feedbacks WHERE seller_id = $1",
    )
    .bind::<BigInt, _>(seller)
    .get_result(conn)
    .await?;
    Ok(SellerStats {
        total: t.total,
        seller_rating_sum: t.seller_sum,
        communication_sum: t.communication_sum,
        shipping_speed_sum: t.shipping_sum,
        described: t.described,
    })
}

/// Recomputes the seller profile's `average_rating` and `total_feedbacks` (if the seller has a
/// profile). The row is locked first, so the totals are read after every earlier writer
/// committed; call it after the feedback write, inside its transaction.
async fn refresh_rating(conn: &mut AsyncPgConnection, seller: i64) -> QueryResult<()> {
    let profile: Option<i64> = seller_profiles::table
        .filter(seller_profiles::user_id.eq(seller))
        .select(seller_profiles::id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(profile) = profile else {
        return Ok(());
    };
    let rating = totals(conn, seller).await?.profile_rating();
    diesel::update(seller_profiles::table.find(profile))
        .set((
            seller_profiles::average_rating.eq(BigDecimal::new(rating.average_centi.into(), 2)),
            seller_profiles::total_feedbacks.eq(rating.total),
            seller_profiles::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

impl FeedbackRepository for Db {
    async fn refresh_profile_rating(
        &self,
        id: madeinpk_domain::ids::SellerProfileId,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let seller: Option<i64> = seller_profiles::table
                .find(id.get())
                .select(seller_profiles::user_id)
                .first(conn)
                .await
                .optional()?;
            match seller {
                Some(seller) => refresh_rating(conn, seller).await.map(|()| true),
                None => Ok(false),
            }
        })
        .await
        .map_err(store)
    }

    async fn list_feedbacks(
        &self,
        query: FeedbackQuery,
        page: PageRequest,
    ) -> Result<Page<Feedback>, StoreError> {
        let mut conn = self.conn().await?;
        let filtered = || {
            let mut q = feedbacks::table
                .inner_join(orders::table)
                .inner_join(users::table)
                .into_boxed();
            if let Some(seller) = query.seller {
                q = q.filter(feedbacks::seller_id.eq(seller.get()));
            }
            q
        };
        let count: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let mut q = filtered().select(feedbacks::id);
        if query.ordering.is_empty() {
            q = q.then_order_by(feedbacks::created_at.desc());
        }
        for s in &query.ordering {
            q = match s.field {
                FeedbackSort::Id => then_order!(q, feedbacks::id, s.descending),
                FeedbackSort::Order => then_order!(q, feedbacks::order_id, s.descending),
                FeedbackSort::OrderNumber => then_order!(q, orders::order_number, s.descending),
                FeedbackSort::Buyer => then_order!(q, feedbacks::buyer_id, s.descending),
                FeedbackSort::BuyerUsername => then_order!(q, users::username, s.descending),
                FeedbackSort::SellerRating => {
                    then_order!(q, feedbacks::seller_rating, s.descending)
                }
                FeedbackSort::SellerComment => {
                    then_order!(q, feedbacks::seller_comment, s.descending)
                }
                FeedbackSort::PlatformRating => {
                    then_order!(q, feedbacks::platform_rating, s.descending)
                }
                FeedbackSort::PlatformComment => {
                    then_order!(q, feedbacks::platform_comment, s.descending)
                }
                FeedbackSort::CommunicationRating => {
                    then_order!(q, feedbacks::communication_rating, s.descending)
                }
                FeedbackSort::ProductAsDescribed => {
                    then_order!(q, feedbacks::product_as_described, s.descending)
                }
                FeedbackSort::ShippingSpeedRating => {
                    then_order!(q, feedbacks::shipping_speed_rating, s.descending)
                }
                FeedbackSort::CreatedAt => then_order!(q, feedbacks::created_at, s.descending),
            };
        }
        let ids: Vec<i64> = q
            .then_order_by(feedbacks::id.desc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        let rows: Vec<Row> = feedback_query!()
            .filter(feedbacks::id.eq_any(&ids))
            .load(&mut conn)
            .await
            .map_err(store)?;
        let mut items: Vec<Feedback> = rows.into_iter().map(to_feedback).collect();
        items.sort_by_key(|f| ids.iter().position(|i| *i == f.id.get()));
        Ok(Page { count, items })
    }

    async fn feedback(&self, id: FeedbackId) -> Result<Option<Feedback>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<Row> = feedback_query!()
            .filter(feedbacks::id.eq(id.get()))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(to_feedback))
    }

    async fn feedback_order(
        &self,
        buyer: UserId,
        order: OrderId,
    ) -> Result<Option<FeedbackOrder>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(String, String, Option<i64>)> = orders::table
            .filter(
                orders::id
                    .eq(order.get())
                    .and(orders::buyer_id.eq(buyer.get())),
            )
            .select((orders::order_type, orders::status, orders::seller_id))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        let Some((order_type, status, seller)) = row else {
            return Ok(None);
        };
        let given: i64 = feedbacks::table
            .filter(feedbacks::order_id.eq(order.get()))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        Ok(Some(FeedbackOrder {
            // The columns' CHECKs allow only known values; anything else is refused as such.
            order_type: OrderType::parse(&order_type).unwrap_or(OrderType::Cart),
            status: OrderStatus::parse(&status).unwrap_or(OrderStatus::PendingPayment),
            seller: seller.map(UserId),
            has_feedback: given > 0,
        }))
    }

    async fn create_feedback(&self, new: NewFeedback) -> Result<Option<FeedbackId>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // The order's unique key decides a race between two submissions.
            let id: Option<i64> = diesel::insert_into(feedbacks::table)
                .values((
                    feedbacks::order_id.eq(new.order.get()),
                    feedbacks::buyer_id.eq(new.buyer.get()),
                    feedbacks::seller_id.eq(new.seller.get()),
                    feedbacks::seller_rating.eq(new.seller_rating),
                    feedbacks::seller_comment.eq(new.seller_comment),
                    feedbacks::platform_rating.eq(new.platform_rating),
                    feedbacks::platform_comment.eq(new.platform_comment),
                    feedbacks::communication_rating.eq(new.communication_rating),
                    feedbacks::product_as_described.eq(new.product_as_described),
                    feedbacks::shipping_speed_rating.eq(new.shipping_speed_rating),
                ))
                .on_conflict(feedbacks::order_id)
                .do_nothing()
                .returning(feedbacks::id)
                .get_result(conn)
                .await
                .optional()?;
            if id.is_some() {
                refresh_rating(conn, new.seller.get()).await?;
            }
            Ok(id.map(FeedbackId))
        })
        .await
        .map_err(store)
    }

    async fn update_feedback(
        &self,
        id: FeedbackId,
        changes: FeedbackChanges,
    ) -> Result<bool, StoreError> {
        #[derive(AsChangeset)]
        #[diesel(table_name = feedbacks)]
        struct Set {
            seller_rating: Option<i16>,
            seller_comment: Option<String>,
            platform_rating: Option<i16>,
            platform_comment: Option<String>,
            communication_rating: Option<i16>,
            product_as_described: Option<bool>,
            shipping_speed_rating: Option<i16>,
            updated_at: DateTime<Utc>,
        }
        let set = Set {
            seller_rating: changes.seller_rating,
            seller_comment: changes.seller_comment,
            platform_rating: changes.platform_rating,
            platform_comment: changes.platform_comment,
            communication_rating: changes.communication_rating,
            product_as_described: changes.product_as_described,
            shipping_speed_rating: changes.shipping_speed_rating,
            updated_at: Utc::now(),
        };
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let seller: Option<i64> = diesel::update(feedbacks::table.find(id.get()))
                .set(&set)
                .returning(feedbacks::seller_id)
                .get_result(conn)
                .await
                .optional()?;
            let Some(seller) = seller else {
                return Ok(false);
            };
            refresh_rating(conn, seller).await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }

    async fn delete_feedback(&self, id: FeedbackId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let seller: Option<i64> = diesel::delete(feedbacks::table.find(id.get()))
                .returning(feedbacks::seller_id)
                .get_result(conn)
                .await
                .optional()?;
            let Some(seller) = seller else {
                return Ok(false);
            };
            refresh_rating(conn, seller).await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }

    async fn seller_stats(&self, seller: UserId) -> Result<SellerStats, StoreError> {
        let mut conn = self.conn().await?;
        totals(&mut conn, seller.get()).await.map_err(store)
    }
}
