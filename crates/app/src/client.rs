//! What the server believes about the client: its IP (for throttling) and the origin it used
//! (for absolute links). Proxy headers count only with `TRUST_PROXY_HEADERS`.

use actix_web::HttpRequest;
use actix_web::http::header::HOST;

/// The client's IP: with trusted proxies, the address the nearest proxy appended to
/// `X-Forwarded-For` (the rightmost entry; earlier ones are client-supplied); else the peer.
pub fn ip(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(forwarded) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded.rsplit(',').map(str::trim).find(|s| !s.is_empty())
    {
        return last.to_owned();
    }
    req.peer_addr()
        .map_or_else(|| "unknown".into(), |a| a.ip().to_string())
}

/// `scheme://host` as the client reached us: `Forwarded`/`X-Forwarded-*` with trusted proxies,
/// else the `Host` header over plain HTTP (TLS terminates at the proxy).
pub fn origin(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let host = req
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| req.app_config().host().to_owned(), str::to_owned);
    format!("http://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn forwarded_for_is_believed_only_when_trusted_and_only_its_last_hop() {
        let req = TestRequest::default()
            .insert_header(("x-forwarded-for", "6.6.6.6, 10.0.0.7"))
            .peer_addr("127.0.0.1:5000".parse().unwrap())
            .to_http_request();
        assert_eq!(ip(&req, true), "10.0.0.7");
        assert_eq!(ip(&req, false), "127.0.0.1");
    }

    #[test]
    fn origin_ignores_forwarded_host_unless_trusted() {
        let req = TestRequest::default()
            .insert_header(("host", "api.madeinpk.pk"))
            .insert_header(("x-forwarded-host", "evil.example"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert_eq!(origin(&req, false), "http://api.madeinpk.pk");
        assert_eq!(origin(&req, true), "https://evil.example");
    }
}
