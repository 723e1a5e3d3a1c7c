//! Live bidding (REST and WebSocket share it) and the life of an auction after its end: the
//! winner's order and payment link, reminders, and the outbid notices bids leave behind.

use chrono::{DateTime, Utc};

use crate::auction_end::{EndSettings, Ended, end_job, plan, reminder_job, won_email};
use crate::bid::{
    BidError, BidRules, NewBid, PlacedBid, check_amount, check_bidder, outbid_outbox,
};
use crate::clock::Clock;
use crate::email::{Email, EmailMessage};
use crate::ids::{AuctionId, BidId, OrderId};
use crate::job::{JobOutcome, JobPayload, NewJob};
use crate::money::Money;
use crate::order::OrderStatus;
use crate::payment::SessionRequest;
use crate::ports::{BiddingRepository, JobQueue, OrderRepository, PaymentGateway};
use crate::user::User;
use crate::validation::FieldErrors;

/// How often a bid the store refused is re-checked and tried again (the auction may have
/// opened in between); refusals for good come back at once.
const ATTEMPTS: usize = 2;

/// The bidding use case.
pub struct Bidding<B, K> {
    bids: B,
    clock: K,
    rules: BidRules,
}

impl<B: BiddingRepository, K: Clock> Bidding<B, K> {
    /// Wires the service.
    pub fn new(bids: B, clock: K, rules: BidRules) -> Self {
        Self { bids, clock, rules }
    }

    /// The rules in force.
    pub fn rules(&self) -> &BidRules {
        &self.rules
    }

    /// Places a bid. `amount` is the parsed body field: its errors are reported after the
    /// auction's (the contract's order). The common path is one atomic write; a refusal is
    /// explained from a fresh read of the auction.
    pub async fn place(
        &self,
        bidder: Option<&User>,
        auction: AuctionId,
        amount: Result<Money, FieldErrors>,
    ) -> Result<PlacedBid, BidError> {
        let user = bidder.ok_or(BidError::Unauthenticated)?;
        for _ in 0..ATTEMPTS {
            if let (false, Ok(amount)) = (user.is_blocked, &amount) {
                let bid = NewBid {
                    auction,
                    bidder: user.id,
                    amount: *amount,
                    now: self.clock.now(),
                    rules: self.rules.clone(),
                };
                if let Some(placed) = self.bids.place_bid(bid).await? {
                    return Ok(placed);
                }
            }
            let snapshot = self.bids.bid_snapshot(auction).await?;
            let a = check_bidder(snapshot.as_ref(), user, self.clock.now())?;
            match &amount {
                Err(fields) => return Err(BidError::Invalid(fields.clone())),
                Ok(amount) => check_amount(a, *amount, &self.rules)?,
            }
            // It passes now: the auction changed between the write and the read; try again.
        }
        Err(BidError::NotActive)
    }
}

