//! Getting back into an account: a password reset link by email, and choosing a new password
//! with it (which signs the account out everywhere).

use std::time::Duration;

use crate::account::ports::{PasswordHasher, PasswordResetStore, RateLimiter};
use crate::account::rules::{AccountError, check_password_as, throttle_subject};
use crate::account::session_service::{password_changed, refusal, required};
use crate::account::user::User;
use crate::clock::Clock;
use crate::job::model::{JobPayload, NewJob};
use crate::notification::email::{Email, EmailMessage};
use crate::outbox::Outbox;
use crate::validation::FieldErrors;

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 30;

/// Reset requests one client address may make per [`REQUEST_WINDOW`].
pub const REQUESTS_PER_IP: u32 = 10;

/// Reset requests for one address per [`REQUEST_WINDOW`] (each sends an email).
pub const REQUESTS_PER_ADDRESS: u32 = 3;

/// The window of the request limits.
pub const REQUEST_WINDOW: Duration = Duration::from_hours(1);

/// The refusal of a token that is not (or no longer) live.
pub const BAD_TOKEN: &str = "This password reset link is invalid or has expired.";

/// A new password chosen with a reset link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasswordReset {
    /// The token from the link.
    pub token: String,
    /// The new password.
    pub password: String,
    /// The new password, again.
    pub password_confirm: String,
}

/// The password reset use cases.
pub struct Recovery<R, H, L, C> {
    resets: R,
    hasher: H,
    limiter: L,
    clock: C,
    /// The front end's reset page; the token is appended as `?token=`.
    reset_page: String,
}

impl<R, H, L, C> Recovery<R, H, L, C>
where
    R: PasswordResetStore,
    H: PasswordHasher,
    L: RateLimiter,
    C: Clock,
{
    /// Wires the service; `frontend_url` is the web front end (its `/reset-password` page).
    pub fn new(resets: R, hasher: H, limiter: L, clock: C, frontend_url: &str) -> Self {
        Self {
            resets,
            hasher,
            limiter,
            clock,
            reset_page: format!("{}/reset-password", frontend_url.trim_end_matches('/')),
        }
    }

    /// Emails a reset link to the account using `email`, if there is one. The answer is the
    /// same either way, and so is the work on this path (one statement that finds the account
    /// and stores the token if it exists), so neither the answer nor its time tells.
    /// Throttled per client address and per address asked for.
    pub async fn request(&self, email: &str, client_ip: &str) -> Result<(), AccountError> {
        let email = email.trim().to_lowercase();
        for (key, limit) in [
            (
                format!("reset:ip:{}", throttle_subject(client_ip)),
                REQUESTS_PER_IP,
            ),
            (format!("reset:email:{email}"), REQUESTS_PER_ADDRESS),
        ] {
            if let Some(retry_after_secs) = self.limiter.hit(key, limit, REQUEST_WINDOW).await? {
                return Err(AccountError::Throttled { retry_after_secs });
            }
        }
        // Nothing any account could use (and nothing for a key or query to hold).
        if email.is_empty() || email.len() > 254 || email.contains('\0') {
            return Ok(());
        }
        let page = self.reset_page.clone();
        let expires_at = self.clock.now() + chrono::Duration::minutes(RESET_MINUTES);
        let notice = Box::new(move |user: &User, token: &str| {
            Outbox::new().job(NewJob::now(JobPayload::SendEmail {
                email: Email {
                    to: user.email.clone(),
                    message: EmailMessage::PasswordReset {
                        username: user.username.clone(),
                        link: format!("{page}?token={token}"),
                        minutes: RESET_MINUTES,
                    },
                    key: None,
                },
                notification: None,
            }))
        });
        Ok(self.resets.issue(email, expires_at, notice).await?)
    }

    /// Sets the new password of the account the token resets, with the registration's rules,
    /// signs it out everywhere and tells the owner; the token is spent.
    pub async fn confirm(&self, reset: PasswordReset) -> Result<(), AccountError> {
        let mut errors = required(&[
            ("token", &reset.token),
            ("password", &reset.password),
            ("password_confirm", &reset.password_confirm),
        ]);
        if !reset.password_confirm.is_empty() && reset.password != reset.password_confirm {
            errors.add("password_confirm", refusal::MISMATCH);
        }
        let now = self.clock.now();
        let holder = if reset.token.is_empty() || reset.token.len() > 256 {
            None
        } else {
            self.resets.holder(reset.token.clone(), now).await?
        };
        let Some(user) = holder else {
            if !reset.token.is_empty() {
                errors.add("token", BAD_TOKEN);
            }
            return Err(errors.into());
        };
        if !reset.password.is_empty() {
            check_password_as(
                &mut errors,
                "password",
                &reset.password,
                &user.username,
                &user.email,
            );
        }
        errors.into_result()?;
        let hash = self.hasher.hash(reset.password).await?;
        let outbox = password_changed(&user);
        if self.resets.redeem(reset.token, now, hash, outbox).await? {
            Ok(())
        } else {
            // Spent by a concurrent confirmation, or expired meanwhile.
            Err(FieldErrors::single("token", BAD_TOKEN).into())
        }
    }
}
