//! Payment events (from the provider's webhook) and seller payouts.

use crate::checkout::{Party, PaymentReceipt, PaymentRecorded, StatusChange, StockRelease};
use crate::clock::Clock;
use crate::email::{EmailMessage, ReceiptLine};
use crate::ids::{OrderId, UserId};
use crate::job::{JobOutcome, JobPayload, NewJob};
use crate::notification::{NewNotification, NotificationType};
use crate::order::{Order, OrderItem, OrderStatus};
use crate::outbox::Outbox;
use crate::payment::{
    OrderAwaitingPayout, PaymentEvent, RequeueRefusal, TransferRequest, TransferStatus,
    TransferView,
};
use crate::ports::{OrderRepository, PaymentGateway, RefundRepository, TransferRepository};
use crate::store::StoreError;

/// What handling an event did (for logs and tests).
#[derive(Debug, Clone, PartialEq)]
pub enum EventOutcome {
    /// The order moved (paid, failed or expired).
    Applied(OrderId),
    /// Already applied, or the order had moved on; nothing changed.
    Unchanged,
    /// No order matches the event (or it names another order than its session).
    NoOrder,
    /// Paid after its units were sold to someone else: needs a refund.
    NeedsRefund(OrderId),
}

fn lines(items: &[&OrderItem]) -> Vec<ReceiptLine> {
    items
        .iter()
        .map(|i| ReceiptLine {
            name: i.product_name.clone(),
            quantity: i.quantity,
            unit_price: i.unit_price.to_decimal_string(),
            subtotal: i.subtotal.to_decimal_string(),
        })
        .collect()
}

fn linked(mut n: NewNotification, order: &Order) -> NewNotification {
    n.order_id = Some(order.id.get());
    n
}

/// The payout job of one seller's share of an order.
pub fn payout_job(order: OrderId, seller: UserId) -> NewJob {
    NewJob::now(JobPayload::PayOutSeller { order, seller })
        .unique(format!("transfer:{order}:{seller}"))
}

/// Everything a paid order sends: the buyer's receipt, each seller's sale (their lines only),
/// and one payout job per seller.
pub fn paid_outbox(order: &Order, buyer: &Party, sellers: &[Party]) -> Outbox {
    let mut out = Outbox::new().notify_by_email(
        linked(
            NewNotification::new(
                buyer.id,
                NotificationType::PaymentReceived,
                "Payment Successful",
                format!("Your payment for order {} has been received.", order.number),
            ),
            order,
        ),
        buyer.email.clone(),
        EmailMessage::OrderConfirmation {
            username: buyer.username.clone(),
            order_number: order.number.clone(),
            lines: lines(&order.items.iter().collect::<Vec<_>>()),
            total: order.total.to_decimal_string(),
            paid_at: order.paid_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        },
    );
    for share in &order.shares {
        let Some(seller) = sellers.iter().find(|p| p.id == share.seller) else {
            continue;
        };
        let mine: Vec<&OrderItem> = order
            .items
            .iter()
            .filter(|i| i.seller == seller.id)
            .collect();
        out = out
            .notify_by_email(
                linked(
                    NewNotification::new(
                        seller.id,
                        NotificationType::PaymentReceived,
                        "Payment Received",
                        format!(
                            "Payment received for order {}. Transfer will be processed shortly.",
                            order.number
                        ),
                    ),
                    order,
                ),
                seller.email.clone(),
                EmailMessage::NewSale {
                    username: seller.username.clone(),
                    order_number: order.number.clone(),
                    lines: lines(&mine),
                    subtotal: share.subtotal.to_decimal_string(),
                    platform_fee: share.fee.to_decimal_string(),
                    seller_amount: share.seller_amount.to_decimal_string(),
                },
            )
            .job(payout_job(order.id, seller.id));
    }
    out
}

/// What a failed or expired payment sends the buyer.
pub fn failed_outbox(order: &Order, buyer: &Party, reason: &str) -> Outbox {
    Outbox::new().notify_by_email(
        linked(
            NewNotification::new(
                buyer.id,
                NotificationType::General,
                "Payment not completed",
                format!(
                    "The payment for order {} did not go through: {reason}",
                    order.number
                ),
            ),
            order,
        ),
        buyer.email.clone(),
        EmailMessage::PaymentFailed {
            username: buyer.username.clone(),
            order_number: order.number.clone(),
            reason: reason.to_owned(),
        },
    )
}

/// Why an unpaid order's time ran out.
pub const EXPIRED: &str = "The time to pay ran out, so the order was cancelled.";

/// The payment use cases.
pub struct Payments<O, K> {
    orders: O,
    clock: K,
}

impl<O: OrderRepository, K: Clock> Payments<O, K> {
    /// Wires the service.
    pub fn new(orders: O, clock: K) -> Self {
        Self { orders, clock }
    }