/// Endings, payment links, reminders and outbid notices (run by the job queue).
pub struct AuctionLife<B, O, G, Q, K> {
    bids: B,
    orders: O,
    gateway: G,
    jobs: Q,
    clock: K,
    settings: EndSettings,
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl<B, O, G, Q, K> AuctionLife<B, O, G, Q, K>
where
    B: BiddingRepository,
    O: OrderRepository,
    G: PaymentGateway,
    Q: JobQueue,
    K: Clock,
{
    /// Wires the service.
    pub fn new(bids: B, orders: O, gateway: G, jobs: Q, clock: K, settings: EndSettings) -> Self {
        Self {
            bids,
            orders,
            gateway,
            jobs,
            clock,
            settings,
        }
    }

    /// Ends an auction whose time is up; a won auction's order gets its payment link, the
    /// winner's email and a reminder. Safe to run again: each step happens once.
    pub async fn end(&self, auction: AuctionId) -> JobOutcome {
        let now = self.clock.now();
        let settings = self.settings;
        let planner = Box::new(move |facts: &crate::auction_end::EndFacts, entropy: u64| {
            plan(facts, now, settings, entropy)
        });
        let ended = match self.bids.end_auction(auction, now, planner).await {
            Ok(e) => e,
            Err(e) => return JobOutcome::Retry(e.to_string()),
        };
        match ended {
            Ended::NotFound | Ended::Closed(None) => JobOutcome::Done,
            Ended::NotDue(end) => match self.jobs.enqueue(end_job(auction, end)).await {
                // A later bid moved the end: its own job ends it then.
                Ok(_) => JobOutcome::Done,
                Err(e) => JobOutcome::Retry(e.to_string()),
            },
            Ended::Closed(Some(won)) => match self.open_payment(&won).await {
                Ok(()) => JobOutcome::Done,
                Err(e) => JobOutcome::Retry(e),
            },
        }
    }

    async fn open_payment(&self, won: &crate::auction_end::WonOrder) -> Result<(), String> {
        let order = self
            .orders
            .order(won.order)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("order {} is gone", won.order))?;
        if order.status != OrderStatus::PendingPayment {
            return Ok(());
        }
        let deadline = order
            .payment_deadline
            .unwrap_or_else(|| self.clock.now() + self.settings.payment_window);
        let order = if order.payment_url.is_empty() {
            // Checkout sessions last at most a day: this one closes a little before the
            // deadline, computed from the deadline alone so a retry sends the same request.
            // Its expiry does not void the order; the deadline does (see payments::handle).
            let request = SessionRequest {
                order_id: order.id,
                order_number: order.number.clone(),
                order_type: order.order_type,
                buyer: order.buyer,
                seller: order.seller,
                amount: order.total,
                description: won.product.clone(),
                expires_at: deadline - chrono::Duration::minutes(5),
            };
            let session = self
                .gateway
                .create_session(request)
                .await
                .map_err(|e| e.to_string())?;
            self.orders
                .attach_session(order.id, session.clone())
                .await
                .map_err(|e| e.to_string())?;
            let mut order = order;
            order.payment_url = session.url;
            order.payment_reference = session.id;
            order
        } else {
            order
        };
        let email = NewJob::now(JobPayload::SendEmail {
            email: Email {
                to: won.winner.email.clone(),
                message: won_email(won, &order, when(deadline)),
            },
            notification: None,
        })
        .unique(format!("won:{}", order.id));
        self.jobs.enqueue(email).await.map_err(|e| e.to_string())?;
        self.jobs
            .enqueue(reminder_job(
                order.id,
                deadline - self.settings.reminder_before,
            ))
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Reminds the buyer of an auction order still unpaid.
    pub async fn remind(&self, order: OrderId) -> JobOutcome {
        let found = match self.orders.order(order).await {
            Ok(o) => o,
            Err(e) => return JobOutcome::Retry(e.to_string()),
        };
        let Some(o) = found.filter(|o| o.status == OrderStatus::PendingPayment) else {
            return JobOutcome::Done;
        };
        let Some(email) = self.buyer_email(&o).await else {
            return JobOutcome::Done;
        };
        let message = EmailMessage::PaymentReminder {
            username: o.buyer_username.clone(),
            order_number: o.number.clone(),
            amount: o.total.to_decimal_string(),
            deadline: o.payment_deadline.map(when).unwrap_or_default(),
            payment_url: o.payment_url.clone(),
        };
        let mut n = crate::notification::NewNotification::new(
            o.buyer,
            crate::notification::NotificationType::PaymentReminder,
            "Payment reminder",
            format!(
                "Order {} is waiting for your payment of Rs. {}.",
                o.number,
                o.total.to_decimal_string()
            ),
        );
        n.order_id = Some(o.id.get());
        let outbox = crate::outbox::Outbox::new().notify_by_email(n, email, message);
        match self
            .bids
            .write_outbox(outbox, format!("reminded:{}", o.id))
            .await
        {
            Ok(_) => JobOutcome::Done,
            Err(e) => JobOutcome::Retry(e.to_string()),
        }
    }

    async fn buyer_email(&self, order: &crate::order::Order) -> Option<String> {
        self.bids.email_of(order.buyer).await.ok().flatten()
    }

    /// Tells the bidder a bid outbid (once).
    pub async fn notify_outbid(&self, bid: BidId) -> JobOutcome {
        match self.bids.notify_outbid(bid, Box::new(outbid_outbox)).await {
            Ok(()) => JobOutcome::Done,
            Err(e) => JobOutcome::Retry(e.to_string()),
        }
    }

    /// Ends every auction whose time is up (a backstop for their end jobs).
    pub async fn end_due(&self, limit: i64) -> usize {
        let due = self
            .bids
            .auctions_due(self.clock.now(), limit)
            .await
            .unwrap_or_default();
        let mut ended = 0;
        for auction in due {
            if self.end(auction).await == JobOutcome::Done {
                ended += 1;
            }
        }
        ended
    }
}
