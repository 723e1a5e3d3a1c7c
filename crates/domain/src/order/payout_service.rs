//! Seller payouts, run by the job queue (transfers in the settlement currency, refunds and
//! their reversals), the admin tools around them, and the provider's reports about transfers.

use crate::clock::Clock;
use crate::ids::{OrderId, UserId};
use crate::job::model::JobOutcome;
use crate::order::payment::{
    OrderAwaitingPayout, ProviderAmount, RequeueRefusal, Settlement, TransferRequest,
    TransferStatus, TransferView,
};
use crate::order::ports::{PaymentGateway, RefundRepository, TransferRepository};
use crate::order::refund::Netting;
use crate::order::settlement::{reversal_amount, transfer_amount};

/// What an admin's payout request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requeued {
    /// Payouts were queued (or re-queued): the order's payouts.
    Queued(Vec<TransferView>),
    /// Every payout was already made: the order's payouts.
    AlreadyPaid(Vec<TransferView>),
}

/// Admin tools for payouts: the orders still owing sellers, and a retry that is safe to repeat.
pub struct PayoutAdmin<T, K> {
    transfers: T,
    clock: K,
}

impl<T: TransferRepository, K: Clock> PayoutAdmin<T, K> {
    /// Wires the service.
    pub fn new(transfers: T, clock: K) -> Self {
        Self { transfers, clock }
    }

    /// Paid orders with a payout not yet made.
    pub async fn awaiting(
        &self,
        actor: &crate::account::user::User,
    ) -> Result<Vec<OrderAwaitingPayout>, crate::order::model::OrderError> {
        if !actor.is_admin() {
            return Err(crate::order::model::OrderError::Forbidden(
                "Only admins can access this endpoint".into(),
            ));
        }
        Ok(self.transfers.orders_awaiting_payout().await?)
    }

    /// Queues the payouts of an order that are missing, pending or failed; made ones are never
    /// made twice (the provider key stays `transfer:{order}:{seller}`).
    pub async fn trigger(
        &self,
        actor: &crate::account::user::User,
        order: Option<OrderId>,
    ) -> Result<Requeued, crate::order::model::OrderError> {
        use crate::order::model::OrderError;
        if !actor.is_admin() {
            return Err(OrderError::Forbidden(
                "Only admins can trigger manual transfers".into(),
            ));
        }
        let order = order.ok_or_else(|| OrderError::bad("order_id is required"))?;
        match self
            .transfers
            .requeue_transfers(order, self.clock.now())
            .await?
        {
            Ok((views, 0)) => Ok(Requeued::AlreadyPaid(views)),
            Ok((views, _)) => Ok(Requeued::Queued(views)),
            Err(RequeueRefusal::NoOrder) => Err(OrderError::OrderMissing),
            Err(RequeueRefusal::NotPaid(status)) => Err(OrderError::bad(format!(
                "Order must be paid. Current status: {}",
                status.as_str()
            ))),
            Err(RequeueRefusal::NoPayment) => Err(OrderError::PaymentMissing),
        }
    }

    /// Applies the provider's report that a transfer was (partly) taken back, ours or made in
    /// its dashboard: the reversed amount only grows, and a transfer taken back whole is
    /// `reversed`. Reports may come in any order and more than once.
    pub async fn transfer_reversed(
        &self,
        transfer: String,
        amount_reversed: i64,
    ) -> Result<bool, crate::store::StoreError> {
        self.transfers
            .record_reversed(transfer, amount_reversed.max(0))
            .await
    }
}

/// Seller payouts, run by the job queue.
pub struct Payouts<T, R, G, K> {
    transfers: T,
    refunds: R,
    gateway: G,
    clock: K,
    /// Hold payouts to sellers whose email address is not verified (`SELLERS_MUST_VERIFY_EMAIL`).
    hold_unverified: bool,
}

