//! A short-lived cache of anonymous catalogue reads (the pages everyone sees alike).
//!
//! Freshness comes from the data: every committed write to a table these pages show moves the
//! catalogue's version (statement triggers of the `catalog_changes` migration, whoever writes:
//! any instance, a job, an operator in `psql`). A page is stored with the version read before it
//! was computed, and served only while a version read after the request arrived is the same, so
//! no instance ever serves a page older than the last committed write. Reading the version is
//! one small query shared by every request waiting at that moment ([`VersionClock`]).
//!
//! `CATALOG_CACHE_MS` bounds what changes without a write: time (an auction's
//! `time_remaining`, a discount's window). When an entry merely ages out, one request recomputes
//! it while the others keep getting the previous page for a little longer (up to
//! `STALE_FACTOR` × the TTL), so a popular page never sends a burst of identical queries to the
//! database; no write has happened meanwhile, or the version would have moved.
//!
//! Signed-in readers of products and fixed-price listings get the same cached page with only
//! their `is_in_wishlist` flags set (one small query), the one part of those pages that depends
//! on the reader. Auctions show sellers more than others, so signed-in auction reads are not
//! cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};

use crate::catalog_version::VersionClock;
use crate::state::AppState;

/// Largest number of cached pages; beyond it the cache is cleared (simple, and bounded).
const MAX_ENTRIES: usize = 2048;

/// How many TTLs an aged entry may still be served while one request refreshes it.
const STALE_FACTOR: u32 = 5;

/// Paths whose anonymous GETs are cached.
const CACHED_PREFIXES: &[&str] = &[
    "/api/products/",
    "/api/listings/",
    "/api/auctions/",
    "/api/categories/",
    "/api/provinces/",
    "/api/cities/",
];

/// Paths whose signed-in GETs differ from the anonymous page only by wishlist flags.
const PERSONALISED_PREFIXES: &[&str] = &["/api/products/", "/api/listings/"];

/// Query parameters that make a page depend on the reader beyond wishlist flags.
const READER_FILTERS: &[&str] = &["my_listings"];

struct Entry {
    /// The catalogue's version read before the page was computed.
    version: i64,
    stored: Instant,
    body: Bytes,
    /// A request is recomputing this entry.
    refreshing: bool,
}

/// The cache; one per process.
pub struct PageCache {
    ttl: Duration,
    clock: Arc<VersionClock>,
    entries: Mutex<HashMap<String, Entry>>,
}

impl PageCache {
    /// A cache keeping pages for `ttl` (zero disables it).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            clock: Arc::new(VersionClock::default()),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The page stored under `key` if it was computed under `version` (the current one).
    fn get(&self, key: &str, version: i64) -> Option<Bytes> {
        let mut entries = self.entries.lock().ok()?;
        let e = entries.get_mut(key)?;
        if e.version != version {
            return None;
        }
        let age = e.stored.elapsed();
        if age < self.ttl {
            return Some(e.body.clone());
        }
        if age < self.ttl * STALE_FACTOR {
            if e.refreshing {
                return Some(e.body.clone());
            }
            // This caller recomputes; the others keep the previous page meanwhile.
            e.refreshing = true;
        }
        None
    }

    fn put(&self, key: String, version: i64, body: Bytes) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    version,
                    stored: Instant::now(),
                    body,
                    refreshing: false,
                },
            );
        }
    }
}

fn cacheable(req: &ServiceRequest) -> bool {
    req.method() == Method::GET
        && !req.headers().contains_key(AUTHORIZATION)
        && CACHED_PREFIXES.iter().any(|p| req.path().starts_with(p))
}

fn personalisable(req: &ServiceRequest) -> bool {
    req.method() == Method::GET
        && req.headers().contains_key(AUTHORIZATION)
        && PERSONALISED_PREFIXES
            .iter()
            .any(|p| req.path().starts_with(p))
        && !req
            .query_string()
            .split('&')
            .any(|pair| READER_FILTERS.contains(&pair.split('=').next().unwrap_or("")))
}

/// Every product object (those carrying `is_in_wishlist`) of a page, for patching.
fn products_in(value: &mut serde_json::Value, found: &mut Vec<i64>) {
    match value {
        serde_json::Value::Object(map) => {
            if map.contains_key("is_in_wishlist")
                && let Some(id) = map.get("id").and_then(serde_json::Value::as_i64)
            {
                found.push(id);
            }
            for v in map.values_mut() {
                products_in(v, found);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                products_in(v, found);
            }
        }
        _ => {}
    }
}

fn mark_saved(value: &mut serde_json::Value, saved: &[i64]) {
    match value {
        serde_json::Value::Object(map) => {
            let id = map.get("id").and_then(serde_json::Value::as_i64);
            if let (Some(flag), Some(id)) = (map.get_mut("is_in_wishlist"), id) {
                *flag = serde_json::Value::Bool(saved.contains(&id));
            }
            for v in map.values_mut() {
                mark_saved(v, saved);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                mark_saved(v, saved);
            }
        }
        _ => {}
    }
}

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
    if state.config.strict_visibility
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_version_drops_pages_and_aged_entries_are_refreshed_by_one_caller() {
        let cache = PageCache::new(Duration::from_millis(50));
        cache.put("k".into(), 7, Bytes::from_static(b"v1"));
        assert_eq!(cache.get("k", 7).as_deref(), Some(&b"v1"[..]));
        assert_eq!(
            cache.get("k", 8),
            None,
            "a committed write drops it at once"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(
            cache.get("k", 7),
            None,
            "the first caller after expiry recomputes"
        );
        assert_eq!(
            cache.get("k", 7).as_deref(),
            Some(&b"v1"[..]),
            "the others get the previous page"
        );
        assert_eq!(cache.get("k", 8), None, "but never past a write");
        cache.put("k".into(), 7, Bytes::from_static(b"v2"));
        assert_eq!(cache.get("k", 7).as_deref(), Some(&b"v2"[..]));
        std::thread::sleep(Duration::from_millis(260));
        assert_eq!(
            cache.get("k", 7),
            None,
            "past the stale bound it is recomputed"
        );
        assert_eq!(cache.get("k", 7), None, "by every caller");
    }
}
