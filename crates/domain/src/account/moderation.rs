//! Admins' moderation of accounts: block and unblock (a blocked user can read but not buy,
//! bid, sell or message, and is told by email), reset the unpaid-auction count, and the list
//! of payment violations.

use chrono::{DateTime, Utc};

use crate::ids::{AuctionId, OrderId, UserId};
use crate::notification::email::EmailMessage;
use crate::notification::model::{NewNotification, NotificationType};
use crate::order::checkout::Party;
use crate::outbox::Outbox;

/// An account after a moderation step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moderated {
    /// The account.
    pub user: UserId,
    /// Its username.
    pub username: String,
    /// Blocked now.
    pub is_blocked: bool,
    /// Unpaid auction wins counted.
    pub failed_payment_count: i32,
    /// False when the account already was as asked (blocking a blocked account).
    pub changed: bool,
}

/// What an admin asks of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moderation {
    /// Block it, telling the user why.
    Block {
        /// The reason the email gives.
        reason: String,
    },
    /// Unblock it.
    Unblock,
    /// Set the unpaid-auction count back to 0.
    ResetViolations,
}

impl Moderation {
    /// Why a step that changed nothing did nothing.
    pub fn unchanged_reason(&self) -> &'static str {
        match self {
            Moderation::Block { .. } => "already blocked",
            Moderation::Unblock => "not blocked",
            Moderation::ResetViolations => "no failed payments to reset",
        }
    }
}

/// A recorded payment violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViolationRecord {
    /// Id.
    pub id: i64,
    /// The user.
    pub user: UserId,
    /// Their username.
    pub username: String,
    /// The auction.
    pub auction: Option<AuctionId>,
    /// The unpaid order.
    pub order: OrderId,
    /// Its number.
    pub order_number: String,
    /// When it was recorded.
    pub violation_date: DateTime<Utc>,
    /// The deadline missed.
    pub payment_deadline: Option<DateTime<Utc>>,
    /// Notes.
    pub notes: String,
}

/// Why a moderation step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModerationError {
    /// Admins only.
    #[error("Only admins can manage users")]
    NotAdmin,
    /// No such user.
    #[error("User not found")]
    NotFound,
    /// Admins cannot be blocked (nor can an admin block themselves).
    #[error("Admin accounts cannot be blocked")]
    Protected,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// What blocking sends the user (in-app and by email).
pub fn blocked_outbox(user: &Party, reason: &str) -> Outbox {
    Outbox::new().notify_by_email(
        NewNotification::new(
            user.id,
            NotificationType::AccountBlocked,
            "Account blocked",
            format!("Your account has been blocked: {reason}"),
        ),
        user.email.clone(),
        EmailMessage::AccountBlocked {
            username: user.username.clone(),
            reason: reason.to_owned(),
        },
    )
}
