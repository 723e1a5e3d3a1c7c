//! The worker inside the app: retries when mail is down, and gives jobs back on shutdown.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{spawn_on, test_config};
use madeinpk_app::worker::{self, WorkerSettings};
use madeinpk_domain::clock::SystemClock;
use madeinpk_domain::email::{Email, EmailMessage};
use madeinpk_domain::job::{JobPayload, NewJob};
use madeinpk_domain::ports::JobQueue;
use madeinpk_domain::services::job_runner::JobRunner;
use madeinpk_mail::{LettreMailer, MailTransport};
use madeinpk_postgres::testing::TestDb;

#[tokio::test]
async fn an_unreachable_mail_server_means_retry_later_not_lost() {
    let db = TestDb::new().await;
    let config = test_config(&db.url);
    let (_, outbox) = MailTransport::memory();
    let app = spawn_on(
        db,
        config,
        MailTransport::smtp("smtp://127.0.0.1:1").unwrap(),
        outbox,
    )
    .await;
    app.register("patient").await;
    let retried = app
        .eventually(Duration::from_secs(15), || async {
            app.db.count("jobs WHERE status = 'queued' AND attempts = 1 AND last_error IS NOT NULL AND run_at > now()").await == 1
        })
        .await;
    assert!(retried, "the failed send is scheduled again with backoff");
    assert_eq!(
        app.db.count("notifications WHERE is_sent_via_email").await,
        0
    );
}

#[tokio::test]
async fn shutdown_releases_jobs_that_do_not_finish_in_time() {
    let db = TestDb::new().await;
    // An SMTP server that accepts connections and never speaks: sends hang.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let mailer = LettreMailer::new(
        MailTransport::smtp(&format!("smtp://127.0.0.1:{port}")).unwrap(),
        "no-reply@madeinpk.pk",
        "http://x.pk",
    )
    .unwrap();
    let runner = Arc::new(JobRunner::new(mailer, db.db.clone(), SystemClock));
    db.db
        .enqueue(NewJob::now(JobPayload::SendEmail {
            email: Email {
                to: "a@example.pk".into(),
                message: EmailMessage::Welcome {
                    username: "a".into(),
                },
            },
            notification: None,
        }))
        .await
        .unwrap();
    let settings = WorkerSettings {
        concurrency: 2,
        poll: Duration::from_millis(100),
        // Short, so the test sees the worker renew it while the send hangs.
        lease: Duration::from_millis(900),
        grace: Duration::from_millis(300),
        database_url: db.url.clone(),
        token_idle: Duration::from_hours(24),
    };
    let handle = worker::spawn(db.db.clone(), runner, settings);
    let mut claimed = false;
    for _ in 0..100 {
        if db.count("jobs WHERE status = 'running'").await == 1 {
            claimed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(claimed, "the worker claimed the job");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        db.db
            .claim_jobs("other", 1, Duration::from_mins(1))
            .await
            .unwrap()
            .is_empty(),
        "the running job's lease is renewed, so nobody takes it over"
    );
    handle.stop().await;
    assert_eq!(
        db.count("jobs WHERE status = 'queued' AND attempts = 0 AND locked_by IS NULL")
            .await,
        1,
        "released, attempt not counted"
    );
}
