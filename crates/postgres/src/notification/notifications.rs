//! Notifications: the job runner's bookkeeping and each user's inbox.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use madeinpk_domain::ids::{NotificationId, UserId};
use madeinpk_domain::notification::model::{
    Notification, NotificationEmail, NotificationSort, NotificationType,
};
use madeinpk_domain::notification::ports::{NotificationInbox, NotificationRepository};
use madeinpk_domain::page::{Page, PageRequest, Sort};
use madeinpk_domain::store::StoreError;

use crate::account::addresses::then_order;
use crate::db::Db;
use crate::error::store;
use crate::schema::notifications;

#[derive(diesel::QueryableByName)]
struct Flipped {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    changed: bool,
}

impl NotificationRepository for Db {
    async fn set_notification_read(&self, id: NotificationId) -> Result<Option<bool>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<Flipped> = diesel::sql_query(
            "WITH old AS (SELECT id, is_read FROM notifications WHERE id = $1 FOR UPDATE)
             UPDATE notifications n SET is_read = true FROM old WHERE n.id = old.id
             RETURNING NOT old.is_read AS changed",
        )
        .bind::<diesel::sql_types::BigInt, _>(id.get())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(store)?;
        Ok(row.map(|r| r.changed))
    }

    async fn notification_email(
        &self,
        id: NotificationId,
    ) -> Result<Option<NotificationEmail>, StoreError> {
        use crate::schema::users;
        let mut conn = self.conn().await?;
        let row: Option<(String, String, String, String, bool)> = notifications::table
            .inner_join(users::table.on(users::id.eq(notifications::user_id)))
            .filter(notifications::id.eq(id.get()))
            .select((
                users::username,
                users::email,
                notifications::title,
                notifications::message,
                notifications::is_sent_via_email,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(
            |(username, email, title, message, emailed)| NotificationEmail {
                username,
                email,
                title,
                message,
                emailed,
            },
        ))
    }

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

type Row = (
    i64,
    String,
    String,
    String,
    bool,
    Option<i64>,
    Option<i64>,
    DateTime<Utc>,
);

fn to_notification(r: Row) -> Notification {
    Notification {
        id: NotificationId(r.0),
        kind: NotificationType::parse(&r.1).unwrap_or(NotificationType::General),
        title: r.2,
        message: r.3,
        is_read: r.4,
        order_id: r.5,
        auction_id: r.6,
        created_at: r.7,
    }
}

macro_rules! columns {
    () => {
        (
            notifications::id,
            notifications::notification_type,
            notifications::title,
            notifications::message,
            notifications::is_read,
            notifications::order_id,
            notifications::auction_id,
            notifications::created_at,
        )
    };
}

impl NotificationInbox for Db {
    async fn notifications(
        &self,
        user: UserId,
        ordering: Vec<Sort<NotificationSort>>,
        page: PageRequest,
    ) -> Result<Page<Notification>, StoreError> {
        let mut conn = self.conn().await?;
        let mine = || notifications::table.filter(notifications::user_id.eq(user.get()));
        let count: i64 = mine().count().get_result(&mut conn).await.map_err(store)?;
        let mut q = mine().select(columns!()).into_boxed();
        if ordering.is_empty() {
            q = q.then_order_by(notifications::created_at.desc());
        }
        for s in &ordering {
            q = match s.field {
                NotificationSort::Id => then_order!(q, notifications::id, s.descending),
                NotificationSort::Kind => {
                    then_order!(q, notifications::notification_type, s.descending)
                }
                NotificationSort::Title => then_order!(q, notifications::title, s.descending),
                NotificationSort::IsRead => then_order!(q, notifications::is_read, s.descending),
                NotificationSort::CreatedAt => {
                    then_order!(q, notifications::created_at, s.descending)
                }
            };
        }
        let rows: Vec<Row> = q
            .then_order_by(notifications::id.desc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(Page {
            count,
            items: rows.into_iter().map(to_notification).collect(),
        })
    }

    async fn notification(
        &self,
        user: UserId,
        id: NotificationId,
    ) -> Result<Option<Notification>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<Row> = notifications::table
            .filter(
                notifications::id
                    .eq(id.get())
                    .and(notifications::user_id.eq(user.get())),
            )
            .select(columns!())
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(to_notification))
    }

    async fn mark_read(&self, user: UserId, id: NotificationId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(
            notifications::table.filter(
                notifications::id
                    .eq(id.get())
                    .and(notifications::user_id.eq(user.get())),
            ),
        )
        .set(notifications::is_read.eq(true))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(n == 1)
    }

    async fn mark_all_read(&self, user: UserId) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(
            notifications::table.filter(
                notifications::user_id
                    .eq(user.get())
                    .and(notifications::is_read.eq(false)),
            ),
        )
        .set(notifications::is_read.eq(true))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn unread_count(&self, user: UserId) -> Result<i64, StoreError> {
        let mut conn = self.conn().await?;
        notifications::table
            .filter(
                notifications::user_id
                    .eq(user.get())
                    .and(notifications::is_read.eq(false)),
            )
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)
    }
}
