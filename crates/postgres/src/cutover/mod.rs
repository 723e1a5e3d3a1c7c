//! `import-django`: reads a Django MadeInPK database (read-only, in keyset batches, so memory
//! stays bounded) and writes its rows into ours with their ids kept. Inserts skip ids already
//! present, so a second run imports nothing and a later one picks up rows added since;
//! sequences continue after the largest id. A dry run does the same work inside a transaction
//! that is never committed, so its counts and refusals are exactly a real run's. The mapping
//! rules are the domain's `cutover`; `copy.rs` moves rows, `entities.rs` says which.

mod accounts;
mod auctions;
mod copy;
mod entities;
mod ledger;

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use madeinpk_domain::cutover::report::{EntityReport, ImportReport};
use madeinpk_domain::store::StoreError;

use crate::db::connect_once;
use crate::error::store;

/// The entities whose refusals other rows may depend on.
const KNOWN: &[&str] = &[
    "users",
    "provinces",
    "cities",
    "categories",
    "addresses",
    "seller_profiles",
    "products",
    "product_images",
    "listings",
    "auctions",
    "bids",
    "wishlist_items",
    "carts",
    "cart_items",
    "conversations",
    "messages",
];

/// Rows read from the source per query.
pub const BATCH: i64 = 1_000;

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Report what would be imported and refused; write nothing.
    pub dry_run: bool,
}

/// A progress line per batch: entity, rows done, rows in the source.
pub type Progress = Box<dyn Fn(&str, u64, u64) + Send + Sync>;

/// One import run: the source connection (read-only) and one connection to our database.
pub struct Import {
    source: AsyncPgConnection,
    target: AsyncPgConnection,
    progress: Progress,
    dry_run: bool,
    /// Source ids refused so far, per entity: rows naming them are refused in turn.
    refused: std::collections::HashMap<&'static str, std::collections::HashSet<i64>>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = diesel::sql_types::Text)]
    path: String,
}

/// Every media path our rows name (product images, profile pictures), each once.
pub async fn media_paths(db: &crate::db::Db) -> Result<Vec<String>, StoreError> {
    let mut conn = db.conn().await?;
    let rows: Vec<Stored> = diesel::sql_query(
        "SELECT path FROM product_images
         UNION SELECT profile_picture FROM users WHERE profile_picture IS NOT NULL
         ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .map_err(store)?;
    Ok(rows.into_iter().map(|r| r.path).collect())
}

fn unavailable(e: crate::db::DbError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl Import {
    /// Opens the source read-only (nothing this import runs there can write) and our database.
    pub async fn open(
        source_url: &str,
        target_url: &str,
        options: ImportOptions,
        progress: Progress,
    ) -> Result<Self, StoreError> {
        let mut source = connect_once(source_url).await.map_err(unavailable)?;
        source
            .batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            .await
            .map_err(store)?;
        let mut target = connect_once(target_url).await.map_err(unavailable)?;
        if options.dry_run {
            // Never committed: the connection closes with it open.
            target.begin_test_transaction().await.map_err(store)?;
        }
        Ok(Self {
            source,
            target,
            progress,
            dry_run: options.dry_run,
            refused: std::collections::HashMap::new(),
        })
    }

    /// Imports every entity in dependency order and reports.
    pub async fn run(mut self) -> Result<ImportReport, StoreError> {
        let mut report = ImportReport {
            dry_run: self.dry_run,
            entities: Vec::new(),
        };
        report.entities.push(self.users().await?);
        report.entities.push(self.tokens().await?);
        let mut in_use = Vec::new();
        for spec in entities::REFERENCE.iter().rev() {
            in_use.push(self.clear_reference(spec).await?);
        }
        in_use.reverse();
        for (spec, in_use) in entities::REFERENCE.iter().zip(&in_use) {
            report.entities.push(self.reference(spec, in_use).await?);
        }
        for spec in entities::COPIED {
            report.entities.push(self.copy(spec).await?);
        }
        self.winning_bids().await?;
        let mut tables = vec!["users"];
        tables.extend(entities::REFERENCE.iter().map(|s| s.entity));
        tables.extend(entities::COPIED.iter().map(|s| s.entity));
        if !self.dry_run {
            self.continue_sequences(&tables).await?;
        }
        Ok(report)
    }

    /// Rows of a source table.
    async fn source_count(&mut self, table: &str) -> Result<u64, StoreError> {
        let c: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result(&mut self.source)
            .await
            .map_err(store)?;
        Ok(u64::try_from(c.n).unwrap_or(0))
    }

    /// Our sequences go on after the largest imported id, so new rows never collide; never
    /// backwards (ids of deleted rows are not handed out again).
    async fn continue_sequences(&mut self, tables: &[&str]) -> Result<(), StoreError> {
        for table in tables {
            self.target
                .batch_execute(&format!(
                    "DO $$ DECLARE seq text := pg_get_serial_sequence('{table}', 'id'); BEGIN
                       EXECUTE format('SELECT setval(%L, GREATEST((SELECT max(id) FROM {table}),
                                      (SELECT last_value FROM %s), 1))', seq, seq);
                     END $$"
                ))
                .await
                .map_err(store)?;
        }
        Ok(())
    }

    /// Whether the source row `id` of `entity` was refused by this run.
    fn was_refused(&self, entity: &str, id: i64) -> bool {
        self.refused
            .get(entity)
            .is_some_and(|ids| ids.contains(&id))
    }

    /// Records an entity's refused rows (numeric ids) for the rows that name them.
    fn remember_refused(&mut self, report: &EntityReport) {
        let Some(entity) = KNOWN.iter().find(|e| **e == report.entity) else {
            return;
        };
        let ids = self.refused.entry(entity).or_default();
        ids.extend(
            report
                .refused
                .iter()
                .filter_map(|r| r.source_id.parse::<i64>().ok()),
        );
    }

    fn tick(&self, report: &EntityReport) {
        (self.progress)(
            &report.entity,
            report.imported + report.already_present + report.refused.len() as u64,
            report.source_rows,
        );
    }
}
