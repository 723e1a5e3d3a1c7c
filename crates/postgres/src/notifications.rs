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
