//! Emails the platform sends: one variant per template. Rendering lives in the mail adapter.

use serde::{Deserialize, Serialize};

/// What an email says; the mail adapter has one HTML + text template per variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum EmailMessage {
    /// Sent after registration.
    Welcome {
        /// Recipient's username.
        username: String,
    },
    /// Any in-app notification without a template of its own, emailed as title and message.
    Notice {
        /// Recipient's username.
        username: String,
        /// The notification's title (the subject).
        title: String,
        /// The notification's message.
        message: String,
    },
    /// Sent when an account is blocked.
    AccountBlocked {
        /// Recipient's username.
        username: String,
        /// Why it was blocked.
        reason: String,
    },
}

impl EmailMessage {
    /// Template name, also used in dedupe keys.
    pub const fn template(&self) -> &'static str {
        match self {
            Self::Welcome { .. } => "welcome",
            Self::Notice { .. } => "notice",
            Self::AccountBlocked { .. } => "account_blocked",
        }
    }
}

/// An email addressed to someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// Recipient address.
    pub to: String,
    /// Content.
    pub message: EmailMessage,
}

/// Why sending failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Rendering failed (a template bug; retrying will not help).
    #[error("template error: {0}")]
    Template(String),
    /// The address cannot be used.
    #[error("bad address: {0}")]
    Address(String),
    /// The transport failed; retry later.
    #[error("transport error: {0}")]
    Transport(String),
}

impl MailError {
    /// True when a retry may succeed.
    pub const fn is_transient(&self) -> bool {
        matches!(self, Self::Transport(_))
    }
}
