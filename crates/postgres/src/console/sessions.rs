//! Console sessions in Postgres.

use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use diesel::sql_types::{BigInt, Bytea, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::console::ports::SessionStore;
use madeinpk_domain::console::session::ConsoleSession;
use madeinpk_domain::ids::UserId;
use madeinpk_domain::outbox::Outbox;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;

#[derive(diesel::QueryableByName)]
struct SessionRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = Text)]
    csrf_token: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    last_seen_at: DateTime<Utc>,
}

impl SessionStore for Db {
    async fn open_session(
        &self,
        user: UserId,
        token_hash: Vec<u8>,
        csrf_token: String,
        now: DateTime<Utc>,
        outbox: Outbox,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            diesel::sql_query(
                "INSERT INTO console_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind::<Bytea, _>(token_hash)
            .bind::<BigInt, _>(user.get())
            .bind::<Text, _>(csrf_token)
            .bind::<Timestamptz, _>(now)
            .execute(conn)
            .await?;
            crate::outbox::write(conn, outbox).await
        })
        .await
        .map_err(store)
    }

    async fn session(&self, token_hash: Vec<u8>) -> Result<Option<ConsoleSession>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<SessionRow> = diesel::sql_query(
            "SELECT id, user_id, csrf_token, created_at, last_seen_at
             FROM console_sessions WHERE token_hash = $1",
        )
        .bind::<Bytea, _>(token_hash)
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(store)?;
        Ok(row.map(|r| ConsoleSession {
            id: r.id,
            user: UserId(r.user_id),
            csrf_token: r.csrf_token,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
        }))
    }

    async fn touch_session(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("UPDATE console_sessions SET last_seen_at = $2 WHERE id = $1")
            .bind::<BigInt, _>(id)
            .bind::<Timestamptz, _>(now)
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }

    async fn end_session(&self, id: i64) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("DELETE FROM console_sessions WHERE id = $1")
            .bind::<BigInt, _>(id)
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }
}
