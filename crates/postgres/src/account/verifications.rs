//! Email verification links: 32 random bytes shown once (hex, in the email), stored as their
//! SHA-256; one row per account, for the address the link was sent to.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Bytea, Text, Timestamptz};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::account::ports::{EmailVerificationStore, ResetNotice};
use madeinpk_domain::ids::UserId;
use madeinpk_domain::store::StoreError;

use crate::account::revocation::{digest, fresh_token};
use crate::account::users::user_by_id;
use crate::db::Db;
use crate::error::store;
use crate::order::payout_accounts::queue_held_payouts;
use crate::outbox;

#[derive(QueryableByName)]
struct Verified {
    #[diesel(sql_type = Bool)]
    verified: bool,
}

#[derive(QueryableByName)]
struct Owner {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

impl EmailVerificationStore for Db {
    async fn issue(
        &self,
        user: UserId,
        email: String,
        expires_at: DateTime<Utc>,
        notice: ResetNotice,
    ) -> Result<(), StoreError> {
        let token = fresh_token();
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            diesel::sql_query(
                "INSERT INTO email_verifications (user_id, email, token_hash, expires_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id) DO UPDATE
                   SET email = EXCLUDED.email, token_hash = EXCLUDED.token_hash,
                       expires_at = EXCLUDED.expires_at, created_at = now()",
            )
            .bind::<BigInt, _>(user.get())
            .bind::<Text, _>(&email)
            .bind::<Bytea, _>(digest(&token))
            .bind::<Timestamptz, _>(expires_at)
            .execute(conn)
            .await?;
            if let Some(user) = user_by_id(conn, user.get()).await? {
                outbox::write(conn, notice(&user, &token)).await?;
            }
            Ok(())
        })
        .await
        .map_err(store)
    }

    async fn verify(
        &self,
        token: String,
        now: DateTime<Utc>,
        release_held_payouts: bool,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // The link is spent either way; it verifies only the address its owner still uses.
            let owner: Option<Owner> = diesel::sql_query(
                "WITH spent AS (
                     DELETE FROM email_verifications WHERE token_hash = $1 AND expires_at > $2
                     RETURNING user_id, email
                 )
                 UPDATE users u SET verified_email = spent.email, updated_at = now()
                 FROM spent WHERE u.id = spent.user_id AND lower(u.email) = lower(spent.email)
                 RETURNING u.id",
            )
            .bind::<Bytea, _>(digest(&token))
            .bind::<Timestamptz, _>(now)
            .get_result(conn)
            .await
            .optional()?;
            let Some(owner) = owner else {
                return Ok(false);
            };
            if release_held_payouts {
                let occasion = format!("verified:{}", now.timestamp_micros());
                queue_held_payouts(conn, owner.id, &occasion).await?;
            }
            Ok(true)
        })
        .await
        .map_err(store)
    }

    async fn is_verified(&self, user: UserId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<Verified> = diesel::sql_query(
            "SELECT COALESCE(lower(verified_email) = lower(email), false) AS verified
             FROM users WHERE id = $1",
        )
        .bind::<BigInt, _>(user.get())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(store)?;
        Ok(row.is_some_and(|r| r.verified))
    }
}
