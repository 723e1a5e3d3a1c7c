//! `admin/jobs/`: the operators' view of the job queue and hand retries of dead jobs. Admins only.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::ids::JobId;
use madeinpk_domain::job::model::JobStatus;

use crate::auth::{ActiveUser, CurrentUser};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::job::wire::JobDto;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{MessageDto, Page, PageParams};
use utoipa::ToSchema;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/admin/jobs/", "GET, HEAD").route(web::get().to(jobs)))
        .service(resource("/admin/jobs/{id}/retry/", "POST").route(web::post().to(retry)));
}

/// A job status filter.
#[derive(Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
enum JobStatusParam {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobStatusParam {
    /// `?status=`: dead when absent or empty; an unknown value is a 400 naming the parameter.
    fn parse(q: &QueryMap) -> Result<Self, ApiError> {
        Ok(q.choice("status", |v| JobStatus::parse(v).map(Self::from))?
            .unwrap_or(Self::Dead))
    }
}

impl From<JobStatus> for JobStatusParam {
    fn from(s: JobStatus) -> Self {
        match s {
            JobStatus::Queued => Self::Queued,
            JobStatus::Running => Self::Running,
            JobStatus::Done => Self::Done,
            JobStatus::Dead => Self::Dead,
        }
    }
}

impl From<JobStatusParam> for JobStatus {
    fn from(s: JobStatusParam) -> Self {
        match s {
            JobStatusParam::Queued => Self::Queued,
            JobStatusParam::Running => Self::Running,
            JobStatusParam::Done => Self::Done,
            JobStatusParam::Dead => Self::Dead,
        }
    }
}

/// Jobs by status (`?status=queued|running|done|dead`, dead by default), newest first.
#[utoipa::path(get, path = "/api/admin/jobs/", tag = "admin",
    params(("status" = inline(Option<JobStatusParam>), Query, description = "queued, running, done or dead (default)"), PageParams),
    responses((status = 200, body = Page<JobDto>), (status = 400, description = "Unknown status"), (status = 404, description = "Invalid page"), (status = 403, description = "Not an admin")))]
pub async fn jobs(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let status = JobStatus::from(JobStatusParam::parse(&q)?);
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
