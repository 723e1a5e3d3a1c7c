//! List pages: `/admin/<entity>/` with search, filters, sorting, pages and the date drill-down.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::clock::Clock;
use madeinpk_domain::console::columns::{Choices, SINCE, Spec, spec};
use madeinpk_domain::console::entity::Entity;
use madeinpk_domain::console::ports::ConsoleReads;
use madeinpk_domain::console::query::{DrillLevel, ListQuery, PER_PAGE, month_name};
use minijinja::context;
use serde::Serialize;

use crate::console::cells::{Cell, cell};
use crate::console::page::{self, Crumb, Message, capitalised, render};
use crate::console::session::Operator;
use crate::state::AppState;

/// The query string's pairs (a malformed one reads as empty).
pub fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default()
}

/// `path?query` with `set` replacing those keys (`None` removes one); the page resets to 1
/// unless `p` is set.
pub fn href(path: &str, pairs: &[(String, String)], set: &[(&str, Option<String>)]) -> String {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "p" && !set.iter().any(|(s, _)| s == k))
        .cloned()
        .collect();
    for (k, v) in set {
        if let Some(v) = v {
            out.push(((*k).to_owned(), v.clone()));
        }
    }
    let q = serde_urlencoded::to_string(&out).unwrap_or_default();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

/// The entity named in the path, or the 404 page.
pub fn entity_of(slug: &str, operator: &Operator) -> Result<Entity, HttpResponse> {
    Entity::from_slug(slug).ok_or_else(|| {
        page::error_page(
            Some(operator),
            StatusCode::NOT_FOUND,
            "There is no such list.",
        )
    })
}

/// The checked request of a list page.
pub fn list_query(state: &AppState, spec: &Spec, pairs: &[(String, String)]) -> ListQuery {
    ListQuery::parse(spec, pairs, state.clock.now(), &state.config.time_zone)
}

#[derive(Serialize)]
struct ColumnView {
    key: &'static str,
    label: &'static str,
    align: &'static str,
    sort_href: String,
    sorted: Option<&'static str>,
}

