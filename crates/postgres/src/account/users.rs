//! Users and seller profiles.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::account::ports::{UserOutbox, UserRepository};
use madeinpk_domain::account::rules::{
    NewUserRecord, ProfileChanges, SellerApplication, UniqueField, UserWriteError,
};
use madeinpk_domain::account::user::{ProfileStats, Role, SellerProfile, User};
use madeinpk_domain::ids::{AddressId, SellerProfileId, UserId};
use madeinpk_domain::outbox::Outbox;
use madeinpk_domain::store::StoreError;

use crate::account::addresses::{address_by_id, default_address_of};
use crate::db::Db;
use crate::error::{store, unique_violation};
use crate::money::hundredths;
use crate::outbox;
use crate::schema::{lower, order_items, orders, seller_profiles, users};

/// A `users` row without the password hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    id: i64,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    phone_number: String,
    profile_picture: Option<String>,
    role: String,
    is_blocked: bool,
    failed_payment_count: i32,
    stripe_account_id: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: UserId(r.id),
            username: r.username,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            phone_number: r.phone_number,
            profile_picture: r.profile_picture,
            // The CHECK constraint admits only the four roles; fall back to the least privilege.
            role: Role::parse(&r.role).unwrap_or(Role::Buyer),
            is_blocked: r.is_blocked,
            failed_payment_count: r.failed_payment_count,
            stripe_account_id: r.stripe_account_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct ProfileChangeset {
    username: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone_number: Option<String>,
    profile_picture: Option<Option<String>>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = seller_profiles)]
struct SellerProfileRow {
    id: i64,
    user_id: i64,
    brand_name: String,
    biography: String,
    business_address_text: String,
    business_address_id: Option<i64>,
    business_phone: String,
    website: String,
    social_media_links: serde_json::Value,
    is_verified: bool,
    average_rating: bigdecimal::BigDecimal,
    total_feedbacks: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn user_write_error(e: diesel::result::Error) -> UserWriteError {
    match unique_violation(&e) {
        Some(name) if name.contains("username") => UserWriteError::Duplicate(UniqueField::Username),
        Some(name) if name.contains("email") => UserWriteError::Duplicate(UniqueField::Email),
        _ => UserWriteError::Store(store(e)),
    }
}

/// Loads a user by id on a given connection.
pub async fn user_by_id(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
        .map(|r| r.map(User::from))
}

/// A user's seller profile with its business address and province.
pub async fn load_seller_profile(
    conn: &mut AsyncPgConnection,
    user: i64,
) -> QueryResult<Option<SellerProfile>> {
    let row: Option<(SellerProfileRow, String, String)> = seller_profiles::table
        .inner_join(users::table)
        .filter(seller_profiles::user_id.eq(user))
        .select((SellerProfileRow::as_select(), users::username, users::email))
        .first(conn)
        .await
        .optional()?;
    let Some((row, username, email)) = row else {
        return Ok(None);
    };
    let business_address = match row.business_address_id {
        Some(id) => address_by_id(conn, id).await?,
        None => None,
    };
    let province_name = match &business_address {
        Some(a) => Some(a.province_name.clone()),
        None => default_address_of(conn, user)
            .await?
            .map(|a| a.province_name),
    };
    Ok(Some(SellerProfile {
        id: SellerProfileId(row.id),
        user_id: UserId(row.user_id),
        user_username: username,
        user_email: email,
        brand_name: row.brand_name,
        biography: row.biography,
        business_address_text: row.business_address_text,
        business_address,
        province_name,
        business_phone: row.business_phone,
        website: row.website,
        social_media_links: row.social_media_links,
        is_verified: row.is_verified,
        average_rating_centi: hundredths(&row.average_rating),
        total_feedbacks: row.total_feedbacks,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }))
}

impl UserRepository for Db {
    async fn taken(
        &self,
        username: Option<String>,
        email: Option<String>,
        except: Option<UserId>,
    ) -> Result<Vec<UniqueField>, StoreError> {
        #[derive(QueryableByName)]
        struct Taken {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            username: bool,
            #[diesel(sql_type = diesel::sql_types::Bool)]
            email: bool,
        }
        let mut conn = self.conn().await?;
        // One round trip for both checks; both use the lower(...) unique indexes.
        let row: Taken = diesel::sql_query(
            "SELECT coalesce(bool_or(lower(username) = lower($1)), false) AS username,
                    coalesce(bool_or(lower(email) = lower($2)), false) AS email
             FROM users
             WHERE id <> $3 AND (lower(username) = lower($1) OR lower(email) = lower($2))",
        )
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(username)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(email)
        .bind::<diesel::sql_types::BigInt, _>(except.map_or(0, UserId::get))
        .get_result(&mut conn)
        .await
        .map_err(store)?;
        let mut taken = Vec::new();
        if row.username {
            taken.push(UniqueField::Username);
        }
        if row.email {
            taken.push(UniqueField::Email);
        }
        Ok(taken)
    }

