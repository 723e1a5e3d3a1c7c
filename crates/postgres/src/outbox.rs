//! Writes an `Outbox` inside the caller's transaction: notifications, their emails, other jobs.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::ids::NotificationId;
use madeinpk_domain::job::model::{JobPayload, NewJob};
use madeinpk_domain::notification::email::Email;
use madeinpk_domain::outbox::Outbox;

use crate::job::queue::insert_job;
use crate::schema::notifications;

/// Persists every effect of `outbox` on `conn` (call it inside the change's transaction).
pub async fn write(conn: &mut AsyncPgConnection, outbox: Outbox) -> QueryResult<()> {
    for notice in outbox.notices {
        let n = notice.notification;
        let id: i64 = diesel::insert_into(notifications::table)
            .values((
                notifications::user_id.eq(n.user.get()),
                notifications::notification_type.eq(n.kind.as_str()),
                notifications::title.eq(&n.title),
                notifications::message.eq(&n.message),
                notifications::order_id.eq(n.order_id),
                notifications::auction_id.eq(n.auction_id),
            ))
            .returning(notifications::id)
            .get_result(conn)
            .await?;
        if let Some((to, message)) = notice.email {
            let id = NotificationId(id);
            let job = NewJob::now(JobPayload::SendEmail {
                email: Email {
                    to,
                    message,
                    key: None,
                },
                notification: Some(id),
            })
            .unique(format!("email:notification:{id}"));
            insert_job(conn, &job).await?;
        }
    }
    for job in &outbox.jobs {
        insert_job(conn, job).await?;
    }
    Ok(())
}
