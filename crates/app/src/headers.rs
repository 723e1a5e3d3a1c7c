//! Security headers: every response says `nosniff`; pages a browser renders (HTML: the dev
//! gateway's pages, Swagger UI) and stored media also refuse framing and referrers, and media
//! may run nothing even if a file were taken for HTML.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// What stored media may do when opened on its own: nothing but be shown.
const MEDIA_POLICY: &str = "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox";

/// What an HTML page of ours may be: never framed by another site.
const PAGE_POLICY: &str = "frame-ancestors 'none'";

/// Middleware adding the headers after the response is made.
pub async fn secure<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let media = req.path().starts_with("/media/");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("text/html")
        });
    if media || html {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(if media { MEDIA_POLICY } else { PAGE_POLICY }),
            );
        }
    }
    Ok(res)
}
