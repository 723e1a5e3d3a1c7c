//! Password reset tokens: 32 random bytes shown once (hex, in the email), stored as their
//! SHA-256; one row per account, so a new request replaces the old token.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bytea, Text, Timestamptz};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::account::ports::{PasswordResetStore, ResetNotice};
use madeinpk_domain::account::user::User;
use madeinpk_domain::ids::UserId;
use madeinpk_domain::outbox::Outbox;
use madeinpk_domain::store::StoreError;

use crate::account::revocation::{digest, fresh_token, sign_out};
use crate::account::users::user_by_id;
use crate::db::Db;
use crate::error::store;
use crate::outbox;

#[derive(QueryableByName)]
struct Holder {
    #[diesel(sql_type = BigInt)]
    user_id: i64,
}

impl PasswordResetStore for Db {
    async fn issue(
        &self,
        email: String,
        expires_at: DateTime<Utc>,
        notice: ResetNotice,
    ) -> Result<(), StoreError> {
        // Made whether or not an account matches, so the work does not depend on it.
        let token = fresh_token();
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // One statement finds the account and stores (or replaces) its token.
            let holder: Option<Holder> = diesel::sql_query(
                "INSERT INTO password_resets (user_id, token_hash, expires_at)
                 SELECT id, $2, $3 FROM users WHERE lower(email) = lower($1) AND is_active
                 ON CONFLICT (user_id) DO UPDATE
                   SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at,
                       created_at = now()
                 RETURNING user_id",
            )
            .bind::<Text, _>(&email)
            .bind::<Bytea, _>(digest(&token))
            .bind::<Timestamptz, _>(expires_at)
            .get_result(conn)
            .await
            .optional()?;
            if let Some(h) = holder
                && let Some(user) = user_by_id(conn, h.user_id).await?
            {
                outbox::write(conn, notice(&user, &token)).await?;
            }
            Ok(())
        })
        .await
        .map_err(store)
    }

    async fn holder(&self, token: String, now: DateTime<Utc>) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        let holder: Option<Holder> = diesel::sql_query(
            "SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind::<Bytea, _>(digest(&token))
        .bind::<Timestamptz, _>(now)
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(store)?;
        match holder {
            Some(h) => user_by_id(&mut conn, h.user_id).await.map_err(store),
            None => Ok(None),
        }
    }

    async fn redeem(
        &self,
        token: String,
        now: DateTime<Utc>,
        password_hash: String,
        outbox: Outbox,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // Deleting the row spends the token: of two confirmations, one finds it.
            let holder: Option<Holder> = diesel::sql_query(
                "DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2
                 RETURNING user_id",
            )
            .bind::<Bytea, _>(digest(&token))
            .bind::<Timestamptz, _>(now)
            .get_result(conn)
            .await
            .optional()?;
            let Some(h) = holder else {
                return Ok(false);
            };
            diesel::sql_query(
                "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1",
            )
            .bind::<BigInt, _>(h.user_id)
            .bind::<Text, _>(&password_hash)
            .execute(conn)
            .await?;
            sign_out(conn, UserId(h.user_id), None).await?;
            outbox::write(conn, outbox).await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }
}
