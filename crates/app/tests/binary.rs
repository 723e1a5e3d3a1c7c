//! The built `madeinpk` binary as an operator runs it: `serve` on a database that does not exist
//! yet, `worker` alone, mail into a directory, graceful stop on SIGTERM.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use madeinpk_domain::job::model::{JobPayload, NewJob};
use madeinpk_domain::job::ports::JobQueue;
use madeinpk_domain::notification::email::{Email, EmailMessage};
use madeinpk_postgres::db::with_database;
use madeinpk_postgres::testing::{TestDb, server_url};

struct Process {
    child: Child,
}

impl Process {
    fn start(args: &[&str], envs: &[(&str, String)]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_madeinpk"));
        cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        Self {
            child: cmd.spawn().expect("binary starts"),
        }
    }

    /// SIGTERM, then the exit status (killed after 30 s).
    fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = self.child.kill();
                panic!("did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The finished emails of a mail directory (not the hidden `.partial` file one is written to
/// before it is renamed into place).
fn eml_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "eml")
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn wait_for(timeout: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn serve_creates_the_database_serves_mails_and_stops_gracefully() {
    let name = format!("madeinpk_serve_{}", std::process::id());
    let url = with_database(&server_url(), &name).unwrap();
    let mail_dir = std::env::temp_dir().join(format!("{name}-mail"));
    let _ = std::fs::remove_dir_all(&mail_dir);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let server = Process::start(
        &[],
        &[
            ("DATABASE_URL", url.clone()),
            ("BIND_ADDR", format!("127.0.0.1:{port}")),
            ("MAIL_DIR", mail_dir.display().to_string()),
            (
                "MEDIA_DIR",
                std::env::temp_dir()
                    .join(format!("{name}-media"))
                    .display()
                    .to_string(),
            ),
            ("HTTP_WORKERS", "1".into()),
        ],
    );
    let client = reqwest::Client::new();
    let up = wait_for(Duration::from_mins(1), async || {
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(up, "the server came up on a database it had to create");
    let provinces: serde_json::Value = client
        .get(format!("{base}/api/provinces/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(provinces["count"], 7, "seeded on start");
    let res = client
        .post(format!("{base}/api/auth/register/"))
        .json(&serde_json::json!({"username": "first", "email": "first@example.pk", "password": "Handmade-2026!", "password_confirm": "Handmade-2026!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::CREATED);
    // The welcome email and the address's verification link.
    let mailed = wait_for(Duration::from_secs(20), async || {
        eml_files(&mail_dir).len() == 2
    })
    .await;
    assert!(mailed, "both emails landed in MAIL_DIR");
    let emls: Vec<String> = eml_files(&mail_dir)
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    assert!(emls.iter().all(|e| e.contains("To: first@example.pk")));
    assert!(emls.iter().any(|e| e.contains("Welcome to MadeInPK")));
    assert!(
        emls.iter()
            .any(|e| e.contains("Confirm your MadeInPK email address"))
    );
    assert!(server.terminate().success(), "SIGTERM stops it cleanly");

    let admin = with_database(&server_url(), "postgres").unwrap();
    let _ = Command::new("psql")
        .arg(&admin)
        .arg("-qc")
        .arg(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .status();
    let _ = std::fs::remove_dir_all(&mail_dir);
}

#[tokio::test]
async fn worker_alone_sends_queued_mail_and_stops_on_sigterm() {
    let db = TestDb::new().await;
    let mail_dir = std::env::temp_dir().join(format!("{}-mail", db.name));
    let worker = Process::start(
        &["worker"],
        &[
            ("DATABASE_URL", db.url.clone()),
            ("MAIL_DIR", mail_dir.display().to_string()),
            ("JOB_POLL_MS", "200".into()),
        ],
    );
    db.db
        .enqueue(NewJob::now(JobPayload::SendEmail {
            email: Email {
                to: "solo@example.pk".into(),
                message: EmailMessage::Welcome {
                    username: "solo".into(),
                },
                key: None,
            },
            notification: None,
        }))
        .await
        .unwrap();
    let mailed = wait_for(Duration::from_secs(30), async || {
        !eml_files(&mail_dir).is_empty()
    })
    .await;
    assert!(mailed, "the worker process sent the email");
    assert!(
        wait_for(Duration::from_secs(5), async || db
            .count("jobs WHERE status = 'done'")
            .await
            == 1)
        .await
    );
    assert!(worker.terminate().success());
    let _ = std::fs::remove_dir_all(&mail_dir);
}
