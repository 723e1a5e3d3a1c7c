//! API tokens: 32 random bytes shown once as hex, stored as their SHA-256.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::account::ports::TokenStore;
use madeinpk_domain::account::token_session::TokenSession;
use madeinpk_domain::account::user::User;
use madeinpk_domain::ids::UserId;
use madeinpk_domain::store::StoreError;

use crate::account::revocation::{digest, fresh_token, sign_out};
use crate::account::users::UserRow;
use crate::db::Db;
use crate::error::store;
use crate::schema::{api_tokens, users};

/// Touch `last_used_at` at most this often, so authenticated reads do not all write.
const TOUCH_EVERY_SECS: i64 = 60;

/// A token as its owner's session list reads it: id, created, last used, client, key hash.
type TokenRow = (i64, DateTime<Utc>, DateTime<Utc>, String, Vec<u8>);

impl TokenStore for Db {
    async fn issue(&self, user: UserId, client: String) -> Result<String, StoreError> {
        let key = fresh_token();
        let mut conn = self.conn().await?;
        diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::user_id.eq(user.get()),
                api_tokens::key_hash.eq(digest(&key)),
                api_tokens::client.eq(client),
            ))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(key)
    }

    async fn authenticate(
        &self,
        key: String,
        now: DateTime<Utc>,
        idle: Duration,
    ) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        let idle = chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::MAX);
        let cutoff = now
            .checked_sub_signed(idle)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let found: Option<(i64, DateTime<Utc>, UserRow)> = api_tokens::table
            .inner_join(users::table)
            .filter(api_tokens::key_hash.eq(digest(&key)))
            .filter(api_tokens::last_used_at.gt(cutoff))
            .filter(users::is_active.eq(true))
            .select((
                api_tokens::id,
                api_tokens::last_used_at,
                UserRow::as_select(),
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        let Some((token_id, last_used, user)) = found else {
            return Ok(None);
        };
        if (now - last_used).num_seconds() >= TOUCH_EVERY_SECS {
            diesel::update(api_tokens::table.find(token_id))
                .set(api_tokens::last_used_at.eq(now))
                .execute(&mut conn)
                .await
                .map_err(store)?;
        }
        Ok(Some(user.into()))
    }

    async fn revoke(&self, key: String) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::delete(api_tokens::table.filter(api_tokens::key_hash.eq(digest(&key))))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }

    async fn sessions(&self, user: UserId, key: String) -> Result<Vec<TokenSession>, StoreError> {
        let mut conn = self.conn().await?;
        let mine = digest(&key);
        let rows: Vec<TokenRow> = api_tokens::table
            .filter(api_tokens::user_id.eq(user.get()))
            .order((api_tokens::created_at.desc(), api_tokens::id.desc()))
            .select((
                api_tokens::id,
                api_tokens::created_at,
                api_tokens::last_used_at,
                api_tokens::client,
                api_tokens::key_hash,
            ))
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, created_at, last_used_at, client, hash)| TokenSession {
                    id,
                    created_at,
                    last_used_at,
                    client,
                    current: hash == mine,
                },
            )
            .collect())
    }

    async fn revoke_session(&self, user: UserId, id: i64) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(
            api_tokens::table
                .filter(api_tokens::id.eq(id))
                .filter(api_tokens::user_id.eq(user.get())),
        )
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(n > 0)
    }

    async fn revoke_all(&self, user: UserId, keep: Option<String>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            sign_out(conn, user, keep.as_deref()).await
        })
        .await
        .map_err(store)
    }
}
