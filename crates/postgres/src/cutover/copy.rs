//! Moving one entity's rows: read a batch from the source as JSON (money cast to text, so no
//! amount ever passes through a float), check it, insert the batch with
//! `json_populate_recordset` skipping ids already here; a batch the database refuses is
//! retried row by row so that only the offending rows are refused, each with its reason.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::cutover::report::{EntityReport, SumCheck};
use madeinpk_domain::store::StoreError;
use serde_json::Value;

use super::{BATCH, Import};
use crate::error::store;

/// A rule a source row must pass to come across; the reason it is refused otherwise.
pub(super) type RowCheck = fn(&Value) -> Result<(), String>;

/// How one of our tables is filled from the source.
pub(super) struct Spec {
    /// Our table.
    pub entity: &'static str,
    /// The source table (for its row count).
    pub source_table: &'static str,
    /// A SELECT on the source giving our column names (an `id` among them).
    pub select: &'static str,
    /// Our columns it gives, written as given.
    pub columns: &'static [&'static str],
    /// A domain rule refusing rows that cannot come across as they are, if any.
    pub check: Option<RowCheck>,
    /// Sums compared after the import: label, source SQL, our SQL (each one text value).
    pub sums: &'static [(&'static str, &'static str, &'static str)],
    /// Reference data only: when our row `$1` is used by other rows here (it is then kept).
    pub in_use: &'static str,
    /// Columns naming a row of another entity: a row whose parent was refused is refused too,
    /// so it never attaches to a different row here under the same id.
    pub parents: &'static [(&'static str, &'static str)],
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)] // only how many came back matters
    id: i64,
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = Text)]
    total: String,
}

fn id_of(row: &Value) -> i64 {
    row.get("id").and_then(Value::as_i64).unwrap_or_default()
}

/// The database's refusal, in a line.
fn reason(e: &diesel::result::Error) -> String {
    match e {
        diesel::result::Error::DatabaseError(_, info) => match info.details() {
            Some(details) => format!("{} ({details})", info.message()),
            None => info.message().to_owned(),
        },
        other => other.to_string(),
    }
}

impl Import {
    /// Copies one entity.
    pub(super) async fn copy(&mut self, spec: &Spec) -> Result<EntityReport, StoreError> {
        let mut report = EntityReport::new(spec.entity);
        report.source_rows = self.source_count(spec.source_table).await?;
        let read = format!(
            "SELECT row_to_json(s)::text AS row FROM ({}) s WHERE s.id > $1 ORDER BY s.id LIMIT $2",
            spec.select
        );
        let mut after = 0i64;
        loop {
            let batch: Vec<JsonRow> = diesel::sql_query(&read)
                .bind::<BigInt, _>(after)
                .bind::<BigInt, _>(BATCH)
                .load(&mut self.source)
                .await
                .map_err(store)?;
            let rows: Vec<Value> = batch
                .iter()
                .map(|r| serde_json::from_str(&r.row))
                .collect::<Result<_, _>>()
                .map_err(|e| StoreError::Other(format!("{}: {e}", spec.entity)))?;
            let Some(last) = rows.last() else { break };
            after = id_of(last);
            // Rows an earlier run brought across are skipped, even if deleted here since.
            let ids: Vec<String> = rows.iter().map(|r| id_of(r).to_string()).collect();
            let done = super::ledger::recorded(&mut self.target, spec.entity, &ids).await?;
            let mut fit = Vec::with_capacity(rows.len());
            for row in rows {
                if done.contains(&id_of(&row).to_string()) {
                    report.already_present += 1;
                    continue;
                }
                let orphan = spec.parents.iter().find_map(|(column, parent)| {
                    let id = row.get(*column).and_then(Value::as_i64)?;
                    self.was_refused(parent, id)
                        .then(|| format!("its {parent} row {id} was not imported"))
                });
                match orphan.map_or_else(|| spec.check.map_or(Ok(()), |check| check(&row)), Err) {
                    Ok(()) => fit.push(row),
                    Err(why) => report.refuse(id_of(&row), why),
                }
            }
            match self.insert(spec, &fit).await {
                Ok(inserted) => {
                    report.imported += inserted;
                    report.already_present += fit.len() as u64 - inserted;
                }
                Err(_) => {
                    for row in &fit {
                        match self.insert(spec, std::slice::from_ref(row)).await {
                            Ok(1) => report.imported += 1,
                            Ok(_) => report.already_present += 1,
                            Err(e) => report.refuse(id_of(row), reason(&e)),
                        }
                    }
                }
            }
            self.tick(&report);
        }
        for (label, source_sql, our_sql) in spec.sums {
            report
                .sums
                .push(self.sum(label, source_sql, our_sql).await?);
        }
        self.remember_refused(&report);
        Ok(report)
    }