    async fn find(
        &self,
        reference: &str,
        named: Option<OrderId>,
    ) -> Result<Option<OrderId>, StoreError> {
        let by_reference = self
            .orders
            .order_by_payment_reference(reference.to_owned())
            .await?;
        Ok(match (by_reference, named) {
            // A session or intent that belongs to another order than its metadata says is
            // never applied (the original trusted any session for any order).
            (Some(found), Some(named)) if found != named => None,
            (Some(found), _) => Some(found),
            (None, named) => named,
        })
    }

    /// Applies one verified provider event; a redelivered event changes nothing.
    pub async fn handle(
        &self,
        event_id: String,
        event: PaymentEvent,
    ) -> Result<EventOutcome, StoreError> {
        match event {
            PaymentEvent::SessionCompleted {
                session_id,
                order_id,
                payment_intent,
                charge,
                amount,
                paid,
            } => {
                // Delayed payment methods complete unpaid; payment_intent.succeeded follows.
                if !paid {
                    return Ok(EventOutcome::Unchanged);
                }
                let Some(id) = self.orders.order_by_payment_reference(session_id).await? else {
                    return Ok(EventOutcome::NoOrder);
                };
                if order_id.is_some_and(|named| named != id) {
                    return Ok(EventOutcome::NoOrder);
                }
                self.pay(id, event_id, payment_intent, charge, amount).await
            }
            PaymentEvent::PaymentSucceeded {
                payment_intent,
                order_id,
                charge,
                amount,
            } => {
                let Some(id) = self.find(&payment_intent, order_id).await? else {
                    return Ok(EventOutcome::NoOrder);
                };
                self.pay(id, event_id, Some(payment_intent), charge, amount)
                    .await
            }
            PaymentEvent::PaymentFailed {
                payment_intent,
                order_id,
                reason,
            } => {
                let Some(id) = self.find(&payment_intent, order_id).await? else {
                    return Ok(EventOutcome::NoOrder);
                };
                self.fail(id, Some(event_id), reason).await
            }
            PaymentEvent::SessionExpired {
                session_id,
                order_id,
            } => {
                let Some(id) = self.find(&session_id, order_id).await? else {
                    return Ok(EventOutcome::NoOrder);
                };
                self.fail(id, Some(event_id), EXPIRED.into()).await
            }
            PaymentEvent::AccountUpdated(_) | PaymentEvent::Ignored => Ok(EventOutcome::Unchanged),
        }
    }

    async fn pay(
        &self,
        id: OrderId,
        event: String,
        payment_intent: Option<String>,
        charge: Option<String>,
        amount: Option<crate::money::Money>,
    ) -> Result<EventOutcome, StoreError> {
        let Some(order) = self.orders.order(id).await? else {
            return Ok(EventOutcome::NoOrder);
        };
        // A session paid for another amount than the order's is not this order's payment.
        if amount.is_some_and(|a| a != order.total) {
            return Ok(EventOutcome::NoOrder);
        }
        let receipt = PaymentReceipt {
            event: Some(event),
            payment_intent,
            charge,
            amount: order.total,
        };
        let recorded = self
            .orders
            .record_payment(id, receipt, self.clock.now(), Box::new(paid_outbox))
            .await?;
        Ok(match recorded {
            PaymentRecorded::Paid(o) => EventOutcome::Applied(o.id),
            PaymentRecorded::AlreadyApplied => EventOutcome::Unchanged,
            PaymentRecorded::StockGone => EventOutcome::NeedsRefund(id),
        })
    }

