//! Ports of the order feature: what its services need from the outside world.
//!
//! Methods return `impl Future + Send` so services stay generic and tests can wire mocks.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::ids::{CartItemId, ListingId, OrderId, UserId};
use crate::order::cart::{Cart, HoldOutcome};
use crate::order::checkout::{OrderPlanner, Party, PlaceOrder, Placed, StatusChange};
use crate::order::model::{Order, OrderQuery};
use crate::order::payment::{
    DueTransfer, PaymentError, PaymentSession, SessionRequest, TransferRequest,
};
use crate::outbox::Outbox;
use crate::page::{Page, PageRequest};
use crate::store::StoreError;

/// Shopping carts and their stock holds. Every change is one transaction that locks the cart.
#[cfg_attr(test, mockall::automock)]
pub trait CartRepository: Send + Sync {
    /// The user's cart (made on demand), products rendered for the user.
    fn cart(&self, user: UserId) -> impl Future<Output = Result<Cart, StoreError>> + Send;
    /// Adds `add` units of a listing to the cart (merging with its line) and holds them until
    /// `until`; other held lines are renewed to `until` too.
    fn hold(
        &self,
        user: UserId,
        listing: ListingId,
        add: i32,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<HoldOutcome, StoreError>> + Send;
    /// Sets a line's quantity, holding or releasing the difference; `None` when the line is not
    /// in the user's cart.
    fn set_quantity(
        &self,
        user: UserId,
        item: CartItemId,
        quantity: i32,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<HoldOutcome>, StoreError>> + Send;
    /// Removes a line and releases its hold; false when it is not in the user's cart.
    fn remove_line(
        &self,
        user: UserId,
        item: CartItemId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Empties the cart, releasing every hold; false when the user has no cart.
    fn clear_cart(&self, user: UserId) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Time-driven stock upkeep: lapsed holds, expiry notices, abandoned carts, unpaid orders.
#[cfg_attr(test, mockall::automock)]
pub trait ReservationRepository: Send + Sync {
    /// Releases holds that lapsed at `now`; the number of lines released.
    fn release_lapsed_holds(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;
    /// Carts whose earliest hold lapses before `by` and whose owner was not yet told about that
    /// hold period, with the owner and the held product names.
    fn carts_expiring(
        &self,
        now: DateTime<Utc>,
        by: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<crate::order::checkout::ExpiringCart>, StoreError>> + Send;
    /// Records that the notice for the hold lapsing at `until` went out, with its outbox; false
    /// when another worker already did.
    fn record_expiry_notice(
        &self,
        cart: i64,
        until: DateTime<Utc>,
        outbox: Outbox,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Deletes carts untouched since `before` (releasing their holds); how many.
    fn clear_abandoned_carts(
        &self,
        before: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;
    /// Orders still waiting for payment whose deadline passed at `now`.
    fn unpaid_orders_due(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<OrderId>, StoreError>> + Send;
}

/// Builds the outbox of an order once its parties are known.
pub type OrderOutbox = Box<dyn FnOnce(&Order, &Party, &[Party]) -> Outbox + Send>;

/// Orders: placement (stock taken atomically), payment, shipping, reads.
#[cfg_attr(test, mockall::automock)]
pub trait OrderRepository: Send + Sync {
    /// Locks the stock the order needs (listing-id order), lets `plan` price it, then stores the
    /// order, takes the units and empties the cart, in one transaction. With an idempotency key
    /// already used by the buyer, returns that order instead.
    fn place_order(
        &self,
        request: PlaceOrder,
        plan: OrderPlanner,
    ) -> impl Future<Output = Result<Placed, crate::order::model::OrderError>> + Send;
    /// Stores the payment session of a pending order.
    fn attach_session(
        &self,
        order: OrderId,
        session: PaymentSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One order with its lines, shares and address.
    fn order(&self, id: OrderId) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;
    /// The order paid through a session or payment intent, or the order with that number (a
    /// charge's transfer group).
    fn order_by_payment_reference(
        &self,
        reference: String,
    ) -> impl Future<Output = Result<Option<OrderId>, StoreError>> + Send;
    /// One page of orders.
    fn list_orders(
        &self,
        query: OrderQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Order>, StoreError>> + Send;
    /// Moves an order from one of `change.from` to `change.to`, returning its units as
    /// `change.release` says, recording `change.event` (once), and writing the outbox — all or
    /// nothing. `None` when the order was not in one of `from` (or the event was already applied).
    fn change_status(
        &self,
        change: StatusChange,
        outbox: OrderOutbox,
    ) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;
    /// Records a successful payment: the order becomes paid (taking its units again if they
    /// had been released), a payment row and one pending transfer per seller are stored, and
    /// the outbox is written. `None` when the order was already paid or cannot be (event
    /// recorded either way).
    fn record_payment(
        &self,
        order: OrderId,
        payment: crate::order::checkout::PaymentReceipt,
        now: DateTime<Utc>,
        outbox: OrderOutbox,
    ) -> impl Future<Output = Result<crate::order::checkout::PaymentRecorded, StoreError>> + Send;
    /// Marks the seller's unshipped lines shipped; when every line is, the order becomes
    /// shipped. Returns the order after the change, or `None` when nothing was unshipped.
    fn ship_items(
        &self,
        order: OrderId,
        seller: UserId,
        tracking_number: Option<String>,
        now: DateTime<Utc>,
        outbox: OrderOutbox,
    ) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;
}

/// Seller payouts.
#[cfg_attr(test, mockall::automock)]
pub trait TransferRepository: Send + Sync {
    /// The payout of `seller` for `order`.
    fn due_transfer(
        &self,
        order: OrderId,
        seller: UserId,
    ) -> impl Future<Output = Result<Option<DueTransfer>, StoreError>> + Send;
    /// Records a payout as made, with what it paid in the provider's currency.
    fn transfer_succeeded(
        &self,
        order: OrderId,
        seller: UserId,
        transfer_id: String,
        paid: crate::order::payment::ProviderAmount,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records the provider's cumulative reversed amount of a transfer (it only grows); a
    /// transfer taken back whole becomes `reversed`. False when no payout has that id.
    fn record_reversed(
        &self,
        transfer_id: String,
        amount_reversed: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// An order's payouts.
    fn order_transfers(
        &self,
        order: OrderId,
    ) -> impl Future<Output = Result<Vec<crate::order::payment::TransferView>, StoreError>> + Send;
    /// Paid orders (paid, shipped, delivered) with a payout not yet made, newest first.
    fn orders_awaiting_payout(
        &self,
    ) -> impl Future<Output = Result<Vec<crate::order::payment::OrderAwaitingPayout>, StoreError>> + Send;
    /// Under a lock on the order: creates missing payout rows, puts failed ones back to pending,
    /// and queues a payout job for every one not yet made; returns the payouts and how many were
    /// queued.
    fn requeue_transfers(
        &self,
        order: OrderId,
        now: DateTime<Utc>,
    ) -> impl Future<
        Output = Result<
            Result<
                (Vec<crate::order::payment::TransferView>, usize),
                crate::order::payment::RequeueRefusal,
            >,
            StoreError,
        >,
    > + Send;
    /// Records a failed attempt and leaves the payout `then`: pending after a refusal (nothing
    /// was paid), processing when the outcome is unknown, failed to give up.
    fn transfer_failed(
        &self,
        order: OrderId,
        seller: UserId,
        error: String,
        then: crate::order::payment::TransferStatus,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Under the payout's lock: marks a pending payout as being sent and returns what refunds
    /// took from it before it was made (it is sent less that); `None` when it is no longer
    /// pending or processing.
    fn begin_transfer(
        &self,
        order: OrderId,
        seller: UserId,
    ) -> impl Future<Output = Result<Option<crate::money::Money>, StoreError>> + Send;
}

/// The payment provider (Stripe, or the offline dev gateway).
#[cfg_attr(test, mockall::automock)]
pub trait PaymentGateway: Send + Sync {
    /// Opens a checkout session for an order (idempotent per order).
    fn create_session(
        &self,
        request: SessionRequest,
    ) -> impl Future<Output = Result<PaymentSession, PaymentError>> + Send;
    /// Pays a seller their share (idempotent per key); the provider's transfer id.
    fn transfer(
        &self,
        request: TransferRequest,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// A payment's charge (the source of its transfers) and what it settled as, read from the
    /// charge when known, else from the payment intent's latest charge.
    fn settlement(
        &self,
        payment_intent: Option<String>,
        charge: Option<String>,
    ) -> impl Future<Output = Result<crate::order::payment::Settlement, PaymentError>> + Send;
    /// A one-time link to the seller's Express dashboard.
    fn login_link(
        &self,
        account_id: String,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// Opens a payout account for a seller; the provider's account id.
    fn create_account(
        &self,
        request: crate::order::payment::AccountRequest,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// A link where the seller completes onboarding.
    fn onboarding_link(
        &self,
        account_id: String,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// Refunds (part of) a payment (idempotent per key); the provider's refund id.
    fn refund(
        &self,
        request: crate::order::payment::RefundCall,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// Takes back (part of) a transfer (idempotent per key); the provider's reversal id.
    fn reverse_transfer(
        &self,
        request: crate::order::payment::ReversalCall,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
}

/// Builds a refund's outbox once the order, its parties and the recorded refund are known.
pub type RefundOutbox = Box<
    dyn FnOnce(
            &Order,
            &Party,
            &[Party],
            crate::ids::RefundId,
            &crate::order::refund::RefundPlan,
        ) -> Outbox
        + Send,
>;

/// Sellers' payout accounts.
#[cfg_attr(test, mockall::automock)]
pub trait PayoutAccountRepository: Send + Sync {
    /// The seller's account.
    fn payout_account(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Option<crate::order::payment::PayoutAccount>, StoreError>> + Send;
    /// Records a new account; false when the seller already has one.
    fn save_payout_account(
        &self,
        user: UserId,
        account_id: String,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Applies a provider report (unless a newer one was applied); when the account can now
    /// receive payouts, the seller's waiting payouts are queued again. The seller, if known.
    fn apply_account_update(
        &self,
        update: crate::order::payment::AccountUpdate,
    ) -> impl Future<Output = Result<Option<UserId>, StoreError>> + Send;
}

/// Refunds: planned and recorded atomically, then carried out at the provider by a job.
#[cfg_attr(test, mockall::automock)]
pub trait RefundRepository: Send + Sync {
    /// Locks the order, lets `plan` decide from its state, then records the refund (ledgers,
    /// refunded quantities, restock, status, outbox) in one transaction. `None`: no such order.
    fn record_refund(
        &self,
        refund: crate::order::refund::NewRefund,
        plan: crate::order::refund::RefundPlanner,
        outbox: RefundOutbox,
    ) -> impl Future<
        Output = Result<
            Option<crate::order::refund::RefundRecord>,
            crate::order::model::OrderError,
        >,
    > + Send;
    /// What is left to do for a refund.
    fn refund_work(
        &self,
        refund: crate::ids::RefundId,
    ) -> impl Future<Output = Result<Option<crate::order::refund::RefundWork>, StoreError>> + Send;
    /// Records the provider's refund.
    fn refund_sent(
        &self,
        refund: crate::ids::RefundId,
        provider_id: String,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records a seller's reversal (or that none was needed).
    fn reversal_sent(
        &self,
        refund: crate::ids::RefundId,
        seller: UserId,
        provider_id: String,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Under the seller's payout lock: a payout not yet sent is made smaller by the seller's
    /// part of this refund instead of being reversed later.
    fn net_reversal(
        &self,
        refund: crate::ids::RefundId,
        seller: UserId,
    ) -> impl Future<Output = Result<crate::order::refund::Netting, StoreError>> + Send;
}
