//! The audit log: recording operators' changes and the `/admin/audit/` page.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::account::user::User;
use madeinpk_domain::console::audit::{AuditEntry, AuditFilter, Source, changes};
use madeinpk_domain::console::entity::Entity;
use madeinpk_domain::console::ports::AuditLog;
use madeinpk_domain::console::query::PER_PAGE;
use madeinpk_domain::console::record::Record;
use madeinpk_domain::ids::UserId;
use minijinja::context;
use serde_json::Value;

use crate::console::cells::{Cell, local_time};
use crate::console::lists::{href, query_pairs};
use crate::console::page::{self, Crumb, render};
use crate::console::session::{Operator, field};
use crate::state::AppState;

/// One change to record.
pub struct Change<'a> {
    /// The entity's slug.
    pub entity: &'a str,
    /// The row.
    pub id: Option<i64>,
    /// The action's name.
    pub action: &'a str,
    /// The row before (a snapshot object).
    pub before: Option<Value>,
    /// The row after.
    pub after: Option<Value>,
    /// `done` or `refused: …`.
    pub outcome: String,
    /// What the record is called ("User #3: amna").
    pub label: String,
}

/// Appends `change` by `operator` made from `source`; a failure to record is logged (the change
/// itself has happened and must not be reported as failed).
pub async fn record(state: &AppState, operator: &User, source: Source, change: Change<'_>) {
    let (before, after) = changes(change.before.as_ref(), change.after.as_ref());
    let entry = AuditEntry {
        operator: operator.id,
        operator_name: operator.username.clone(),
        source,
        entity: change.entity.to_owned(),
        entity_id: change.id,
        label: change.label,
        action: change.action.to_owned(),
        before,
        after,
        outcome: change.outcome,
    };
    if let Err(e) = state.db.append(entry).await {
        tracing::error!(error = %e, "could not write the audit log");
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        None => String::new(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}: {s}"),
                Value::Null => format!("{k}: —"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

fn cell(text: String) -> Cell {
    Cell {
        text,
        kind: "text",
        href: None,
        tone: None,
    }
}

/// `GET /admin/audit/?operator=&entity=&p=`.
pub async fn page(
    req: HttpRequest,
    operator: Operator,
    state: web::Data<AppState>,
) -> HttpResponse {
    let pairs = query_pairs(&req);
    let filter = AuditFilter {
        operator: field(&pairs, "operator").parse::<i64>().ok().map(UserId),
        entity: Some(field(&pairs, "entity").to_owned()).filter(|e| !e.is_empty()),
    };
    let page_no = field(&pairs, "p")
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let (total, records) = match state
        .db
        .audit_page(filter.clone(), (page_no - 1) * PER_PAGE, PER_PAGE)
        .await
    {
        Ok(r) => r,
        Err(e) => return page::store_failure(Some(&operator), &e),
    };
    let tz = state.config.time_zone;
    let path = "/admin/audit/";
    let rows: Vec<Value> = records
        .iter()
        .map(|r| {
            let e = &r.entry;
            let target = match (e.entity_id, e.label.is_empty()) {
                (Some(_), false) => e.label.clone(),
                (Some(id), true) => format!("{} #{id}", e.entity),
                (None, _) => e.entity.clone(),
            };
            let mut target_cell = cell(target);
            if let Some(id) = e.entity_id {
                target_cell.kind = "link";
                target_cell.href = Some(format!("/admin/{}/{id}/", e.entity));
            }
            let refused = e.outcome.starts_with("refused");
            let mut outcome = cell(e.outcome.clone());
            outcome.kind = "badge";
            outcome.tone = Some(if refused { "bad" } else { "ok" });
            let mut who = cell(e.operator_name.clone());
            who.kind = "link";
            who.href = Some(href(
                path,
                &pairs,
                &[("operator", Some(e.operator.get().to_string()))],
            ));
            serde_json::json!({
                "id": r.id,
                "href": target_cell.href.clone().unwrap_or_else(|| path.to_owned()),
                "cells": [
                    cell(local_time(&r.at.to_rfc3339(), tz)),
                    who,
                    cell(e.source.as_str().to_owned()),
                    target_cell,
                    cell(e.action.clone()),
                    cell(text(e.before.as_ref())),
                    cell(text(e.after.as_ref())),
                    outcome,
                ],
            })
        })
        .collect();
    let columns: Vec<Value> = [
        "When", "Operator", "From", "Record", "Action", "Before", "After", "Outcome",
    ]
    .iter()
    .map(|l| serde_json::json!({"key": l.to_lowercase(), "label": l, "align": "left"}))
    .collect();
    let entities: Vec<Value> = std::iter::once(serde_json::json!({
        "label": "All", "href": href(path, &pairs, &[("entity", None)]), "selected": filter.entity.is_none()
    }))
    .chain(madeinpk_domain::console::entity::Entity::ALL.iter().map(|e| {
        serde_json::json!({
            "label": crate::console::page::capitalised(e.plural()),
            "href": href(path, &pairs, &[("entity", Some(e.slug().to_owned()))]),
            "selected": filter.entity.as_deref() == Some(e.slug()),
        })
    }))
    .collect();
    let mut filters =
        vec![serde_json::json!({"key": "entity", "label": "Entity", "options": entities})];
    if let Some(op) = filter.operator {
        filters.push(serde_json::json!({"key": "operator", "label": "Operator", "options": [
            {"label": "All operators", "href": href(path, &pairs, &[("operator", None)]), "selected": false},
            {"label": format!("#{}", op.get()), "href": href(path, &pairs, &[]), "selected": true},
        ]}));
    }
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page_href = |p: i64| href(path, &pairs, &[("p", Some(p.to_string()))]);
    render(
        "list.html",
        Some(&operator),
        "audit",
        Vec::new(),
        vec![
            Crumb {
                label: "Home".into(),
                href: Some("/admin/".into()),
            },
            Crumb {
                label: "Audit log".into(),
                href: None,
            },
        ],
        context! {
            title => "Audit log",
            entity => context! { slug => "audit", title => "Audit entry", plural => "audit entries" },
            q => "",
            search_help => "",
            no_search => true,
            keep => Vec::<()>::new(),
            filters => filters,
            columns => columns,
            rows => rows,
            actions => Vec::<()>::new(),
            page => context! {
                number => page_no, pages => pages, total => total,
                prev_href => (page_no > 1).then(|| page_href(page_no - 1)),
                next_href => (page_no < pages).then(|| page_href(page_no + 1)),
            },
            export_href => "",
            clear_href => path,
        },
    )
}

/// Runs an admin API change `run` on `entity` row `id` and records it (from `Source::Api`)
/// with the row before and after and its outcome. Callers who are not admins are refused by
/// the service and are not operators, so nothing is recorded for them.
pub async fn audited<T, E: std::fmt::Display>(
    state: &AppState,
    caller: &User,
    entity: Entity,
    id: Option<i64>,
    action: &str,
    run: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    use madeinpk_domain::console::ports::ConsoleReads;
    if !caller.is_admin() {
        return run.await;
    }
    let read = async |id: Option<i64>| match id {
        Some(id) => state.db.record(entity, id).await.ok().flatten(),
        None => None,
    };
    let before = read(id).await;
    let result = run.await;
    let after = read(id).await;
    let label = match (id, after.as_ref().or(before.as_ref())) {
        (Some(id), Some(rec)) => crate::console::title::label_of(state, entity, id, rec),
        _ => String::new(),
    };
    let (before, after) = (
        before.as_ref().map(Record::snapshot),
        after.as_ref().map(Record::snapshot),
    );
    let outcome = match &result {
        Ok(_) => "done".to_owned(),
        Err(e) => format!("refused: {e}"),
    };
    record(
        state,
        caller,
        Source::Api,
        Change {
            entity: entity.slug(),
            id,
            action,
            before,
            after,
            outcome,
            label,
        },
    )
    .await;
    result
}
