//! Emails the platform sends: one variant per template. Rendering lives in the mail adapter.

use serde::{Deserialize, Serialize};

/// What an email says; the mail adapter has one HTML + text template per variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum EmailMessage {
    /// Sent after registration.
    Welcome {
        /// Recipient's username.
        username: String,
    },
    /// Any in-app notification without a template of its own, emailed as title and message.
    Notice {
        /// Recipient's username.
        username: String,
        /// The notification's title (the subject).
        title: String,
        /// The notification's message.
        message: String,
    },
    /// A link to choose a new password (asked for on the sign-in page).
    PasswordReset {
        /// Recipient's username.
        username: String,
        /// The front end's reset page with the token.
        link: String,
        /// Minutes the link stays valid.
        minutes: i64,
    },
    /// A link that confirms the account's email address.
    VerifyEmail {
        /// Recipient's username.
        username: String,
        /// The front end's verification page with the token.
        link: String,
        /// Hours the link stays valid.
        hours: i64,
    },
    /// Sent to an admin at each sign-in to the console, so a stolen password shows.
    ConsoleSignIn {
        /// Recipient's username.
        username: String,
        /// When (UTC, to the minute).
        at: String,
        /// The client's address.
        ip: String,
        /// The client's description (User-Agent), "" when unknown.
        client: String,
    },
    /// Sent when the account's password was changed (by its owner or through a reset).
    PasswordChanged {
        /// Recipient's username.
        username: String,
    },
    /// Sent when an account is blocked.
    AccountBlocked {
        /// Recipient's username.
        username: String,
        /// Why it was blocked.
        reason: String,
    },
    /// The buyer's order confirmation with its receipt.
    OrderConfirmation {
        /// Recipient's username.
        username: String,
        /// The order number.
        order_number: String,
        /// Every line.
        lines: Vec<ReceiptLine>,
        /// Total paid (2-decimal string).
        total: String,
        /// Paid at (ISO-8601).
        paid_at: String,
    },
    /// A seller's new sale: only their lines and amounts.
    NewSale {
        /// Recipient's username.
        username: String,
        /// The order number.
        order_number: String,
        /// The seller's lines.
        lines: Vec<ReceiptLine>,
        /// Σ of their lines.
        subtotal: String,
        /// The platform's commission on it.
        platform_fee: String,
        /// What they receive.
        seller_amount: String,
    },
    /// A payment failed, or its time ran out; the order is void.
    PaymentFailed {
        /// Recipient's username.
        username: String,
        /// The order number.
        order_number: String,
        /// Why.
        reason: String,
    },
    /// Money of an order is on its way back to the buyer.
    RefundIssued {
        /// Recipient's username.
        username: String,
        /// The order number.
        order_number: String,
        /// Amount refunded (2-decimal string).
        amount: String,
        /// Nothing is left to refund on the order.
        full: bool,
    },
    /// The units held in a cart are about to be released.
    CartExpiring {
        /// Recipient's username.
        username: String,
        /// Held products.
        products: Vec<String>,
        /// Minutes left.
        minutes_left: i64,
    },
    /// A bidder was outbid.
    Outbid {
        /// Recipient's username.
        username: String,
        /// The product.
        product: String,
        /// The new highest bid (2-decimal string).
        amount: String,
        /// The auction.
        auction_id: i64,
    },
    /// The winner of an auction: pay by the deadline.
    AuctionWon {
        /// Recipient's username.
        username: String,
        /// The product.
        product: String,
        /// The winning bid.
        amount: String,
        /// The auction order.
        order_number: String,
        /// Where to pay.
        payment_url: String,
        /// Pay before this.
        deadline: String,
        /// The winner has a shipping address (else they are asked for one).
        has_address: bool,
    },
    /// The seller's auction ended.
    AuctionEnded {
        /// Recipient's username.
        username: String,
        /// The product.
        product: String,
        /// The winner's username, if any.
        winner: Option<String>,
        /// The final price.
        final_price: String,
        /// The auction order, if any.
        order_number: Option<String>,
        /// What happened when there is no winner.
        outcome: String,
    },
    /// An unpaid order's deadline is near.
    PaymentReminder {
        /// Recipient's username.
        username: String,
        /// The order.
        order_number: String,
        /// What to pay.
        amount: String,
        /// Pay before this.
        deadline: String,
        /// Where to pay.
        payment_url: String,
    },
    /// After delivery: the buyer is asked for feedback on the seller.
    FeedbackRequest {
        /// Recipient's username.
        username: String,
        /// The order.
        order_number: String,
        /// The order's id (the feedback form's link).
        order_id: i64,
        /// The seller's username.
        seller: String,
    },
}

/// One line of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// Product name.
    pub name: String,
    /// Units.
    pub quantity: i32,
    /// Price per unit (2-decimal string).
    pub unit_price: String,
    /// Line total (2-decimal string).
    pub subtotal: String,
}

impl EmailMessage {
    /// Template name, also used in dedupe keys.
    pub const fn template(&self) -> &'static str {
        match self {
            Self::Welcome { .. } => "welcome",
            Self::Notice { .. } => "notice",
            Self::PasswordReset { .. } => "password_reset",
            Self::ConsoleSignIn { .. } => "console_sign_in",
            Self::VerifyEmail { .. } => "verify_email",
            Self::PasswordChanged { .. } => "password_changed",
            Self::AccountBlocked { .. } => "account_blocked",
            Self::OrderConfirmation { .. } => "order_confirmation",
            Self::NewSale { .. } => "new_sale",
            Self::PaymentFailed { .. } => "payment_failed",
            Self::CartExpiring { .. } => "cart_expiring",
            Self::RefundIssued { .. } => "refund_issued",
            Self::Outbid { .. } => "outbid",
            Self::AuctionWon { .. } => "auction_won",
            Self::AuctionEnded { .. } => "auction_ended",
            Self::PaymentReminder { .. } => "payment_reminder",
            Self::FeedbackRequest { .. } => "feedback_request",
        }
    }
}

/// An email addressed to someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// Recipient address.
    pub to: String,
    /// Content.
    pub message: EmailMessage,
    /// A stable identity (its job's): the Message-ID, so an email sent again after a crash
    /// is recognisably the same one (and a mail directory keeps one file for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Why sending failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Rendering failed (a template bug; retrying will not help).
    #[error("template error: {0}")]
    Template(String),
    /// The address cannot be used.
    #[error("bad address: {0}")]
    Address(String),
    /// The transport failed; retry later.
    #[error("transport error: {0}")]
    Transport(String),
}

impl MailError {
    /// True when a retry may succeed.
    pub const fn is_transient(&self) -> bool {
        matches!(self, Self::Transport(_))
    }
}
