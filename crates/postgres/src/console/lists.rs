//! The console's read models: list pages, CSV batches, drill-down periods, records, lookups.
//! SQL is assembled from the constant fragments of `sources`; every value is bound.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use madeinpk_domain::catalog::listing::{Discount, discounted};
use madeinpk_domain::console::columns::{Kind, spec};
use madeinpk_domain::console::entity::Entity;
use madeinpk_domain::console::ports::ConsoleReads;
use madeinpk_domain::console::query::{FilterValue, ListQuery, PER_PAGE, Periods};
use madeinpk_domain::console::record::{ListPage, Record, Row};
use madeinpk_domain::money::{Currency, Money};
use madeinpk_domain::store::StoreError;
use serde_json::Value;

use crate::console::sources::{Source, source};
use crate::db::Db;
use crate::error::store;

/// A value to bind.
#[derive(Clone)]
enum Bind {
    Text(String),
    Bool(bool),
    Time(DateTime<Utc>),
    Times(Vec<DateTime<Utc>>),
    Id(i64),
}

/// Fields a detail page never shows.
const SECRET_FIELDS: &[&str] = &["password_hash", "token_hash", "key_hash", "csrf_token"];

#[derive(diesel::QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Matching rows between two drill-down bounds (`width_bucket`: 1 is the first period).
#[derive(diesel::QueryableByName)]
struct BucketRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<Integer>)]
    bucket: Option<i32>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct LookupRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
}

fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The WHERE conditions of `query` (search, filters and, with `window`, the drill-down).
fn conditions(src: &Source, query: &ListQuery, window: bool, binds: &mut Vec<Bind>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(q) = &query.q {
        binds.push(Bind::Text(like_pattern(q)));
        let n = format!("${}", binds.len());
        let any: Vec<String> = src.search.iter().map(|s| s.replace("{q}", &n)).collect();
        out.push(format!("({})", any.join(" OR ")));
    }
    for (key, _, value) in &query.filters {
        let Some(expr) = src.filter(key) else {
            continue;
        };
        let op = match value {
            FilterValue::Since(_) => ">=",
            _ => "=",
        };
        binds.push(match value {
            FilterValue::Text(t) => Bind::Text(t.clone()),
            FilterValue::Bool(b) => Bind::Bool(*b),
            FilterValue::Since(t) => Bind::Time(*t),
            FilterValue::Id(i) => Bind::Id(*i),
        });
        out.push(format!("{expr} {op} ${}", binds.len()));
    }
    if window && let (Some(expr), Some((start, end))) = (src.drill, query.window) {
        binds.push(Bind::Time(start));
        binds.push(Bind::Time(end));
        out.push(format!(
            "{expr} >= ${} AND {expr} < ${}",
            binds.len() - 1,
            binds.len()
        ));
    }
    out
}

fn where_sql(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

/// `json_build_array(id, cells…)` of an entity's columns.
fn select_row(entity: Entity, src: &Source) -> String {
    let mut parts = vec![src.id.to_owned()];
    for c in spec(entity).columns {
        let expr = src.column(c.key).unwrap_or("NULL");
        parts.push(match c.kind {
            Kind::Ref(_) => {
                let (id, label) = expr.split_once('|').unwrap_or((expr, expr));
                format!("CASE WHEN {id} IS NULL THEN NULL ELSE json_build_array({id}, {label}) END")
            }
            Kind::Money if !expr.starts_with("json_build_array(") => format!("({expr})::text"),
            _ => expr.to_owned(),
        });
    }
    format!("json_build_array({})::text AS row", parts.join(", "))
}

fn order_sql(entity: Entity, src: &Source, query: &ListQuery) -> String {
    let fallback = format!("{} DESC", src.id);
    let Some((key, desc)) = query.sort else {
        return fallback;
    };
    let (Some(column), Some(expr)) = (spec(entity).column(key), src.column(key)) else {
        return fallback;
    };
    let expr = match column.kind {
        Kind::Ref(_) => expr.split_once('|').map_or(expr, |(_, label)| label),
        _ => expr,
    };
    if expr.starts_with("json_build_array(") {
        return fallback;
    }
    let dir = if desc {
        "DESC NULLS LAST"
    } else {
        "ASC NULLS FIRST"
    };
    format!(
        "{expr} {dir}, {} {}",
        src.id,
        if desc { "DESC" } else { "ASC" }
    )
}

fn bound(
    sql: String,
    binds: Vec<Bind>,
) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
    let mut q = diesel::sql_query(sql).into_boxed::<Pg>();
    for b in binds {
        q = match b {
            Bind::Text(v) => q.bind::<Text, _>(v),
            Bind::Bool(v) => q.bind::<Bool, _>(v),
            Bind::Time(v) => q.bind::<Timestamptz, _>(v),
            Bind::Times(v) => q.bind::<Array<Timestamptz>, _>(v),
            Bind::Id(v) => q.bind::<BigInt, _>(v),
        };
    }
    q
}

