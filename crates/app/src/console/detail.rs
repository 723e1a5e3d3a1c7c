//! Detail pages: `/admin/<entity>/<id>/`, every stored field and the computed ones.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::console::columns::spec;
use madeinpk_domain::console::ports::ConsoleReads;
use minijinja::context;
use serde::Serialize;

use crate::console::cells::{Cell, cell, humanised, local_time};
use crate::console::edit::editable;
use crate::console::lists::{entity_of, flash};
use crate::console::page::{self, Crumb, capitalised, render};
use crate::console::session::Operator;
use crate::console::title::record_title;
use crate::state::AppState;

#[derive(Serialize)]
struct FieldView {
    label: String,
    #[serde(flatten)]
    cell: Cell,
}

#[derive(Serialize)]
struct Image {
    url: String,
    alt: String,
}

fn looks_like_time(v: &str) -> bool {
    v.len() >= 19 && v.as_bytes().get(10) == Some(&b'T') && v.as_bytes().get(4) == Some(&b'-')
}

/// `GET /admin/<entity>/<id>/`.
pub async fn page(
    req: HttpRequest,
    operator: Operator,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (slug, id) = path.into_inner();
    let entity = match entity_of(&slug, &operator) {
        Ok(e) => e,
        Err(res) => return res,
    };
    let Some(id) = id.parse::<i64>().ok().filter(|i| *i > 0) else {
        return page::error_page(
            Some(&operator),
            StatusCode::NOT_FOUND,
            "There is no such record.",
        );
    };
    let record = match state.db.record(entity, id).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            return page::error_page(
                Some(&operator),
                StatusCode::NOT_FOUND,
                &format!("There is no {} #{id}.", entity.title().to_lowercase()),
            );
        }
        Err(e) => return page::store_failure(Some(&operator), &e),
    };
    let tz = state.config.time_zone;
    let spec = spec(entity);
    let cells: Vec<Cell> = spec
        .columns
        .iter()
        .zip(&record.row.cells)
        .map(|(c, v)| cell(c, v, tz))
        .collect();
    let title = record_title(entity, id, &cells);
    let mut fields: Vec<FieldView> = spec
        .columns
        .iter()
        .zip(cells)
        .map(|(c, cell)| FieldView {
            label: c.label.to_owned(),
            cell,
        })
        .collect();
    let shown: Vec<String> = fields.iter().map(|f| f.label.to_lowercase()).collect();
    for (name, value) in &record.fields {
        let label = humanised(name);
        if shown.contains(&label.to_lowercase()) {
            continue;
        }
        let text = match value {
            Some(v) if looks_like_time(v) => local_time(v, tz),
            Some(v) => v.clone(),
            None => "—".into(),
        };
        fields.push(FieldView {
            label,
            cell: Cell {
                text,
                kind: "text",
                href: None,
                tone: None,
            },
        });
    }
    let images: Vec<Image> = record
        .images
        .iter()
        .enumerate()
        .map(|(i, path)| Image {
            url: format!("/media/{}", path.trim_start_matches('/')),
            alt: format!("Image {} of {title}", i + 1),
        })
        .collect();
    let list_href = format!("/admin/{}/", entity.slug());
    render(
        "detail.html",
        Some(&operator),
        entity.slug(),
        flash(&req),
        vec![
            Crumb {
                label: "Home".into(),
                href: Some("/admin/".into()),
            },
            Crumb {
                label: capitalised(entity.plural()),
                href: Some(list_href.clone()),
            },
            Crumb {
                label: format!("#{id}"),
                href: None,
            },
        ],
        context! {
            title => title.clone(),
            entity => context! { slug => entity.slug(), title => entity.title(), plural => entity.plural() },
            record_title => title,
            fields => fields,
            images => images,
            edit_href => editable(entity).then(|| format!("{list_href}{id}/edit/")),
            list_href => list_href,
            related => Vec::<()>::new(),
        },
    )
}
