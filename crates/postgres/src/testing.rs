//! Test harness: every test gets its own fresh, migrated and seeded database, cloned from a
//! template (fast), and dropped when the handle goes away.

use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rand::Rng;

use crate::db::{Db, connect_once, with_database};
use crate::migrate;

/// Server URL tests use: `TEST_DATABASE_URL`, else `DATABASE_URL`, else local Postgres.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn template_name() -> String {
    format!("madeinpk_tpl_{}", env!("MADEINPK_MIGRATIONS_HASH"))
}

/// A throwaway database for one test.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    /// Its name.
    pub name: String,
    /// A pool on it.
    pub db: Db,
    admin_url: String,
}

#[derive(diesel::QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    datname: String,
}

async fn exec(conn: &mut AsyncPgConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn build_template(admin: &mut AsyncPgConnection, admin_url: &str, template: &str) {
    let existing: Vec<Named> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'madeinpk\\_tpl\\_%'",
    )
    .load(admin)
    .await
    .expect("list templates");
    if existing.iter().any(|d| d.datname == template) {
        return;
    }
    // Older templates belong to older migrations; a half-built one belongs to a crashed run.
    for old in existing {
        exec(
            admin,
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", old.datname),
        )
        .await;
    }
    let building = format!("{template}_building");
    exec(
        admin,
        &format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"),
    )
    .await;
    exec(admin, &format!("CREATE DATABASE \"{building}\"")).await;
    let url = with_database(admin_url, &building).expect("url");
    migrate::run(&url).await.expect("migrate template");
    let db = Db::connect(&url, 2).await.expect("connect template");
    db.seed_reference_data().await.expect("seed template");
    drop(db);
    exec(
        admin,
        &format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\""),
    )
    .await;
}

impl TestDb {
    /// Creates a fresh database from the template (building the template once if needed).
    pub async fn new() -> Self {
        let admin_url = with_database(&server_url(), "postgres")
            .expect("TEST_DATABASE_URL must be a postgres URL");
        let mut admin = connect_once(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let template = template_name();
        // One builder at a time across test processes; the others wait, then reuse it.
        exec(&mut admin, "SELECT pg_advisory_lock(724301001)").await;
        build_template(&mut admin, &admin_url, &template).await;
        let suffix: u64 = rand::rng().random();
        let name = format!("madeinpk_test_{suffix:016x}");
        let created = diesel::sql_query(format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
        ))
        .execute(&mut admin)
        .await;
        exec(&mut admin, "SELECT pg_advisory_unlock(724301001)").await;
        created.unwrap_or_else(|e| panic!("create test database: {e}"));
        let url = with_database(&admin_url, &name).expect("url");
        let db = Db::connect(&url, 10).await.expect("connect test database");
        Self {
            url,
            name,
            db,
            admin_url,
        }
    }

    /// Counts rows of any table, for assertions.
    pub async fn count(&self, sql_from_where: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = self.db.conn().await.expect("conn");
        let row: N = diesel::sql_query(format!("SELECT count(*) AS n FROM {sql_from_where}"))
            .get_result(&mut conn)
            .await
            .expect("count");
        row.n
    }

    /// The `id` column of a query, for arranging test states (`SELECT id FROM ...`).
    pub async fn ids(&self, select: &str) -> Vec<i64> {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = BigInt)]
            id: i64,
        }
        let mut conn = self.db.conn().await.expect("conn");
        let rows: Vec<Id> = diesel::sql_query(select)
            .load(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{select}: {e}"));
        rows.into_iter().map(|r| r.id).collect()
    }

    /// Runs raw SQL, for arranging test states.
    pub async fn execute(&self, sql: &str) -> usize {
        let mut conn = self.db.conn().await.expect("conn");
        diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_TEST_DB").is_some() {
            eprintln!("keeping test database {}", self.name);
            return;
        }
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; do the async work on a thread with its own.
        let joined = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok(mut admin) = connect_once(&admin_url).await {
                    let _ = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    ))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
        if joined.is_err() {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}
