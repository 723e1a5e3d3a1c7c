//! Payment events (from the provider's webhook) and seller payouts.

use crate::clock::Clock;
use crate::ids::{OrderId, UserId};
use crate::job::model::{JobPayload, NewJob};
use crate::notification::email::{EmailMessage, ReceiptLine};
use crate::notification::model::{NewNotification, NotificationType};
use crate::order::checkout::{Party, PaymentReceipt, PaymentRecorded, StatusChange, StockRelease};
use crate::order::model::{Order, OrderItem, OrderStatus};
use crate::order::payment::PaymentEvent;
use crate::order::ports::OrderRepository;
use crate::outbox::Outbox;
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

/// The refund of a payment that came for an order that can no longer be filled: whole, once
/// per order.
pub fn returned_job(order: OrderId, receipt: &PaymentReceipt) -> NewJob {
    NewJob::now(JobPayload::ReturnPayment {
        order,
        payment_intent: receipt.payment_intent.clone(),
        amount: receipt.amount,
    })
    .unique(format!("return:{order}"))
}

/// What the buyer is told when such a payment is refunded.
pub fn returned_outbox(order: &Order, buyer: &Party, receipt: &PaymentReceipt) -> Outbox {
    Outbox::new().notify_by_email(
        linked(
            NewNotification::new(
                buyer.id,
                NotificationType::General,
                "Payment refunded",
                format!(
                    "Your payment for order {} arrived after the order had closed; it is refunded in full.",
                    order.number
                ),
            ),
            order,
        ),
        buyer.email.clone(),
        EmailMessage::RefundIssued {
            username: buyer.username.clone(),
            order_number: order.number.clone(),
            amount: receipt.amount.to_decimal_string(),
            full: true,
        },
    )
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
    block_after: i32,
}

impl<O: OrderRepository, K: Clock> Payments<O, K> {
    /// Wires the service (accounts blocked at the original's 3 unpaid auction wins).
    pub fn new(orders: O, clock: K) -> Self {
        Self {
            orders,
            clock,
            block_after: crate::order::violation::BLOCK_AFTER,
        }
    }

    /// Blocks accounts at `n` unpaid auction wins instead (0: never).
    #[must_use]
    pub const fn block_after(mut self, n: i32) -> Self {
        self.block_after = n;
        self
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
                // An auction win is not voided by its session closing (sessions last a day at
                // most) but by its payment deadline, which also records the violation.
                let order = self.orders.order(id).await?;
                if order.is_some_and(|o| o.order_type == crate::order::model::OrderType::Auction) {
                    return Ok(EventOutcome::Unchanged);
                }
                self.fail(id, Some(event_id), EXPIRED.into()).await
            }
            // Account, refund and reversal reports have their own services.
            PaymentEvent::AccountUpdated(_)
            | PaymentEvent::ChargeRefunded { .. }
            | PaymentEvent::TransferReversed { .. }
            | PaymentEvent::Ignored => Ok(EventOutcome::Unchanged),
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

    /// Voids an unpaid order (failed payment or expired session) and returns its units; an
    /// auction win also counts a payment violation against the winner (see `violation`).
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
            violation: Some(self.block_after),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::fixtures::order;
    use crate::money::Money;
    use crate::order::ports::MockOrderRepository;
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
