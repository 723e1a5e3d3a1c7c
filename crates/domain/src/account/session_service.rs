//! An account's sessions: listing and ending them, signing out everywhere, and changing the
//! password (which signs every other session out).

use std::time::Duration;

use crate::account::ports::{PasswordHasher, RateLimiter, TokenStore, UserRepository};
use crate::account::rules::{AccountError, BackoffStore, check_password_as};
use crate::account::service::Accounts;
use crate::account::token_session::TokenSession;
use crate::account::user::User;
use crate::clock::Clock;
use crate::notification::email::EmailMessage;
use crate::notification::model::{NewNotification, NotificationType, texts};
use crate::outbox::Outbox;
use crate::validation::{FieldErrors, msg};

/// Wrong current passwords an account may send in [`CHANGE_WINDOW`] before it must wait.
pub const CHANGE_ATTEMPTS: u32 = 10;

/// The window of [`CHANGE_ATTEMPTS`].
pub const CHANGE_WINDOW: Duration = Duration::from_mins(15);

/// Refusals of a password change.
pub mod refusal {
    /// The current password was wrong (Django's wording).
    pub const WRONG_OLD: &str = "Your old password was entered incorrectly. Please enter it again.";
    /// The two new passwords differ.
    pub const MISMATCH: &str = "The two password fields didn't match.";
}

/// A password change as the caller sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasswordChange {
    /// The password now.
    pub old_password: String,
    /// The password wanted.
    pub new_password: String,
    /// The password wanted, again.
    pub new_password_confirm: String,
}

impl PasswordChange {
    /// Field rules that need no stored data.
    fn check(&self, user: &User) -> Result<(), FieldErrors> {
        let mut errors = required(&[
            ("old_password", &self.old_password),
            ("new_password", &self.new_password),
            ("new_password_confirm", &self.new_password_confirm),
        ]);
        if !self.new_password.is_empty() {
            check_password_as(
                &mut errors,
                "new_password",
                &self.new_password,
                &user.username,
                &user.email,
            );
        }
        if !self.new_password_confirm.is_empty() && self.new_password != self.new_password_confirm {
            errors.add("new_password_confirm", refusal::MISMATCH);
        }
        errors.into_result()
    }
}

/// "This field is required." for each empty field.
pub(crate) fn required(fields: &[(&str, &String)]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (field, value) in fields {
        if value.is_empty() {
            errors.add(field, msg::REQUIRED);
        }
    }
    errors
}

/// The notice and email that tell `user` their password was changed (by them or by a reset).
pub(crate) fn password_changed(user: &User) -> Outbox {
    Outbox::new().notify_by_email(
        NewNotification::new(
            user.id,
            NotificationType::General,
            texts::PASSWORD_CHANGED_TITLE,
            texts::PASSWORD_CHANGED_MESSAGE,
        ),
        user.email.clone(),
        EmailMessage::PasswordChanged {
            username: user.username.clone(),
        },
    )
}

impl<U, T, H, L, C> Accounts<U, T, H, L, C>
where
    U: UserRepository,
    T: TokenStore,
    H: PasswordHasher,
    L: RateLimiter + BackoffStore,
    C: Clock,
{
    /// The caller's signed-in clients, newest first; `current` marks the one asking (`token`).
    pub async fn sessions(
        &self,
        user: &User,
        token: &str,
    ) -> Result<Vec<TokenSession>, AccountError> {
        Ok(self.tokens.sessions(user.id, token.to_owned()).await?)
    }

    /// Ends one of the caller's sessions at once; `NotFound` when it is not one of theirs.
    pub async fn end_session(&self, user: &User, id: i64) -> Result<(), AccountError> {
        if self.tokens.revoke_session(user.id, id).await? {
            Ok(())
        } else {
            Err(AccountError::NotFound)
        }
    }

    /// Signs the caller out everywhere: every token, the one asking included, and every
    /// console session.
    pub async fn logout_all(&self, user: &User) -> Result<(), AccountError> {
        Ok(self.tokens.revoke_all(user.id, None).await?)
    }

    /// Changes the caller's password: the current one must be right (at most
    /// [`CHANGE_ATTEMPTS`] tries per account in [`CHANGE_WINDOW`]), the new one passes the
    /// registration's rules; every other session is signed out, the asking one (`token`) kept,
    /// and the user is told by notice and email.
    pub async fn change_password(
        &self,
        user: &User,
        token: &str,
        change: PasswordChange,
    ) -> Result<(), AccountError> {
        change.check(user)?;
        // Counted before the password is checked, so parallel guesses cannot slip past.
        if let Some(retry_after_secs) = self
            .limiter
            .hit(
                format!("password:change:{}", user.id.get()),
                CHANGE_ATTEMPTS,
                CHANGE_WINDOW,
            )
            .await?
        {
            return Err(AccountError::Throttled { retry_after_secs });
        }
        let hash = self
            .users
            .find_credentials(user.email.clone())
            .await?
            .filter(|(found, _)| found.id == user.id)
            .map(|(_, hash)| hash)
            .ok_or(AccountError::NotFound)?;
        if !self.hasher.verify(change.old_password, hash).await {
            return Err(FieldErrors::single("old_password", refusal::WRONG_OLD).into());
        }
        let new_hash = self.hasher.hash(change.new_password).await?;
        let outbox = password_changed(user);
        Ok(self
            .users
            .replace_password(user.id, new_hash, Some(token.to_owned()), outbox)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;

    fn user() -> User {
        User {
            username: "nadia".into(),
            email: "nadia@example.pk".into(),
            ..crate::fixtures::user(7, Role::Buyer)
        }
    }

    #[test]
    fn a_change_needs_every_field_a_good_password_and_the_same_twice() {
        let empty = PasswordChange::default().check(&user()).unwrap_err();
        for field in ["old_password", "new_password", "new_password_confirm"] {
            assert_eq!(empty.get(field), Some(&[msg::REQUIRED.to_owned()][..]));
        }
        let weak = PasswordChange {
            old_password: "x".into(),
            new_password: "nadia-2026".into(),
            new_password_confirm: "nadia-2027".into(),
        }
        .check(&user())
        .unwrap_err();
        assert_eq!(
            weak.get("new_password"),
            Some(&["The password is too similar to the username.".to_owned()][..])
        );
        assert_eq!(
            weak.get("new_password_confirm"),
            Some(&[refusal::MISMATCH.to_owned()][..])
        );
        assert!(
            PasswordChange {
                old_password: "x".into(),
                new_password: "Shisham-Wood-77".into(),
                new_password_confirm: "Shisham-Wood-77".into(),
            }
            .check(&user())
            .is_ok()
        );
    }
}
