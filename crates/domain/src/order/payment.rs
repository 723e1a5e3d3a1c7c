//! Payments as the domain sees them: checkout sessions, provider events, and seller payouts.

use chrono::{DateTime, Utc};

use crate::ids::{OrderId, UserId};
use crate::money::Money;
use crate::order::model::OrderType;

/// What the payment provider needs to open a checkout session for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRequest {
    /// The order.
    pub order_id: OrderId,
    /// Its number (also the transfer group).
    pub order_number: String,
    /// Its kind.
    pub order_type: OrderType,
    /// The buyer.
    pub buyer: UserId,
    /// The seller of a single-seller order.
    pub seller: Option<UserId>,
    /// What to charge.
    pub amount: Money,
    /// Line item description.
    pub description: String,
    /// The session closes at this time.
    pub expires_at: DateTime<Utc>,
    /// When the order was made: every time the provider needs is derived from it and the
    /// deadline, never from "now", so a retry under the same idempotency key is the very same
    /// request.
    pub created_at: DateTime<Utc>,
}

/// An open checkout session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSession {
    /// Provider id (`cs_…`).
    pub id: String,
    /// Where the buyer pays.
    pub url: String,
    /// When the provider closes it, when that differs from what was asked (the order's
    /// deadline follows it, so the order expires with its session).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A payment-provider event the domain acts on (already verified and parsed by the adapter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    /// The buyer completed a checkout session.
    SessionCompleted {
        /// Session id.
        session_id: String,
        /// The order named in the session's metadata.
        order_id: Option<OrderId>,
        /// The resulting payment intent.
        payment_intent: Option<String>,
        /// The charge (the transfers' source).
        charge: Option<String>,
        /// Amount charged.
        amount: Option<Money>,
        /// `payment_status == "paid"`.
        paid: bool,
    },
    /// A session closed unpaid.
    SessionExpired {
        /// Session id.
        session_id: String,
        /// The order named in the metadata.
        order_id: Option<OrderId>,
    },
    /// A payment intent succeeded.
    PaymentSucceeded {
        /// Payment intent id.
        payment_intent: String,
        /// The order named in the metadata.
        order_id: Option<OrderId>,
        /// The charge.
        charge: Option<String>,
        /// Amount received.
        amount: Option<Money>,
    },
    /// A payment attempt failed.
    PaymentFailed {
        /// Payment intent id.
        payment_intent: String,
        /// The order named in the metadata.
        order_id: Option<OrderId>,
        /// The provider's reason.
        reason: String,
    },
    /// A connected account changed.
    AccountUpdated(AccountUpdate),
    /// A charge was refunded (by us, or by someone in the provider's dashboard).
    ChargeRefunded {
        /// The charge.
        charge: String,
        /// Its payment intent (how the order is found).
        payment_intent: Option<String>,
        /// Its transfer group (the order number; finds an order whose payment is not recorded).
        transfer_group: Option<String>,
        /// Everything refunded on the charge so far (cumulative).
        amount_refunded: Money,
        /// The newest refund's id, when the event lists it.
        refund: Option<String>,
    },
    /// A transfer was (partly) taken back (by us, or in the provider's dashboard).
    TransferReversed {
        /// The transfer.
        transfer: String,
        /// Everything reversed on it so far, in its currency's minor units (cumulative).
        amount_reversed: i64,
    },
    /// Anything else: acknowledged and ignored.
    Ignored,
}

/// An amount in the provider's terms: minor units of any currency (a charge in PKR may settle
/// in the platform's own currency, and transfers are made in that one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAmount {
    /// Minor units.
    pub minor: i64,
    /// ISO 4217 code, lower case (`pkr`, `usd`).
    pub currency: String,
}

impl ProviderAmount {
    /// The same amount in the provider's terms.
    pub fn of(money: Money) -> Self {
        Self {
            minor: money.minor(),
            currency: money.currency().code().to_owned(),
        }
    }

    /// True when it is in `money`'s currency.
    pub fn same_currency_as(&self, money: Money) -> bool {
        self.currency.eq_ignore_ascii_case(money.currency().code())
    }
}

/// What the provider says about a payment's money: its charge, and what it settled as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The charge (the transfers' source).
    pub charge: Option<String>,
    /// The charge's balance transaction: the gross amount in the settlement currency.
    pub settled: Option<ProviderAmount>,
}

/// A payout of one seller's share of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    /// The seller's connected account (`None` until the seller onboarded).
    pub destination: Option<String>,
    /// What the seller receives, in the settlement currency.
    pub amount: ProviderAmount,
    /// The charge it is paid from.
    pub source_transaction: Option<String>,
    /// The order number.
    pub transfer_group: String,
    /// `transfer:{order}:{seller}`: a retry never pays twice.
    pub idempotency_key: String,
}

