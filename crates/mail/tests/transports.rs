//! The mailer writes real messages through the directory and memory transports.

use madeinpk_domain::notification::email::{Email, EmailMessage, MailError};
use madeinpk_domain::notification::ports::Mailer;
use madeinpk_mail::{LettreMailer, MailTransport};

fn welcome(to: &str) -> Email {
    Email {
        to: to.into(),
        message: EmailMessage::Welcome {
            username: "sana".into(),
        },
        key: None,
    }
}

/// A mailer writing into a fresh directory of its own.
fn directory_mailer(name: &str) -> (std::path::PathBuf, LettreMailer) {
    let dir = std::env::temp_dir().join(format!("madeinpk-mail-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mailer = LettreMailer::new(
        MailTransport::directory(&dir).unwrap(),
        "MadeInPK <no-reply@madeinpk.pk>",
        "http://localhost:8000",
    )
    .unwrap();
    (dir, mailer)
}

#[tokio::test]
async fn directory_transport_writes_an_eml_with_both_parts() {
    let (dir, mailer) = directory_mailer("plain");
    mailer.send(welcome("sana@example.pk")).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(raw.contains("To: sana@example.pk"));
    assert!(raw.contains("Subject: Welcome to MadeInPK, sana!"));
    assert!(raw.contains("multipart/alternative"));
    assert!(raw.contains("text/plain") && raw.contains("text/html"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_unkeyed_email_gets_a_random_message_id_under_the_sending_domain() {
    let (transport, outbox) = MailTransport::memory();
    let mailer = LettreMailer::new(transport, "no-reply@madeinpk.pk", "http://x.pk").unwrap();
    mailer.send(welcome("a@example.pk")).await.unwrap();
    mailer.send(welcome("a@example.pk")).await.unwrap();
    let ids: Vec<String> = outbox
        .sent()
        .iter()
        .map(|m| {
            m.raw
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .expect("a Message-ID")
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "random");
    for id in &ids {
        let local = id
            .strip_prefix('<')
            .and_then(|i| i.strip_suffix("@madeinpk.pk>"))
            .unwrap_or_else(|| panic!("under the sending domain: {id}"));
        assert_eq!(local.len(), 32, "128 random bits: {id}");
    }
}

#[tokio::test]
async fn a_keyed_email_sent_twice_is_one_file_with_its_message_id() {
    let (dir, mailer) = directory_mailer("keyed");
    let email = Email {
        key: Some("email-job-42".into()),
        ..welcome("sana@example.pk")
    };
    // Sent, then sent again as a job retried after a crash would.
    mailer.send(email.clone()).await.unwrap();
    mailer.send(email).await.unwrap();
    mailer.send(welcome("omar@example.pk")).await.unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"email-job-42.eml".to_owned()), "{names:?}");
    let raw = std::fs::read_to_string(dir.join("email-job-42.eml")).unwrap();
    assert!(
        raw.contains("Message-ID: <email-job-42@madeinpk.pk>"),
        "{raw}"
    );
    assert!(raw.contains("To: sana@example.pk"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn memory_transport_captures_and_bad_addresses_are_permanent_errors() {
    let (transport, outbox) = MailTransport::memory();
    let mailer = LettreMailer::new(transport, "no-reply@madeinpk.pk", "http://x.pk").unwrap();
    mailer.send(welcome("a@example.pk")).await.unwrap();
    let sent = outbox.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, vec!["a@example.pk".to_string()]);
    let err = mailer.send(welcome("not an address")).await.unwrap_err();
    assert!(matches!(err, MailError::Address(_)));
    assert!(!err.is_transient());
    assert_eq!(outbox.sent().len(), 1);
}

#[tokio::test]
async fn smtp_to_a_closed_port_is_a_transient_error() {
    let mailer = LettreMailer::new(
        MailTransport::smtp("smtp://127.0.0.1:1").unwrap(),
        "no-reply@madeinpk.pk",
        "http://x.pk",
    )
    .unwrap();
    let err = mailer.send(welcome("a@example.pk")).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
}
