//! Fixed-window rate limiting and per-client backoff in Postgres, shared by every app instance.

use std::time::Duration;

use diesel::sql_types::{Double, Integer, Text};
use diesel_async::RunQueryDsl;
use madeinpk_domain::account::ports::RateLimiter;
use madeinpk_domain::account::rules::{Backoff, BackoffStore};
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
    over.then(|| whole_secs(row.remaining))
}

/// Seconds to wait, rounded up and at least one.
fn whole_secs(remaining: f64) -> u64 {
    let secs = remaining.ceil().max(1.0);
    // Bounded by the window or the longest wait, so the cast cannot truncate meaningfully.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let secs = secs as u64;
    secs
}

/// The wait after `h` counted attempts, in seconds: `Backoff::wait_after` in SQL ($2 free
/// attempts, $3 first wait, $4 longest wait).
fn wait_after(h: &str) -> String {
    format!(
        "(CASE WHEN {h} < $2 THEN 0::float8 \
         ELSE LEAST($4, $3 * power(2::float8, LEAST({h} - GREATEST($2, 1), 31)::float8)) END)"
    )
}

/// Counts an attempt unless the key is still waiting. A backoff row keeps the attempts counted
/// in `hits` and the end of their wait in `window_start`, so the hourly prune drops it a day after
/// that ($5, the same day, forgets older attempts). A waiting row is left as it is (the `WHERE`),
/// and then no row comes back.
fn attempt_sql() -> String {
    let forgotten = "r.window_start + make_interval(secs => $5) <= now()";
    format!(
        "INSERT INTO rate_limits AS r (key, window_start, hits)
         VALUES ($1, now() + make_interval(secs => {first}), 1)
         ON CONFLICT (key) DO UPDATE SET
             hits = CASE WHEN {forgotten} THEN 1 ELSE r.hits + 1 END,
             window_start = now() + make_interval(secs =>
                 CASE WHEN {forgotten} THEN {first} ELSE {next} END)
         WHERE r.window_start <= now()
         RETURNING hits, extract(epoch FROM (window_start - now()))::float8 AS remaining",
        first = wait_after("1"),
        next = wait_after("(r.hits + 1)"),
    )
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

impl BackoffStore for Db {
    async fn attempt(&self, key: String, backoff: Backoff) -> Result<Option<u64>, StoreError> {
        let mut conn = self.conn().await?;
        let counted: Vec<Window> = diesel::sql_query(attempt_sql())
            .bind::<Text, _>(&key)
            .bind::<Integer, _>(i32::try_from(backoff.free).unwrap_or(i32::MAX))
            .bind::<Double, _>(backoff.first.as_secs_f64())
            .bind::<Double, _>(backoff.max.as_secs_f64())
            .bind::<Double, _>(backoff.forget_after.as_secs_f64())
            .load(&mut conn)
            .await
            .map_err(store)?;
        if !counted.is_empty() {
            return Ok(None);
        }
        // Still waiting, and nothing was counted: say how long is left (at least a second, even
        // if a success removed the row meanwhile).
        let left: Vec<Window> = diesel::sql_query(
            "SELECT hits, extract(epoch FROM (window_start - now()))::float8 AS remaining
             FROM rate_limits WHERE key = $1",
        )
        .bind::<Text, _>(&key)
        .load(&mut conn)
        .await
        .map_err(store)?;
        Ok(Some(
            <[Window]>::first(&left).map_or(1, |w| whole_secs(w.remaining)),
        ))
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
