//! CSV export of any filtered list, streamed in batches (never the whole table in memory).

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::console::columns::{Column, spec};
use madeinpk_domain::console::entity::Entity;
use madeinpk_domain::console::ports::ConsoleReads;
use madeinpk_domain::console::query::ListQuery;

use crate::console::cells::csv_text;
use crate::console::lists::{entity_of, list_query, query_pairs};
use crate::console::page;
use crate::console::session::Operator;
use crate::state::AppState;

/// Rows read per batch.
const BATCH: i64 = 500;

/// The orders export keeps the old site's columns.
const ORDER_COLUMNS: &[(&str, &str)] = &[
    ("number", "number"),
    ("buyer", "buyer"),
    ("seller", "seller"),
    ("type", "type"),
    ("amount", "total"),
    ("status", "status"),
    ("date", "created"),
];

/// `(header, column)` of an entity's export.
fn export_columns(entity: Entity) -> Vec<(&'static str, &'static Column)> {
    let spec = spec(entity);
    if entity == Entity::Orders {
        return ORDER_COLUMNS
            .iter()
            .filter_map(|(h, key)| spec.column(key).map(|c| (*h, c)))
            .collect();
    }
    spec.columns.iter().map(|c| (c.key, c)).collect()
}

/// One CSV field, quoted when it must be; a leading `=+-@` is defused for spreadsheets.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// `GET /admin/<entity>/export.csv` (the list's filters apply).
pub async fn csv(
    req: HttpRequest,
    operator: Operator,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> HttpResponse {
    let entity = match entity_of(&slug, &operator) {
        Ok(e) => e,
        Err(res) => return res,
    };
    let query = list_query(&state, &spec(entity), &query_pairs(&req));
    let columns = export_columns(entity);
    let header_line = columns
        .iter()
        .map(|(h, _)| *h)
        .collect::<Vec<_>>()
        .join(",")
        + "\r\n";
    // Fail before the first byte when the database is down, so the operator sees why.
    if let Err(e) = state.db.export_batch(entity, query.clone(), 0, 1).await {
        return page::store_failure(Some(&operator), &e);
    }
    let state = state.into_inner();
    let stream = futures_util::stream::unfold(
        (Some(header_line), 0i64, false, state, query),
        move |(head, after, done, state, query): (
            Option<String>,
            i64,
            bool,
            std::sync::Arc<AppState>,
            ListQuery,
        )| {
            let columns = export_columns(entity);
            async move {
                if let Some(h) = head {
                    return Some((
                        Ok::<_, actix_web::Error>(Bytes::from(h)),
                        (None, after, done, state, query),
                    ));
                }
                if done {
                    return None;
                }
                let rows = match state
                    .db
                    .export_batch(entity, query.clone(), after, BATCH)
                    .await
                {
                    Ok(rows) => rows,
                    Err(e) => {
                        tracing::error!(error = %e, "console export failed mid-stream");
                        return Some((
                            Err(actix_web::error::ErrorInternalServerError("export failed")),
                            (None, after, true, state, query),
                        ));
                    }
                };
                if rows.is_empty() {
                    return None;
                }
                let tz = state.config.time_zone;
                let spec = spec(entity);
                let mut out = String::new();
                for row in &rows {
                    let line: Vec<String> = columns
                        .iter()
                        .map(|(_, c)| {
                            let pos = spec.columns.iter().position(|s| s.key == c.key);
                            let v = pos
                                .and_then(|p| row.cells.get(p))
                                .cloned()
                                .unwrap_or_default();
                            field(&csv_text(c, &v, tz))
                        })
                        .collect();
                    out.push_str(&line.join(","));
                    out.push_str("\r\n");
                }
                let last = rows.last().map_or(after, |r| r.id);
                let finished = i64::try_from(rows.len()).unwrap_or(0) < BATCH;
                Some((Ok(Bytes::from(out)), (None, last, finished, state, query)))
            }
        },
    );
    page::secured(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", entity.slug()),
            ))
            .streaming(stream),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("-12.50"), "-12.50");
    }

    #[test]
    fn the_orders_export_keeps_the_old_columns() {
        let heads: Vec<&str> = export_columns(Entity::Orders)
            .iter()
            .map(|(h, _)| *h)
            .collect();
        assert_eq!(
            heads,
            [
                "number", "buyer", "seller", "type", "amount", "status", "date"
            ]
        );
    }
}
