//! Runs one job payload; the queue mechanics (claim, lease, retry) live in the adapter.

use crate::clock::Clock;
use crate::job::{JobOutcome, JobPayload};
use crate::ports::{
    Mailer, NotificationRepository, PaymentGateway, RefundRepository, TransferRepository,
};
use crate::services::payouts::Payouts;

/// Executes job payloads against the ports.
pub struct JobRunner<M, N, C, T, R, G> {
    mailer: M,
    notifications: N,
    clock: C,
    payouts: Payouts<T, R, G, C>,
}

impl<M, N, C, T, R, G> JobRunner<M, N, C, T, R, G>
where
    M: Mailer,
    N: NotificationRepository,
    C: Clock + Clone,
    T: TransferRepository,
    R: RefundRepository,
    G: PaymentGateway,
{
    /// Wires the runner.
    pub fn new(
        mailer: M,
        notifications: N,
        clock: C,
        transfers: T,
        refunds: R,
        gateway: G,
    ) -> Self {
        Self {
            mailer,
            notifications,
            payouts: Payouts::new(transfers, refunds, gateway, clock.clone()),
            clock,
        }
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::email::{Email, EmailMessage, MailError};
    use crate::ids::NotificationId;
    use crate::ports::{
        MockMailer, MockNotificationRepository, MockPaymentGateway, MockRefundRepository,
        MockTransferRepository,
    };
    use chrono::Utc;
    use std::future::ready;

    fn payload() -> JobPayload {
        JobPayload::SendEmail {
            email: Email {
                to: "a@b.pk".into(),
                message: EmailMessage::Welcome {
                    username: "a".into(),
                },
            },
            notification: Some(NotificationId(4)),
        }
    }

    type Runner = JobRunner<
        MockMailer,
        MockNotificationRepository,
        FixedClock,
        MockTransferRepository,
        MockRefundRepository,
        MockPaymentGateway,
    >;

    fn wire(mailer: MockMailer, notes: MockNotificationRepository) -> Runner {
        JobRunner::new(
            mailer,
            notes,
            FixedClock(Utc::now()),
            MockTransferRepository::new(),
            MockRefundRepository::new(),
            MockPaymentGateway::new(),
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
