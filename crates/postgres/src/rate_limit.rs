//! Fixed-window rate limiting in Postgres, shared by every app instance.

use std::time::Duration;

use diesel::sql_types::{Double, Integer, Text};
use diesel_async::RunQueryDsl;
use madeinpk_domain::ports::RateLimiter;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;

#[derive(diesel::QueryableByName)]
struct Window {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Double)]
    remaining: f64,
}

fn verdict(row: Option<Window>, limit: u32) -> Option<u64> {
    let row = row?;
    let hits = u32::try_from(row.hits).unwrap_or(0);
    // The hit just made is included.
    let over = hits > limit;
    over.then(|| {
        let secs = row.remaining.ceil().max(1.0);
        // Bounded by the window length, so the cast cannot truncate meaningfully.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let secs = secs as u64;
        secs
    })
}

impl RateLimiter for Db {
    async fn hit(
        &self,
        key: String,
        limit: u32,
        window: Duration,
    ) -> Result<Option<u64>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<Window> = diesel::sql_query(
            "INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, now(), 1)
             ON CONFLICT (key) DO UPDATE SET
                 hits = CASE WHEN r.window_start + make_interval(secs => $2) <= now() THEN 1 ELSE r.hits + 1 END,
                 window_start = CASE WHEN r.window_start + make_interval(secs => $2) <= now() THEN now() ELSE r.window_start END
             RETURNING hits, extract(epoch FROM (window_start + make_interval(secs => $2) - now()))::float8 AS remaining",
        )
        .bind::<Text, _>(&key)
        .bind::<Double, _>(window.as_secs_f64())
        .get_result(&mut conn)
        .await
        .map(Some)
        .map_err(store)?;
        Ok(verdict(row, limit))
    }

    async fn reset(&self, key: String) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("DELETE FROM rate_limits WHERE key = $1")
            .bind::<Text, _>(&key)
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }
}

impl Db {
    /// Deletes throttle windows that ended a day ago and tokens idle longer than `token_idle`.
    pub async fn prune_expired(&self, token_idle: Duration) -> Result<(usize, usize), StoreError> {
        let mut conn = self.conn().await?;
        let windows = diesel::sql_query(
            "DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'",
        )
        .execute(&mut conn)
        .await
        .map_err(store)?;
        let tokens = diesel::sql_query(
            "DELETE FROM api_tokens WHERE last_used_at < now() - make_interval(secs => $1)",
        )
        .bind::<Double, _>(token_idle.as_secs_f64())
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok((windows, tokens))
    }
}
