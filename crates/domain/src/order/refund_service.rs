//! Refund requests: an admin for any order, a seller for their own lines. The plan is made under
//! a lock on the order and recorded with its effects; a job then carries it out at the provider.

use crate::account::user::User;
use crate::clock::Clock;
use crate::ids::{OrderId, RefundId};
use crate::job::model::{JobPayload, NewJob};
use crate::notification::email::EmailMessage;
use crate::notification::model::{NewNotification, NotificationType};
use crate::order::model::{Order, OrderError, OrderStatus};
use crate::order::ports::{OrderRepository, RefundRepository};
use crate::order::refund::{NewRefund, RefundPlan, RefundRecord, RefundRequest, plan_refund};
use crate::outbox::Outbox;

/// Attempts of a refund job: it waits (with backoff up to an hour) for payouts still pending.
pub const REFUND_ATTEMPTS: i32 = 60;

/// The job that carries out a refund.
pub fn refund_job(refund: RefundId) -> NewJob {
    let mut job =
        NewJob::now(JobPayload::ProcessRefund { refund }).unique(format!("refund:{refund}"));
    job.max_attempts = REFUND_ATTEMPTS;
    job
}

/// The refund use cases.
pub struct Refunds<R, O, K> {
    refunds: R,
    orders: O,
    clock: K,
}

fn outbox(
    order: &Order,
    buyer: &crate::order::checkout::Party,
    sellers: &[crate::order::checkout::Party],
    plan: &RefundPlan,
) -> Outbox {
    let amount = plan.amount.to_decimal_string();
    let mut n = NewNotification::new(
        buyer.id,
        NotificationType::General,
        "Refund issued",
        format!(
            "Rs. {amount} of order {} is being refunded to you.",
            order.number
        ),
    );
    n.order_id = Some(order.id.get());
    let mut out = Outbox::new().notify_by_email(
        n,
        buyer.email.clone(),
        EmailMessage::RefundIssued {
            username: buyer.username.clone(),
            order_number: order.number.clone(),
            amount: amount.clone(),
            full: plan.completes,
        },
    );
    for part in &plan.sellers {
        let Some(seller) = sellers.iter().find(|s| s.id == part.seller) else {
            continue;
        };
        let title = "Refund on your sale";
        let message = format!(
            "Rs. {} of order {} was refunded to the buyer; Rs. {} is taken back from your payout.",
            part.amount, order.number, part.reversal
        );
        let mut n =
            NewNotification::new(seller.id, NotificationType::General, title, message.clone());
        n.order_id = Some(order.id.get());
        out = out.notify_by_email(
            n,
            seller.email.clone(),
            EmailMessage::Notice {
                username: seller.username.clone(),
                title: title.into(),
                message,
            },
        );
    }
    out
}

impl<R: RefundRepository, O: OrderRepository, K: Clock> Refunds<R, O, K> {
    /// Wires the service.
    pub fn new(refunds: R, orders: O, clock: K) -> Self {
        Self {
            refunds,
            orders,
            clock,
        }
    }

    /// Refunds (part of) an order. A seller may refund only their own lines and money.
    pub async fn refund(
        &self,
        actor: &User,
        order: OrderId,
        request: RefundRequest,
        restock: bool,
        reason: String,
    ) -> Result<(RefundRecord, Order), OrderError> {
        let current = self
            .orders
            .order(order)
            .await?
            .ok_or(OrderError::NotFound)?;
        let only = if actor.is_admin() {
            None
        } else if current.sells(actor.id) {
            Some(actor.id)
        } else if current.buyer == actor.id {
            return Err(OrderError::Forbidden(
                "Only admins and the order's sellers can issue refunds".into(),
            ));
        } else {
            return Err(OrderError::NotFound);
        };
        let planner = Box::new(move |state: &crate::order::refund::RefundState| {
            if !state.status.can_become(OrderStatus::PartiallyRefunded) {
                return Err(OrderError::Illegal(format!(
                    "An order that is {} cannot be refunded",
                    state.status.as_str()
                )));
            }
            plan_refund(&state.lines, &state.ledgers, &request, only).map(Some)
        });
        let new = NewRefund {
            order,
            restock,
            reason,
            requested_by: Some(actor.id),
            provider_refund_id: None,
            now: self.clock.now(),
        };
        let record = self
            .refunds
            .record_refund(new, planner, Box::new(refund_outbox))
            .await?
            .ok_or(OrderError::NotFound)?;
        let after = self
            .orders
            .order(order)
            .await?
            .ok_or(OrderError::NotFound)?;
        Ok((record, after))
    }

