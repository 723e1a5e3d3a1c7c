//! Effects written in the same transaction as the change that causes them, so none is lost.

use crate::job::model::NewJob;
use crate::notification::email::EmailMessage;
use crate::notification::model::NewNotification;

/// A notification, optionally emailed to its recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxNotice {
    /// The in-app notification.
    pub notification: NewNotification,
    /// The email that reports it: (recipient address, content).
    pub email: Option<(String, EmailMessage)>,
}

/// Notifications and jobs to persist atomically with a state change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbox {
    /// Notifications (and their emails).
    pub notices: Vec<OutboxNotice>,
    /// Other jobs.
    pub jobs: Vec<NewJob>,
}

impl Outbox {
    /// Nothing to write.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an in-app notification only.
    pub fn notify(mut self, notification: NewNotification) -> Self {
        self.notices.push(OutboxNotice {
            notification,
            email: None,
        });
        self
    }

    /// Adds a notification and the email that reports it (sent once, by the queue).
    pub fn notify_by_email(
        mut self,
        notification: NewNotification,
        to: impl Into<String>,
        message: EmailMessage,
    ) -> Self {
        self.notices.push(OutboxNotice {
            notification,
            email: Some((to.into(), message)),
        });
        self
    }

    /// Adds a job.
    pub fn job(mut self, job: NewJob) -> Self {
        self.jobs.push(job);
        self
    }

    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.notices.is_empty() && self.jobs.is_empty()
    }
}
