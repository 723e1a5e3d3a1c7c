//! Provider events (the payment webhook): which use case each event belongs to, and whether the
//! provider must deliver it again. The handler only verifies the signature, parses the event,
//! calls [`Webhooks::deliver`] and answers.

use crate::clock::Clock;
use crate::order::connect_service::Connect;
use crate::order::model::OrderError;
use crate::order::payment::PaymentEvent;
use crate::order::payment_service::{EventOutcome, Payments};
use crate::order::payout_service::PayoutAdmin;
use crate::order::ports::{
    OrderRepository, PaymentGateway, PayoutAccountRepository, RefundRepository, TransferRepository,
};
use crate::order::refund_service::{Reconciled, RefundReport, Refunds};

/// What an event did, for the logs.
#[derive(Debug, Clone, PartialEq)]
pub enum Handled {
    /// A seller's payout account changed.
    Account,
    /// A refund was reconciled with what we recorded.
    Refund(Reconciled),
    /// A transfer was reversed (`known`: it is one of ours).
    Reversal {
        /// The transfer.
        transfer: String,
        /// Whether it is one of ours.
        known: bool,
    },
    /// A payment event moved (or did not move) its order.
    Payment(EventOutcome),
}

/// What the provider is told.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Done (or nothing to do): the event is acknowledged.
    Accepted(Handled),
    /// A refund reported before its payment: the provider must deliver it again later.
    RetryLater,
}

/// The use cases provider events feed.
pub struct Webhooks<'a, P, R, T, C> {
    /// Checkout sessions and payment intents.
    pub payments: &'a P,
    /// Refunds made at the provider.
    pub refunds: &'a R,
    /// Seller payouts (reversals).
    pub payouts: &'a T,
    /// Sellers' payout accounts.
    pub connect: &'a C,
}

impl<O1, K1, RR, O2, K2, TR, K3, A, G>
    Webhooks<'_, Payments<O1, K1>, Refunds<RR, O2, K2>, PayoutAdmin<TR, K3>, Connect<A, G>>
where
    O1: OrderRepository,
    K1: Clock,
    RR: RefundRepository,
    O2: OrderRepository,
    K2: Clock,
    TR: TransferRepository,
    K3: Clock,
    A: PayoutAccountRepository,
    G: PaymentGateway,
{
    /// Applies one verified event (`id` is the provider's event id; each applies once).
    pub async fn deliver(&self, id: String, event: PaymentEvent) -> Result<Delivery, OrderError> {
        let handled = match event {
            PaymentEvent::AccountUpdated(update) => {
                self.connect.account_updated(update).await?;
                Handled::Account
            }
            PaymentEvent::ChargeRefunded {
                payment_intent,
                transfer_group,
                amount_refunded,
                refund,
                ..
            } => {
                let report = RefundReport {
                    payment_intent,
                    transfer_group,
                    amount_refunded,
                    provider_refund: refund,
                };
                match self.refunds.reconcile(report).await? {
                    // The payment's own event comes first; until then the provider retries this.
                    Reconciled::NotYet => return Ok(Delivery::RetryLater),
                    done => Handled::Refund(done),
                }
            }
            PaymentEvent::TransferReversed {
                transfer,
                amount_reversed,
            } => {
                let known = self
                    .payouts
                    .transfer_reversed(transfer.clone(), amount_reversed)
                    .await?;
                Handled::Reversal { transfer, known }
            }
            other => Handled::Payment(self.payments.handle(id, other).await?),
        };
        Ok(Delivery::Accepted(handled))
    }
}