#[derive(Serialize)]
struct RowView {
    id: i64,
    href: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct OptionView {
    label: String,
    href: String,
    selected: bool,
}

#[derive(Serialize)]
struct FilterView {
    key: &'static str,
    label: &'static str,
    options: Vec<OptionView>,
}

#[derive(Serialize)]
struct DrillView {
    crumbs: Vec<Crumb>,
    options: Vec<OptionView>,
}

#[derive(Serialize)]
struct PageView {
    number: i64,
    pages: i64,
    total: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

async fn filter_views(
    state: &AppState,
    spec: &Spec,
    path: &str,
    pairs: &[(String, String)],
    query: &ListQuery,
) -> Result<Vec<FilterView>, madeinpk_domain::store::StoreError> {
    let mut out = Vec::new();
    for f in spec.filters {
        let current = query.filter_value(f.key);
        let mut values: Vec<(String, String)> = Vec::new();
        match f.choices {
            Choices::Fixed(options) => {
                values.extend(options.iter().map(|(v, l)| ((*v).into(), (*l).into())));
            }
            Choices::YesNo => {
                values.push(("yes".into(), "Yes".into()));
                values.push(("no".into(), "No".into()));
            }
            Choices::Since => {
                values.extend(SINCE.iter().map(|(v, l, _)| ((*v).into(), (*l).into())));
            }
            Choices::Lookup(entity) => {
                let rows = state.db.lookup(entity).await?;
                values.extend(rows.into_iter().map(|(id, name)| (id.to_string(), name)));
            }
        }
        let mut options = vec![OptionView {
            label: "All".into(),
            href: href(path, pairs, &[(f.key, None)]),
            selected: current.is_none(),
        }];
        options.extend(values.into_iter().map(|(v, label)| OptionView {
            selected: current == Some(v.as_str()),
            href: href(path, pairs, &[(f.key, Some(v))]),
            label,
        }));
        out.push(FilterView {
            key: f.key,
            label: f.label,
            options,
        });
    }
    Ok(out)
}

fn drill_view(
    entity: Entity,
    path: &str,
    pairs: &[(String, String)],
    query: &ListQuery,
    periods: &[i32],
) -> Option<DrillView> {
    spec(entity).drill?;
    let d = query.drill;
    let unset = |keys: &[&'static str]| -> Vec<(&'static str, Option<String>)> {
        keys.iter().map(|k| (*k, None)).collect()
    };
    let mut crumbs = vec![Crumb {
        label: "All dates".into(),
        href: Some(href(path, pairs, &unset(&["year", "month", "day"]))),
    }];
    if let Some(y) = d.year {
        crumbs.push(Crumb {
            label: y.to_string(),
            href: Some(href(
                path,
                pairs,
                &[
                    ("year", Some(y.to_string())),
                    ("month", None),
                    ("day", None),
                ],
            )),
        });
        if let Some(m) = d.month {
            crumbs.push(Crumb {
                label: month_name(m).into(),
                href: Some(href(
                    path,
                    pairs,
                    &[
                        ("year", Some(y.to_string())),
                        ("month", Some(m.to_string())),
                        ("day", None),
                    ],
                )),
            });
            if let Some(day) = d.day {
                crumbs.push(Crumb {
                    label: day.to_string(),
                    href: None,
                });
            }
        }
    }
    let mut options = Vec::new();
    if let Some(level) = d.next_level() {
        for &v in periods {
            let (key, label) = match level {
                DrillLevel::Year => ("year", v.to_string()),
                DrillLevel::Month => ("month", u32::try_from(v).map_or("?", month_name).to_owned()),
                DrillLevel::Day => ("day", v.to_string()),
            };
            options.push(OptionView {
                label,
                href: href(path, pairs, &[(key, Some(v.to_string()))]),
                selected: false,
            });
        }
    }
    Some(DrillView { crumbs, options })
}

/// `GET /admin/<entity>/`.
pub async fn page(
    req: HttpRequest,
    operator: Operator,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> HttpResponse {
    let entity = match entity_of(&slug, &operator) {
        Ok(e) => e,
        Err(res) => return res,
    };
    let messages = flash(&req);
    match list_page(&req, &operator, &state, entity, messages).await {
        Ok(res) => res,
        Err(e) => page::store_failure(Some(&operator), &e),
    }
}

/// A message handed over by a redirect (`?done=` / `?refused=`).
pub fn flash(req: &HttpRequest) -> Vec<Message> {
    let pairs = query_pairs(req);
    let mut out = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "done" => out.push(Message::success(v)),
            "refused" => out.push(Message::error(v)),
            _ => {}
        }
    }
    out
}

async fn list_page(
    req: &HttpRequest,
    operator: &Operator,
    state: &AppState,
    entity: Entity,
    messages: Vec<Message>,
) -> Result<HttpResponse, madeinpk_domain::store::StoreError> {
    let spec = spec(entity);
    let path = format!("/admin/{}/", entity.slug());
    let pairs: Vec<(String, String)> = query_pairs(req)
        .into_iter()
        .filter(|(k, _)| k != "done" && k != "refused")
        .collect();
    let query = list_query(state, &spec, &pairs);
    let periods = spec.drill.and_then(|_| {
        query
            .drill
            .periods(&state.config.time_zone, chrono::Utc::now())
    });
    let list = state.db.list(entity, query.clone(), periods).await?;
    let tz = state.config.time_zone;
    let columns: Vec<ColumnView> = spec
        .columns
        .iter()
        .map(|c| {
            let sorted = match query.sort {
                Some((k, desc)) if k == c.key => Some(if desc { "desc" } else { "asc" }),
                _ => None,
            };
            let next = if sorted == Some("asc") {
                format!("-{}", c.key)
            } else {
                c.key.to_owned()
            };
            ColumnView {
                key: c.key,
                label: c.label,
                align: match c.kind {
                    madeinpk_domain::console::columns::Kind::Money
                    | madeinpk_domain::console::columns::Kind::Number => "right",
                    _ => "left",
                },
                sort_href: href(&path, &pairs, &[("o", Some(next))]),
                sorted,
            }
        })
        .collect();
    let rows: Vec<RowView> = list
        .rows
        .iter()
        .map(|r| RowView {
            id: r.id,
            href: format!("{path}{}/", r.id),
            cells: spec
                .columns
                .iter()
                .zip(&r.cells)
                .map(|(c, v)| cell(c, v, tz))
                .collect(),
        })
        .collect();
    let pages = ((list.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page_href = |p: i64| href(&path, &pairs, &[("p", Some(p.to_string()))]);
    let page = PageView {
        number: query.page,
        pages,
        total: list.total,
        prev_href: (query.page > 1).then(|| page_href(query.page - 1)),
        next_href: (query.page < pages).then(|| page_href(query.page + 1)),
    };
    let filters = filter_views(state, &spec, &path, &pairs, &query).await?;
    let drill = drill_view(entity, &path, &pairs, &query, &list.periods);
    let keep: Vec<serde_json::Value> = pairs
        .iter()
        .filter(|(k, _)| k != "q" && k != "p")
        .map(|(k, v)| serde_json::json!({"name": k, "value": v}))
        .collect();
    let actions: Vec<serde_json::Value> = spec
        .actions
        .iter()
        .map(|a| serde_json::json!({"key": a.key(), "label": a.label()}))
        .collect();
    let export_q = serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(k, _)| k != "p" && k != "o")
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let export_href = if export_q.is_empty() {
        format!("{path}export.csv")
    } else {
        format!("{path}export.csv?{export_q}")
    };
    Ok(render(
        "list.html",
        Some(operator),
        entity.slug(),
        messages,
        vec![
            Crumb {
                label: "Home".into(),
                href: Some("/admin/".into()),
            },
            Crumb {
                label: capitalised(entity.plural()),
                href: None,
            },
        ],
        context! {
            title => capitalised(entity.plural()),
            entity => context! { slug => entity.slug(), title => entity.title(), plural => entity.plural() },
            q => query.q.clone().unwrap_or_default(),
            search_help => spec.search,
            keep => keep,
            filters => filters,
            drill => drill,
            columns => columns,
            rows => rows,
            actions => actions,
            page => page,
            export_href => export_href,
            clear_href => path.clone(),
        },
    ))
}