    async fn create(
        &self,
        record: NewUserRecord,
        make_outbox: UserOutbox,
    ) -> Result<User, UserWriteError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let row: UserRow = diesel::insert_into(users::table)
                .values((
                    users::username.eq(&record.username),
                    users::email.eq(&record.email),
                    users::password_hash.eq(&record.password_hash),
                    users::first_name.eq(&record.first_name),
                    users::last_name.eq(&record.last_name),
                    users::phone_number.eq(&record.phone_number),
                    users::role.eq(record.role.as_str()),
                ))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await?;
            if record.with_seller_profile {
                diesel::insert_into(seller_profiles::table)
                    .values(seller_profiles::user_id.eq(row.id))
                    .execute(conn)
                    .await?;
            }
            let user = User::from(row);
            outbox::write(conn, make_outbox(&user)).await?;
            Ok(user)
        })
        .await
        .map_err(user_write_error)
    }

    async fn find(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        user_by_id(&mut conn, id.get()).await.map_err(store)
    }

    async fn find_credentials(&self, email: String) -> Result<Option<(User, String)>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(UserRow, String)> = users::table
            .filter(lower(users::email).eq(email.to_lowercase()))
            .filter(users::is_active.eq(true))
            .select((UserRow::as_select(), users::password_hash))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|(u, h)| (User::from(u), h)))
    }

    async fn update_profile(
        &self,
        id: UserId,
        changes: ProfileChanges,
    ) -> Result<User, UserWriteError> {
        let mut conn = self.conn().await?;
        let set = ProfileChangeset {
            username: changes.username,
            email: changes.email,
            first_name: changes.first_name,
            last_name: changes.last_name,
            phone_number: changes.phone_number,
            profile_picture: changes.profile_picture,
            updated_at: Utc::now(),
        };
        let row: UserRow = diesel::update(users::table.find(id.get()))
            .set(&set)
            .returning(UserRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(user_write_error)?;
        Ok(row.into())
    }

    async fn stats(&self, id: UserId) -> Result<ProfileStats, StoreError> {
        // Shipped or delivered orders; cart orders count for each seller with items in them
        // (the original left them out). The rating is the mean seller rating of their feedback.
        let received = ["shipped", "delivered"];
        let mut conn = self.conn().await?;
        let total_sales: i64 = orders::table
            .filter(
                orders::status.eq_any(received).and(
                    orders::id.eq_any(
                        order_items::table
                            .filter(order_items::seller_id.eq(id.get()))
                            .select(order_items::order_id),
                    ),
                ),
            )
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let total_purchases: i64 = orders::table
            .filter(
                orders::buyer_id
                    .eq(id.get())
                    .and(orders::status.eq_any(received)),
            )
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let ratings = crate::community::feedbacks::totals(&mut conn, id.get())
            .await
            .map_err(store)?;
        Ok(ProfileStats {
            total_sales,
            total_purchases,
            average_seller_rating: (!ratings.is_empty()).then(|| ratings.average_seller_rating()),
        })
    }

    async fn seller_profile(&self, user: UserId) -> Result<Option<SellerProfile>, StoreError> {
        let mut conn = self.conn().await?;
        load_seller_profile(&mut conn, user.get())
            .await
            .map_err(store)
    }

    async fn upgrade_password_hash(
        &self,
        user: UserId,
        old: String,
        new: String,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(
            users::table
                .find(user.get())
                .filter(users::password_hash.eq(&old)),
        )
        .set(users::password_hash.eq(&new))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(())
    }

    async fn replace_password(
        &self,
        user: UserId,
        password_hash: String,
        keep: Option<String>,
        outbox: Outbox,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            diesel::update(users::table.find(user.get()))
                .set((
                    users::password_hash.eq(&password_hash),
                    users::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            crate::account::revocation::sign_out(conn, user, keep.as_deref()).await?;
            outbox::write(conn, outbox).await
        })
        .await
        .map_err(store)
    }

    async fn create_seller_profile(
        &self,
        user: UserId,
        application: SellerApplication,
        grant_selling: bool,
        outbox: Outbox,
    ) -> Result<Option<(User, SellerProfile)>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            diesel::insert_into(seller_profiles::table)
                .values((
                    seller_profiles::user_id.eq(user.get()),
                    seller_profiles::brand_name.eq(&application.brand_name),
                    seller_profiles::biography.eq(&application.biography),
                    seller_profiles::business_address_text.eq(&application.business_address_text),
                    seller_profiles::business_address_id
                        .eq(application.business_address_id.map(AddressId::get)),
                    seller_profiles::business_phone.eq(&application.business_phone),
                    seller_profiles::website.eq(&application.website),
                    seller_profiles::social_media_links.eq(&application.social_media_links),
                ))
                .execute(conn)
                .await?;
            if grant_selling {
                diesel::update(users::table.find(user.get()))
                    .set((
                        users::role.eq(Role::Both.as_str()),
                        users::updated_at.eq(Utc::now()),
                    ))
                    .execute(conn)
                    .await?;
            }
            outbox::write(conn, outbox).await?;
            let u = user_by_id(conn, user.get())
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            let p = load_seller_profile(conn, user.get())
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            Ok(Some((u, p)))
        })
        .await
        .or_else(|e| match unique_violation(&e) {
            // The one-profile-per-user key: a concurrent request created it first.
            Some(name) if name.contains("user_id") => Ok(None),
            _ => Err(store(e)),
        })
    }

    async fn upsert_admin(
        &self,
        email: String,
        username: String,
        password_hash: String,
    ) -> Result<User, UserWriteError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let existing: Option<i64> = users::table
                .filter(lower(users::email).eq(email.to_lowercase()))
                .select(users::id)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let row: UserRow = match existing {
                Some(id) => {
                    diesel::update(users::table.find(id))
                        .set((
                            users::role.eq(Role::Admin.as_str()),
                            users::password_hash.eq(&password_hash),
                            users::is_blocked.eq(false),
                            users::is_active.eq(true),
                            users::updated_at.eq(Utc::now()),
                        ))
                        .returning(UserRow::as_returning())
                        .get_result(conn)
                        .await?
                }
                None => {
                    diesel::insert_into(users::table)
                        .values((
                            users::username.eq(&username),
                            users::email.eq(&email),
                            users::password_hash.eq(&password_hash),
                            users::role.eq(Role::Admin.as_str()),
                        ))
                        .returning(UserRow::as_returning())
                        .get_result(conn)
                        .await?
                }
            };
            Ok(User::from(row))
        })
        .await
        .map_err(user_write_error)
    }
}
