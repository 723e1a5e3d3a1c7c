//! A short-lived cache of anonymous catalogue reads (the pages everyone sees alike).
//!
//! Entries are fresh for `CATALOG_CACHE_MS` and die at once when this instance serves any
//! successful write: every write bumps a generation, and an entry is only served while the
//! generation it was computed under is current (a write racing a read can never leave a stale
//! entry behind). When an entry merely ages out, one request recomputes it while the others keep
//! getting the previous page for a little longer (up to `STALE_FACTOR` × the TTL), so a popular
//! page never sends a burst of identical queries to the database. Other instances' writes and
//! background jobs show within that bound.

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

struct Entry {
    generation: u64,
    stored: Instant,
    body: Bytes,
    /// A request is recomputing this entry.
    refreshing: bool,
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
        let mut entries = self.entries.lock().ok()?;
        let e = entries.get_mut(key)?;
        if e.generation != generation {
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
                    refreshing: false,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_invalidate_and_aged_entries_are_refreshed_by_one_caller() {
        let cache = PageCache::new(Duration::from_millis(50));
        cache.put("k".into(), 0, Bytes::from_static(b"v1"));
        assert_eq!(cache.get("k").as_deref(), Some(&b"v1"[..]));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(
            cache.get("k"),
            None,
            "the first caller after expiry recomputes"
        );
        assert_eq!(
            cache.get("k").as_deref(),
            Some(&b"v1"[..]),
            "the others get the previous page"
        );
        cache.put("k".into(), 0, Bytes::from_static(b"v2"));
        assert_eq!(cache.get("k").as_deref(), Some(&b"v2"[..]));
        cache.invalidate();
        assert_eq!(cache.get("k"), None, "a write drops it at once");
        // A page computed before a write is never stored as current.
        cache.put("k".into(), 0, Bytes::from_static(b"old"));
        assert_eq!(cache.get("k"), None);
        std::thread::sleep(Duration::from_millis(260));
        cache.put("j".into(), 1, Bytes::from_static(b"x"));
        std::thread::sleep(Duration::from_millis(260));
        assert_eq!(
            cache.get("j"),
            None,
            "past the stale bound it is recomputed"
        );
        assert_eq!(cache.get("j"), None, "by every caller");
    }
}
