//! In-app notifications; each may carry an email that goes out through the job queue.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// Notification kinds; stored values are the wire values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationType {
    /// A bid was placed.
    BidPlaced,
    /// Someone bid higher.
    BidOutbid,
    /// The user won an auction.
    AuctionWon,
    /// The user lost an auction.
    AuctionLost,
    /// An auction ended.
    AuctionEnded,
    /// Pay before the deadline.
    PaymentReminder,
    /// A payment arrived.
    PaymentReceived,
    /// An order shipped.
    OrderShipped,
    /// An order was delivered.
    OrderDelivered,
    /// Please leave feedback.
    FeedbackRequest,
    /// A new message.
    MessageReceived,
    /// The account was blocked.
    AccountBlocked,
    /// Anything else.
    General,
}

impl NotificationType {
    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BidPlaced => "bid_placed",
            Self::BidOutbid => "bid_outbid",
            Self::AuctionWon => "auction_won",
            Self::AuctionLost => "auction_lost",
            Self::AuctionEnded => "auction_ended",
            Self::PaymentReminder => "payment_reminder",
            Self::PaymentReceived => "payment_received",
            Self::OrderShipped => "order_shipped",
            Self::OrderDelivered => "order_delivered",
            Self::FeedbackRequest => "feedback_request",
            Self::MessageReceived => "message_received",
            Self::AccountBlocked => "account_blocked",
            Self::General => "general",
        }
    }

    /// Every kind.
    pub const ALL: [Self; 13] = [
        Self::BidPlaced,
        Self::BidOutbid,
        Self::AuctionWon,
        Self::AuctionLost,
        Self::AuctionEnded,
        Self::PaymentReminder,
        Self::PaymentReceived,
        Self::OrderShipped,
        Self::OrderDelivered,
        Self::FeedbackRequest,
        Self::MessageReceived,
        Self::AccountBlocked,
        Self::General,
    ];

    /// Parses a stored value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A notification to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// Recipient.
    pub user: UserId,
    /// Kind.
    pub kind: NotificationType,
    /// Title, at most 255 characters.
    pub title: String,
    /// Body.
    pub message: String,
    /// Related order.
    pub order_id: Option<i64>,
    /// Related auction.
    pub auction_id: Option<i64>,
}

impl NewNotification {
    /// A notification with no related order or auction.
    pub fn new(
        user: UserId,
        kind: NotificationType,
        title: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            user,
            kind,
            title: title.into(),
            message: message.into(),
            order_id: None,
            auction_id: None,
        }
    }
}

/// A notification as its owner reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Id.
    pub id: crate::ids::NotificationId,
    /// Kind.
    pub kind: NotificationType,
    /// Title.
    pub title: String,
    /// Body.
    pub message: String,
    /// Read by its owner.
    pub is_read: bool,
    /// Related order.
    pub order_id: Option<i64>,
    /// Related auction.
    pub auction_id: Option<i64>,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Sortable notification fields (`?ordering=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationSort {
    /// Id.
    Id,
    /// Kind.
    Kind,
    /// Title.
    Title,
    /// Read or not.
    IsRead,
    /// Creation time.
    CreatedAt,
}

/// `?ordering=` names for notifications.
pub const NOTIFICATION_ORDERING: &[(&str, NotificationSort)] = &[
    ("id", NotificationSort::Id),
    ("notification_type", NotificationSort::Kind),
    ("title", NotificationSort::Title),
    ("is_read", NotificationSort::IsRead),
    ("created_at", NotificationSort::CreatedAt),
];

/// A notification and its recipient, as emailing it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationEmail {
    /// Recipient's username.
    pub username: String,
    /// Recipient's address.
    pub email: String,
    /// Title.
    pub title: String,
    /// Message.
    pub message: String,
    /// Already emailed.
    pub emailed: bool,
}

/// Why a notification action failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// Not the caller's, or none.
    #[error("No Notification matches the given query.")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The contract's fixed texts.
pub mod texts {
    /// Title of the welcome notice.
    pub const WELCOME_TITLE: &str = "Welcome to MadeInPK!";
    /// Body of the welcome notice.
    pub const WELCOME_MESSAGE: &str = "Thank you for registering. Start exploring our platform and discover amazing products from local sellers!";
    /// Title of the password-changed notice.
    pub const PASSWORD_CHANGED_TITLE: &str = "Your password was changed";
    /// Body of the password-changed notice.
    pub const PASSWORD_CHANGED_MESSAGE: &str = "Your MadeInPK password was changed and every other session was signed out. If this was not you, reset your password now and contact support.";
    /// Title of the new-seller notice.
    pub const SELLER_TITLE: &str = "Welcome to Selling on MadeInPK!";
    /// Body of the new-seller notice.
    pub const SELLER_MESSAGE: &str = "Your seller account has been created successfully. You can now start listing products for sale.";
}
