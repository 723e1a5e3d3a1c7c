//! Job queue behaviour against a real Postgres database.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use madeinpk_domain::job::model::{JobPayload, NewJob};
use madeinpk_domain::job::ports::JobQueue;
use madeinpk_domain::notification::email::{Email, EmailMessage};
use madeinpk_postgres::job::queue::{FailedJob, JobListener};
use madeinpk_postgres::testing::TestDb;

fn email_job(n: usize) -> NewJob {
    NewJob::now(JobPayload::SendEmail {
        email: Email {
            to: format!("u{n}@example.pk"),
            message: EmailMessage::Welcome {
                username: format!("u{n}"),
            },
            key: None,
        },
        notification: None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_never_run_one_job_twice() {
    let t = TestDb::new().await;
    for n in 0..200 {
        assert!(t.db.enqueue(email_job(n)).await.unwrap());
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for w in 0..6 {
        let db = t.db.clone();
        let seen = seen.clone();
        workers.push(tokio::spawn(async move {
            let name = format!("worker-{w}");
            loop {
                let jobs = db
                    .claim_jobs(&name, 7, Duration::from_mins(1))
                    .await
                    .unwrap();
                if jobs.is_empty() {
                    break;
                }
                for job in jobs {
                    seen.lock().unwrap().push(job.id);
                    assert!(db.complete_job(job.id, &name).await.unwrap());
                }
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    let distinct: HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 200, "every job ran");
    assert_eq!(distinct.len(), 200, "no job ran twice");
    assert_eq!(t.count("jobs WHERE status = 'done'").await, 200);
}

#[tokio::test]
async fn a_crashed_claim_is_retried_after_its_lease_expires() {
    let t = TestDb::new().await;
    t.db.enqueue(email_job(1)).await.unwrap();
    let first =
        t.db.claim_jobs("crashy", 10, Duration::from_millis(800))
            .await
            .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    // While the lease holds, nobody else gets it.
    assert!(
        t.db.claim_jobs("other", 10, Duration::from_mins(1))
            .await
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let again =
        t.db.claim_jobs("other", 10, Duration::from_mins(1))
            .await
            .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].attempts, 2);
    // The crashed worker's late completion is refused: it no longer holds the lease.
    assert!(!t.db.complete_job(first[0].id, "crashy").await.unwrap());
    assert!(t.db.complete_job(again[0].id, "other").await.unwrap());
}

#[tokio::test]
async fn failures_back_off_then_die() {
    let t = TestDb::new().await;
    let mut job = email_job(1);
    job.max_attempts = 2;
    t.db.enqueue(job).await.unwrap();
    let claimed =
        t.db.claim_jobs("w", 1, Duration::from_mins(1))
            .await
            .unwrap()
            .remove(0);
    assert_eq!(
        t.db.fail_job(&claimed, "w", "smtp down", true)
            .await
            .unwrap(),
        FailedJob::Retrying(Duration::from_secs(5))
    );
    // Not runnable until the backoff passes.
    assert!(
        t.db.claim_jobs("w", 1, Duration::from_mins(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        t.count("jobs WHERE status = 'queued' AND run_at > now() + interval '3 seconds'")
            .await,
        1
    );
    t.execute("UPDATE jobs SET run_at = now()").await;
    let claimed =
        t.db.claim_jobs("w", 1, Duration::from_mins(1))
            .await
            .unwrap()
            .remove(0);
    assert_eq!(claimed.attempts, 2);
    assert_eq!(
        t.db.fail_job(&claimed, "w", "still down", true)
            .await
            .unwrap(),
        FailedJob::Dead
    );
    assert_eq!(
        t.count("jobs WHERE status = 'dead' AND last_error = 'still down'")
            .await,
        1
    );
}

#[tokio::test]
async fn permanent_failures_die_at_once_and_release_does_not_count_an_attempt() {
    let t = TestDb::new().await;
    t.db.enqueue(email_job(1)).await.unwrap();
    t.db.enqueue(email_job(2)).await.unwrap();
    let mut claimed =
        t.db.claim_jobs("w", 2, Duration::from_mins(1))
            .await
            .unwrap();
    let b = claimed.pop().unwrap();
    let a = claimed.pop().unwrap();
    assert_eq!(
        t.db.fail_job(&a, "w", "bad template", false).await.unwrap(),
        FailedJob::Dead
    );
    assert!(t.db.release_job(b.id, "w").await.unwrap());
    let again =
        t.db.claim_jobs("w2", 5, Duration::from_mins(1))
            .await
            .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, b.id);
    assert_eq!(
        again[0].attempts, 1,
        "a released claim does not count as an attempt"
    );
}

#[tokio::test]
async fn unique_keys_deduplicate_enqueue() {
    let t = TestDb::new().await;
    assert!(
        t.db.enqueue(email_job(1).unique("welcome:1"))
            .await
            .unwrap()
    );
    assert!(
        !t.db
            .enqueue(email_job(1).unique("welcome:1"))
            .await
            .unwrap()
    );
    assert!(
        t.db.enqueue(email_job(2).unique("welcome:2"))
            .await
            .unwrap()
    );
    assert_eq!(t.count("jobs").await, 2);
}

#[tokio::test]
async fn scheduled_jobs_wait_for_run_at() {
    let t = TestDb::new().await;
    t.db.enqueue(email_job(1).at(chrono::Utc::now() + chrono::Duration::hours(1)))
        .await
        .unwrap();
    assert!(
        t.db.claim_jobs("w", 5, Duration::from_mins(1))
            .await
            .unwrap()
            .is_empty()
    );
    t.execute("UPDATE jobs SET run_at = now() - interval '1 second'")
        .await;
    assert_eq!(
        t.db.claim_jobs("w", 5, Duration::from_mins(1))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn enqueue_wakes_a_listening_worker() {
    let t = TestDb::new().await;
    let mut listener = JobListener::connect(&t.url).await.unwrap();
    let db = t.db.clone();
    let started = std::time::Instant::now();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        db.enqueue(email_job(1)).await.unwrap();
    });
    assert!(listener.wait(Duration::from_secs(20)).await);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "woken by NOTIFY, not by the timeout"
    );
    assert_eq!(t.count("jobs").await, 1);
}

#[tokio::test]
async fn renewed_leases_keep_slow_jobs_from_being_taken_over() {
    let t = TestDb::new().await;
    t.db.enqueue(email_job(1)).await.unwrap();
    let job =
        t.db.claim_jobs("slow", 1, Duration::from_millis(500))
            .await
            .unwrap()
            .remove(0);
    assert_eq!(
        t.db.extend_leases(&[job.id], "slow", Duration::from_mins(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        t.db.extend_leases(&[job.id], "impostor", Duration::from_mins(1))
            .await
            .unwrap(),
        0
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        t.db.claim_jobs("other", 1, Duration::from_mins(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(t.db.complete_job(job.id, "slow").await.unwrap());
}

#[tokio::test]
async fn a_lease_lost_on_the_last_attempt_kills_the_job_instead_of_running_it_again() {
    let t = TestDb::new().await;
    let mut job = email_job(1);
    job.max_attempts = 1;
    t.db.enqueue(job).await.unwrap();
    let first =
        t.db.claim_jobs("crashy", 1, Duration::from_millis(300))
            .await
            .unwrap();
    assert_eq!(first.len(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        t.db.claim_jobs("other", 1, Duration::from_mins(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        t.count("jobs WHERE status = 'dead' AND attempts = 1").await,
        1
    );
}

#[tokio::test]
async fn a_dead_outbid_notice_frees_its_key_and_other_dead_jobs_keep_theirs() {
    let t = TestDb::new().await;
    t.execute(
        "INSERT INTO jobs (kind, payload, unique_key) VALUES
         ('notify_outbid', '{\"kind\":\"notify_outbid\",\"data\":{\"bid\":1}}', 'outbid:1:2'),
         ('send_email', '{\"kind\":\"send_email\"}', 'email:x')",
    )
    .await;
    let jobs =
        t.db.claim_jobs("w", 10, Duration::from_mins(1))
            .await
            .unwrap();
    assert_eq!(jobs.len(), 2);
    for job in &jobs {
        t.db.fail_job(job, "w", "broken", false).await.unwrap();
    }
    assert_eq!(t.count("jobs WHERE status = 'dead'").await, 2);
    // The bidder's next outbid can queue a notice again; the email's key still guards it.
    assert_eq!(
        t.count("jobs WHERE kind = 'notify_outbid' AND unique_key IS NULL")
            .await,
        1
    );
    assert_eq!(t.count("jobs WHERE unique_key = 'email:x'").await, 1);
}
