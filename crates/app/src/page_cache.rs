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

use actix_web::dev::ServiceRequest;
use actix_web::http::Method;
use actix_web::http::header::AUTHORIZATION;
use actix_web::web::Bytes;

use crate::catalog_version::VersionClock;

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
    /// How long a page is served without a write (zero: the cache is off).
    pub(crate) ttl: Duration,
    /// The catalogue's version, read once per burst of requests.
    pub(crate) clock: Arc<VersionClock>,
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
    pub(crate) fn get(&self, key: &str, version: i64) -> Option<Bytes> {
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

    /// Stores the page computed under `version`.
    pub(crate) fn put(&self, key: String, version: i64, body: Bytes) {
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

/// An anonymous catalogue GET.
pub(crate) fn cacheable(req: &ServiceRequest) -> bool {
    req.method() == Method::GET
        && !req.headers().contains_key(AUTHORIZATION)
        && CACHED_PREFIXES.iter().any(|p| req.path().starts_with(p))
}

/// A signed-in read whose page differs from the anonymous one only by wishlist flags.
pub(crate) fn personalisable(req: &ServiceRequest) -> bool {
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
pub(crate) fn products_in(value: &mut serde_json::Value, found: &mut Vec<i64>) {
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

pub(crate) fn mark_saved(value: &mut serde_json::Value, saved: &[i64]) {
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
