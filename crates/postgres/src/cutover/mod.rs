//! `import-django`: reads a Django MadeInPK database (read-only, in keyset batches, so memory
//! stays bounded) and writes its rows into ours with their ids kept. Every insert is
//! `ON CONFLICT DO NOTHING` on the id, so a second run imports nothing and a later one picks up
//! rows added since; sequences continue after the largest id. The mapping rules are the
//! domain's `cutover`.

mod accounts;

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use madeinpk_domain::cutover::report::{EntityReport, ImportReport};
use madeinpk_domain::store::StoreError;

use crate::db::{Db, connect_once};
use crate::error::store;

/// Rows read from the source per query.
pub const BATCH: i64 = 1_000;

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Report what would be imported and refused; write nothing.
    pub dry_run: bool,
}

/// A progress line per batch (the command prints them to stderr).
pub type Progress = Box<dyn Fn(&str, u64, u64) + Send + Sync>;

/// One import run: the source connection (read-only), our database, and what is being learnt.
pub struct Import {
    source: AsyncPgConnection,
    target: Db,
    options: ImportOptions,
    progress: Progress,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl Import {
    /// Opens the source read-only: nothing this import runs there can write.
    pub async fn open(
        source_url: &str,
        target: Db,
        options: ImportOptions,
        progress: Progress,
    ) -> Result<Self, StoreError> {
        let mut source = connect_once(source_url)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        source
            .batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            .await
            .map_err(store)?;
        Ok(Self {
            source,
            target,
            options,
            progress,
        })
    }

    /// Imports every entity in dependency order and reports.
    pub async fn run(mut self) -> Result<ImportReport, StoreError> {
        let mut report = ImportReport {
            dry_run: self.options.dry_run,
            entities: Vec::new(),
        };
        report.entities.push(self.users().await?);
        report.entities.push(self.tokens().await?);
        if !self.options.dry_run {
            self.continue_sequences(&["users"]).await?;
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

    /// Our sequences go on after the largest imported id, so new rows never collide.
    async fn continue_sequences(&self, tables: &[&str]) -> Result<(), StoreError> {
        let mut conn = self.target.conn().await?;
        for table in tables {
            conn.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                               GREATEST((SELECT max(id) FROM {table}), 1))"
            ))
            .await
            .map_err(store)?;
        }
        Ok(())
    }

    fn tick(&self, report: &EntityReport) {
        (self.progress)(
            &report.entity,
            report.imported + report.already_present + report.refused.len() as u64,
            report.source_rows,
        );
    }
}
