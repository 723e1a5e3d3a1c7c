//! Runs one job payload; the queue mechanics (claim, lease, retry) live in the adapter.

use crate::auction::bidding_service::AuctionLife;
use crate::auction::ports::BiddingRepository;
use crate::clock::Clock;
use crate::ids::{AuctionId, BidId, OrderId};
use crate::job::model::{JobOutcome, JobPayload};
use crate::job::ports::JobQueue;
use crate::notification::ports::{Mailer, NotificationRepository};
use crate::order::payout_service::Payouts;
use crate::order::ports::OrderRepository;
use crate::order::ports::{PaymentGateway, RefundRepository, TransferRepository};

/// The auction jobs the runner hands over (ending, reminders, outbid notices).
pub trait AuctionJobs: Send + Sync {
    /// Ends an auction whose time is up.
    fn end(&self, auction: AuctionId) -> impl Future<Output = JobOutcome> + Send;
    /// Reminds the buyer of an unpaid auction order.
    fn remind(&self, order: OrderId) -> impl Future<Output = JobOutcome> + Send;
    /// Tells a bidder they were outbid.
    fn notify_outbid(&self, bid: BidId) -> impl Future<Output = JobOutcome> + Send;
}

impl<B, O, G, Q, K> AuctionJobs for AuctionLife<B, O, G, Q, K>
where
    B: BiddingRepository,
    O: OrderRepository,
    G: PaymentGateway,
    Q: JobQueue,
    K: Clock,
{
    async fn end(&self, auction: AuctionId) -> JobOutcome {
        Self::end(self, auction).await
    }

    async fn remind(&self, order: OrderId) -> JobOutcome {
        Self::remind(self, order).await
    }

    async fn notify_outbid(&self, bid: BidId) -> JobOutcome {
        Self::notify_outbid(self, bid).await
    }
}

/// Executes job payloads against the ports.
pub struct JobRunner<M, N, C, T, R, G, L> {
    mailer: M,
    notifications: N,
    clock: C,
    payouts: Payouts<T, R, G, C>,
    auctions: L,
}

/// The ports payouts and refunds run against.
pub struct PayoutPorts<T, R, G> {
    /// Seller payouts.
    pub transfers: T,
    /// Refunds.
    pub refunds: R,
    /// The payment provider.
    pub gateway: G,
    /// Hold payouts to sellers whose email address is not verified.
    pub hold_unverified_sellers: bool,
}

