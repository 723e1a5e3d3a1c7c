//! The worker inside the app: retries when mail is down, and gives jobs back on shutdown.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{spawn_on, test_config};
use madeinpk_app::worker::{self, WorkerSettings};
use madeinpk_domain::clock::ShiftedClock;
use madeinpk_domain::job::model::{JobPayload, NewJob};
use madeinpk_domain::job::ports::JobQueue;
use madeinpk_domain::notification::email::{Email, EmailMessage};
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
    // Both of registration's emails (welcome, verification link) wait to be tried again.
    let retried = app.count_reaches("jobs WHERE status = 'queued' AND attempts = 1 AND last_error IS NOT NULL AND run_at > now()", 2).await;
    assert!(retried, "the failed sends are scheduled again with backoff");
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
    let clock = ShiftedClock::default();
    let config = madeinpk_app::config::Config::from_lookup(|_| None).unwrap();
    let runner = Arc::new(madeinpk_app::startup::job_runner(
        &db.db,
        &config,
        mailer,
        clock.clone(),
        madeinpk_stripe::Gateway::Dev(madeinpk_stripe::DevGateway::new(
            "http://x.pk",
            "test-secret",
        )),
    ));
    let sweeper = Arc::new(
        madeinpk_domain::order::reservation_service::Reservations::new(
            db.db.clone(),
            db.db.clone(),
            clock,
            madeinpk_domain::order::reservation_service::ReservationSettings {
                notice_before: chrono::Duration::minutes(5),
                abandoned_after: chrono::Duration::days(7),
                block_after: 3,
            },
        ),
    );
    db.db
        .enqueue(NewJob::now(JobPayload::SendEmail {
            email: Email {
                to: "a@example.pk".into(),
                message: EmailMessage::Welcome {
                    username: "a".into(),
                },
                key: None,
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
        sweep: Duration::from_mins(1),
    };
    let handle = worker::spawn(db.db.clone(), runner, sweeper, settings);
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

#[tokio::test]
async fn admins_see_dead_jobs_and_queue_them_again() {
    use reqwest::StatusCode;
    use serde_json::json;
    let db = TestDb::new().await;
    let config = test_config(&db.url);
    let (_, outbox) = MailTransport::memory();
    // Mail is down and the job gets one attempt: it dies.
    let app = spawn_on(
        db,
        config,
        MailTransport::smtp("smtp://127.0.0.1:1").unwrap(),
        outbox,
    )
    .await;
    app.db
        .execute("ALTER TABLE jobs ALTER COLUMN max_attempts SET DEFAULT 1")
        .await;
    app.db
        .db
        .enqueue(NewJob {
            max_attempts: 1,
            ..NewJob::now(JobPayload::SendEmail {
                email: Email {
                    to: "x@example.pk".into(),
                    message: EmailMessage::Welcome {
                        username: "x".into(),
                    },
                    key: None,
                },
                notification: None,
            })
        })
        .await
        .unwrap();
    let died = app.count_reaches("jobs WHERE status = 'dead'", 1).await;
    assert!(died);

    let (buyer, _) = app.register("nosy").await;
    let r = app.get("/api/admin/jobs/", Some(&buyer)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let admin = app.admin_token().await;
    let r = app.get("/api/admin/jobs/", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let dead = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["unique_key"].is_null())
        .unwrap()
        .clone();
    assert_eq!(dead["status"], "dead");
    assert_eq!(dead["kind"], "send_email");
    assert!(
        dead["last_error"].as_str().unwrap().contains("transport"),
        "{dead}"
    );
    let r = app.get("/api/admin/jobs/?status=bogus", Some(&admin)).await;
    assert_eq!(
        r.body,
        json!({"status": ["\"bogus\" is not a valid choice."]})
    );

    let id = dead["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/admin/jobs/{id}/retry/"),
            Some(&buyer),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("/api/admin/jobs/{id}/retry/"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"message": "Job queued again"}));
    // It runs (and, mail still being down, dies) again: a hand retry gets fresh attempts.
    let reran = app.count_reaches(&format!("jobs WHERE id = {id} AND status = 'dead' AND attempts = 1 AND updated_at > created_at"), 1).await;
    assert!(reran);
    let r = app
        .post("/api/admin/jobs/999999/retry/", Some(&admin), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_in_process_worker_drains_a_backlog_exactly_once() {
    let app = common::spawn_with(|c| c.jobs.concurrency = 3).await;
    for n in 0..30 {
        app.db
            .db
            .enqueue(NewJob::now(JobPayload::SendEmail {
                email: Email {
                    to: format!("b{n}@example.pk"),
                    message: EmailMessage::Welcome {
                        username: format!("b{n}"),
                    },
                    key: None,
                },
                notification: None,
            }))
            .await
            .unwrap();
    }
    let drained = app.count_reaches("jobs WHERE status = 'done'", 30).await;
    assert!(drained);
    let mut to: Vec<String> = app.outbox.sent().into_iter().flat_map(|m| m.to).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 30);
    assert_eq!(app.outbox.sent().len(), 30, "each email once");
}
