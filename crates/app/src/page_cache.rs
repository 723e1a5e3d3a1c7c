//! A short-lived cache of anonymous catalogue reads (the pages everyone sees alike).
//!
//! Entries live `CATALOG_CACHE_MS` at most and die at once when this instance serves any
//! successful write: every write bumps a generation, and an entry is only served while the
//! generation it was computed under is current (a write racing a read can never leave a stale
//! entry behind). Other instances' writes and background jobs are bounded by the TTL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};

use crate::state::AppState;

/// Largest number of cached pages; beyond it the cache is cleared (simple, and bounded).
const MAX_ENTRIES: usize = 2048;

/// Paths whose anonymous GETs are cached.
const CACHED_PREFIXES: &[&str] = &[
    "/api/products/",
    "/api/listings/",
    "/api/auctions/",
    "/api/categories/",
    "/api/provinces/",
    "/api/cities/",
];

struct Entry {
    generation: u64,
    stored: Instant,
    body: Bytes,
}

/// The cache; one per process.
pub struct PageCache {
    ttl: Duration,
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

impl PageCache {
    /// A cache keeping pages for `ttl` (zero disables it).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &str) -> Option<Bytes> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().ok()?;
        let e = entries.get(key)?;
        (e.generation == generation && e.stored.elapsed() < self.ttl).then(|| e.body.clone())
    }

    fn put(&self, key: String, generation: u64, body: Bytes) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    generation,
                    stored: Instant::now(),
                    body,
                },
            );
        }
    }

    /// Forgets everything (a write happened).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

fn cacheable(req: &ServiceRequest) -> bool {
    req.method() == Method::GET
        && !req.headers().contains_key(AUTHORIZATION)
        && CACHED_PREFIXES.iter().any(|p| req.path().starts_with(p))
}

/// Middleware: serves and fills the cache for anonymous catalogue GETs; invalidates on writes.
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
    if !cacheable(&req) {
        let write = req.method() != Method::GET
            && req.method() != Method::HEAD
            && req.method() != Method::OPTIONS;
        let res = next.call(req).await?;
        if write && res.status().is_success() {
            cache.invalidate();
        }
        return Ok(res);
    }
    // The origin is part of the key: absolute URLs in the body depend on it.
    let key = format!(
        "{}|{}|{}",
        req.connection_info().host(),
        req.path(),
        req.query_string()
    );
    if let Some(body) = cache.get(&key) {
        let res = HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
            .body(body);
        return Ok(req.into_response(res));
    }
    let generation = cache.generation.load(Ordering::Acquire);
    let res = next.call(req).await?;
    if res.status() != actix_web::http::StatusCode::OK {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = body.try_into_bytes().unwrap_or_default();
    cache.put(key, generation, bytes.clone());
    Ok(ServiceResponse::new(
        req,
        head.set_body(BoxBody::new(bytes)),
    ))
}
