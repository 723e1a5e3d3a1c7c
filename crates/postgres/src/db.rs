//! The connection pool, database creation, and the one-line "Postgres is down" error.

use std::time::Duration;

use deadpool::Runtime;
use diesel::sql_types::Text;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::store::StoreError;

/// A pooled connection.
pub type Conn = Object<AsyncPgConnection>;

/// Handle to the database; cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Db {
    pool: Pool<AsyncPgConnection>,
    /// This process's per-auction bid queues (group commit for hot auctions).
    bid_queues: std::sync::Arc<crate::auction::bid_queue::BidQueues>,
}

/// Start-up failures, each with a message that says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The server did not answer.
    #[error(
        "cannot reach PostgreSQL at {target}: {reason}. Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`) or point DATABASE_URL at a running server."
    )]
    Unreachable {
        /// host:port/dbname, without credentials.
        target: String,
        /// What the driver said.
        reason: String,
    },
    /// The URL is not a postgres URL.
    #[error("DATABASE_URL is not a postgres URL: {0}")]
    BadUrl(String),
    /// Creating the pool or database failed.
    #[error("database setup failed: {0}")]
    Setup(String),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
}

/// Splits `postgres://user@host:port/name?opts` into (server part, database name, query).
pub fn split_url(url: &str) -> Result<(String, String, String), DbError> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(DbError::BadUrl(redact(url)));
    }
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    match base[scheme_end..].split_once('/') {
        Some((server, name)) if !name.is_empty() => Ok((
            format!("{}{server}", &base[..scheme_end]),
            name.to_owned(),
            query,
        )),
        _ => Err(DbError::BadUrl(format!(
            "{} (no database name)",
            redact(url)
        ))),
    }
}

/// The URL of another database on the same server.
pub fn with_database(url: &str, name: &str) -> Result<String, DbError> {
    let (server, _, query) = split_url(url)?;
    Ok(format!("{server}/{name}{query}"))
}

/// host:port/db without user or password, for messages.
pub fn redact(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split('?').next().unwrap_or(rest).to_owned()
}

/// Opens one connection, turning "connection refused" into the friendly error.
pub async fn connect_once(url: &str) -> Result<AsyncPgConnection, DbError> {
    let attempt =
        tokio::time::timeout(Duration::from_secs(10), AsyncPgConnection::establish(url)).await;
    match attempt {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(DbError::Unreachable {
            target: redact(url),
            reason: e.to_string().trim().to_owned(),
        }),
        Err(_) => Err(DbError::Unreachable {
            target: redact(url),
            reason: "timed out after 10 s".into(),
        }),
    }
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Creates the database named in `url` if it does not exist (connecting to `postgres` to do so).
pub async fn ensure_database(url: &str) -> Result<(), DbError> {
    let (_, name, _) = split_url(url)?;
    let admin_url = with_database(url, "postgres")?;
    // Report the database the user asked for, not the maintenance one we connect to.
    let mut conn = connect_once(&admin_url).await.map_err(|e| match e {
        DbError::Unreachable { reason, .. } => DbError::Unreachable {
            target: redact(url),
            reason,
        },
        other => other,
    })?;
    let row: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(&name)
            .get_result(&mut conn)
            .await
            .map_err(|e| DbError::Setup(e.to_string()))?;
    if !row.exists {
        let stmt = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
        match diesel::sql_query(stmt).execute(&mut conn).await {
            Ok(_) => tracing::info!(database = %name, "created database"),
            // Another process created it between our check and our create.
            Err(e) if e.to_string().contains("already exists") => {}
            Err(e) => return Err(DbError::Setup(e.to_string())),
        }
    }
    Ok(())
}

impl Db {
    /// Builds a pool of at most `max_size` connections and checks the server answers.
    pub async fn connect(url: &str, max_size: usize) -> Result<Self, DbError> {
        // Fail fast with the friendly message rather than on the first request.
        drop(connect_once(url).await?);
        // No test query per checkout (the default `Verified` sends `SELECT 1` every time a
        // request takes a connection: a round trip per query for most requests). A closed
        // connection is still seen at recycling, and a dead server fails the query itself.
        let mut config = ManagerConfig::default();
        config.recycling_method = RecyclingMethod::Fast;
        let manager =
            AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
        let pool = Pool::builder(manager)
            .max_size(max_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| DbError::Setup(e.to_string()))?;
        Ok(Self {
            pool,
            bid_queues: std::sync::Arc::default(),
        })
    }

    /// Checks out a connection.
    pub async fn conn(&self) -> Result<Conn, StoreError> {
        self.pool.get().await.map_err(crate::error::pool)
    }

    /// True when a trivial query succeeds (readiness).
    pub async fn ping(&self) -> bool {
        let Ok(mut conn) = self.conn().await else {
            return false;
        };
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .await
            .is_ok()
    }

    /// The per-auction bid queues.
    pub(crate) fn bid_queues(&self) -> &std::sync::Arc<crate::auction::bid_queue::BidQueues> {
        &self.bid_queues
    }

    /// Pool size and idle connections, for metrics.
    pub fn pool_status(&self) -> (usize, usize) {
        let s = self.pool.status();
        (s.size, s.available)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_handling() {
        let (server, name, q) =
            split_url("postgres://postgres@127.0.0.1:5432/madeinpk?sslmode=disable").unwrap();
        assert_eq!(server, "postgres://postgres@127.0.0.1:5432");
        assert_eq!(name, "madeinpk");
        assert_eq!(q, "?sslmode=disable");
        assert_eq!(
            with_database("postgres://u:p@h/x", "postgres").unwrap(),
            "postgres://u:p@h/postgres"
        );
        assert_eq!(redact("postgres://u:secret@h:5/x?a=b"), "h:5/x");
        assert!(split_url("mysql://h/x").is_err());
        assert!(split_url("postgres://h/").is_err());
    }
}