/// Why the provider refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// Refused for good (bad request, account cannot receive).
    #[error("{0}")]
    Refused(String),
    /// Temporarily failed; retry with the same idempotency key.
    #[error("{0}")]
    Unavailable(String),
}

impl PaymentError {
    /// True when a retry may succeed.
    pub const fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// Where a seller's payout for an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferStatus {
    /// Waiting (for the job, or for the seller's account).
    Pending,
    /// Sent to the provider, outcome not yet recorded (its amount is fixed from here on).
    Processing,
    /// Paid out.
    Succeeded,
    /// Failed for good; an admin may retry.
    Failed,
    /// Taken back after a refund.
    Reversed,
}

impl TransferStatus {
    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Reversed => "reversed",
        }
    }

    /// Parses a stored value.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Processing,
            Self::Succeeded,
            Self::Failed,
            Self::Reversed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// A payout due to a seller, as the payout job sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTransfer {
    /// The order.
    pub order_id: OrderId,
    /// Its number.
    pub order_number: String,
    /// The seller.
    pub seller: UserId,
    /// The seller's connected account, if any.
    pub destination: Option<String>,
    /// What the seller receives.
    pub amount: Money,
    /// What the buyer paid for the whole order.
    pub order_total: Money,
    /// Every seller's amount in the order, by seller id (the parts a settled amount is shared by).
    pub payouts: Vec<(UserId, Money)>,
    /// The charge paid.
    pub charge: Option<String>,
    /// The payment intent (to find the charge when the payment event did not carry it).
    pub payment_intent: Option<String>,
    /// Current status.
    pub status: TransferStatus,
    /// Whether the seller's current email address is the one they verified.
    pub seller_email_verified: bool,
}

/// A seller payout as admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferView {
    /// Id.
    pub id: crate::ids::TransferId,
    /// The seller.
    pub seller: UserId,
    /// The seller's username.
    pub seller_username: String,
    /// What the seller receives.
    pub amount: Money,
    /// The seller's share of the fee.
    pub platform_fee: Money,
    /// The provider's transfer id ("" until paid out).
    pub provider_id: String,
    /// Status.
    pub status: TransferStatus,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Paid out.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A paid order with payouts not yet made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderAwaitingPayout {
    /// The order.
    pub order_id: OrderId,
    /// Its number.
    pub order_number: String,
    /// Its kind.
    pub order_type: OrderType,
    /// Its status.
    pub status: crate::order::model::OrderStatus,
    /// What the buyer paid.
    pub total: Money,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// Its sellers: (id, username, has a connected account).
    pub sellers: Vec<(UserId, String, bool)>,
}

/// Why an admin's payout request was refused (texts of the contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequeueRefusal {
    /// No such order.
    NoOrder,
    /// The order is not paid (its status).
    NotPaid(crate::order::model::OrderStatus),
    /// No payment was recorded.
    NoPayment,
}

/// A refund of (part of) a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundCall {
    /// The payment intent.
    pub payment_intent: Option<String>,
    /// How much.
    pub amount: Money,
    /// `refund:{refund id}`.
    pub idempotency_key: String,
}

/// Taking back (part of) a transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReversalCall {
    /// The transfer.
    pub transfer_id: String,
    /// How much, in the transfer's currency.
    pub amount: ProviderAmount,
    /// `reversal:{refund id}:{seller}`.
    pub idempotency_key: String,
}

/// A seller's connected payout account and what it can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutAccount {
    /// The provider's account id (`acct_…`).
    pub account_id: String,
    /// Onboarding details were submitted.
    pub details_submitted: bool,
    /// It can take charges.
    pub charges_enabled: bool,
    /// It can receive payouts (transfers wait until it can).
    pub payouts_enabled: bool,
    /// What the provider still needs, verbatim.
    pub requirements: serde_json::Value,
}

/// A provider's report of an account's state (`account.updated`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountUpdate {
    /// The account.
    pub account_id: String,
    /// Onboarding details were submitted.
    pub details_submitted: bool,
    /// It can take charges.
    pub charges_enabled: bool,
    /// It can receive payouts.
    pub payouts_enabled: bool,
    /// What is still needed.
    pub requirements: serde_json::Value,
    /// When the provider created the event (unix seconds); older reports never win.
    pub created: i64,
}

/// What the provider needs to open a seller's payout account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRequest {
    /// The seller.
    pub user: UserId,
    /// Their username (metadata).
    pub username: String,
    /// Their email.
    pub email: String,
}
