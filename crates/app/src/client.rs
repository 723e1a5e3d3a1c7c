//! What the server believes about the client: its IP (for throttling) and the origin it used
//! (for absolute links). Proxy headers count only with `TRUST_PROXY_HEADERS`.

use actix_web::HttpRequest;
use actix_web::http::header::HOST;

use crate::config::Config;

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

/// The client's own description (`User-Agent`), `""` when absent or not text.
pub fn agent(req: &HttpRequest) -> &str {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// `scheme://host` for absolute links. With trusted proxies, what `Forwarded`/`X-Forwarded-*`
/// say. Otherwise the `Host` header over plain HTTP when it names an allowed host
/// (`ALLOWED_HOSTS`, by default the loopback names, or the host of `PUBLIC_BASE_URL`, which then
/// gives its scheme too), else `PUBLIC_BASE_URL`: a request cannot make us link elsewhere.
pub fn origin(req: &HttpRequest, config: &Config) -> String {
    if config.http.trust_proxy_headers {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let public = config.http.public_base_url.trim_end_matches('/');
    let Some(host) = req
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
    else {
        return public.to_owned();
    };
    let public_host = public.split_once("://").map_or(public, |(_, h)| h);
    if host.eq_ignore_ascii_case(public_host) {
        return public.to_owned();
    }
    if config.allows_host(host) {
        format!("http://{host}")
    } else {
        public.to_owned()
    }
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
        let mut config = Config::from_lookup(|k| {
            (k == "PUBLIC_BASE_URL").then(|| "https://api.madeinpk.pk".to_owned())
        })
        .unwrap();
        let req = TestRequest::default()
            .insert_header(("host", "api.madeinpk.pk"))
            .insert_header(("x-forwarded-host", "evil.example"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert_eq!(origin(&req, &config), "https://api.madeinpk.pk");
        config.http.trust_proxy_headers = true;
        assert_eq!(origin(&req, &config), "https://evil.example");
    }

    #[test]
    fn origin_believes_only_allowed_hosts() {
        let config = Config::from_lookup(|k| {
            (k == "PUBLIC_BASE_URL").then(|| "https://api.madeinpk.pk".to_owned())
        })
        .unwrap();
        let with_host = |host: &str| {
            TestRequest::default()
                .insert_header(("host", host))
                .to_http_request()
        };
        assert_eq!(
            origin(&with_host("evil.example"), &config),
            "https://api.madeinpk.pk"
        );
        assert_eq!(
            origin(&with_host("localhost:8000"), &config),
            "http://localhost:8000"
        );
        assert_eq!(
            origin(&with_host("127.0.0.1:41234"), &config),
            "http://127.0.0.1:41234"
        );
        assert_eq!(
            origin(&TestRequest::default().to_http_request(), &config),
            "https://api.madeinpk.pk"
        );
    }
}
