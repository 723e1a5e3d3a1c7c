//! Product reviews.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use madeinpk_domain::community::ports::ReviewRepository;
use madeinpk_domain::community::review::{
    Review, ReviewEligibility, ReviewInput, ReviewQuery, ReviewSort,
};
use madeinpk_domain::ids::{ProductId, ReviewId, UserId};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::account::addresses::then_order;
use crate::db::Db;
use crate::error::{store, unique_violation};
use crate::schema::{order_items, orders, product_reviews, products, users};

type Row = (
    i64,
    i64,
    String,
    i64,
    String,
    Option<i64>,
    i16,
    String,
    String,
    bool,
    DateTime<Utc>,
    DateTime<Utc>,
);

macro_rules! review_query {
    () => {
        product_reviews::table
            .inner_join(products::table)
            .inner_join(users::table)
            .select((
                product_reviews::id,
                product_reviews::product_id,
                products::name,
                product_reviews::buyer_id,
                users::username,
                product_reviews::order_id,
                product_reviews::rating,
                product_reviews::title,
                product_reviews::comment,
                product_reviews::is_verified_purchase,
                product_reviews::created_at,
                product_reviews::updated_at,
            ))
    };
}

fn to_review(r: Row) -> Review {
    Review {
        id: ReviewId(r.0),
        product: ProductId(r.1),
        product_name: r.2,
        buyer: UserId(r.3),
        buyer_username: r.4,
        order: r.5,
        rating: r.6,
        title: r.7,
        comment: r.8,
        is_verified_purchase: r.9,
        created_at: r.10,
        updated_at: r.11,
    }
}

impl ReviewRepository for Db {
    async fn set_review_verified(
        &self,
        id: ReviewId,
        order: Option<i64>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(
            product_reviews::table
                .find(id.get())
                .filter(product_reviews::is_verified_purchase.eq(false)),
        )
        .set((
            product_reviews::is_verified_purchase.eq(true),
            product_reviews::order_id.eq(order),
            product_reviews::updated_at.eq(Utc::now()),
        ))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(n == 1)
    }

    async fn list_reviews(
        &self,
        query: ReviewQuery,
        page: PageRequest,
    ) -> Result<Page<Review>, StoreError> {
        let mut conn = self.conn().await?;
        let filtered = || {
            let mut q = product_reviews::table.into_boxed();
            if let Some(p) = query.product {
                q = q.filter(product_reviews::product_id.eq(p.get()));
            }
            if let Some(r) = query.rating {
                q = q.filter(product_reviews::rating.eq(i16::try_from(r).unwrap_or(0)));
            }
            if query.verified_only {
                q = q.filter(product_reviews::is_verified_purchase.eq(true));
            }
            q
        };
        let count: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let mut q = filtered().select(product_reviews::id);
        if query.ordering.is_empty() {
            q = q.then_order_by(product_reviews::created_at.desc());
        }
        for s in &query.ordering {
            q = match s.field {
                ReviewSort::CreatedAt => then_order!(q, product_reviews::created_at, s.descending),
                ReviewSort::Rating => then_order!(q, product_reviews::rating, s.descending),
            };
        }
        let ids: Vec<i64> = q
            .then_order_by(product_reviews::id.desc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        let rows: Vec<Row> = review_query!()
            .filter(product_reviews::id.eq_any(&ids))
            .load(&mut conn)
            .await
            .map_err(store)?;
        let mut items: Vec<Review> = rows.into_iter().map(to_review).collect();
        items.sort_by_key(|r| ids.iter().position(|i| *i == r.id.get()));
        Ok(Page { count, items })
    }

    async fn review(&self, id: ReviewId) -> Result<Option<Review>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<Row> = review_query!()
            .filter(product_reviews::id.eq(id.get()))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(to_review))
    }

    async fn eligibility(
        &self,
        buyer: UserId,
        product: ProductId,
    ) -> Result<ReviewEligibility, StoreError> {
        let mut conn = self.conn().await?;
        let found: Option<(i64, Option<String>)> = products::table
            .find(product.get())
            .select((products::seller_id, products::listing_type))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        let Some((seller, listing_type)) = found else {
            return Ok(ReviewEligibility {
                product_exists: false,
                is_auction: false,
                is_fixed_price: false,
                is_own: false,
                has_reviewed: false,
                order_statuses: Vec::new(),
                order_ids: Vec::new(),
            });
        };
        let reviewed: i64 = product_reviews::table
            .filter(
                product_reviews::product_id
                    .eq(product.get())
                    .and(product_reviews::buyer_id.eq(buyer.get())),
            )
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        // The caller's orders containing the product, newest first.
        let orders: Vec<(i64, String)> = orders::table
            .filter(
                orders::buyer_id.eq(buyer.get()).and(
                    orders::id.eq_any(
                        order_items::table
                            .filter(order_items::product_id.eq(product.get()))
                            .select(order_items::order_id),
                    ),
                ),
            )
            .select((orders::id, orders::status))
            .order((orders::created_at.desc(), orders::id.desc()))
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(ReviewEligibility {
            product_exists: true,
            is_auction: listing_type.as_deref() == Some("auction"),
            is_fixed_price: listing_type.as_deref() == Some("fixed_price"),
            is_own: seller == buyer.get(),
            has_reviewed: reviewed > 0,
            order_ids: orders.iter().map(|o| o.0).collect(),
            order_statuses: orders.into_iter().map(|o| o.1).collect(),
        })
    }

    async fn create_review(
        &self,
        buyer: UserId,
        input: ReviewInput,
        verified: bool,
    ) -> Result<Option<ReviewId>, StoreError> {
        let mut conn = self.conn().await?;
        let result = diesel::insert_into(product_reviews::table)
            .values((
                product_reviews::product_id.eq(input.product.map_or(0, ProductId::get)),
                product_reviews::buyer_id.eq(buyer.get()),
                product_reviews::order_id.eq(input.order.flatten()),
                product_reviews::rating.eq(i16::try_from(input.rating.unwrap_or(1)).unwrap_or(1)),
                product_reviews::title.eq(input.title.unwrap_or_default()),
                product_reviews::comment.eq(input.comment.unwrap_or_default()),
                product_reviews::is_verified_purchase.eq(verified),
            ))
            .returning(product_reviews::id)
            .get_result::<i64>(&mut conn)
            .await;
        match result {
            Ok(id) => Ok(Some(ReviewId(id))),
            Err(e) if unique_violation(&e).is_some() => Ok(None),
            Err(e) => Err(store(e)),
        }
    }

    async fn update_review(&self, id: ReviewId, input: ReviewInput) -> Result<(), StoreError> {
        #[derive(AsChangeset)]
        #[diesel(table_name = product_reviews)]
        struct Set {
            rating: Option<i16>,
            title: Option<String>,
            comment: Option<String>,
            updated_at: DateTime<Utc>,
        }
        let mut conn = self.conn().await?;
        diesel::update(product_reviews::table.find(id.get()))
            .set(&Set {
                rating: input.rating.and_then(|r| i16::try_from(r).ok()),
                title: input.title,
                comment: input.comment,
                updated_at: Utc::now(),
            })
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }

    async fn delete_review(&self, id: ReviewId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(product_reviews::table.find(id.get()))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(n == 1)
    }
}