/// Reads one `json_build_array` row, applying what SQL leaves to the domain.
fn parse_row(entity: Entity, text: &str, now: DateTime<Utc>) -> Result<Row, StoreError> {
    let mut cells: Vec<Value> =
        serde_json::from_str(text).map_err(|e| StoreError::Other(format!("console row: {e}")))?;
    if cells.is_empty() {
        return Err(StoreError::Other("console row without an id".into()));
    }
    let id = cells.remove(0).as_i64().unwrap_or_default();
    if entity == Entity::Listings
        && let Some(pos) = spec(entity)
            .columns
            .iter()
            .position(|c| c.key == "discounted_price")
    {
        cells[pos] = discounted_cell(&cells[pos], now);
    }
    Ok(Row { id, cells })
}

/// `[price, bps, start, end]` → the price a buyer pays now, by the catalogue's rule.
fn discounted_cell(parts: &Value, now: DateTime<Utc>) -> Value {
    let part = |i: usize| parts.get(i).cloned().unwrap_or(Value::Null);
    let Some(price) = part(0)
        .as_str()
        .and_then(|p| Money::parse(p, Currency::Pkr).ok())
    else {
        return Value::Null;
    };
    let time = |v: Value| {
        v.as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let discount = Discount {
        percentage_bps: part(1).as_u64().and_then(|b| u32::try_from(b).ok()),
        start: time(part(2)),
        end: time(part(3)),
    };
    let now_price = match discount.percentage_bps {
        Some(bps) if discount.is_active(now) => discounted(price, bps).unwrap_or(price),
        _ => price,
    };
    Value::String(now_price.to_decimal_string())
}

impl Db {
    /// How many rows match and, with `periods`, which of them hold some: rows are counted
    /// between the periods' bounds (`width_bucket`), with no date converted to the zone.
    async fn count(
        &self,
        src: &Source,
        conds: &[String],
        binds: &[Bind],
        periods: Option<&Periods>,
    ) -> Result<(i64, Vec<i32>), StoreError> {
        let mut conn = self.conn().await?;
        let (Some(expr), Some(p)) = (src.drill, periods) else {
            let sql = format!("SELECT count(*) AS n FROM {}{}", src.from, where_sql(conds));
            let row: CountRow = bound(sql, binds.to_vec())
                .get_result(&mut conn)
                .await
                .map_err(store)?;
            return Ok((row.n, Vec::new()));
        };
        let mut bounds: Vec<DateTime<Utc>> = p.starts.iter().map(|s| s.1).collect();
        bounds.push(p.end);
        let mut count_binds = binds.to_vec();
        count_binds.push(Bind::Times(bounds));
        let sql = format!(
            "SELECT width_bucket({expr}, ${}) AS bucket, count(*) AS n FROM {}{} GROUP BY 1",
            count_binds.len(),
            src.from,
            where_sql(conds)
        );
        let buckets: Vec<BucketRow> = bound(sql, count_binds)
            .load(&mut conn)
            .await
            .map_err(store)?;
        // Bucket 1 is the first period; 0 and past the last are outside every period.
        let mut found: Vec<i32> = buckets
            .iter()
            .filter_map(|b| usize::try_from(b.bucket?.checked_sub(1)?).ok())
            .filter_map(|i| p.starts.get(i).map(|s| s.0))
            .collect();
        found.sort_unstable();
        Ok((buckets.iter().map(|b| b.n).sum(), found))
    }

    async fn rows(
        &self,
        entity: Entity,
        sql: String,
        binds: Vec<Bind>,
    ) -> Result<Vec<Row>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<JsonRow> = bound(sql, binds).load(&mut conn).await.map_err(store)?;
        let now = Utc::now();
        rows.iter()
            .map(|r| parse_row(entity, &r.row, now))
            .collect()
    }
}

