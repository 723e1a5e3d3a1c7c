//! Confirming an account's email address: a link sent at registration and when the email
//! changes, spent once to mark the address verified; links can be sent again.

use std::time::Duration;

use crate::account::ports::{EmailVerificationStore, RateLimiter};
use crate::account::rules::AccountError;
use crate::account::user::User;
use crate::clock::Clock;
use crate::job::model::{JobPayload, NewJob};
use crate::notification::email::{Email, EmailMessage};
use crate::outbox::Outbox;
use crate::validation::{FieldErrors, msg};

/// How long a verification link works.
pub const VERIFY_HOURS: i64 = 72;

/// Links one account may ask to be sent again per [`RESEND_WINDOW`].
pub const RESENDS: u32 = 3;

/// The window of [`RESENDS`].
pub const RESEND_WINDOW: Duration = Duration::from_hours(1);

/// The refusal of a token that is not (or no longer) live.
pub const BAD_LINK: &str = "This verification link is invalid or has expired.";

/// What a resend did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resent {
    /// A new link is on its way.
    Sent,
    /// The address is verified already; nothing was sent.
    AlreadyVerified,
}

/// The email verification use cases.
pub struct Verification<V, L, C> {
    links: V,
    limiter: L,
    clock: C,
    /// The front end's verification page; the token is appended as `?token=`.
    verify_page: String,
    /// Sellers' payouts wait for a verified address (`SELLERS_MUST_VERIFY_EMAIL`), so
    /// verifying releases them.
    sellers_must_verify: bool,
}

impl<V, L, C> Verification<V, L, C>
where
    V: EmailVerificationStore,
    L: RateLimiter,
    C: Clock,
{
    /// Wires the service; `frontend_url` is the web front end (its `/verify-email` page).
    pub fn new(links: V, limiter: L, clock: C, frontend_url: &str) -> Self {
        Self {
            links,
            limiter,
            clock,
            verify_page: format!("{}/verify-email", frontend_url.trim_end_matches('/')),
            sellers_must_verify: false,
        }
    }

    /// Sellers must verify their address before they are paid: verifying releases their
    /// held payouts.
    pub fn sellers_must_verify(mut self, on: bool) -> Self {
        self.sellers_must_verify = on;
        self
    }

    /// Sends `user` a link that verifies their current email (after registration or an email
    /// change); an older link stops working.
    pub async fn send(&self, user: &User) -> Result<(), AccountError> {
        let page = self.verify_page.clone();
        let notice = Box::new(move |user: &User, token: &str| {
            Outbox::new().job(NewJob::now(JobPayload::SendEmail {
                email: Email {
                    to: user.email.clone(),
                    message: EmailMessage::VerifyEmail {
                        username: user.username.clone(),
                        link: format!("{page}?token={token}"),
                        hours: VERIFY_HOURS,
                    },
                    key: None,
                },
                notification: None,
            }))
        });
        let expires_at = self.clock.now() + chrono::Duration::hours(VERIFY_HOURS);
        Ok(self
            .links
            .issue(user.id, user.email.clone(), expires_at, notice)
            .await?)
    }

    /// After a profile change: a changed email (it is unverified now) gets its link.
    pub async fn email_changed(&self, before: &User, after: &User) -> Result<(), AccountError> {
        if before.email.eq_ignore_ascii_case(&after.email) {
            return Ok(());
        }
        self.send(after).await
    }

    /// Sends the link again, unless the address is verified; [`RESENDS`] an hour per account.
    pub async fn resend(&self, user: &User) -> Result<Resent, AccountError> {
        if self.links.is_verified(user.id).await? {
            return Ok(Resent::AlreadyVerified);
        }
        if let Some(retry_after_secs) = self
            .limiter
            .hit(
                format!("verify:resend:{}", user.id.get()),
                RESENDS,
                RESEND_WINDOW,
            )
            .await?
        {
            return Err(AccountError::Throttled { retry_after_secs });
        }
        self.send(user).await?;
        Ok(Resent::Sent)
    }

    /// Spends a link: its address is now verified.
    pub async fn verify(&self, token: &str) -> Result<(), AccountError> {
        if token.is_empty() {
            return Err(FieldErrors::single("token", msg::REQUIRED).into());
        }
        if token.len() <= 256
            && self
                .links
                .verify(token.to_owned(), self.clock.now(), self.sellers_must_verify)
                .await?
        {
            Ok(())
        } else {
            Err(FieldErrors::single("token", BAD_LINK).into())
        }
    }

    /// Whether the user's current email is verified.
    pub async fn is_verified(&self, user: &User) -> Result<bool, AccountError> {
        Ok(self.links.is_verified(user.id).await?)
    }
}
