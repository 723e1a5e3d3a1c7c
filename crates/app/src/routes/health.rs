//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, web};
use secrecy::ExposeSecret;

use crate::state::AppState;

/// A health answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct HealthDto {
    /// `ok`, `ready` or `unavailable`.
    status: &'static str,
    /// Why it is unavailable.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'static str>,
}

impl HealthDto {
    const fn status(status: &'static str) -> Self {
        Self {
            status,
            detail: None,
        }
    }
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = HealthDto, description = "Alive: `{\"status\": \"ok\"}`")))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthDto::status("ok"))
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, body = HealthDto, description = "Ready: `{\"status\": \"ready\"}`"), (status = 503, body = HealthDto, description = "Database unreachable")))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.db.ping().await {
        HttpResponse::Ok().json(HealthDto::status("ready"))
    } else {
        HttpResponse::ServiceUnavailable().json(HealthDto {
            status: "unavailable",
            detail: Some("database unreachable"),
        })
    }
}

/// Prometheus text exposition, with job and pool gauges refreshed at scrape time.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, body = String, content_type = "text/plain", description = "Prometheus metrics")))]
pub async fn metrics(state: web::Data<AppState>, req: actix_web::HttpRequest) -> HttpResponse {
    if let Some(token) = &state.config.metrics_token {
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            given.as_bytes(),
            token.expose_secret().as_bytes(),
        )) {
            return HttpResponse::Unauthorized()
                .insert_header(("WWW-Authenticate", "Bearer"))
                .json(crate::error::DetailBody {
                    detail: "Authentication credentials were not provided.".into(),
                });
        }
    }
    if let Ok(counts) = state.db.job_counts().await {
        for status in ["queued", "running", "done", "dead"] {
            let n = counts
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            #[allow(clippy::cast_precision_loss)]
            metrics::gauge!("jobs", "status" => status).set(n as f64);
        }
    }
    let (size, idle) = state.db.pool_status();
    #[allow(clippy::cast_precision_loss)]
    {
        metrics::gauge!("db_pool_connections").set(size as f64);
        metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
