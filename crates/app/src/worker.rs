//! The job worker: claims due jobs (woken by NOTIFY, or by polling), runs them with the domain's
//! `JobRunner`, records the outcome, and on shutdown finishes or releases what it holds.

use std::sync::Arc;
use std::time::Duration;

use madeinpk_domain::clock::SystemClock;
use madeinpk_domain::job::{JobOutcome, JobPayload};
use madeinpk_domain::services::job_runner::JobRunner;
use madeinpk_mail::LettreMailer;
use madeinpk_postgres::Db;
use madeinpk_postgres::job_queue::{ClaimedJob, FailedJob, JobListener};
use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The runner wired to real adapters.
pub type Runner = JobRunner<LettreMailer, Db, SystemClock>;

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Jobs run at once.
    pub concurrency: usize,
    /// Poll interval when no NOTIFY arrives.
    pub poll: Duration,
    /// How long a claim is held before others may take the job over.
    pub lease: Duration,
    /// How long shutdown waits for running jobs before releasing them.
    pub grace: Duration,
    /// URL for the LISTEN connection.
    pub database_url: String,
}

/// A running worker; `stop` shuts it down gracefully.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    /// Signals shutdown and waits for the worker to finish or release its jobs.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts a worker on the current runtime.
pub fn spawn(db: Db, runner: Arc<Runner>, settings: WorkerSettings) -> WorkerHandle {
    let (stop, stopped) = watch::channel(false);
    let id = format!(
        "{}-{}-{:08x}",
        hostname(),
        std::process::id(),
        rand::rng().random::<u32>()
    );
    let task = tokio::spawn(run(db, runner, settings, id, stopped));
    WorkerHandle { stop, task }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into())
}

async fn run(
    db: Db,
    runner: Arc<Runner>,
    settings: WorkerSettings,
    id: String,
    mut stopped: watch::Receiver<bool>,
) {
    tracing::info!(worker = %id, "job worker started");
    let mut listener = JobListener::connect(&settings.database_url).await.ok();
    let mut last_prune = std::time::Instant::now();
    while !*stopped.borrow() {
        let limit = i64::try_from(settings.concurrency.max(1)).unwrap_or(1);
        let jobs = match db.claim_jobs(&id, limit, settings.lease).await {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::warn!(error = %e, "claiming jobs failed; retrying");
                Vec::new()
            }
        };
        if jobs.is_empty() {
            if last_prune.elapsed() > Duration::from_hours(1) {
                last_prune = std::time::Instant::now();
                if let Err(e) = db.prune_jobs(Duration::from_hours(7 * 24)).await {
                    tracing::warn!(error = %e, "pruning finished jobs failed");
                }
            }
            wait_for_work(&mut listener, &settings, &mut stopped).await;
            continue;
        }
        run_batch(&db, &runner, &settings, &id, jobs, &mut stopped).await;
    }
    tracing::info!(worker = %id, "job worker stopped");
}

async fn wait_for_work(
    listener: &mut Option<JobListener>,
    settings: &WorkerSettings,
    stopped: &mut watch::Receiver<bool>,
) {
    let wait = async {
        if let Some(l) = listener {
            if !l.wait(settings.poll).await {
                // The LISTEN connection broke: reconnect on the next round, poll meanwhile.
                *listener = JobListener::connect(&settings.database_url).await.ok();
            }
        } else {
            tokio::time::sleep(settings.poll).await;
            *listener = JobListener::connect(&settings.database_url).await.ok();
        }
    };
    tokio::select! {
        () = wait => {}
        _ = stopped.changed() => {}
    }
}

async fn run_batch(
    db: &Db,
    runner: &Arc<Runner>,
    settings: &WorkerSettings,
    id: &str,
    jobs: Vec<ClaimedJob>,
    stopped: &mut watch::Receiver<bool>,
) {
    let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
    let mut set = JoinSet::new();
    for job in jobs {
        let (db, runner, id) = (db.clone(), runner.clone(), id.to_owned());
        set.spawn(async move { execute(&db, &runner, &id, job).await });
    }
    loop {
        tokio::select! {
            next = set.join_next() => if next.is_none() { return },
            _ = stopped.changed() => break,
        }
    }
    // Shutting down: give running jobs a grace period, then hand back whatever is unfinished.
    let drained = tokio::time::timeout(settings.grace, async {
        while set.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        set.abort_all();
        for job in ids {
            // Conditional on our lease, so jobs that completed meanwhile are untouched.
            if let Ok(true) = db.release_job(job, id).await {
                tracing::info!(job, "released unfinished job at shutdown");
            }
        }
    }
}

async fn execute(db: &Db, runner: &Runner, worker: &str, job: ClaimedJob) {
    let outcome = match serde_json::from_value::<JobPayload>(job.payload.clone()) {
        Ok(payload) => runner.run(payload).await,
        Err(e) => JobOutcome::Fail(format!("unreadable payload: {e}")),
    };
    let label = match &outcome {
        JobOutcome::Done => "done",
        JobOutcome::Retry(_) => "retry",
        JobOutcome::Fail(_) => "failed",
    };
    metrics::counter!("jobs_processed_total", "kind" => job.kind.clone(), "outcome" => label)
        .increment(1);
    let recorded = match outcome {
        JobOutcome::Done => db.complete_job(job.id, worker).await.map(drop),
        JobOutcome::Retry(error) => record_failure(db, &job, worker, &error, true).await,
        JobOutcome::Fail(error) => record_failure(db, &job, worker, &error, false).await,
    };
    if let Err(e) = recorded {
        // The lease will expire and another worker will retry the job.
        tracing::warn!(job = job.id, error = %e, "could not record job outcome");
    }
}

async fn record_failure(
    db: &Db,
    job: &ClaimedJob,
    worker: &str,
    error: &str,
    retry: bool,
) -> Result<(), madeinpk_domain::store::StoreError> {
    match db.fail_job(job, worker, error, retry).await? {
        FailedJob::Dead => tracing::error!(job = job.id, kind = %job.kind, %error, "job is dead"),
        FailedJob::Retrying(delay) => {
            tracing::warn!(job = job.id, kind = %job.kind, %error, retry_in = ?delay, "job failed; will retry");
        }
        FailedJob::LeaseLost => {
            tracing::warn!(job = job.id, "lease lost before the outcome was recorded");
        }
    }
    Ok(())
}