impl<T: TransferRepository, R: RefundRepository, G: PaymentGateway, K: Clock> Payouts<T, R, G, K> {
    /// Wires the service.
    pub fn new(transfers: T, refunds: R, gateway: G, clock: K) -> Self {
        Self {
            transfers,
            refunds,
            gateway,
            clock,
            hold_unverified: false,
        }
    }

    /// Payouts wait until the seller's email address is verified (verifying queues them).
    pub fn holding_unverified(mut self, on: bool) -> Self {
        self.hold_unverified = on;
        self
    }

    /// Carries out a recorded refund: the buyer's refund first, then each seller's reversal
    /// once their transfer was made (a payout still pending is waited for, so nothing is paid
    /// and reversed out of order). Every call carries a key derived from the refund, so a retry
    /// after a crash never refunds or reverses twice.
    pub async fn process_refund(&self, refund: crate::ids::RefundId) -> JobOutcome {
        let work = match self.refunds.refund_work(refund).await {
            Ok(Some(work)) => work,
            Ok(None) => return JobOutcome::Fail(format!("no refund {refund}")),
            Err(e) => return JobOutcome::Retry(e.to_string()),
        };
        if work.provider_refund_id.is_none() {
            let call = crate::order::payment::RefundCall {
                payment_intent: work.payment_intent.clone(),
                amount: work.amount,
                idempotency_key: format!("refund:{refund}"),
            };
            match self.gateway.refund(call).await {
                Ok(id) => {
                    if let Err(e) = self.refunds.refund_sent(refund, id, self.clock.now()).await {
                        return JobOutcome::Retry(e.to_string());
                    }
                }
                Err(e) => return JobOutcome::Retry(e.to_string()),
            }
        }
        let mut waiting = false;
        for part in work.reversals.iter().filter(|p| !p.done) {
            if part.amount.is_zero() {
                if let Err(e) = self
                    .refunds
                    .reversal_sent(refund, part.seller, String::new())
                    .await
                {
                    return JobOutcome::Retry(e.to_string());
                }
                continue;
            }
            if part.transfer_status != Some(TransferStatus::Succeeded) {
                // Not paid out yet (held, or waiting for its job): the payout is made smaller
                // instead, so a refund never waits on a seller who may never onboard.
                match self.refunds.net_reversal(refund, part.seller).await {
                    Ok(Netting::Netted) => {}
                    Ok(Netting::InFlight | Netting::Transferred) => waiting = true,
                    Err(e) => return JobOutcome::Retry(e.to_string()),
                }
                continue;
            }
            let call = crate::order::payment::ReversalCall {
                transfer_id: part.transfer_id.clone(),
                amount: part.provider_amount(),
                idempotency_key: format!("reversal:{refund}:{}", part.seller),
            };
            match self.gateway.reverse_transfer(call).await {
                Ok(id) => {
                    if let Err(e) = self.refunds.reversal_sent(refund, part.seller, id).await {
                        return JobOutcome::Retry(e.to_string());
                    }
                }
                Err(e) => return JobOutcome::Retry(e.to_string()),
            }
        }
        if waiting {
            JobOutcome::Retry("waiting for a seller's payout before reversing it".into())
        } else {
            JobOutcome::Done
        }
    }

    /// Refunds, whole and once (keyed by the order), a payment that came for an order that can
    /// no longer be filled.
    pub async fn return_payment(
        &self,
        order: OrderId,
        payment_intent: Option<String>,
        amount: crate::money::Money,
    ) -> JobOutcome {
        let call = crate::order::payment::RefundCall {
            payment_intent,
            amount,
            idempotency_key: format!("return:{order}"),
        };
        match self.gateway.refund(call).await {
            Ok(_) => JobOutcome::Done,
            Err(e) if e.is_transient() => JobOutcome::Retry(e.to_string()),
            // Refused (no payment intent, already refunded…): for an admin to look at.
            Err(e) => JobOutcome::Fail(format!("order {order}: {e}")),
        }
    }

