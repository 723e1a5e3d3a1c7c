//! Account emails through a real SMTP server process: the test starts `aiosmtpd` (a Python SMTP
//! server from PyPI, installed once under the build's temporary folder), points the app's
//! `SMTP_URL` at it, and reads the links back out of the messages it stored.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{PASSWORD, TestApp, spawn_on, test_config};
use madeinpk_mail::MailTransport;
use madeinpk_postgres::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

/// The aiosmtpd release the sink runs, and its dependencies, pinned (installed with
/// `--no-deps`, so nothing else is fetched).
const PACKAGES: &[&str] = &["aiosmtpd==1.4.6", "atpublic==9.0.0", "attrs==26.1.0"];

/// An SMTP server process that stores every message it accepts in a maildir.
struct SmtpSink {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

/// Where aiosmtpd is installed: once per build folder, shared by every run.
fn sink_packages() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("smtp-sink-1.4.6");
    let importable = |dir: &Path| {
        Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .env("PYTHONPATH", dir)
            .status()
            .is_ok_and(|s| s.success())
    };
    if importable(&dir) {
        return dir;
    }
    // Installed beside, then renamed into place, so a concurrent run never sees half of it.
    let staging = dir.with_extension(format!("{}", std::process::id()));
    let installed = Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--no-warn-script-location", "--no-deps", "--target"])
        .arg(&staging)
        .args(PACKAGES)
        .status()
        .expect("python3 runs");
    assert!(
        installed.success(),
        "installing {PACKAGES:?} from PyPI failed (python3 -m pip install --target {})",
        staging.display()
    );
    if std::fs::rename(&staging, &dir).is_err() {
        // Another run got there first.
        let _ = std::fs::remove_dir_all(&staging);
    }
    assert!(
        importable(&dir),
        "aiosmtpd is not importable from {}",
        dir.display()
    );
    dir
}

impl SmtpSink {
    fn start() -> Self {
        let packages = sink_packages();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("smtp-maildir-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&maildir);
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .env("PYTHONPATH", &packages)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("aiosmtpd starts");
        let sink = Self {
            child,
            port,
            maildir,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sink
    }

    /// Every message the server stored, as received.
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect()
    }

    /// Waits for the message to `to` whose subject says `subject`, and returns the token of the
    /// link to `path` in it.
    async fn link_token(&self, to: &str, subject: &str, path: &str) -> String {
        let prefix = format!("{path}?token=");
        let started = Instant::now();
        loop {
            for m in self.messages() {
                // Headers and quoted-printable soft breaks, as a mail client reads them.
                let plain = m
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=");
                if !plain.contains(&format!("To: {to}")) || !plain.contains(subject) {
                    continue;
                }
                if let Some(at) = plain.find(&prefix) {
                    return plain[at + prefix.len()..]
                        .chars()
                        .take_while(char::is_ascii_hexdigit)
                        .collect();
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no \"{subject}\" to {to} reached the SMTP server: {:#?}",
                self.messages()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

async fn app_mailing_to(sink: &SmtpSink) -> TestApp {
    let db = TestDb::new().await;
    let config = test_config(&db.url);
    let transport = MailTransport::smtp(&format!("smtp://127.0.0.1:{}", sink.port)).unwrap();
    let (_, unused) = MailTransport::memory();
    spawn_on(db, config, transport, unused).await
}

#[tokio::test]
async fn verification_and_reset_links_arrive_through_a_real_smtp_server_and_work() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;

    // Registration's link, through the server, verifies the address.
    let (token, _) = app.register("hina").await;
    app.run_jobs().await;
    let link = sink
        .link_token(
            "hina@example.pk",
            "Confirm your MadeInPK email address",
            "/verify-email",
        )
        .await;
    assert_eq!(link.len(), 64, "{link}");
    let r = app
        .post("/api/auth/verify-email/", None, json!({"token": link}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let status = app.get("/api/auth/verify-email/", Some(&token)).await;
    assert_eq!(status.body["email_verified"], true);

    // A forgotten password: the reset link from the server sets a new one.
    let r = app
        .post(
            "/api/auth/password-reset/",
            None,
            json!({"email": "hina@example.pk"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.run_jobs().await;
    let reset = sink
        .link_token(
            "hina@example.pk",
            "Reset your MadeInPK password",
            "/reset-password",
        )
        .await;
    let new = "Shisham-Wood-2026!";
    let r = app
        .post(
            "/api/auth/password-reset/confirm/",
            None,
            json!({"token": reset, "password": new, "password_confirm": new}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        app.login("hina@example.pk", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("hina@example.pk", new).await.status,
        StatusCode::OK
    );
    // The "password changed" email went through the same server.
    app.run_jobs().await;
    let started = Instant::now();
    while !sink
        .messages()
        .iter()
        .any(|m| m.contains("Your MadeInPK password was changed"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no password-changed email"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
