//! A user's own notifications: the list, one, the unread count, and marking them read.

use crate::account::user::User;
use crate::ids::NotificationId;
use crate::notification::model::{Notification, NotificationError, NotificationSort};
use crate::notification::ports::NotificationInbox;
use crate::page::{Page, PageRequest, Sort};

/// The notifications use case; every call is scoped to the caller's own rows.
pub struct Notifications<R> {
    inbox: R,
}

impl<R: NotificationInbox> Notifications<R> {
    /// Wires the service.
    pub fn new(inbox: R) -> Self {
        Self { inbox }
    }

    /// The caller's notifications.
    pub async fn list(
        &self,
        viewer: &User,
        ordering: Vec<Sort<NotificationSort>>,
        page: PageRequest,
    ) -> Result<Page<Notification>, NotificationError> {
        Ok(self.inbox.notifications(viewer.id, ordering, page).await?)
    }

    /// One of the caller's notifications; anyone else's is not found.
    pub async fn get(
        &self,
        viewer: &User,
        id: NotificationId,
    ) -> Result<Notification, NotificationError> {
        self.inbox
            .notification(viewer.id, id)
            .await?
            .ok_or(NotificationError::NotFound)
    }

    /// Marks one read (again is fine); anyone else's is not found.
    pub async fn mark_read(
        &self,
        viewer: &User,
        id: NotificationId,
    ) -> Result<(), NotificationError> {
        if self.inbox.mark_read(viewer.id, id).await? {
            Ok(())
        } else {
            Err(NotificationError::NotFound)
        }
    }

    /// Marks all of the caller's read; how many were unread.
    pub async fn mark_all_read(&self, viewer: &User) -> Result<u64, NotificationError> {
        Ok(self.inbox.mark_all_read(viewer.id).await?)
    }

    /// The caller's unread count.
    pub async fn unread_count(&self, viewer: &User) -> Result<i64, NotificationError> {
        Ok(self.inbox.unread_count(viewer.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;
    use crate::fixtures::user;
    use crate::notification::ports::MockNotificationInbox;
    use std::future::ready;

    #[tokio::test]
    async fn another_users_notification_is_not_found_and_marks_nothing() {
        let mut inbox = MockNotificationInbox::new();
        inbox
            .expect_notification()
            .withf(|u, _| u.get() == 2)
            .returning(|_, _| Box::pin(ready(Ok(None))));
        inbox
            .expect_mark_read()
            .withf(|u, id| u.get() == 2 && id.get() == 5)
            .returning(|_, _| Box::pin(ready(Ok(false))));
        let s = Notifications::new(inbox);
        let stranger = user(2, Role::Buyer);
        assert_eq!(
            s.get(&stranger, NotificationId(5)).await,
            Err(NotificationError::NotFound)
        );
        assert_eq!(
            s.mark_read(&stranger, NotificationId(5)).await,
            Err(NotificationError::NotFound)
        );
    }

    #[tokio::test]
    async fn the_owner_marks_read_again_without_error() {
        let mut inbox = MockNotificationInbox::new();
        inbox
            .expect_mark_read()
            .times(2)
            .returning(|_, _| Box::pin(ready(Ok(true))));
        let s = Notifications::new(inbox);
        let owner = user(1, Role::Buyer);
        assert_eq!(s.mark_read(&owner, NotificationId(5)).await, Ok(()));
        assert_eq!(s.mark_read(&owner, NotificationId(5)).await, Ok(()));
    }
}
