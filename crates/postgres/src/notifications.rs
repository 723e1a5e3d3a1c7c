//! Notification bookkeeping.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use madeinpk_domain::ids::NotificationId;
use madeinpk_domain::ports::NotificationRepository;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::schema::notifications;

impl NotificationRepository for Db {
    async fn mark_emailed(&self, id: NotificationId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(notifications::table.find(id.get()))
            .set((
                notifications::is_sent_via_email.eq(true),
                notifications::email_sent_at.eq(at),
            ))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }
}

/// A stored notification (read side; the endpoints come with the notifications issue).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct NotificationRow {
    /// Id.
    pub id: i64,
    /// Recipient.
    pub user_id: i64,
    /// Type.
    pub notification_type: String,
    /// Title.
    pub title: String,
    /// Body.
    pub message: String,
    /// Read flag.
    pub is_read: bool,
    /// Emailed flag.
    pub is_sent_via_email: bool,
}

impl Db {
    /// A user's notifications, newest first.
    pub async fn notifications_of(&self, user: i64) -> Result<Vec<NotificationRow>, StoreError> {
        let mut conn = self.conn().await?;
        notifications::table
            .filter(notifications::user_id.eq(user))
            .order(notifications::id.desc())
            .select((
                notifications::id,
                notifications::user_id,
                notifications::notification_type,
                notifications::title,
                notifications::message,
                notifications::is_read,
                notifications::is_sent_via_email,
            ))
            .load(&mut conn)
            .await
            .map_err(store)
    }
}
