//! Email survives a mail-server outage: with the SMTP relay down, notifications are still made
//! and their emails wait in the job queue (retried with backoff, visible to admins); once the
//! relay is back, every email is delivered exactly once.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::spawn_on;
use madeinpk_mail::MailTransport;
use madeinpk_postgres::testing::TestDb;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// The messages a minimal SMTP relay received (the DATA of each).
type Received = Arc<Mutex<Vec<String>>>;

/// Speaks just enough SMTP for lettre: greeting, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
async fn relay(listener: TcpListener, received: Received) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        let received = received.clone();
        tokio::spawn(async move {
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            if write.write_all(b"220 relay ESMTP\r\n").await.is_err() {
                return;
            }
            while let Ok(Some(line)) = lines.next_line().await {
                let verb = line
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250-relay\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        if write.write_all(b"354 go ahead\r\n").await.is_err() {
                            return;
                        }
                        let mut message = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            message.push_str(&l);
                            message.push('\n');
                        }
                        received.lock().unwrap().push(message);
                        b"250 queued\r\n"
                    }
                    "QUIT" => {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    }
                    _ => b"250 OK\r\n",
                };
                if write.write_all(reply).await.is_err() {
                    return;
                }
            }
        });
    }
}

#[tokio::test]
async fn emails_wait_out_a_relay_outage_and_then_arrive_exactly_once() {
    // A port with nothing on it: the relay is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let db = TestDb::new().await;
    let mut config = common::test_config(&db.url);
    // The worker's own retries carry the emails through the outage.
    config.jobs.serve_runs_workers = true;
    let transport = MailTransport::smtp(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let (_, unused) = MailTransport::memory();
    let app = spawn_on(db, config, transport, unused).await;

    // Three sign-ups: three welcome notices, each with its email queued, and each address's
    // verification link.
    let names = ["amna", "bilal", "chand"];
    for name in names {
        app.register(name).await;
    }
    assert_eq!(
        app.db
            .count("notifications WHERE title = 'Welcome to MadeInPK!'")
            .await,
        3
    );
    // Every email was tried and failed; nothing is lost, and nothing was marked sent.
    assert!(
        app.count_reaches(
            "jobs WHERE kind = 'send_email' AND status = 'queued' AND attempts >= 1 AND last_error IS NOT NULL",
            6
        )
        .await,
        "the emails wait for a retry"
    );
    assert_eq!(
        app.db.count("notifications WHERE is_sent_via_email").await,
        0
    );

    // The relay comes back on the same port.
    let received: Received = Arc::default();
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    tokio::spawn(relay(listener, received.clone()));
    assert!(
        app.count_reaches("jobs WHERE kind = 'send_email' AND status = 'done'", 6)
            .await,
        "every email goes out after the outage"
    );
    // Give a duplicate every chance to show, then count.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 6, "exactly once each: {got:#?}");
    for name in names {
        for subject in ["Welcome to MadeInPK", "Confirm your MadeInPK email address"] {
            assert_eq!(
                got.iter()
                    .filter(|m| m.contains(&format!("To: {name}@example.pk")) && m.contains(subject))
                    .count(),
                1,
                "{name}: {subject}"
            );
        }
    }
    assert_eq!(
        app.db
            .count("notifications WHERE is_sent_via_email AND email_sent_at IS NOT NULL")
            .await,
        3
    );
}
