//! The import ledger: which source rows an import brought across (by entity and source id), so
//! a later run skips them even when they were deleted here since (a revoked token, a removed
//! listing) instead of bringing them back.

use std::collections::HashSet;

use diesel::QueryableByName;
use diesel::sql_types::{Array, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::store::StoreError;

use crate::error::store;

#[derive(QueryableByName)]
struct Recorded {
    #[diesel(sql_type = Text)]
    source_id: String,
}

/// The ids among `ids` of `entity` that an import recorded.
pub(super) async fn recorded(
    conn: &mut AsyncPgConnection,
    entity: &str,
    ids: &[String],
) -> Result<HashSet<String>, StoreError> {
    let rows: Vec<Recorded> = diesel::sql_query(
        "SELECT source_id FROM import_ledger WHERE entity = $1 AND source_id = ANY($2)",
    )
    .bind::<Text, _>(entity)
    .bind::<Array<Text>, _>(ids)
    .load(conn)
    .await
    .map_err(store)?;
    Ok(rows.into_iter().map(|r| r.source_id).collect())
}

/// Records rows as brought across (in the caller's transaction, with their insert).
pub(super) async fn record(
    conn: &mut AsyncPgConnection,
    entity: &str,
    ids: &[String],
) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO import_ledger (entity, source_id) SELECT $1, unnest($2::text[])
         ON CONFLICT DO NOTHING",
    )
    .bind::<Text, _>(entity)
    .bind::<Array<Text>, _>(ids)
    .execute(conn)
    .await?;
    Ok(())
}
