//! Prometheus metrics: request counts and latencies per route, job and pool gauges.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process-wide recorder (installed once; every app in a test process shares it).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder was installed first; then ours just stays unused.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// A request method as a label: the methods the API knows, every other one `other`, so no
/// client can add series by inventing methods.
fn method_label(method: &actix_web::http::Method) -> String {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    let name = method.as_str();
    if KNOWN.contains(&name) { name } else { "other" }.to_owned()
}

/// A status as a label: a real HTTP status (100–599), anything else `other`.
fn status_label(status: actix_web::http::StatusCode) -> String {
    let code = status.as_u16();
    if (100..600).contains(&code) {
        code.to_string()
    } else {
        "other".into()
    }
}

/// Middleware: counts and times every request by method, route pattern and status.
pub async fn track<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let res = next.call(req).await?;
    // The pattern, not the path, keeps label cardinality bounded.
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let status = status_label(res.status());
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    Ok(res)
}

#[cfg(test)]
mod tests {
    use actix_web::http::{Method, StatusCode};

    #[test]
    fn labels_are_bounded() {
        assert_eq!(super::method_label(&Method::GET), "GET");
        assert_eq!(
            super::method_label(&Method::from_bytes(b"XYZZY").unwrap()),
            "other"
        );
        assert_eq!(
            super::method_label(&Method::from_bytes(b"get").unwrap()),
            "other"
        );
        assert_eq!(super::status_label(StatusCode::NOT_FOUND), "404");
        assert_eq!(
            super::status_label(StatusCode::from_u16(999).unwrap()),
            "other"
        );
    }
}
