//! Seller profiles beyond creation: listing, edits, deletes, the verified badge.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use madeinpk_domain::account::user::SellerProfile;
use madeinpk_domain::community::ports::SellerProfileRepository;
use madeinpk_domain::community::seller_profile::{
    SellerProfileChanges, SellerProfileQuery, SellerProfileSort,
};
use madeinpk_domain::ids::{AddressId, SellerProfileId};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::account::addresses::then_order;
use crate::account::users::load_seller_profile;
use crate::db::Db;
use crate::error::store;
use crate::schema::seller_profiles;

impl SellerProfileRepository for Db {
    async fn list_profiles(
        &self,
        query: SellerProfileQuery,
        page: PageRequest,
    ) -> Result<Page<SellerProfile>, StoreError> {
        let mut conn = self.conn().await?;
        let filtered = || {
            let mut q = seller_profiles::table.into_boxed();
            if let Some(owner) = query.owner {
                q = q.filter(seller_profiles::user_id.eq(owner.get()));
            }
            q
        };
        let count: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let mut q = filtered().select(seller_profiles::user_id);
        for s in &query.ordering {
            q = match s.field {
                SellerProfileSort::Id => then_order!(q, seller_profiles::id, s.descending),
                SellerProfileSort::BrandName => {
                    then_order!(q, seller_profiles::brand_name, s.descending)
                }
                SellerProfileSort::CreatedAt => {
                    then_order!(q, seller_profiles::created_at, s.descending)
                }
                SellerProfileSort::IsVerified => {
                    then_order!(q, seller_profiles::is_verified, s.descending)
                }
                SellerProfileSort::AverageRating => {
                    then_order!(q, seller_profiles::average_rating, s.descending)
                }
            };
        }
        let owners: Vec<i64> = q
            .then_order_by(seller_profiles::id.asc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        // Everyone but admins sees one row; the admin page is at most `page_size` profiles.
        let mut items = Vec::with_capacity(owners.len());
        for owner in owners {
            if let Some(p) = load_seller_profile(&mut conn, owner).await.map_err(store)? {
                items.push(p);
            }
        }
        Ok(Page { count, items })
    }

    async fn profile(&self, id: SellerProfileId) -> Result<Option<SellerProfile>, StoreError> {
        let mut conn = self.conn().await?;
        let owner: Option<i64> = seller_profiles::table
            .find(id.get())
            .select(seller_profiles::user_id)
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        match owner {
            Some(owner) => load_seller_profile(&mut conn, owner).await.map_err(store),
            None => Ok(None),
        }
    }

    async fn update_profile(
        &self,
        id: SellerProfileId,
        changes: SellerProfileChanges,
    ) -> Result<(), StoreError> {
        #[derive(AsChangeset)]
        #[diesel(table_name = seller_profiles)]
        struct Set {
            brand_name: Option<String>,
            biography: Option<String>,
            business_address_id: Option<Option<i64>>,
            business_phone: Option<String>,
            website: Option<String>,
            social_media_links: Option<serde_json::Value>,
            is_verified: Option<bool>,
            updated_at: DateTime<Utc>,
        }
        let mut conn = self.conn().await?;
        diesel::update(seller_profiles::table.find(id.get()))
            .set(&Set {
                brand_name: changes.brand_name,
                biography: changes.biography,
                business_address_id: changes.business_address_id.map(|a| a.map(AddressId::get)),
                business_phone: changes.business_phone,
                website: changes.website,
                social_media_links: changes.social_media_links,
                is_verified: changes.is_verified,
                updated_at: Utc::now(),
            })
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }

    async fn delete_profile(&self, id: SellerProfileId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(seller_profiles::table.find(id.get()))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(n == 1)
    }
}
