//! The job worker: claims due jobs (woken by NOTIFY, or by polling), runs them with the domain's
//! `JobRunner`, records the outcome, and on shutdown finishes or releases what it holds.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use madeinpk_domain::clock::ShiftedClock;
use madeinpk_domain::job::model::{JobOutcome, JobPayload};
use madeinpk_domain::job::runner::JobRunner;
use madeinpk_domain::order::reservation_service::{Reservations, SweepReport};
use madeinpk_mail::LettreMailer;
use madeinpk_postgres::Db;
use madeinpk_postgres::job::queue::{ClaimedJob, FailedJob, JobListener};
use madeinpk_stripe::Gateway;
use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Auction endings, reminders and outbid notices wired to real adapters.
pub type AuctionLifeService =
    madeinpk_domain::auction::bidding_service::AuctionLife<Db, Db, Gateway, Db, ShiftedClock>;
/// The runner wired to real adapters.
pub type Runner = JobRunner<LettreMailer, Db, ShiftedClock, Db, Db, Gateway, AuctionLifeService>;
/// The stock sweep wired to Postgres.
pub type Sweeper = Reservations<Db, Db, ShiftedClock>;

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
    /// Tokens idle this long are deleted by housekeeping.
    pub token_idle: Duration,
    /// How often the stock sweep runs (lapsed holds, unpaid orders).
    pub sweep: Duration,
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
pub fn spawn(
    db: Db,
    runner: Arc<Runner>,
    sweeper: Arc<Sweeper>,
    settings: WorkerSettings,
) -> WorkerHandle {
    let (stop, stopped) = watch::channel(false);
    let id = format!(
        "{}-{}-{:08x}",
        hostname(),
        std::process::id(),
        rand::rng().random::<u32>()
    );
    let task = tokio::spawn(run(db, runner, sweeper, settings, id, stopped));
    WorkerHandle { stop, task }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into())
}

