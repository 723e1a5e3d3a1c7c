//! Background jobs: payloads, scheduling and the retry rule.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::NotificationId;
use crate::notification::email::Email;

/// Work done outside a request, stored as JSON in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum JobPayload {
    /// Send one email; when it belongs to a notification, mark that as emailed.
    SendEmail {
        /// The email.
        email: Email,
        /// The notification it reports, if any.
        notification: Option<NotificationId>,
    },
    /// Carry out a recorded refund at the payment provider (refund, then reversals).
    ProcessRefund {
        /// The refund.
        refund: crate::ids::RefundId,
    },
    /// End an auction whose time is up (run at its end time).
    EndAuction {
        /// The auction.
        auction: crate::ids::AuctionId,
    },
    /// Tell the bidder a bid outbid (queued with the bid).
    NotifyOutbid {
        /// The new bid.
        bid: crate::ids::BidId,
    },
    /// Remind the buyer of an unpaid auction order before its deadline.
    PaymentReminder {
        /// The order.
        order: crate::ids::OrderId,
    },
    /// Give back a payment that arrived for an order that can no longer be filled (cancelled,
    /// or its units sold meanwhile): refunded whole, once.
    ReturnPayment {
        /// The order.
        order: crate::ids::OrderId,
        /// The payment to refund.
        payment_intent: Option<String>,
        /// What was paid.
        amount: crate::money::Money,
    },
    /// Pay one seller their share of one paid order.
    PayOutSeller {
        /// The order.
        order: crate::ids::OrderId,
        /// The seller.
        seller: crate::ids::UserId,
    },
}

impl JobPayload {
    /// Short kind name stored beside the payload (for the admin view and metrics).
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::SendEmail { .. } => "send_email",
            Self::PayOutSeller { .. } => "pay_out_seller",
            Self::ProcessRefund { .. } => "process_refund",
            Self::EndAuction { .. } => "end_auction",
            Self::NotifyOutbid { .. } => "notify_outbid",
            Self::PaymentReminder { .. } => "payment_reminder",
            Self::ReturnPayment { .. } => "return_payment",
        }
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What to do.
    pub payload: JobPayload,
    /// Not before this time (now when `None`).
    pub run_at: Option<DateTime<Utc>>,
    /// Enqueuing twice with the same key enqueues once.
    pub unique_key: Option<String>,
    /// Attempts before the job is declared dead.
    pub max_attempts: i32,
}

/// Default attempts before a job is dead.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

impl NewJob {
    /// A job to run now with the default attempts.
    pub fn now(payload: JobPayload) -> Self {
        Self {
            payload,
            run_at: None,
            unique_key: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// Sets the dedupe key.
    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    /// Schedules it.
    pub fn at(mut self, when: DateTime<Utc>) -> Self {
        self.run_at = Some(when);
        self
    }
}

/// Delay before retry number `attempt` (1-based): 5 s doubling, capped at one hour.
pub fn backoff(attempt: i32) -> Duration {
    let exp = u32::try_from(attempt.clamp(1, 20) - 1).unwrap_or(0);
    let secs = 5u64.saturating_mul(1u64 << exp);
    Duration::from_secs(secs.min(3600))
}

/// How a job run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// Done; never run again.
    Done,
    /// Failed but may succeed later.
    Retry(String),
    /// Failed for good (bad payload, permanent error).
    Fail(String),
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed by a worker.
    Running,
    /// Finished.
    Done,
    /// Out of attempts, or failed for good; kept for operators.
    Dead,
}

impl JobStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Queued, Self::Running, Self::Done, Self::Dead];

    /// The stored value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    /// Parses a stored value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A job as operators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    /// Id.
    pub id: crate::ids::JobId,
    /// Kind name.
    pub kind: String,
    /// Status.
    pub status: JobStatus,
    /// Attempts made.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// Next (or last) run.
    pub run_at: DateTime<Utc>,
    /// The last failure.
    pub last_error: Option<String>,
    /// Dedupe key.
    pub unique_key: Option<String>,
    /// Enqueued at.
    pub created_at: DateTime<Utc>,
}

/// Why an operations request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperationsError {
    /// Only admins operate the platform.
    #[error("You do not have permission to perform this action.")]
    Forbidden,
    /// No such job.
    #[error("No Job matches the given query.")]
    NotFound,
    /// Only dead jobs can be retried by hand.
    #[error("Only dead jobs can be retried")]
    NotDead,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(4), Duration::from_secs(40));
        assert_eq!(backoff(30), Duration::from_hours(1));
        assert_eq!(backoff(0), Duration::from_secs(5));
    }

    #[test]
    fn payload_json_is_tagged() {
        let p = JobPayload::SendEmail {
            email: Email {
                to: "a@b.pk".into(),
                message: crate::notification::email::EmailMessage::Welcome {
                    username: "a".into(),
                },
                key: None,
            },
            notification: Some(NotificationId(3)),
        };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["kind"], "send_email");
        assert_eq!(v["data"]["email"]["message"]["template"], "welcome");
        assert_eq!(serde_json::from_value::<JobPayload>(v).unwrap(), p);
    }
}
