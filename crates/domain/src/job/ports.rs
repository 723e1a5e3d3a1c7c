//! Ports of the job feature: what its services need from the outside world.
//!
//! Methods return `impl Future + Send` so services stay generic and tests can wire mocks.

use std::future::Future;

use crate::ids::JobId;
use crate::job::model::{JobStatus, JobSummary, NewJob};
use crate::page::{Page, PageRequest};
use crate::store::StoreError;

/// Enqueues jobs outside any other change (inside one, use an [`Outbox`]).
#[cfg_attr(test, mockall::automock)]
pub trait JobQueue: Send + Sync {
    /// Enqueues a job; `false` when its unique key was already used.
    fn enqueue(&self, job: NewJob) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The operators' view of the job queue.
#[cfg_attr(test, mockall::automock)]
pub trait JobAdmin: Send + Sync {
    /// One page of jobs in a status, newest first.
    fn list_jobs(
        &self,
        status: JobStatus,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<JobSummary>, StoreError>> + Send;
    /// The status of one job.
    fn job_status(
        &self,
        id: JobId,
    ) -> impl Future<Output = Result<Option<JobStatus>, StoreError>> + Send;
    /// Queues a dead job again with fresh attempts; false when it is no longer dead.
    fn retry_dead_job(&self, id: JobId) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
