//! Two-factor sign-in: the shared secret, the newest time step accepted (so a code is accepted
//! once), recovery codes and sign-in challenges stored as their SHA-256.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Bytea, Int4, Nullable, Text, Timestamptz};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::account::ports::TwoFactorStore;
use madeinpk_domain::account::two_factor::{ChallengePurpose, OpenChallenge, SecondFactor};
use madeinpk_domain::ids::UserId;
use madeinpk_domain::store::StoreError;

use crate::account::revocation::{digest, fresh_token};
use crate::account::users::user_by_id;
use crate::db::Db;
use crate::error::store;

#[derive(QueryableByName)]
struct FactorRow {
    #[diesel(sql_type = Text)]
    secret: String,
    #[diesel(sql_type = Bool)]
    enabled: bool,
    #[diesel(sql_type = BigInt)]
    codes_left: i64,
}

#[derive(QueryableByName)]
struct ChallengeRow {
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = Text)]
    client: String,
    #[diesel(sql_type = Nullable<Text>)]
    enrolling: Option<String>,
}

#[derive(QueryableByName)]
struct Done {
    #[diesel(sql_type = Nullable<Int4>)]
    #[allow(dead_code)] // only whether a row came back matters
    one: Option<i32>,
}

/// Runs `sql` with `user` as `$1` (and the binds after it) and says whether a row came back.
macro_rules! touched {
    ($conn:expr, $sql:expr, $user:expr $(, $ty:ty => $val:expr)*) => {
        diesel::sql_query($sql)
            .bind::<BigInt, _>($user)
            $(.bind::<$ty, _>($val))*
            .get_result::<Done>($conn)
            .await
            .optional()
            .map(|row| row.is_some())
    };
}

impl TwoFactorStore for Db {
    async fn second_factor(&self, user: UserId) -> Result<Option<SecondFactor>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<FactorRow> = diesel::sql_query(
            "SELECT secret, enabled_at IS NOT NULL AS enabled,
                    (SELECT count(*) FROM two_factor_recovery_codes c
                     WHERE c.user_id = f.user_id) AS codes_left
             FROM two_factor f WHERE user_id = $1",
        )
        .bind::<BigInt, _>(user.get())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(store)?;
        Ok(row.map(|r| SecondFactor {
            secret: r.secret,
            enabled: r.enabled,
            recovery_codes_left: r.codes_left,
        }))
    }

    async fn begin_setup(&self, user: UserId, secret: String) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        touched!(
            &mut conn,
            "INSERT INTO two_factor (user_id, secret) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE
               SET secret = EXCLUDED.secret, last_step = -1, created_at = now()
               WHERE two_factor.enabled_at IS NULL
             RETURNING 1 AS one",
            user.get(),
            Text => &secret
        )
        .map_err(store)
    }

    async fn enable(
        &self,
        user: UserId,
        secret: String,
        step: i64,
        recovery_codes: Vec<String>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let enabled = touched!(
                conn,
                "UPDATE two_factor SET enabled_at = now(), last_step = $3
                 WHERE user_id = $1 AND secret = $2 AND enabled_at IS NULL
                 RETURNING 1 AS one",
                user.get(),
                Text => &secret,
                BigInt => step
            )?;
            if !enabled {
                return Ok(false);
            }
            let hashes: Vec<Vec<u8>> = recovery_codes.iter().map(|c| digest(c)).collect();
            diesel::sql_query("DELETE FROM two_factor_recovery_codes WHERE user_id = $1")
                .bind::<BigInt, _>(user.get())
                .execute(conn)
                .await?;
            diesel::sql_query(
                "INSERT INTO two_factor_recovery_codes (user_id, code_hash)
                 SELECT $1, unnest($2::bytea[]) ON CONFLICT DO NOTHING",
            )
            .bind::<BigInt, _>(user.get())
            .bind::<diesel::sql_types::Array<Bytea>, _>(&hashes)
            .execute(conn)
            .await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }

    async fn spend_step(&self, user: UserId, step: i64) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        touched!(
            &mut conn,
            "UPDATE two_factor SET last_step = $2
             WHERE user_id = $1 AND enabled_at IS NOT NULL AND last_step < $2
             RETURNING 1 AS one",
            user.get(),
            BigInt => step
        )
        .map_err(store)
    }

    async fn spend_recovery_code(&self, user: UserId, code: String) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        touched!(
            &mut conn,
            "DELETE FROM two_factor_recovery_codes WHERE user_id = $1 AND code_hash = $2
             RETURNING 1 AS one",
            user.get(),
            Bytea => digest(&code)
        )
        .map_err(store)
    }

    async fn disable(&self, user: UserId) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            for table in [
                "two_factor_recovery_codes",
                "two_factor_challenges",
                "two_factor",
            ] {
                diesel::sql_query(format!("DELETE FROM {table} WHERE user_id = $1"))
                    .bind::<BigInt, _>(user.get())
                    .execute(conn)
                    .await?;
            }
            Ok(())
        })
        .await
        .map_err(store)
    }

    async fn open_challenge(
        &self,
        user: UserId,
        purpose: ChallengePurpose,
        client: String,
        enrolling: Option<String>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let token = fresh_token();
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async |conn| {
            // The account's dead challenges go as a new one comes.
            diesel::sql_query(
                "DELETE FROM two_factor_challenges WHERE user_id = $1 AND expires_at <= now()",
            )
            .bind::<BigInt, _>(user.get())
            .execute(conn)
            .await?;
            diesel::sql_query(
                "INSERT INTO two_factor_challenges
                   (token_hash, user_id, purpose, client, expires_at, enrolling)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind::<Bytea, _>(digest(&token))
            .bind::<BigInt, _>(user.get())
            .bind::<Text, _>(purpose.as_str())
            .bind::<Text, _>(&client)
            .bind::<Timestamptz, _>(expires_at)
            .bind::<Nullable<Text>, _>(&enrolling)
            .execute(conn)
            .await?;
            Ok(())
        })
        .await
        .map_err(store)?;
        Ok(token)
    }

    async fn challenge(
        &self,
        token: String,
        purpose: ChallengePurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<OpenChallenge>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ChallengeRow> = diesel::sql_query(
            "SELECT user_id, client, enrolling FROM two_factor_challenges
             WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3",
        )
        .bind::<Bytea, _>(digest(&token))
        .bind::<Text, _>(purpose.as_str())
        .bind::<Timestamptz, _>(now)
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(store)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let user = user_by_id(&mut conn, row.user_id).await.map_err(store)?;
        Ok(user.map(|user| OpenChallenge {
            user,
            purpose,
            client: row.client,
            enrolling: row.enrolling,
        }))
    }

    async fn challenge_failed(&self, token: String, limit: i32) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let hash = digest(&token);
        conn.transaction::<_, diesel::result::Error, _>(async |conn| {
            diesel::sql_query(
                "UPDATE two_factor_challenges SET failures = failures + 1 WHERE token_hash = $1",
            )
            .bind::<Bytea, _>(&hash)
            .execute(conn)
            .await?;
            diesel::sql_query(
                "DELETE FROM two_factor_challenges WHERE token_hash = $1 AND failures >= $2",
            )
            .bind::<Bytea, _>(&hash)
            .bind::<Int4, _>(limit)
            .execute(conn)
            .await?;
            Ok(())
        })
        .await
        .map_err(store)
    }

    async fn close_challenge(&self, token: String) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let gone = diesel::sql_query("DELETE FROM two_factor_challenges WHERE token_hash = $1")
            .bind::<Bytea, _>(digest(&token))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(gone == 1)
    }
}
