//! Admins block, unblock and forgive accounts, and read the payment violations.

use crate::account::moderation::{
    Moderated, Moderation, ModerationError, ViolationRecord, blocked_outbox,
};
use crate::account::ports::ModerationRepository;
use crate::account::user::User;
use crate::ids::UserId;
use crate::page::{Page, PageRequest};

/// The moderation use case (admins only).
pub struct Moderator<R> {
    store: R,
}

impl<R: ModerationRepository> Moderator<R> {
    /// Wires the service.
    pub fn new(store: R) -> Self {
        Self { store }
    }

    /// Applies one step to an account.
    pub async fn apply(
        &self,
        admin: &User,
        user: UserId,
        step: Moderation,
    ) -> Result<Moderated, ModerationError> {
        if !admin.is_admin() {
            return Err(ModerationError::NotAdmin);
        }
        let reason = match &step {
            Moderation::Block { reason } if !reason.trim().is_empty() => reason.trim().to_owned(),
            _ => "An administrator blocked your account.".to_owned(),
        };
        self.store
            .moderate(
                user,
                step,
                Box::new(move |party| blocked_outbox(party, &reason)),
            )
            .await?
    }

    /// The payment violations (one user's when given).
    pub async fn violations(
        &self,
        admin: &User,
        user: Option<UserId>,
        page: PageRequest,
    ) -> Result<Page<ViolationRecord>, ModerationError> {
        if !admin.is_admin() {
            return Err(ModerationError::NotAdmin);
        }
        Ok(self.store.violations(user, page).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::ports::MockModerationRepository;
    use crate::account::user::Role;
    use crate::fixtures::user;

    #[tokio::test]
    async fn only_admins_moderate() {
        let mut store = MockModerationRepository::new();
        store.expect_moderate().never();
        store.expect_violations().never();
        let m = Moderator::new(store);
        let seller = user(2, Role::Seller);
        assert_eq!(
            m.apply(&seller, UserId(3), Moderation::Unblock).await,
            Err(ModerationError::NotAdmin)
        );
        assert_eq!(
            m.violations(&seller, None, PageRequest::default())
                .await
                .unwrap_err(),
            ModerationError::NotAdmin
        );
    }
}