    /// Accounts for refunds made at the provider (its dashboard), from the charge's cumulative
    /// refunded amount: what exceeds the refunds recorded here becomes a refund by amount,
    /// already paid to the buyer, whose reversals the refund job then makes. Our own refunds
    /// are recorded before the provider is called, so they never count as excess, and a
    /// redelivered or older report finds nothing left to record.
    pub async fn reconcile(&self, report: RefundReport) -> Result<Reconciled, OrderError> {
        let RefundReport {
            payment_intent,
            transfer_group,
            amount_refunded,
            provider_refund,
        } = report;
        // By the payment intent once the payment is recorded, else by the order number.
        let mut order = None;
        for reference in [payment_intent, transfer_group].into_iter().flatten() {
            order = self.orders.order_by_payment_reference(reference).await?;
            if order.is_some() {
                break;
            }
        }
        let Some(order) = order else {
            return Ok(Reconciled::NoOrder);
        };
        let planner = Box::new(move |state: &crate::order::refund::RefundState| {
            let recorded = state
                .ledgers
                .iter()
                .try_fold(
                    crate::money::Money::zero(amount_refunded.currency()),
                    |sum, l| sum.checked_add(l.refunded),
                )
                .map_err(|_| OrderError::bad("amount out of range"))?;
            let Ok(excess) = amount_refunded.checked_sub(recorded) else {
                return Ok(None);
            };
            if excess.minor() <= 0 {
                return Ok(None);
            }
            if state.status == OrderStatus::PendingPayment {
                // The payment's own event has not arrived yet: refuse, so it comes again.
                return Err(OrderError::Illegal(
                    "the payment is not recorded yet".into(),
                ));
            }
            if !state.status.can_become(OrderStatus::PartiallyRefunded) {
                return Ok(None);
            }
            plan_refund(
                &state.lines,
                &state.ledgers,
                &RefundRequest::Amount(excess),
                None,
            )
            .map(Some)
        });
        let new = NewRefund {
            order,
            restock: false,
            reason: "Refunded at the payment provider".into(),
            requested_by: None,
            provider_refund_id: Some(provider_refund.unwrap_or_default()),
            now: self.clock.now(),
        };
        match self
            .refunds
            .record_refund(new, planner, Box::new(refund_outbox))
            .await
        {
            Ok(Some(record)) => Ok(Reconciled::Recorded(record)),
            Ok(None) => Ok(Reconciled::Unchanged),
            Err(OrderError::Illegal(_)) => Ok(Reconciled::NotYet),
            Err(e) => Err(e),
        }
    }
}

/// A provider's report of a charge's refunds (`charge.refunded`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReport {
    /// The charge's payment intent.
    pub payment_intent: Option<String>,
    /// The charge's transfer group (the order number).
    pub transfer_group: Option<String>,
    /// Everything refunded on the charge so far.
    pub amount_refunded: crate::money::Money,
    /// The newest refund's id, when listed.
    pub provider_refund: Option<String>,
}

/// What a provider's refund report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    /// A refund made at the provider was recorded.
    Recorded(RefundRecord),
    /// Everything refunded was already recorded.
    Unchanged,
    /// No order has this payment.
    NoOrder,
    /// The order's payment is not recorded yet; the report must come again.
    NotYet,
}

/// The outbox of a recorded refund: buyer and affected sellers told, the job queued.
pub fn refund_outbox(
    order: &Order,
    buyer: &crate::order::checkout::Party,
    sellers: &[crate::order::checkout::Party],
    refund: RefundId,
    plan: &RefundPlan,
) -> Outbox {
    outbox(order, buyer, sellers, plan).job(refund_job(refund))
}
