//! Embedded migrations (the SQL in `migrations/` is compiled into the binary).

use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::db::{DbError, connect_once};

/// Every migration of the project.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Applies pending migrations to the database at `url`; returns how many ran.
pub async fn run(url: &str) -> Result<usize, DbError> {
    let mut conn = connect_once(url).await?;
    // Concurrent starters (serve and worker together) take turns. The lock belongs to this
    // session and goes away with the connection when the migrations are done.
    diesel::sql_query("SELECT pg_advisory_lock(724301002)")
        .execute(&mut conn)
        .await
        .map_err(|e| DbError::Migration(e.to_string()))?;
    // diesel_migrations is synchronous: run it on a blocking thread through the wrapper.
    tokio::task::spawn_blocking(move || {
        let mut wrapper: AsyncConnectionWrapper<AsyncPgConnection> =
            AsyncConnectionWrapper::from(conn);
        wrapper
            .run_pending_migrations(MIGRATIONS)
            .map(|applied| applied.len())
            .map_err(|e| DbError::Migration(e.to_string()))
    })
    .await
    .map_err(|e| DbError::Migration(e.to_string()))?
}
