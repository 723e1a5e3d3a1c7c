//! The page cache's middleware: anonymous catalogue GETs are served from and stored in the
//! [`PageCache`] when the catalogue's version still matches; signed-in product and listing reads
//! get the shared page with their wishlist flags set. What is cached and why is told in
//! [`crate::page_cache`].

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};

use crate::page_cache::{cacheable, mark_saved, personalisable, products_in};
use crate::state::AppState;

/// The anonymous page with the reader's wishlist flags (the page unchanged when none apply).
async fn personalise(
    state: &AppState,
    reader: &madeinpk_domain::account::user::User,
    page: Bytes,
) -> Result<Bytes, madeinpk_domain::catalog::product::CatalogError> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&page) else {
        return Ok(page);
    };
    let mut products = Vec::new();
    products_in(&mut value, &mut products);
    if products.is_empty() {
        return Ok(page);
    }
    let ids = products
        .iter()
        .map(|id| madeinpk_domain::ids::ProductId(*id))
        .collect();
    let saved: Vec<i64> = state
        .wishlist
        .saved_among(reader, ids)
        .await?
        .into_iter()
        .map(madeinpk_domain::ids::ProductId::get)
        .collect();
    if saved.is_empty() {
        return Ok(page);
    }
    mark_saved(&mut value, &saved);
    Ok(serde_json::to_vec(&value).map_or(page, Bytes::from))
}

fn json_response(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
        .body(body)
}

/// A signed-in catalogue read: the shared page (computed anonymously on a miss) plus the reader's
/// wishlist flags. A missing or bad token goes down the normal path, which answers it.
async fn serve_personalised(
    state: web::Data<AppState>,
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(reader) = crate::auth::token_user(&state, req.headers()).await else {
        return next.call(req).await;
    };
    // With strict visibility, sellers see their own inactive listings and admins every one:
    // their listing pages are not the shared one.
    if state.config.catalog.strict_visibility
        && req.path().starts_with("/api/listings/")
        && (reader.can_sell() || reader.is_admin())
    {
        return next.call(req).await;
    }
    let cache = &state.page_cache;
    let Some(version) = cache.clock.read(&state.db).await else {
        return next.call(req).await;
    };
    let key = cache_key(&req);
    if let Some(page) = cache.get(&key, version) {
        let body = personalise(&state, &reader, page)
            .await
            .map_err(crate::error::ApiError::from)?;
        return Ok(req.into_response(json_response(body)));
    }
    // Computed as the anonymous page, so it can be shared; the reader is added back below.
    req.headers_mut().remove(AUTHORIZATION);
    let res = next.call(req).await?;
    if res.status() != actix_web::http::StatusCode::OK {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let bytes = res.into_body().try_into_bytes().unwrap_or_default();
    cache.put(key, version, bytes.clone());
    let body = personalise(&state, &reader, bytes)
        .await
        .map_err(crate::error::ApiError::from)?;
    Ok(ServiceResponse::new(req, json_response(body)))
}

/// The origin is part of the key: absolute URLs in the body depend on it. It is the very
/// origin the page's links are built from ([`crate::client::origin`]), which only believes
/// hosts the configuration allows, so no request can plant links to another host.
fn cache_key(req: &ServiceRequest) -> String {
    let config = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.config.clone());
    let origin = config.map_or_else(String::new, |c| crate::client::origin(req.request(), &c));
    format!("{origin}|{}|{}", req.path(), req.query_string())
}

/// Middleware: serves and fills the cache for anonymous catalogue GETs, checked against the
/// catalogue's version.
pub async fn serve(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let cache = &state.page_cache;
    if cache.ttl.is_zero() {
        return next.call(req).await;
    }
    if personalisable(&req) {
        return serve_personalised(state, req, next).await;
    }
    if !cacheable(&req) {
        return next.call(req).await;
    }
    let Some(version) = cache.clock.read(&state.db).await else {
        return next.call(req).await;
    };
    let key = cache_key(&req);
    if let Some(body) = cache.get(&key, version) {
        return Ok(req.into_response(json_response(body)));
    }
    let res = next.call(req).await?;
    if res.status() != actix_web::http::StatusCode::OK {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = body.try_into_bytes().unwrap_or_default();
    cache.put(key, version, bytes.clone());
    Ok(ServiceResponse::new(
        req,
        head.set_body(BoxBody::new(bytes)),
    ))
}
