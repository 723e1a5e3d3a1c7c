//! `admin/`: operator tools the old Django admin pages provided. Admins only.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::ids::JobId;
use madeinpk_domain::job::JobStatus;

use super::resource;
use crate::auth::{ActiveUser, CurrentUser};
use crate::dto::{JobDto, MessageDto};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::state::AppState;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/admin/jobs/", "GET, HEAD").route(web::get().to(jobs)))
        .service(resource("/admin/jobs/{id}/retry/", "POST").route(web::post().to(retry)));
}

/// Jobs by status (`?status=queued|running|done|dead`, dead by default), newest first.
#[utoipa::path(get, path = "/api/admin/jobs/", tag = "admin",
    params(("status" = Option<String>, Query, description = "queued, running, done or dead (default)"), ("page" = Option<u32>, Query)),
    responses((status = 200, description = "Paginated jobs"), (status = 403, description = "Not an admin")))]
pub async fn jobs(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let status = q
        .choice("status", JobStatus::parse)?
        .unwrap_or(JobStatus::Dead);
    let page = paginate(&req, &q, |p| {
        let state = state.clone();
        let user = auth.user.clone();
        async move {
            Ok(state
                .operations
                .jobs(&user, status, p)
                .await?
                .map(JobDto::from))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Queues a dead job again with fresh attempts (after the cause was fixed).
#[utoipa::path(post, path = "/api/admin/jobs/{id}/retry/", tag = "admin",
    responses((status = 200, body = MessageDto), (status = 403, description = "Not an admin"), (status = 404, description = "No such job"),
              (status = 409, description = "The job is not dead")))]
pub async fn retry(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .operations
        .retry(&auth.user, JobId(path_id(&id)?))
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Job queued again",
    }))
}