    /// Inserts rows (in a transaction, a savepoint in a dry run, so a refusal undoes only
    /// them); how many were new.
    async fn insert(&mut self, spec: &Spec, rows: &[Value]) -> Result<u64, diesel::result::Error> {
        if rows.is_empty() {
            return Ok(0);
        }
        let columns = spec.columns.join(", ");
        let sql = format!(
            "INSERT INTO {table} ({columns})
             SELECT {columns} FROM json_populate_recordset(NULL::{table}, $1::json)
             ON CONFLICT (id) DO NOTHING RETURNING id",
            table = spec.entity
        );
        let json = Value::Array(rows.to_vec()).to_string();
        let source_ids: Vec<String> = rows.iter().map(|r| id_of(r).to_string()).collect();
        self.target
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let ids: Vec<Id> = diesel::sql_query(&sql)
                    .bind::<Text, _>(&json)
                    .load(conn)
                    .await?;
                super::ledger::record(conn, spec.entity, &source_ids).await?;
                Ok(ids.len() as u64)
            })
            .await
    }

    /// Reference data (provinces, cities, categories), before any is copied: our own rows
    /// that differ from the source's under the same id, or that the source does not have, are
    /// removed when nothing here uses them (checked explicitly: deleting would otherwise null or
    /// cascade what refers to them). Run in reverse dependency order. The ids kept in use.
    pub(super) async fn clear_reference(&mut self, spec: &Spec) -> Result<Vec<i64>, StoreError> {
        let columns = spec.columns.join(", ");
        let theirs = self.all_rows(true, spec.select).await?;
        let mut ours = self
            .all_rows(false, &format!("SELECT {columns} FROM {}", spec.entity))
            .await?;
        // Children (higher ids, as a rule) before their parents.
        ours.reverse();
        let delete = format!(
            "DELETE FROM {} WHERE id = $1 AND NOT ({})",
            spec.entity, spec.in_use
        );
        let mut in_use = Vec::new();
        for row in &ours {
            if theirs.iter().any(|t| t == row) {
                continue;
            }
            let id = id_of(row);
            let removed = diesel::sql_query(&delete)
                .bind::<BigInt, _>(id)
                .execute(&mut self.target)
                .await
                .map_err(store)?;
            if removed == 0 && theirs.iter().any(|t| id_of(t) == id) {
                in_use.push(id);
            }
        }
        Ok(in_use)
    }

    /// Copies reference data once cleared: a source row whose id is held here by a different
    /// row still in use is refused (it would otherwise count as present).
    pub(super) async fn reference(
        &mut self,
        spec: &Spec,
        in_use: &[i64],
    ) -> Result<EntityReport, StoreError> {
        // Known before the copy, so rows of this very table (a category's children) see it.
        for &id in in_use {
            self.refused.entry(spec.entity).or_default().insert(id);
        }
        let mut report = self.copy(spec).await?;
        for &id in in_use {
            report.already_present = report.already_present.saturating_sub(1);
            report.refuse(
                id,
                format!("id {id} is a different {} here, in use", spec.entity),
            );
        }
        Ok(report)
    }

    async fn all_rows(&mut self, source: bool, select: &str) -> Result<Vec<Value>, StoreError> {
        let sql = format!("SELECT row_to_json(s)::text AS row FROM ({select}) s ORDER BY s.id");
        let conn = if source {
            &mut self.source
        } else {
            &mut self.target
        };
        let rows: Vec<JsonRow> = diesel::sql_query(sql).load(conn).await.map_err(store)?;
        rows.iter()
            .map(|r| serde_json::from_str(&r.row))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Other(e.to_string()))
    }

    async fn sum(
        &mut self,
        label: &str,
        source_sql: &str,
        our_sql: &str,
    ) -> Result<SumCheck, StoreError> {
        let source: Total = diesel::sql_query(source_sql)
            .get_result(&mut self.source)
            .await
            .map_err(store)?;
        let ours: Total = diesel::sql_query(our_sql)
            .get_result(&mut self.target)
            .await
            .map_err(store)?;
        Ok(SumCheck {
            label: label.to_owned(),
            source: source.total,
            imported: ours.total,
        })
    }
}