impl<M, N, C, T, R, G, L> JobRunner<M, N, C, T, R, G, L>
where
    M: Mailer,
    N: NotificationRepository,
    C: Clock + Clone,
    T: TransferRepository,
    R: RefundRepository,
    G: PaymentGateway,
    L: AuctionJobs,
{
    /// Wires the runner.
    pub fn new(
        mailer: M,
        notifications: N,
        clock: C,
        payouts: PayoutPorts<T, R, G>,
        auctions: L,
    ) -> Self {
        Self {
            mailer,
            notifications,
            payouts: Payouts::new(
                payouts.transfers,
                payouts.refunds,
                payouts.gateway,
                clock.clone(),
            )
            .holding_unverified(payouts.hold_unverified_sellers),
            clock,
            auctions,
        }
    }

    /// The auction jobs (the worker's sweep also ends overdue auctions through them).
    pub fn auctions(&self) -> &L {
        &self.auctions
    }

    /// Runs one payload and says whether it is done, should be retried, or failed for good.
    pub async fn run(&self, payload: JobPayload) -> JobOutcome {
        match payload {
            JobPayload::SendEmail {
                email,
                notification,
            } => {
                if let Err(e) = self.mailer.send(email).await {
                    return if e.is_transient() {
                        JobOutcome::Retry(e.to_string())
                    } else {
                        JobOutcome::Fail(e.to_string())
                    };
                }
                if let Some(id) = notification {
                    // The email went out; if this bookkeeping fails the retry would resend, so
                    // record the failure but call the job done rather than email twice.
                    if let Err(e) = self.notifications.mark_emailed(id, self.clock.now()).await {
                        return JobOutcome::Fail(format!(
                            "sent, but not marked on notification {id}: {e}"
                        ));
                    }
                }
                JobOutcome::Done
            }
            JobPayload::PayOutSeller { order, seller } => self.payouts.pay_out(order, seller).await,
            JobPayload::ProcessRefund { refund } => self.payouts.process_refund(refund).await,
            JobPayload::ReturnPayment {
                order,
                payment_intent,
                amount,
            } => {
                self.payouts
                    .return_payment(order, payment_intent, amount)
                    .await
            }
            JobPayload::EndAuction { auction } => self.auctions.end(auction).await,
            JobPayload::PaymentReminder { order } => self.auctions.remind(order).await,
            JobPayload::NotifyOutbid { bid } => self.auctions.notify_outbid(bid).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::ids::NotificationId;
    use crate::notification::email::{Email, EmailMessage, MailError};
    use crate::notification::ports::{MockMailer, MockNotificationRepository};
    use crate::order::ports::{MockPaymentGateway, MockRefundRepository, MockTransferRepository};
    use chrono::Utc;
    use std::future::ready;

    fn payload() -> JobPayload {
        JobPayload::SendEmail {
            email: Email {
                to: "a@b.pk".into(),
                message: EmailMessage::Welcome {
                    username: "a".into(),
                },
                key: None,
            },
            notification: Some(NotificationId(4)),
        }
    }

    /// No auction work in these tests.
    struct NoAuctions;

    impl AuctionJobs for NoAuctions {
        async fn end(&self, _: AuctionId) -> JobOutcome {
            JobOutcome::Fail("unexpected".into())
        }

        async fn remind(&self, _: OrderId) -> JobOutcome {
            JobOutcome::Fail("unexpected".into())
        }

        async fn notify_outbid(&self, _: BidId) -> JobOutcome {
            JobOutcome::Fail("unexpected".into())
        }
    }

    type Runner = JobRunner<
        MockMailer,
        MockNotificationRepository,
        FixedClock,
        MockTransferRepository,
        MockRefundRepository,
        MockPaymentGateway,
        NoAuctions,
    >;

    fn wire(mailer: MockMailer, notes: MockNotificationRepository) -> Runner {
        JobRunner::new(
            mailer,
            notes,
            FixedClock(Utc::now()),
            PayoutPorts {
                transfers: MockTransferRepository::new(),
                refunds: MockRefundRepository::new(),
                gateway: MockPaymentGateway::new(),
                hold_unverified_sellers: false,
            },
            NoAuctions,
        )
    }

    #[tokio::test]
    async fn sends_and_marks_the_notification() {
        let mut mailer = MockMailer::new();
        mailer
            .expect_send()
            .times(1)
            .returning(|_| Box::pin(ready(Ok(()))));
        let mut notes = MockNotificationRepository::new();
        notes
            .expect_mark_emailed()
            .withf(|id, _| *id == NotificationId(4))
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok(()))));
        let runner = wire(mailer, notes);
        assert_eq!(runner.run(payload()).await, JobOutcome::Done);
    }

    #[tokio::test]
    async fn transport_errors_retry_and_template_errors_fail() {
        let mut mailer = MockMailer::new();
        mailer
            .expect_send()
            .times(1)
            .returning(|_| Box::pin(ready(Err(MailError::Transport("down".into())))));
        let mut notes = MockNotificationRepository::new();
        notes.expect_mark_emailed().never();
        let runner = wire(mailer, notes);
        assert!(matches!(runner.run(payload()).await, JobOutcome::Retry(_)));

        let mut mailer = MockMailer::new();
        mailer
            .expect_send()
            .returning(|_| Box::pin(ready(Err(MailError::Template("bad".into())))));
        let runner = wire(mailer, MockNotificationRepository::new());
        assert!(matches!(runner.run(payload()).await, JobOutcome::Fail(_)));
    }
}
