//! The Postgres job queue: idempotent enqueue, `FOR UPDATE SKIP LOCKED` claims with a lease,
//! retries with exponential backoff, a dead state, and `NOTIFY` so idle workers wake at once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Integer, Jsonb, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use madeinpk_domain::ids::JobId;
use madeinpk_domain::job::model::{JobStatus, JobSummary, NewJob, backoff};
use madeinpk_domain::job::ports::{JobAdmin, JobQueue};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::db::{Db, DbError, connect_once};
use crate::error::store;
use crate::schema::jobs;

/// The channel workers `LISTEN` on.
pub const CHANNEL: &str = "madeinpk_jobs";

/// A job a worker holds a lease on.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct ClaimedJob {
    /// Id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// Kind name.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// JSON payload.
    #[diesel(sql_type = Jsonb)]
    pub payload: serde_json::Value,
    /// Attempts including this one.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// Attempts allowed.
    #[diesel(sql_type = Integer)]
    pub max_attempts: i32,
}

type JobRow = (
    i64,
    String,
    String,
    i32,
    i32,
    DateTime<Utc>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
);

fn summary(r: JobRow) -> JobSummary {
    JobSummary {
        id: JobId(r.0),
        kind: r.1,
        // The CHECK constraint admits only the four statuses.
        status: JobStatus::parse(&r.2).unwrap_or(JobStatus::Dead),
        attempts: r.3,
        max_attempts: r.4,
        run_at: r.5,
        last_error: r.6,
        unique_key: r.7,
        created_at: r.8,
    }
}

/// What happened to a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedJob {
    /// Queued again after this delay.
    Retrying(Duration),
    /// Out of attempts (or not retryable): dead.
    Dead,
    /// The lease was lost meanwhile; nothing changed.
    LeaseLost,
}

/// Inserts a job on `conn` (so it joins the caller's transaction); false if its key was used.
pub async fn insert_job(conn: &mut AsyncPgConnection, job: &NewJob) -> QueryResult<bool> {
    let payload = serde_json::to_value(&job.payload)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let run_at = job.run_at.unwrap_or_else(Utc::now);
    let inserted = diesel::insert_into(jobs::table)
        .values((
            jobs::kind.eq(job.payload.kind()),
            jobs::payload.eq(payload),
            jobs::run_at.eq(run_at),
            jobs::unique_key.eq(job.unique_key.as_deref()),
            jobs::max_attempts.eq(job.max_attempts.max(1)),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted > 0 {
        // Delivered at commit; a rolled-back transaction wakes nobody.
        diesel::sql_query(format!("NOTIFY {CHANNEL}"))
            .execute(conn)
            .await?;
    }
    Ok(inserted > 0)
}

impl JobQueue for Db {
    async fn enqueue(&self, job: NewJob) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        insert_job(&mut conn, &job).await.map_err(store)
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl Db {
    /// Claims up to `limit` runnable jobs for `worker`, leased for `lease`.
    ///
    /// Runnable: queued and due, or running with an expired lease (its worker died). A job whose
    /// lease expired on its last attempt is declared dead instead, so a job that kills its worker
    /// cannot loop for ever.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        limit: i64,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query(
            "UPDATE jobs SET status = 'dead', finished_at = now(), updated_at = now(), locked_by = NULL,
                    unique_key = CASE WHEN kind = 'notify_outbid' THEN NULL ELSE unique_key END,
                    locked_until = NULL, last_error = coalesce(last_error || '; ', '') || 'lease expired on the last attempt'
             WHERE status = 'running' AND locked_until < now() AND attempts >= max_attempts",
        )
        .execute(&mut conn)
        .await
        .map_err(store)?;
        diesel::sql_query(
            "WITH next AS (
                 SELECT id FROM jobs
                 WHERE (status = 'queued' AND run_at <= now())
                    OR (status = 'running' AND locked_until < now() AND attempts < max_attempts)
                 ORDER BY run_at, id
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED
             )
             UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, locked_by = $2,
                    locked_until = now() + make_interval(secs => $3), updated_at = now()
             FROM next WHERE j.id = next.id
             RETURNING j.id, j.kind, j.payload, j.attempts, j.max_attempts",
        )
        .bind::<BigInt, _>(limit)
        .bind::<Text, _>(worker)
        .bind::<Double, _>(secs(lease))
        .load(&mut conn)
        .await
        .map_err(store)
    }

    /// Marks a job done; false when the worker no longer holds its lease.
    pub async fn complete_job(&self, id: i64, worker: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(jobs::table)
            .filter(
                jobs::id
                    .eq(id)
                    .and(jobs::locked_by.eq(worker))
                    .and(jobs::status.eq("running")),
            )
            .set((
                jobs::status.eq("done"),
                jobs::finished_at.eq(Utc::now()),
                jobs::updated_at.eq(Utc::now()),
                jobs::locked_by.eq(None::<String>),
                jobs::locked_until.eq(None::<DateTime<Utc>>),
            ))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(n == 1)
    }

    /// Records a failure: queued again after the backoff if `retry` and attempts remain, else dead.
    pub async fn fail_job(
        &self,
        job: &ClaimedJob,
        worker: &str,
        error: &str,
        retry: bool,
    ) -> Result<FailedJob, StoreError> {
        let mut conn = self.conn().await?;
        let again = retry && job.attempts < job.max_attempts;
        let delay = backoff(job.attempts);
        #[derive(QueryableByName)]
        struct Status {
            #[diesel(sql_type = Text)]
            status: String,
        }
        let rows: Vec<Status> = diesel::sql_query(
            "UPDATE jobs SET status = CASE WHEN $3 THEN 'queued' ELSE 'dead' END,
                    run_at = CASE WHEN $3 THEN now() + make_interval(secs => $4) ELSE run_at END,
                    finished_at = CASE WHEN $3 THEN NULL ELSE now() END,
                    last_error = $5, locked_by = NULL, locked_until = NULL, updated_at = now(),
                    -- A dead outbid notice must not swallow the bidder's later ones.
                    unique_key = CASE WHEN NOT $3 AND kind = 'notify_outbid' THEN NULL ELSE unique_key END
             WHERE id = $1 AND locked_by = $2 AND status = 'running'
             RETURNING status",
        )
        .bind::<BigInt, _>(job.id)
        .bind::<Text, _>(worker)
        .bind::<Bool, _>(again)
        .bind::<Double, _>(secs(delay))
        .bind::<Text, _>(error.chars().take(2000).collect::<String>())
        .load(&mut conn)
        .await
        .map_err(store)?;
        Ok(match <[Status]>::first(&rows).map(|r| r.status.as_str()) {
            Some("queued") => FailedJob::Retrying(delay),
            Some(_) => FailedJob::Dead,
            None => FailedJob::LeaseLost,
        })
    }

    /// Extends the leases of jobs this worker is still running, so slow jobs are not taken over.
    pub async fn extend_leases(
        &self,
        ids: &[i64],
        worker: &str,
        lease: Duration,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query(
            "UPDATE jobs SET locked_until = now() + make_interval(secs => $3), updated_at = now()
             WHERE id = ANY($1) AND locked_by = $2 AND status = 'running'",
        )
        .bind::<diesel::sql_types::Array<BigInt>, _>(ids)
        .bind::<Text, _>(worker)
        .bind::<Double, _>(secs(lease))
        .execute(&mut conn)
        .await
        .map_err(store)
    }

    /// Gives a claimed job back untouched (graceful shutdown): queued now, attempt not counted.
    pub async fn release_job(&self, id: i64, worker: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::sql_query(
            "UPDATE jobs SET status = 'queued', attempts = greatest(attempts - 1, 0), locked_by = NULL,
                    locked_until = NULL, updated_at = now()
             WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        )
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(worker)
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(n == 1)
    }

    /// Deletes finished jobs older than `age`; returns how many.
    pub async fn prune_jobs(&self, age: Duration) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("DELETE FROM jobs WHERE status = 'done' AND finished_at < now() - make_interval(secs => $1)")
            .bind::<Double, _>(secs(age))
            .execute(&mut conn)
            .await
            .map_err(store)
    }

    /// Number of jobs per status.
    pub async fn job_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut conn = self.conn().await?;
        jobs::table
            .group_by(jobs::status)
            .select((jobs::status, diesel::dsl::count_star()))
            .load(&mut conn)
            .await
            .map_err(store)
    }
}

