//! Where emails go: SMTP, a directory of `.eml` files, or memory (tests).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use madeinpk_domain::notification::email::MailError;

/// An email captured by the in-memory transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentEmail {
    /// Recipients.
    pub to: Vec<String>,
    /// The full RFC 5322 message.
    pub raw: String,
}

/// Shared list of captured emails.
#[derive(Debug, Clone, Default)]
pub struct MemoryOutbox(Arc<Mutex<Vec<SentEmail>>>);

impl MemoryOutbox {
    /// Everything sent so far.
    pub fn sent(&self) -> Vec<SentEmail> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn push(&self, email: SentEmail) {
        if let Ok(mut v) = self.0.lock() {
            v.push(email);
        }
    }
}

/// A configured transport.
#[derive(Clone)]
pub enum MailTransport {
    /// An SMTP relay (`smtp://`, `smtps://` or `smtp://...?tls=required`).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per email in a directory.
    Directory(AsyncFileTransport<Tokio1Executor>, PathBuf),
    /// Captured in memory.
    Memory(MemoryOutbox),
}

impl MailTransport {
    /// SMTP from a lettre connection URL.
    pub fn smtp(url: &str) -> Result<Self, MailError> {
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Transport(e.to_string()))?;
        Ok(Self::Smtp(builder.build()))
    }

    /// Files in `dir` (created if missing).
    pub fn directory(dir: impl Into<PathBuf>) -> Result<Self, MailError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)
            .map_err(|e| MailError::Transport(format!("{}: {e}", dir.display())))?;
        Ok(Self::Directory(AsyncFileTransport::new(&dir), dir))
    }

    /// In memory; the returned handle reads what was sent.
    pub fn memory() -> (Self, MemoryOutbox) {
        let outbox = MemoryOutbox::default();
        (Self::Memory(outbox.clone()), outbox)
    }

    /// A short description for logs.
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp(_) => "smtp".into(),
            Self::Directory(_, dir) => format!("directory {}", dir.display()),
            Self::Memory(_) => "memory".into(),
        }
    }

    /// Sends one message; `key` is its stable identity, when it has one.
    pub async fn send(&self, message: Message, key: Option<&str>) -> Result<(), MailError> {
        match self {
            // A keyed email is one file, written whole (temporary file, then rename): sent
            // again after a crash it replaces itself instead of arriving twice.
            Self::Directory(_, dir) if key.is_some() => {
                let name: String = key
                    .unwrap_or_default()
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let path = dir.join(format!("{name}.eml"));
                let partial = dir.join(format!(".{name}.eml.partial"));
                let io =
                    |e: std::io::Error| MailError::Transport(format!("{}: {e}", path.display()));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .map_err(io)?;
                tokio::fs::rename(&partial, &path).await.map_err(io)
            }
            Self::Smtp(t) => t
                .send(message)
                .await
                .map(drop)
                .map_err(|e| MailError::Transport(e.to_string())),
            Self::Directory(t, _) => t
                .send(message)
                .await
                .map(drop)
                .map_err(|e| MailError::Transport(e.to_string())),
            Self::Memory(outbox) => {
                let to = message
                    .envelope()
                    .to()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let raw = String::from_utf8_lossy(&message.formatted()).into_owned();
                outbox.push(SentEmail { to, raw });
                Ok(())
            }
        }
    }
}