async fn run(
    db: Db,
    runner: Arc<Runner>,
    sweeper: Arc<Sweeper>,
    settings: WorkerSettings,
    id: String,
    mut stopped: watch::Receiver<bool>,
) {
    tracing::info!(worker = %id, "job worker started");
    // Email identities carry the install's random id, so they are unique across installs.
    let install: Arc<str> = loop {
        match db.install_id().await {
            Ok(install) => break install.into(),
            Err(e) => {
                tracing::warn!(error = %e, "reading the install id failed; retrying");
                if *stopped.borrow() {
                    return;
                }
                tokio::time::sleep(settings.poll).await;
            }
        }
    };
    let concurrency = settings.concurrency.max(1);
    let mut listener = JobListener::connect(&settings.database_url).await.ok();
    // Job ids by task, so a job whose task panicked is known (and its lease no longer renewed).
    let mut running: JoinSet<()> = JoinSet::new();
    let mut held: HashMap<tokio::task::Id, i64> = HashMap::new();
    let mut renew = tokio::time::interval(settings.lease / 3);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sweep = tokio::time::interval(settings.sweep);
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_maintenance: Option<Instant> = None;
    loop {
        if *stopped.borrow() {
            break;
        }
        // Fill free slots; a slow job never holds up the others.
        let free = concurrency - running.len();
        if free > 0 {
            let limit = i64::try_from(free).unwrap_or(1);
            match db.claim_jobs(&id, limit, settings.lease).await {
                Ok(jobs) => {
                    for job in jobs {
                        let job_id = job.id;
                        let (db, runner, worker, install) =
                            (db.clone(), runner.clone(), id.clone(), install.clone());
                        let handle = running.spawn(async move {
                            execute(&db, &runner, &worker, &install, job).await;
                        });
                        held.insert(handle.id(), job_id);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "claiming jobs failed; retrying"),
            }
        }
        if running.is_empty()
            && last_maintenance.is_none_or(|t| t.elapsed() > Duration::from_hours(1))
        {
            last_maintenance = Some(Instant::now());
            maintenance(&db, &settings).await;
        }
        tokio::select! {
            Some(done) = running.join_next_with_id(), if !running.is_empty() => forget(&mut held, done),
            _ = renew.tick(), if !held.is_empty() => {
                let ids: Vec<i64> = held.values().copied().collect();
                if let Err(e) = db.extend_leases(&ids, &id, settings.lease).await {
                    tracing::warn!(error = %e, "renewing job leases failed");
                }
            }
            _ = sweep.tick() => {
                let (swept, ended) = upkeep(&sweeper, &runner).await;
                match swept {
                    Ok(report) if report != SweepReport::default() => tracing::info!(?report, "stock sweep"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "stock sweep failed; will retry"),
                }
                if ended > 0 {
                    tracing::info!(ended, "overdue auctions ended by the sweep");
                }
            }
            // With every slot busy, wait for a slot (above) rather than for new work.
            () = wait_for_work(&mut listener, &settings), if running.len() < concurrency => {}
            // A stop value or a dropped handle: either way, stop.
            _ = stopped.changed() => break,
        }
    }
    shutdown(&db, &settings, &id, running, held).await;
    tracing::info!(worker = %id, "job worker stopped");
}

fn forget(
    held: &mut HashMap<tokio::task::Id, i64>,
    done: Result<(tokio::task::Id, ()), tokio::task::JoinError>,
) {
    let task = match done {
        Ok((task, ())) => task,
        Err(e) => {
            // Its lease will expire and the job will be retried (or die on its last attempt).
            tracing::error!(error = %e, "job task panicked");
            e.id()
        }
    };
    held.remove(&task);
}

/// Gives running jobs a grace period, then hands back whatever is unfinished.
async fn shutdown(
    db: &Db,
    settings: &WorkerSettings,
    id: &str,
    mut running: JoinSet<()>,
    held: HashMap<tokio::task::Id, i64>,
) {
    let drained = tokio::time::timeout(settings.grace, async {
        while running.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        running.abort_all();
        for job in held.into_values() {
            // Conditional on our lease, so jobs that completed meanwhile are untouched.
            if let Ok(true) = db.release_job(job, id).await {
                tracing::info!(job, "released unfinished job at shutdown");
            }
        }
    }
}

/// Hourly housekeeping: old finished jobs, expired throttle windows and idle tokens.
async fn maintenance(db: &Db, settings: &WorkerSettings) {
    if let Err(e) = db.prune_jobs(Duration::from_hours(7 * 24)).await {
        tracing::warn!(error = %e, "pruning finished jobs failed");
    }
    if let Err(e) = db.prune_expired(settings.token_idle).await {
        tracing::warn!(error = %e, "pruning idle tokens and throttle windows failed");
    }
}

async fn wait_for_work(listener: &mut Option<JobListener>, settings: &WorkerSettings) {
    if let Some(l) = listener {
        if !l.wait(settings.poll).await {
            // The LISTEN connection broke: pause, then reconnect; polling covers the gap.
            tokio::time::sleep(settings.poll).await;
            *listener = JobListener::connect(&settings.database_url).await.ok();
        }
    } else {
        tokio::time::sleep(settings.poll).await;
        *listener = JobListener::connect(&settings.database_url).await.ok();
    }
}

/// Runs jobs when asked instead of in a background loop: a process that does not run the
/// worker (`SERVE_RUNS_WORKERS=false`) can still carry out what is queued, deterministically.
/// The test harness uses it to run every due job to completion before it looks.
pub struct JobDriver {
    db: Db,
    runner: Arc<Runner>,
    sweeper: Arc<Sweeper>,
    id: String,
    /// The install's id, read once (emails' identities carry it).
    install: tokio::sync::OnceCell<String>,
}

impl JobDriver {
    /// A driver over the same runner and sweep the worker would use.
    pub fn new(db: Db, runner: Arc<Runner>, sweeper: Arc<Sweeper>) -> Self {
        let id = format!(
            "driver-{}-{:08x}",
            std::process::id(),
            rand::rng().random::<u32>()
        );
        Self {
            db,
            runner,
            sweeper,
            id,
            install: tokio::sync::OnceCell::new(),
        }
    }

    /// Runs every job due now, and every job those queue that is due at once, one at a time,
    /// until none is due; how many ran. A job that fails is retried later (not here), so this
    /// always ends.
    pub async fn run_due(&self) -> Result<usize, madeinpk_domain::store::StoreError> {
        let install = (self.install)
            .get_or_try_init(|| self.db.install_id())
            .await?;
        let mut ran = 0;
        loop {
            let jobs = self
                .db
                .claim_jobs(&self.id, 16, Duration::from_mins(5))
                .await?;
            if jobs.is_empty() {
                return Ok(ran);
            }
            for job in jobs {
                execute(&self.db, &self.runner, &self.id, install, job).await;
                ran += 1;
            }
        }
    }

    /// One pass of the time-driven upkeep the worker runs on its sweep interval: lapsed holds,
    /// expiry notices, abandoned carts, unpaid orders, overdue auctions.
    pub async fn sweep(&self) -> Result<(), madeinpk_domain::store::StoreError> {
        upkeep(&self.sweeper, &self.runner).await.0.map(drop)
    }
}

/// The time-driven upkeep, both steps always: the stock sweep (its report), and a backstop for
/// auctions whose end job is late or missing (how many it ended).
async fn upkeep(
    sweeper: &Sweeper,
    runner: &Runner,
) -> (
    Result<SweepReport, madeinpk_domain::store::StoreError>,
    usize,
) {
    let swept = sweeper.sweep().await;
    let ended = runner.auctions().end_due(50).await;
    (swept, ended)
}

/// The identity of a queued email (its Message-ID's local part and its file name).
fn email_key(job: i64, install: &str) -> String {
    format!("email-job-{job}.{install}")
}

async fn execute(db: &Db, runner: &Runner, worker: &str, install: &str, job: ClaimedJob) {
    let outcome = match serde_json::from_value::<JobPayload>(job.payload.clone()) {
        Ok(mut payload) => {
            if let JobPayload::SendEmail { email, .. } = &mut payload {
                // One identity per queued email, however often its job runs, and none that
                // another install (its own random id) could also give.
                email.key.get_or_insert_with(|| email_key(job.id, install));
            }
            runner.run(payload).await
        }
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

#[cfg(test)]
mod tests {
    #[test]
    fn an_email_key_names_its_job_and_the_install() {
        assert_eq!(
            super::email_key(42, "9f2c"),
            "email-job-42.9f2c",
            "stable per job, distinct per install"
        );
        assert_ne!(super::email_key(42, "9f2c"), super::email_key(42, "77aa"));
    }
}
