//! Query strings, path ids and page-number pagination in the contract's envelope.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest};
use madeinpk_domain::page::{MAX_PAGE_SIZE, Page, PageRequest};

use crate::error::ApiError;
use crate::wire::{PageNumber, PageParams};

/// The query string as ordered pairs.
#[derive(Debug, Clone, Default)]
pub struct QueryMap(pub Vec<(String, String)>);

impl QueryMap {
    /// The last value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A filter that must be one of a set of values (`parse` by wire value); empty means none.
    pub fn choice<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => parse(v).map(Some).ok_or_else(|| {
                ApiError::Validation(madeinpk_domain::validation::FieldErrors::single(
                    name,
                    madeinpk_domain::validation::msg::invalid_choice(v),
                ))
            }),
        }
    }

    /// A yes/no flag: `true`, `1`, `yes`, `on` (any case) mean yes; anything else, no. (The
    /// original treated any value, `false` included, as yes.)
    pub fn flag(&self, name: &str) -> bool {
        matches!(
            self.get(name).map(str::to_ascii_lowercase).as_deref(),
            Some("true" | "1" | "yes" | "on")
        )
    }

    /// An integer filter; a non-numeric value is a 400 naming the parameter.
    pub fn int_filter(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                ApiError::Validation(madeinpk_domain::validation::FieldErrors::single(
                    name,
                    madeinpk_domain::validation::msg::INTEGER,
                ))
            }),
        }
    }
}

impl FromRequest for QueryMap {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let parsed = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .map_err(|e| ApiError::bad_request(format!("Malformed query string: {e}")))
            .and_then(|pairs| {
                // Postgres cannot compare against NUL; refuse it before any filter sees it.
                if pairs
                    .iter()
                    .any(|(k, v)| k.contains('\0') || v.contains('\0'))
                {
                    Err(ApiError::bad_request(madeinpk_domain::validation::msg::NUL))
                } else {
                    Ok(Self(pairs))
                }
            });
        ready(parsed)
    }
}

/// A path id; anything but a positive integer is 404 `{"detail": "Not found."}`.
pub fn path_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(ApiError::not_found)
}

/// Reads the page parameters; a bad page number is 404 `Invalid page.` as in the original.
pub fn page_params(q: &QueryMap) -> Result<PageParams, ApiError> {
    let page = match q.get("page") {
        // An empty value means the first page, as in the original.
        None | Some("") => None,
        Some("last") => Some(PageNumber::Last),
        Some(v) => Some(PageNumber::Number(
            v.parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(invalid_page)?,
        )),
    };
    // An unreadable size is ignored (the default applies); a large one is capped.
    let page_size = q
        .get("page_size")
        .and_then(|v| v.parse::<u32>().ok().filter(|n| *n >= 1))
        .map(|n| n.min(MAX_PAGE_SIZE));
    Ok(PageParams::new(page, page_size))
}

/// 404 `{"detail": "Invalid page."}`.
pub(crate) fn invalid_page() -> ApiError {
    ApiError::Detail(
        actix_web::http::StatusCode::NOT_FOUND,
        "Invalid page.".into(),
    )
}

fn page_url(req: &HttpRequest, query: &QueryMap, page: i64) -> String {
    let origin = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map_or_else(String::new, |s| crate::client::origin(req, &s.config));
    let mut pairs: Vec<(String, String)> = query
        .0
        .iter()
        .filter(|(k, _)| k != "page")
        .cloned()
        .collect();
    if page > 1 {
        pairs.push(("page".into(), page.to_string()));
    }
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let sep = if qs.is_empty() { "" } else { "?" };
    format!("{origin}{}{sep}{qs}", req.path())
}

/// Fetches the requested page (resolving `last`), checks it exists, and wraps it.
pub async fn paginate<T, F, Fut>(
    req: &HttpRequest,
    query: &QueryMap,
    fetch: F,
) -> Result<crate::wire::Page<T>, ApiError>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let params = page_params(query)?;
    let size = params.page_size();
    let (request, page) = match params.page() {
        PageNumber::Number(n) => {
            let request = PageRequest { page: n, size };
            (request, fetch(request).await?)
        }
        PageNumber::Last => {
            let probe = fetch(PageRequest { page: 1, size }).await?;
            let last = PageRequest { page: 1, size }.page_count(probe.count);
            let request = PageRequest {
                page: u32::try_from(last).unwrap_or(u32::MAX),
                size,
            };
            if last == 1 {
                (request, probe)
            } else {
                (request, fetch(request).await?)
            }
        }
    };
    let pages = request.page_count(page.count);
    let number = i64::from(request.page);
    if number > pages {
        return Err(invalid_page());
    }
    Ok(crate::wire::Page {
        count: page.count,
        next: (number < pages).then(|| page_url(req, query, number + 1)),
        previous: (number > 1).then(|| page_url(req, query, number - 1)),
        results: page.items,
    })
}
