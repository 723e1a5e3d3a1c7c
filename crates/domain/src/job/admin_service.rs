//! Operator use cases: the job queue's admin view and hand retries of dead jobs.

use crate::account::user::User;
use crate::ids::JobId;
use crate::job::model::{JobStatus, JobSummary, OperationsError};
use crate::job::ports::JobAdmin;
use crate::page::{Page, PageRequest};

/// The operations use cases (admins only).
pub struct Operations<J> {
    jobs: J,
}

impl<J: JobAdmin> Operations<J> {
    /// Wires the service.
    pub fn new(jobs: J) -> Self {
        Self { jobs }
    }

    fn admin(actor: &User) -> Result<(), OperationsError> {
        if actor.is_admin() {
            Ok(())
        } else {
            Err(OperationsError::Forbidden)
        }
    }

    /// One page of jobs in a status.
    pub async fn jobs(
        &self,
        actor: &User,
        status: JobStatus,
        page: PageRequest,
    ) -> Result<Page<JobSummary>, OperationsError> {
        Self::admin(actor)?;
        Ok(self.jobs.list_jobs(status, page).await?)
    }

    /// Queues a dead job again, with fresh attempts.
    pub async fn retry(&self, actor: &User, id: JobId) -> Result<(), OperationsError> {
        Self::admin(actor)?;
        match self.jobs.job_status(id).await? {
            None => Err(OperationsError::NotFound),
            Some(JobStatus::Dead) if self.jobs.retry_dead_job(id).await? => Ok(()),
            // Not dead, or revived by someone else a moment ago.
            Some(_) => Err(OperationsError::NotDead),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn user(role: Role) -> User {
        fixtures::user(1, role)
    }
    use crate::account::user::Role;
    use crate::job::ports::MockJobAdmin;
    use std::future::ready;

    #[tokio::test]
    async fn only_admins_see_or_retry_jobs() {
        let mut jobs = MockJobAdmin::new();
        jobs.expect_list_jobs().never();
        jobs.expect_retry_dead_job().never();
        let ops = Operations::new(jobs);
        for role in [Role::Buyer, Role::Seller, Role::Both] {
            assert_eq!(
                ops.jobs(&user(role), JobStatus::Dead, PageRequest::default())
                    .await
                    .unwrap_err(),
                OperationsError::Forbidden
            );
            assert_eq!(
                ops.retry(&user(role), JobId(1)).await.unwrap_err(),
                OperationsError::Forbidden
            );
        }
    }

    #[tokio::test]
    async fn only_dead_jobs_are_retried() {
        let mut jobs = MockJobAdmin::new();
        jobs.expect_job_status().returning(|id| {
            Box::pin(ready(Ok(match id.get() {
                1 => Some(JobStatus::Dead),
                2 => Some(JobStatus::Queued),
                _ => None,
            })))
        });
        jobs.expect_retry_dead_job()
            .times(1)
            .returning(|_| Box::pin(ready(Ok(true))));
        let ops = Operations::new(jobs);
        let admin = user(Role::Admin);
        assert_eq!(ops.retry(&admin, JobId(1)).await, Ok(()));
        assert_eq!(
            ops.retry(&admin, JobId(2)).await,
            Err(OperationsError::NotDead)
        );
        assert_eq!(
            ops.retry(&admin, JobId(3)).await,
            Err(OperationsError::NotFound)
        );
    }
}