impl ConsoleReads for Db {
    async fn list(
        &self,
        entity: Entity,
        query: ListQuery,
        periods: Option<Periods>,
    ) -> Result<ListPage, StoreError> {
        let src = source(entity);
        let mut binds = Vec::new();
        let conds = conditions(&src, &query, true, &mut binds);
        // The drill-down's periods come from the count's pass over the matching rows.
        let (total, periods) = self.count(&src, &conds, &binds, periods.as_ref()).await?;
        // The page's ids first (sorting only the sort key), then its rows: per-row subqueries
        // (a user's order count, an order's payment status) run for these rows alone.
        let order = order_sql(entity, &src, &query);
        let sql = format!(
            "SELECT {row} FROM {from} WHERE {id} IN (SELECT {id} FROM {from}{filter} ORDER BY {order} \
             LIMIT {PER_PAGE} OFFSET {offset}) ORDER BY {order}",
            row = select_row(entity, &src),
            from = src.from,
            id = src.id,
            filter = where_sql(&conds),
            offset = query.offset()
        );
        let rows = self.rows(entity, sql, binds).await?;
        Ok(ListPage {
            total,
            rows,
            periods,
        })
    }

    async fn export_batch(
        &self,
        entity: Entity,
        query: ListQuery,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Row>, StoreError> {
        let src = source(entity);
        let mut binds = Vec::new();
        let mut conds = conditions(&src, &query, true, &mut binds);
        binds.push(Bind::Id(after));
        conds.push(format!("{} > ${}", src.id, binds.len()));
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY {} ASC LIMIT {}",
            select_row(entity, &src),
            src.from,
            where_sql(&conds),
            src.id,
            limit.clamp(1, 10_000)
        );
        self.rows(entity, sql, binds).await
    }

    async fn record(&self, entity: Entity, id: i64) -> Result<Option<Record>, StoreError> {
        let src = source(entity);
        let sql = format!(
            "SELECT (SELECT json_agg(json_build_array(key, value #>> '{{}}')) \
             FROM json_each(row_to_json(t)))::text AS row FROM {} t WHERE t.id = $1",
            src.table
        );
        let fields: Option<JsonRow> = {
            let mut conn = self.conn().await?;
            use diesel::OptionalExtension;
            bound(sql, vec![Bind::Id(id)])
                .get_result(&mut conn)
                .await
                .optional()
                .map_err(store)?
        };
        let Some(fields) = fields else {
            return Ok(None);
        };
        let pairs: Vec<(String, Option<String>)> = serde_json::from_str(&fields.row)
            .map_err(|e| StoreError::Other(format!("console record: {e}")))?;
        let fields = pairs
            .into_iter()
            .filter(|(k, _)| !SECRET_FIELDS.contains(&k.as_str()))
            .collect();
        let row_sql = format!(
            "SELECT {} FROM {} WHERE {} = $1",
            select_row(entity, &src),
            src.from,
            src.id
        );
        let Some(row) = self
            .rows(entity, row_sql, vec![Bind::Id(id)])
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let images = if entity == Entity::Products {
            let mut conn = self.conn().await?;
            let rows: Vec<JsonRow> = diesel::sql_query(
                "SELECT path AS row FROM product_images WHERE product_id = $1 ORDER BY position, id",
            )
            .bind::<BigInt, _>(id)
            .load(&mut conn)
            .await
            .map_err(store)?;
            rows.into_iter().map(|r| r.row).collect()
        } else {
            Vec::new()
        };
        Ok(Some(Record {
            fields,
            row,
            images,
        }))
    }

    async fn lookup(&self, entity: Entity) -> Result<Vec<(i64, String)>, StoreError> {
        let table = match entity {
            Entity::Provinces => "provinces",
            Entity::Categories => "categories",
            _ => return Ok(Vec::new()),
        };
        let mut conn = self.conn().await?;
        let rows: Vec<LookupRow> = diesel::sql_query(format!(
            "SELECT id, name::text AS name FROM {table} ORDER BY name, id"
        ))
        .load(&mut conn)
        .await
        .map_err(store)?;
        Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
