//! The audit log in Postgres (append-only: a trigger refuses updates and deletes).

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use madeinpk_domain::console::audit::{AuditEntry, AuditFilter, AuditRecord, Source};
use madeinpk_domain::console::ports::AuditLog;
use madeinpk_domain::ids::UserId;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;

#[derive(diesel::QueryableByName)]
struct AuditRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    operator_id: Option<i64>,
    #[diesel(sql_type = Text)]
    operator_name: String,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    entity: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    entity_id: Option<i64>,
    #[diesel(sql_type = Text)]
    label: String,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Nullable<Text>)]
    before: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    after: Option<String>,
    #[diesel(sql_type = Text)]
    outcome: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

fn json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

impl AuditLog for Db {
    async fn append(&self, entry: AuditEntry) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query(
            "INSERT INTO audit_log (operator_id, operator_name, source, entity, entity_id, action,
                                    before, after, outcome, label)
             VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10)",
        )
        .bind::<BigInt, _>(entry.operator.get())
        .bind::<Text, _>(entry.operator_name)
        .bind::<Text, _>(entry.source.as_str())
        .bind::<Text, _>(entry.entity)
        .bind::<Nullable<BigInt>, _>(entry.entity_id)
        .bind::<Text, _>(entry.action)
        .bind::<Nullable<Text>, _>(entry.before.map(|v| v.to_string()))
        .bind::<Nullable<Text>, _>(entry.after.map(|v| v.to_string()))
        .bind::<Text, _>(entry.outcome)
        .bind::<Text, _>(entry.label)
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(())
    }

    async fn audit_page(
        &self,
        filter: AuditFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<AuditRecord>), StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<AuditRow> = diesel::sql_query(
            "SELECT id, operator_id, operator_name, source, entity, entity_id, label, action,
                    before::text AS before, after::text AS after, outcome, created_at,
                    count(*) OVER () AS total
             FROM audit_log
             WHERE ($1::bigint IS NULL OR operator_id = $1) AND ($2::text IS NULL OR entity = $2)
             ORDER BY id DESC LIMIT $3 OFFSET $4",
        )
        .bind::<Nullable<BigInt>, _>(filter.operator.map(UserId::get))
        .bind::<Nullable<Text>, _>(filter.entity)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(&mut conn)
        .await
        .map_err(store)?;
        let total = <[AuditRow]>::first(&rows).map_or(0, |r| r.total);
        let records = rows
            .into_iter()
            .map(|r| AuditRecord {
                id: r.id,
                at: r.created_at,
                entry: AuditEntry {
                    operator: UserId(r.operator_id.unwrap_or_default()),
                    operator_name: r.operator_name,
                    source: if r.source == "api" {
                        Source::Api
                    } else {
                        Source::Console
                    },
                    entity: r.entity,
                    entity_id: r.entity_id,
                    label: r.label,
                    action: r.action,
                    before: json(r.before),
                    after: json(r.after),
                    outcome: r.outcome,
                },
            })
            .collect();
        Ok((total, records))
    }
}
