//! Wire types of the operators' job view.

use serde::Serialize;
use utoipa::ToSchema;

use crate::time::render;

/// A queued job (operators' view).
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    id: i64,
    kind: String,
    status: &'static str,
    attempts: i32,
    max_attempts: i32,
    run_at: String,
    last_error: Option<String>,
    unique_key: Option<String>,
    created_at: String,
}

impl From<madeinpk_domain::job::model::JobSummary> for JobDto {
    fn from(j: madeinpk_domain::job::model::JobSummary) -> Self {
        Self {
            id: j.id.get(),
            kind: j.kind,
            status: j.status.as_str(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: render(j.run_at),
            last_error: j.last_error,
            unique_key: j.unique_key,
            created_at: render(j.created_at),
        }
    }
}
