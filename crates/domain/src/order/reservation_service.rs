//! Time-driven stock upkeep, run periodically by the worker: lapsed cart holds are released, the
//! buyer is told once before a hold lapses, abandoned carts are cleared, and orders whose payment
//! deadline passed are voided with their units returned.

use chrono::Duration;

use crate::clock::Clock;
use crate::notification::email::EmailMessage;
use crate::notification::model::{NewNotification, NotificationType};
use crate::order::payment_service::{EXPIRED, Payments};
use crate::order::ports::{OrderRepository, ReservationRepository};
use crate::outbox::Outbox;
use crate::store::StoreError;

/// Sweep settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReservationSettings {
    /// Tell the buyer this long before a hold lapses.
    pub notice_before: Duration,
    /// Carts untouched this long are cleared.
    pub abandoned_after: Duration,
    /// Unpaid auction wins before an account is blocked.
    pub block_after: i32,
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Cart lines whose hold was released.
    pub released: usize,
    /// Expiry notices sent.
    pub notices: usize,
    /// Abandoned carts cleared.
    pub carts_cleared: usize,
    /// Unpaid orders voided.
    pub orders_expired: usize,
}

/// The sweep.
pub struct Reservations<R, O, K> {
    store: R,
    payments: Payments<O, K>,
    clock: K,
    settings: ReservationSettings,
}

impl<R: ReservationRepository, O: OrderRepository, K: Clock + Clone> Reservations<R, O, K> {
    /// Wires the service.
    pub fn new(store: R, orders: O, clock: K, settings: ReservationSettings) -> Self {
        Self {
            store,
            payments: Payments::new(orders, clock.clone()).block_after(settings.block_after),
            clock,
            settings,
        }
    }

    /// One pass; safe to run on several workers at once (every step is conditional).
    pub async fn sweep(&self) -> Result<SweepReport, StoreError> {
        let now = self.clock.now();
        let mut report = SweepReport {
            released: self.store.release_lapsed_holds(now).await?,
            ..SweepReport::default()
        };
        for cart in self
            .store
            .carts_expiring(now, now + self.settings.notice_before)
            .await?
        {
            // Rounded up: "5 minutes" while 4 min 30 s remain reads better than "4".
            let minutes_left = ((cart.until - now).num_seconds() + 59) / 60;
            let outbox = Outbox::new().notify_by_email(
                NewNotification::new(
                    cart.owner.id,
                    NotificationType::General,
                    "Your cart items will be released soon",
                    format!(
                        "We hold the items in your cart for {minutes_left} more minutes. Check out to keep them."
                    ),
                ),
                cart.owner.email.clone(),
                EmailMessage::CartExpiring {
                    username: cart.owner.username.clone(),
                    products: cart.products.clone(),
                    minutes_left,
                },
            );
            if self
                .store
                .record_expiry_notice(cart.cart, cart.until, outbox)
                .await?
            {
                report.notices += 1;
            }
        }
        report.carts_cleared = self
            .store
            .clear_abandoned_carts(now - self.settings.abandoned_after)
            .await?;
        for order in self.store.unpaid_orders_due(now, 100).await? {
            if let crate::order::payment_service::EventOutcome::Applied(_) =
                self.payments.fail(order, None, EXPIRED.into()).await?
            {
                report.orders_expired += 1;
            }
        }
        Ok(report)
    }
}