    /// Pays one seller their share of one order, once (the provider dedupes on the key), in
    /// the currency the charge settled in.
    pub async fn pay_out(&self, order: OrderId, seller: UserId) -> JobOutcome {
        let due = match self.transfers.due_transfer(order, seller).await {
            Ok(Some(due)) => due,
            Ok(None) => return JobOutcome::Fail(format!("no transfer for {order}/{seller}")),
            Err(e) => return JobOutcome::Retry(e.to_string()),
        };
        if !matches!(
            due.status,
            TransferStatus::Pending | TransferStatus::Processing
        ) {
            return JobOutcome::Done;
        }
        if due.destination.is_none() {
            // Held: the seller's account cannot receive yet. When it can, the account update
            // queues this payout again (same provider key).
            return JobOutcome::Done;
        }
        if self.hold_unverified
            && !due.seller_email_verified
            && due.status == TransferStatus::Pending
        {
            // Held until the seller verifies their address; verifying queues it again. One
            // already processing finishes under its key: it may have been paid.
            return JobOutcome::Done;
        }
        // From here the amount is fixed: refunds recorded later reverse the transfer instead.
        let netted = match self.transfers.begin_transfer(order, seller).await {
            Ok(Some(netted)) => netted,
            Ok(None) => return JobOutcome::Done,
            Err(e) => return JobOutcome::Retry(e.to_string()),
        };
        // The charge (Checkout's event names only the payment intent) and what it settled as.
        // A retry reads the same settlement, so it sends the same request under the same key.
        let settlement = if due.charge.is_some() || due.payment_intent.is_some() {
            match self
                .gateway
                .settlement(due.payment_intent.clone(), due.charge.clone())
                .await
            {
                Ok(s) => s,
                Err(e) => return JobOutcome::Retry(e.to_string()),
            }
        } else {
            Settlement {
                charge: None,
                settled: None,
            }
        };
        let amount = transfer_amount(
            seller,
            due.amount,
            due.order_total,
            &due.payouts,
            settlement.settled.as_ref(),
        );
        // Refunds made before the payout come off it, on the same cumulative rule as reversals.
        let kept = reversal_amount(
            &amount,
            due.amount,
            crate::money::Money::zero(due.amount.currency()),
            netted,
        );
        let send = ProviderAmount {
            minor: amount.minor - kept.minor,
            currency: amount.currency.clone(),
        };
        if send.minor <= 0 {
            // Refunded whole before it was paid: nothing to send; recorded as taken back.
            return match self
                .transfers
                .transfer_succeeded(order, seller, String::new(), amount, self.clock.now())
                .await
            {
                Ok(()) => JobOutcome::Done,
                Err(e) => JobOutcome::Retry(e.to_string()),
            };
        }
        // The amount is fixed once the payout is processing, but a refused attempt puts it back
        // to pending, where a refund may still be netted: a changed amount gets its own key (a
        // provider refuses a key reused with other parameters; nothing was paid under the old one).
        let idempotency_key = if netted.is_zero() {
            format!("transfer:{order}:{seller}")
        } else {
            format!("transfer:{order}:{seller}:net{}", netted.minor())
        };
        let request = TransferRequest {
            destination: due.destination,
            amount: send,
            source_transaction: settlement.charge.or(due.charge),
            transfer_group: due.order_number,
            idempotency_key,
        };
        match self.gateway.transfer(request).await {
            Ok(id) => match self
                .transfers
                .transfer_succeeded(order, seller, id, amount, self.clock.now())
                .await
            {
                Ok(()) => JobOutcome::Done,
                // The retry reuses the idempotency key, so the provider will not pay twice.
                Err(e) => JobOutcome::Retry(e.to_string()),
            },
            Err(e) => {
                // Refused: nothing was paid, so it is pending again. Unknown outcome: it stays
                // processing, and the retry sends the very same request under the same key.
                let then = if e.is_transient() {
                    TransferStatus::Processing
                } else {
                    TransferStatus::Pending
                };
                let _ = self
                    .transfers
                    .transfer_failed(order, seller, e.to_string(), then)
                    .await;
                JobOutcome::Retry(e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests;
