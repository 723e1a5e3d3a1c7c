//! The console's corrections on community records, each under its feature's rule: message
//! and notification read flags, emailing a notification once, recomputing a seller's rating
//! from feedback, and marking a review a verified purchase when its author received the product.

use crate::account::user::User;
use crate::community::ports::{ConversationRepository, FeedbackRepository, ReviewRepository};
use crate::ids::{MessageId, NotificationId, ReviewId, SellerProfileId};
use crate::job::model::{JobPayload, NewJob};
use crate::job::ports::JobQueue;
use crate::notification::email::{Email, EmailMessage};
use crate::notification::ports::NotificationRepository;
use crate::store::StoreError;

/// Why a correction was refused.
#[derive(Debug, thiserror::Error)]
pub enum UpkeepError {
    /// Only admins make corrections.
    #[error("only admins can do this")]
    NotAdmin,
    /// No such record.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// Nothing to do.
    #[error("already {0}")]
    Already(&'static str),
    /// A review's author has no shipped or delivered order of the product.
    #[error("the buyer has not received this product")]
    NotReceived,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The corrections.
pub struct Upkeep<R> {
    store: R,
}

fn admin_only(user: &User) -> Result<(), UpkeepError> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(UpkeepError::NotAdmin)
    }
}

impl<R> Upkeep<R>
where
    R: ConversationRepository + NotificationRepository + FeedbackRepository + ReviewRepository,
{
    /// Wires the service.
    pub fn new(store: R) -> Self {
        Self { store }
    }

    /// Marks a message read or unread.
    pub async fn mark_message(
        &self,
        admin: &User,
        id: MessageId,
        read: bool,
    ) -> Result<(), UpkeepError> {
        admin_only(admin)?;
        match self.store.set_message_read(id, read).await? {
            None => Err(UpkeepError::NotFound("message")),
            Some(false) => Err(UpkeepError::Already(if read { "read" } else { "unread" })),
            Some(true) => Ok(()),
        }
    }

    /// Marks a notification read.
    pub async fn mark_notification_read(
        &self,
        admin: &User,
        id: NotificationId,
    ) -> Result<(), UpkeepError> {
        admin_only(admin)?;
        match self.store.set_notification_read(id).await? {
            None => Err(UpkeepError::NotFound("notification")),
            Some(false) => Err(UpkeepError::Already("read")),
            Some(true) => Ok(()),
        }
    }

    /// Queues the email of a notification not emailed yet (the job marks it emailed, and its
    /// unique key makes a second request a no-op).
    pub async fn email_notification<Q: JobQueue>(
        &self,
        admin: &User,
        id: NotificationId,
        jobs: &Q,
    ) -> Result<(), UpkeepError> {
        admin_only(admin)?;
        let n = self
            .store
            .notification_email(id)
            .await?
            .ok_or(UpkeepError::NotFound("notification"))?;
        if n.emailed {
            return Err(UpkeepError::Already("emailed"));
        }
        let job = NewJob::now(JobPayload::SendEmail {
            email: Email {
                to: n.email,
                message: EmailMessage::Notice {
                    username: n.username,
                    title: n.title,
                    message: n.message,
                },
                key: None,
            },
            notification: Some(id),
        })
        .unique(format!("notification-email:{id}"));
        if jobs.enqueue(job).await? {
            Ok(())
        } else {
            Err(UpkeepError::Already("queued for email"))
        }
    }

    /// Recomputes a seller profile's rating from its feedback.
    pub async fn refresh_rating(
        &self,
        admin: &User,
        profile: SellerProfileId,
    ) -> Result<(), UpkeepError> {
        admin_only(admin)?;
        if self.store.refresh_profile_rating(profile).await? {
            Ok(())
        } else {
            Err(UpkeepError::NotFound("seller profile"))
        }
    }

    /// Marks a review a verified purchase when its author received the product.
    pub async fn verify_purchase(&self, admin: &User, id: ReviewId) -> Result<(), UpkeepError> {
        admin_only(admin)?;
        let review = self
            .store
            .review(id)
            .await?
            .ok_or(UpkeepError::NotFound("review"))?;
        let e = self.store.eligibility(review.buyer, review.product).await?;
        if !e.received() {
            return Err(UpkeepError::NotReceived);
        }
        if self
            .store
            .set_review_verified(id, review.order.or(e.received_order()))
            .await?
        {
            Ok(())
        } else {
            Err(UpkeepError::Already("verified"))
        }
    }
}
