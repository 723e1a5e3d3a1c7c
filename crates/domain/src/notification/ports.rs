//! Ports of the notification feature: what its services need from the outside world.
//!
//! Methods return `impl Future + Send` so services stay generic and tests can wire mocks.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::ids::{NotificationId, UserId};
use crate::notification::email::{Email, MailError};
use crate::page::{Page, PageRequest};
use crate::store::StoreError;

/// Sends rendered emails.
#[cfg_attr(test, mockall::automock)]
pub trait Mailer: Send + Sync {
    /// Renders and sends one email.
    fn send(&self, email: Email) -> impl Future<Output = Result<(), MailError>> + Send;
}

/// A user's own notifications: reading them and marking them read.
#[cfg_attr(test, mockall::automock)]
pub trait NotificationInbox: Send + Sync {
    /// One page of `user`'s notifications (newest first unless `ordering` says otherwise).
    fn notifications(
        &self,
        user: UserId,
        ordering: Vec<crate::page::Sort<crate::notification::model::NotificationSort>>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::notification::model::Notification>, StoreError>> + Send;
    /// One of `user`'s notifications.
    fn notification(
        &self,
        user: UserId,
        id: NotificationId,
    ) -> impl Future<Output = Result<Option<crate::notification::model::Notification>, StoreError>> + Send;
    /// Marks one of `user`'s notifications read; false when it is not theirs.
    fn mark_read(
        &self,
        user: UserId,
        id: NotificationId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Marks all of `user`'s notifications read; how many were unread.
    fn mark_all_read(&self, user: UserId) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// How many of `user`'s notifications are unread.
    fn unread_count(&self, user: UserId) -> impl Future<Output = Result<i64, StoreError>> + Send;
}

/// Notification bookkeeping the job runner needs.
#[cfg_attr(test, mockall::automock)]
pub trait NotificationRepository: Send + Sync {
    /// Marks a notification read (an operator's correction); `None` when unknown, else
    /// whether it changed.
    fn set_notification_read(
        &self,
        id: NotificationId,
    ) -> impl Future<Output = Result<Option<bool>, StoreError>> + Send;
    /// A notification with its recipient, for emailing it.
    fn notification_email(
        &self,
        id: NotificationId,
    ) -> impl Future<
        Output = Result<Option<crate::notification::model::NotificationEmail>, StoreError>,
    > + Send;
    /// Records that the notification's email went out.
    fn mark_emailed(
        &self,
        id: NotificationId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