    /// Voids an unpaid order (failed payment or expired session) and returns its units.
    pub async fn fail(
        &self,
        id: OrderId,
        event: Option<String>,
        reason: String,
    ) -> Result<EventOutcome, StoreError> {
        let change = StatusChange {
            order: id,
            from: vec![OrderStatus::PendingPayment],
            to: OrderStatus::PaymentFailed,
            release: StockRelease::Return,
            event,
            now: self.clock.now(),
        };
        let changed = self
            .orders
            .change_status(
                change,
                Box::new(move |o, buyer, _| failed_outbox(o, buyer, &reason)),
            )
            .await?;
        Ok(changed.map_or(EventOutcome::Unchanged, |o| EventOutcome::Applied(o.id)))
    }
}

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
        actor: &crate::user::User,
    ) -> Result<Vec<OrderAwaitingPayout>, crate::order::OrderError> {
        if !actor.is_admin() {
            return Err(crate::order::OrderError::Refused(
                403,
                "Only admins can access this endpoint".into(),
            ));
        }
        Ok(self.transfers.orders_awaiting_payout().await?)
    }

    /// Queues the payouts of an order that are missing, pending or failed; made ones are never
    /// made twice (the provider key stays `transfer:{order}:{seller}`).
    pub async fn trigger(
        &self,
        actor: &crate::user::User,
        order: Option<OrderId>,
    ) -> Result<Requeued, crate::order::OrderError> {
        use crate::order::OrderError;
        if !actor.is_admin() {
            return Err(OrderError::Refused(
                403,
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
            Err(RequeueRefusal::NoOrder) => Err(OrderError::Refused(404, "Order not found".into())),
            Err(RequeueRefusal::NotPaid(status)) => Err(OrderError::bad(format!(
                "Order must be paid. Current status: {}",
                status.as_str()
            ))),
            Err(RequeueRefusal::NoPayment) => Err(OrderError::Refused(
                404,
                "No payment record found for this order".into(),
            )),
        }
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
            let call = crate::payment::RefundCall {
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
                waiting = true;
                continue;
            }
            let call = crate::payment::ReversalCall {
                transfer_id: part.transfer_id.clone(),
                amount: part.amount,
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

    /// Pays one seller their share of one order, once (the provider dedupes on the key).
    pub async fn pay_out(&self, order: OrderId, seller: UserId) -> JobOutcome {
        let due = match self.transfers.due_transfer(order, seller).await {
            Ok(Some(due)) => due,
            Ok(None) => return JobOutcome::Fail(format!("no transfer for {order}/{seller}")),
            Err(e) => return JobOutcome::Retry(e.to_string()),
        };
        if due.status != TransferStatus::Pending {
            return JobOutcome::Done;
        }
        if due.destination.is_none() {
            // Held: the seller's account cannot receive yet. When it can, the account update
            // queues this payout again (same provider key).
            return JobOutcome::Done;
        }
        // Checkout's event names the payment intent, not its charge: ask the provider once.
        let charge = match (due.charge, due.payment_intent) {
            (Some(charge), _) => Some(charge),
            (None, Some(intent)) => match self.gateway.payment_charge(intent).await {
                Ok(charge) => charge,
                Err(e) if e.is_transient() => return JobOutcome::Retry(e.to_string()),
                Err(_) => None,
            },
            (None, None) => None,
        };
        let request = TransferRequest {
            destination: due.destination,
            amount: due.amount,
            source_transaction: charge,
            transfer_group: due.order_number,
            idempotency_key: format!("transfer:{order}:{seller}"),
        };
        match self.gateway.transfer(request).await {
            Ok(id) => match self
                .transfers
                .transfer_succeeded(order, seller, id, self.clock.now())
                .await
            {
                Ok(()) => JobOutcome::Done,
                // The retry reuses the idempotency key, so the provider will not pay twice.
                Err(e) => JobOutcome::Retry(e.to_string()),
            },
            Err(e) => {
                // Held (account not ready) or provider trouble: keep it pending and retry.
                let _ = self
                    .transfers
                    .transfer_failed(order, seller, e.to_string(), false)
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
    use crate::fixtures::order;
    use crate::money::Money;
    use crate::ports::MockOrderRepository;
    use chrono::Utc;
    use std::future::ready;

    fn by_reference(orders: &mut MockOrderRepository, found: Option<i64>) {
        orders
            .expect_order_by_payment_reference()
            .returning(move |_| Box::pin(ready(Ok(found.map(OrderId)))));
    }

    fn completed(order_id: Option<i64>, amount: i64, paid: bool) -> PaymentEvent {
        PaymentEvent::SessionCompleted {
            session_id: "cs_1".into(),
            order_id: order_id.map(OrderId),
            payment_intent: Some("pi_1".into()),
            charge: None,
            amount: Some(Money::pkr(amount)),
            paid,
        }
    }

    #[tokio::test]
    async fn a_session_is_applied_only_to_its_own_order_and_amount() {
        for (named, amount) in [(Some(2), 10_000), (Some(1), 9_999)] {
            let mut orders = MockOrderRepository::new();
            by_reference(&mut orders, Some(1));
            orders
                .expect_order()
                .returning(|_| Box::pin(ready(Ok(Some(order(1, 10, 20))))));
            orders.expect_record_payment().never();
            let p = Payments::new(orders, FixedClock(Utc::now()));
            let out = p.handle("evt".into(), completed(named, amount, true)).await;
            assert_eq!(out.unwrap(), EventOutcome::NoOrder, "{named:?} {amount}");
        }
    }

    #[tokio::test]
    async fn an_unpaid_completion_waits_and_a_paid_one_records_the_payment_once() {
        let mut orders = MockOrderRepository::new();
        orders.expect_record_payment().never();
        let p = Payments::new(orders, FixedClock(Utc::now()));
        assert_eq!(
            p.handle("evt".into(), completed(Some(1), 10_000, false))
                .await
                .unwrap(),
            EventOutcome::Unchanged
        );

        let mut orders = MockOrderRepository::new();
        by_reference(&mut orders, Some(1));
        orders
            .expect_order()
            .returning(|_| Box::pin(ready(Ok(Some(order(1, 10, 20))))));
        orders
            .expect_record_payment()
            .withf(|id, r, _, _| {
                *id == OrderId(1)
                    && r.event.as_deref() == Some("evt_9")
                    && r.payment_intent.as_deref() == Some("pi_1")
                    && r.amount == Money::pkr(10_000)
            })
            .times(1)
            .returning(|_, _, _, _| Box::pin(ready(Ok(PaymentRecorded::AlreadyApplied))));
        let p = Payments::new(orders, FixedClock(Utc::now()));
        assert_eq!(
            p.handle("evt_9".into(), completed(Some(1), 10_000, true))
                .await
                .unwrap(),
            EventOutcome::Unchanged
        );
    }

    #[tokio::test]
    async fn a_crash_after_the_provider_answered_retries_with_the_same_keys() {
        use crate::ids::RefundId;
        use crate::ports::{MockPaymentGateway, MockRefundRepository, MockTransferRepository};
        use crate::refund::{RefundWork, ReversalWork};
        use std::sync::{Arc, Mutex};

        let work = RefundWork {
            refund: RefundId(4),
            payment_intent: Some("pi_1".into()),
            amount: Money::pkr(1_000),
            provider_refund_id: None,
            reversals: vec![ReversalWork {
                seller: UserId(20),
                amount: Money::pkr(980),
                done: false,
                transfer_status: Some(TransferStatus::Succeeded),
                transfer_id: "tr_1".into(),
            }],
        };
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
                assert_eq!(call.amount, Money::pkr(980));
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
    async fn a_payout_reads_the_charge_when_the_payment_event_did_not_carry_it() {
        use crate::payment::DueTransfer;
        use crate::ports::{MockPaymentGateway, MockRefundRepository, MockTransferRepository};
        let mut transfers = MockTransferRepository::new();
        transfers.expect_due_transfer().returning(|order, seller| {
            Box::pin(ready(Ok(Some(DueTransfer {
                order_id: order,
                order_number: "CART-000000000001".into(),
                seller,
                destination: Some("acct_20".into()),
                amount: Money::pkr(9_800),
                charge: None,
                payment_intent: Some("pi_1".into()),
                status: TransferStatus::Pending,
            }))))
        });
        transfers
            .expect_transfer_succeeded()
            .withf(|_, _, id, _| id == "tr_1")
            .times(1)
            .returning(|_, _, _, _| Box::pin(ready(Ok(()))));
        let mut gateway = MockPaymentGateway::new();
        gateway
            .expect_payment_charge()
            .withf(|pi| pi == "pi_1")
            .times(1)
            .returning(|_| Box::pin(ready(Ok(Some("ch_1".into())))));
        gateway
            .expect_transfer()
            .withf(|t| {
                t.source_transaction.as_deref() == Some("ch_1")
                    && t.idempotency_key == "transfer:1:20"
                    && t.amount == Money::pkr(9_800)
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
    async fn a_payout_not_made_yet_is_waited_for_before_reversing() {
        use crate::ids::RefundId;
        use crate::ports::{MockPaymentGateway, MockRefundRepository, MockTransferRepository};
        use crate::refund::{RefundWork, ReversalWork};
        let mut refunds = MockRefundRepository::new();
        refunds.expect_refund_work().returning(|_| {
            Box::pin(ready(Ok(Some(RefundWork {
                refund: RefundId(4),
                payment_intent: Some("pi_1".into()),
                amount: Money::pkr(1_000),
                provider_refund_id: Some("re_1".into()),
                reversals: vec![ReversalWork {
                    seller: UserId(20),
                    amount: Money::pkr(980),
                    done: false,
                    transfer_status: Some(TransferStatus::Pending),
                    transfer_id: String::new(),
                }],
            }))))
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
    }

    #[test]
    fn the_paid_outbox_mails_each_party_and_queues_one_payout_per_seller() {
        let o = order(1, 10, 20);
        let party = |id: i64| Party {
            id: UserId(id),
            username: format!("u{id}"),
            email: format!("u{id}@example.pk"),
        };
        let out = paid_outbox(&o, &party(10), &[party(20)]);
        assert_eq!(out.notices.len(), 2);
        assert!(out.notices.iter().all(|n| n.email.is_some()
            && n.notification.order_id == Some(1)
            && n.notification.kind == NotificationType::PaymentReceived));
        assert_eq!(out.jobs, vec![payout_job(OrderId(1), UserId(20))]);
        assert_eq!(out.jobs[0].unique_key.as_deref(), Some("transfer:1:20"));
    }
}