impl JobAdmin for Db {
    async fn list_jobs(
        &self,
        status: JobStatus,
        page: PageRequest,
    ) -> Result<Page<JobSummary>, StoreError> {
        let mut conn = self.conn().await?;
        let count: i64 = jobs::table
            .filter(jobs::status.eq(status.as_str()))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let rows: Vec<JobRow> = jobs::table
            .filter(jobs::status.eq(status.as_str()))
            .order(jobs::id.desc())
            .offset(page.offset())
            .limit(page.limit())
            .select((
                jobs::id,
                jobs::kind,
                jobs::status,
                jobs::attempts,
                jobs::max_attempts,
                jobs::run_at,
                jobs::last_error,
                jobs::unique_key,
                jobs::created_at,
            ))
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(Page {
            count,
            items: rows.into_iter().map(summary).collect(),
        })
    }

    async fn job_status(&self, id: JobId) -> Result<Option<JobStatus>, StoreError> {
        let mut conn = self.conn().await?;
        let status: Option<String> = jobs::table
            .find(id.get())
            .select(jobs::status)
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(status.as_deref().and_then(JobStatus::parse))
    }

    async fn retry_dead_job(&self, id: JobId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::sql_query(
            "UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), finished_at = NULL, updated_at = now()
             WHERE id = $1 AND status = 'dead'",
        )
        .bind::<BigInt, _>(id.get())
        .execute(&mut conn)
        .await
        .map_err(store)?;
        if n == 1 {
            diesel::sql_query(format!("NOTIFY {CHANNEL}"))
                .execute(&mut conn)
                .await
                .map_err(store)?;
        }
        Ok(n == 1)
    }
}

/// A dedicated connection `LISTEN`ing for new jobs.
pub struct JobListener {
    conn: AsyncPgConnection,
}

impl JobListener {
    /// Opens the connection and subscribes.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let mut conn = connect_once(url).await?;
        diesel::sql_query(format!("LISTEN {CHANNEL}"))
            .execute(&mut conn)
            .await
            .map_err(|e| DbError::Setup(e.to_string()))?;
        Ok(Self { conn })
    }

    /// Waits until a job is announced or `timeout` passes; false if the connection broke.
    pub async fn wait(&mut self, timeout: Duration) -> bool {
        let stream = self.conn.notifications_stream();
        futures_util::pin_mut!(stream);
        match tokio::time::timeout(timeout, stream.next()).await {
            Ok(Some(Ok(_))) | Err(_) => true,
            // The stream ended or failed: the connection is gone.
            Ok(Some(Err(_)) | None) => false,
        }
    }
}
