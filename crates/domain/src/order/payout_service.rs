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
}

impl<T: TransferRepository, R: RefundRepository, G: PaymentGateway, K: Clock> Payouts<T, R, G, K> {
    /// Wires the service.
    pub fn new(transfers: T, refunds: R, gateway: G, clock: K) -> Self {
        Self {
            transfers,
            refunds,
            gateway,
            clock,
        }
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
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::ids::RefundId;
    use crate::money::Money;
    use crate::order::payment::{DueTransfer, ProviderAmount};
    use crate::order::ports::{MockPaymentGateway, MockRefundRepository, MockTransferRepository};
    use crate::order::refund::{RefundWork, ReversalWork};
    use chrono::Utc;
    use std::future::ready;
    use std::sync::{Arc, Mutex};

    fn reversal(status: TransferStatus, transfer: &str) -> ReversalWork {
        ReversalWork {
            seller: UserId(20),
            amount: Money::pkr(980),
            done: false,
            transfer_status: Some(status),
            transfer_id: transfer.into(),
            transferred: None,
            seller_amount: Money::pkr(9_800),
            reversed_before: Money::zero(crate::money::Currency::Pkr),
        }
    }

    fn work(provider_refund_id: Option<&str>, reversal: ReversalWork) -> RefundWork {
        RefundWork {
            refund: RefundId(4),
            payment_intent: Some("pi_1".into()),
            amount: Money::pkr(1_000),
            provider_refund_id: provider_refund_id.map(str::to_owned),
            reversals: vec![reversal],
        }
    }

    /// Seller 20's payout of order 1: Rs. 98 of a Rs. 150 order whose other seller (30) gets 49.
    fn due(charge: Option<&str>) -> DueTransfer {
        DueTransfer {
            order_id: OrderId(1),
            order_number: "CART-000000000001".into(),
            seller: UserId(20),
            destination: Some("acct_20".into()),
            amount: Money::pkr(9_800),
            order_total: Money::pkr(15_000),
            payouts: vec![
                (UserId(20), Money::pkr(9_800)),
                (UserId(30), Money::pkr(4_900)),
            ],
            charge: charge.map(str::to_owned),
            payment_intent: Some("pi_1".into()),
            status: TransferStatus::Pending,
        }
    }

    fn settles(gateway: &mut MockPaymentGateway, settled: Option<ProviderAmount>) {
        gateway
            .expect_settlement()
            .withf(|pi, _| pi.as_deref() == Some("pi_1"))
            .returning(move |_, _| {
                Box::pin(ready(Ok(Settlement {
                    charge: Some("ch_1".into()),
                    settled: settled.clone(),
                })))
            });
    }

    #[tokio::test]
    async fn a_crash_after_the_provider_refunded_retries_with_the_same_keys() {
        let work = work(None, reversal(TransferStatus::Succeeded, "tr_1"));
        let keys = Arc::new(Mutex::new(Vec::<String>::new()));
        let mut refunds = MockRefundRepository::new();
        refunds
            .expect_refund_work()
            .times(2)
            .returning(move |_| Box::pin(ready(Ok(Some(work.clone())))));
        // The commit after the provider's answer fails the first time (a crash), then works.
        let mut failed_once = false;
        refunds
            .expect_refund_sent()
            .times(2)
            .returning(move |_, _, _| {
                let first = !failed_once;
                failed_once = true;
                Box::pin(ready(if first {
                    Err(crate::store::StoreError::Unavailable("crash".into()))
                } else {
                    Ok(())
                }))
            });
        refunds
            .expect_reversal_sent()
            .times(1)
            .returning(|_, _, _| Box::pin(ready(Ok(()))));
        let mut gateway = MockPaymentGateway::new();
        let seen = keys.clone();
        gateway.expect_refund().times(2).returning(move |call| {
            seen.lock().unwrap().push(call.idempotency_key.clone());
            Box::pin(ready(Ok("re_1".into())))
        });
        let seen = keys.clone();
        gateway
            .expect_reverse_transfer()
            .times(1)
            .returning(move |call| {
                assert_eq!(call.transfer_id, "tr_1");
                assert_eq!(call.amount, ProviderAmount::of(Money::pkr(980)));
                seen.lock().unwrap().push(call.idempotency_key.clone());
                Box::pin(ready(Ok("trr_1".into())))
            });
        let payouts = Payouts::new(
            MockTransferRepository::new(),
            refunds,
            gateway,
            FixedClock(Utc::now()),
        );
        assert!(matches!(
            payouts.process_refund(RefundId(4)).await,
            JobOutcome::Retry(_)
        ));
        assert_eq!(payouts.process_refund(RefundId(4)).await, JobOutcome::Done);
        assert_eq!(
            *keys.lock().unwrap(),
            ["refund:4", "refund:4", "reversal:4:20"],
            "the retry sent the same key, so the provider refunds once"
        );
    }

    #[tokio::test]
    async fn a_crash_after_the_provider_transferred_retries_the_same_request() {
        let mut transfers = MockTransferRepository::new();
        transfers
            .expect_due_transfer()
            .times(2)
            .returning(|_, _| Box::pin(ready(Ok(Some(due(None))))));
        transfers
            .expect_begin_transfer()
            .times(2)
            .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
        let mut failed_once = false;
        transfers
            .expect_transfer_succeeded()
            .times(2)
            .returning(move |_, _, _, _, _| {
                let first = !failed_once;
                failed_once = true;
                Box::pin(ready(if first {
                    Err(crate::store::StoreError::Unavailable("crash".into()))
                } else {
                    Ok(())
                }))
            });
        let mut gateway = MockPaymentGateway::new();
        settles(&mut gateway, Some(ProviderAmount::of(Money::pkr(15_000))));
        // A provider that dedupes on the key, as Stripe does: one transfer, however many calls.
        let made = Arc::new(Mutex::new(Vec::<TransferRequest>::new()));
        let seen = made.clone();
        gateway.expect_transfer().times(2).returning(move |t| {
            let mut made = seen.lock().unwrap();
            if let Some(first) = made.iter().find(|m| m.idempotency_key == t.idempotency_key) {
                assert_eq!(*first, t, "a key reused with other parameters is refused");
            } else {
                made.push(t);
            }
            Box::pin(ready(Ok("tr_1".into())))
        });
        let payouts = Payouts::new(
            transfers,
            MockRefundRepository::new(),
            gateway,
            FixedClock(Utc::now()),
        );
        assert!(matches!(
            payouts.pay_out(OrderId(1), UserId(20)).await,
            JobOutcome::Retry(_)
        ));
        assert_eq!(
            payouts.pay_out(OrderId(1), UserId(20)).await,
            JobOutcome::Done
        );
        let made = made.lock().unwrap();
        assert_eq!(made.len(), 1, "one transfer at the provider");
        assert_eq!(made[0].idempotency_key, "transfer:1:20");
        assert_eq!(made[0].amount, ProviderAmount::of(Money::pkr(9_800)));
    }

    #[tokio::test]
    async fn a_payout_reads_the_charge_when_the_payment_event_did_not_carry_it() {
        let mut transfers = MockTransferRepository::new();
        transfers
            .expect_due_transfer()
            .returning(|_, _| Box::pin(ready(Ok(Some(due(None))))));
        transfers
            .expect_begin_transfer()
            .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
        transfers
            .expect_transfer_succeeded()
            .withf(|_, _, id, paid, _| {
                id == "tr_1" && *paid == ProviderAmount::of(Money::pkr(9_800))
            })
            .times(1)
            .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
        let mut gateway = MockPaymentGateway::new();
        settles(&mut gateway, None);
        gateway
            .expect_transfer()
            .withf(|t| {
                t.source_transaction.as_deref() == Some("ch_1")
                    && t.idempotency_key == "transfer:1:20"
                    && t.amount == ProviderAmount::of(Money::pkr(9_800))
                    && t.transfer_group == "CART-000000000001"
            })
            .times(1)
            .returning(|_| Box::pin(ready(Ok("tr_1".into()))));
        let payouts = Payouts::new(
            transfers,
            MockRefundRepository::new(),
            gateway,
            FixedClock(Utc::now()),
        );
        assert_eq!(
            payouts.pay_out(OrderId(1), UserId(20)).await,
            JobOutcome::Done
        );
    }

    #[tokio::test]
    async fn a_charge_settled_in_another_currency_pays_the_sellers_share_of_it() {
        let usd = |minor| ProviderAmount {
            minor,
            currency: "usd".into(),
        };
        let mut transfers = MockTransferRepository::new();
        transfers
            .expect_due_transfer()
            .returning(|_, _| Box::pin(ready(Ok(Some(due(Some("ch_1")))))));
        transfers
            .expect_begin_transfer()
            .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
        transfers
            .expect_transfer_succeeded()
            .withf(move |_, _, _, paid, _| *paid == usd(35))
            .times(1)
            .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
        let mut gateway = MockPaymentGateway::new();
        settles(&mut gateway, Some(usd(53)));
        gateway
            .expect_transfer()
            .withf(move |t| t.amount == usd(35) && t.source_transaction.as_deref() == Some("ch_1"))
            .times(1)
            .returning(|_| Box::pin(ready(Ok("tr_1".into()))));
        let payouts = Payouts::new(
            transfers,
            MockRefundRepository::new(),
            gateway,
            FixedClock(Utc::now()),
        );
        assert_eq!(
            payouts.pay_out(OrderId(1), UserId(20)).await,
            JobOutcome::Done
        );
    }

    #[tokio::test]
    async fn a_reversal_of_a_settled_transfer_is_in_its_currency() {
        let mut part = reversal(TransferStatus::Succeeded, "tr_1");
        part.transferred = Some(ProviderAmount {
            minor: 35,
            currency: "usd".into(),
        });
        // The rest of the seller's amount: the rest of the transfer.
        part.reversed_before = Money::pkr(8_820);
        let work = work(Some("re_1"), part);
        let mut refunds = MockRefundRepository::new();
        refunds
            .expect_refund_work()
            .returning(move |_| Box::pin(ready(Ok(Some(work.clone())))));
        refunds
            .expect_reversal_sent()
            .times(1)
            .returning(|_, _, _| Box::pin(ready(Ok(()))));
        let mut gateway = MockPaymentGateway::new();
        gateway.expect_refund().never();
        gateway
            .expect_reverse_transfer()
            .withf(|c| {
                // 35 − round(35 × 8820 / 9800) = 35 − 32 = 3 cents.
                c.amount.minor == 3 && c.amount.currency == "usd"
            })
            .times(1)
            .returning(|_| Box::pin(ready(Ok("trr_1".into()))));
        let payouts = Payouts::new(
            MockTransferRepository::new(),
            refunds,
            gateway,
            FixedClock(Utc::now()),
        );
        assert_eq!(payouts.process_refund(RefundId(4)).await, JobOutcome::Done);
    }

    #[tokio::test]
    async fn a_payout_being_sent_is_waited_for_and_one_not_sent_yet_is_netted() {
        let work = work(Some("re_1"), reversal(TransferStatus::Pending, ""));
        let mut refunds = MockRefundRepository::new();
        refunds
            .expect_refund_work()
            .returning(move |_| Box::pin(ready(Ok(Some(work.clone())))));
        // First the payout is at the provider, then (a retry later) it turns out not sent.
        let mut calls = 0;
        refunds
            .expect_net_reversal()
            .withf(|r, s| *r == RefundId(4) && *s == UserId(20))
            .times(2)
            .returning(move |_, _| {
                calls += 1;
                Box::pin(ready(Ok(if calls == 1 {
                    Netting::InFlight
                } else {
                    Netting::Netted
                })))
            });
        let mut gateway = MockPaymentGateway::new();
        gateway.expect_refund().never();
        gateway.expect_reverse_transfer().never();
        let payouts = Payouts::new(
            MockTransferRepository::new(),
            refunds,
            gateway,
            FixedClock(Utc::now()),
        );
        assert!(matches!(
            payouts.process_refund(RefundId(4)).await,
            JobOutcome::Retry(_)
        ));
        assert_eq!(payouts.process_refund(RefundId(4)).await, JobOutcome::Done);
    }

    #[tokio::test]
    async fn a_payout_made_after_a_refund_is_sent_less_the_refunded_part() {
        let mut transfers = MockTransferRepository::new();
        transfers
            .expect_due_transfer()
            .returning(|_, _| Box::pin(ready(Ok(Some(due(Some("ch_1")))))));
        // Rs. 9.80 of the seller's Rs. 98.00 was refunded before the payout.
        transfers
            .expect_begin_transfer()
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(980))))));
        transfers
            .expect_transfer_succeeded()
            .withf(|_, _, id, paid, _| {
                id == "tr_1" && *paid == ProviderAmount::of(Money::pkr(9_800))
            })
            .times(1)
            .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
        let mut gateway = MockPaymentGateway::new();
        settles(&mut gateway, None);
        gateway
            .expect_transfer()
            .withf(|t| t.amount == ProviderAmount::of(Money::pkr(8_820)))
            .times(1)
            .returning(|_| Box::pin(ready(Ok("tr_1".into()))));
        let payouts = Payouts::new(
            transfers,
            MockRefundRepository::new(),
            gateway,
            FixedClock(Utc::now()),
        );
        assert_eq!(
            payouts.pay_out(OrderId(1), UserId(20)).await,
            JobOutcome::Done
        );
    }

    #[tokio::test]
    async fn a_payout_refunded_whole_before_it_was_made_sends_nothing() {
        let mut transfers = MockTransferRepository::new();
        transfers
            .expect_due_transfer()
            .returning(|_, _| Box::pin(ready(Ok(Some(due(Some("ch_1")))))));
        transfers
            .expect_begin_transfer()
            .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(9_800))))));
        transfers
            .expect_transfer_succeeded()
            .withf(|_, _, id, _, _| id.is_empty())
            .times(1)
            .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
        let mut gateway = MockPaymentGateway::new();
        settles(&mut gateway, None);
        gateway.expect_transfer().never();
        let payouts = Payouts::new(
            transfers,
            MockRefundRepository::new(),
            gateway,
            FixedClock(Utc::now()),
        );
        assert_eq!(
            payouts.pay_out(OrderId(1), UserId(20)).await,
            JobOutcome::Done
        );
    }

    #[tokio::test]
    async fn an_unknown_outcome_keeps_the_payout_processing_and_a_refusal_makes_it_pending() {
        for (error, then) in [
            (
                crate::order::payment::PaymentError::Unavailable("timeout".into()),
                TransferStatus::Processing,
            ),
            (
                crate::order::payment::PaymentError::Refused("no capability".into()),
                TransferStatus::Pending,
            ),
        ] {
            let mut transfers = MockTransferRepository::new();
            transfers
                .expect_due_transfer()
                .returning(|_, _| Box::pin(ready(Ok(Some(due(Some("ch_1")))))));
            transfers
                .expect_begin_transfer()
                .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
            transfers
                .expect_transfer_failed()
                .withf(move |_, _, _, t| *t == then)
                .times(1)
                .returning(|_, _, _, _| Box::pin(ready(Ok(()))));
            let mut gateway = MockPaymentGateway::new();
            settles(&mut gateway, None);
            let e = error.clone();
            gateway
                .expect_transfer()
                .returning(move |_| Box::pin(ready(Err(e.clone()))));
            let payouts = Payouts::new(
                transfers,
                MockRefundRepository::new(),
                gateway,
                FixedClock(Utc::now()),
            );
            assert!(matches!(
                payouts.pay_out(OrderId(1), UserId(20)).await,
                JobOutcome::Retry(_)
            ));
        }
    }
}
