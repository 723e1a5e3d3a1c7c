//! Live bidding (REST and WebSocket share it) and the life of an auction after its end: the
//! winner's order and payment link, reminders, and the outbid notices bids leave behind.

use chrono::{DateTime, Utc};

use crate::account::user::User;
use crate::auction::bid::{
    BidError, BidRules, NewBid, PlacedBid, check_amount, check_bidder, outbid_outbox,
};
use crate::auction::ending::{EndSettings, Ended, end_job, plan, reminder_job, won_email};
use crate::auction::ports::BiddingRepository;
use crate::clock::Clock;
use crate::ids::{AuctionId, BidId, OrderId};
use crate::job::model::{JobOutcome, JobPayload, NewJob};
use crate::job::ports::JobQueue;
use crate::money::Money;
use crate::notification::email::{Email, EmailMessage};
use crate::order::model::OrderStatus;
use crate::order::payment::SessionRequest;
use crate::order::ports::{OrderRepository, PaymentGateway};
use crate::validation::FieldErrors;

/// How often a bid the store refused is re-checked and tried again (the auction may have
/// opened in between); refusals for good come back at once.
const ATTEMPTS: usize = 2;

/// Counter-bids one accepted bid may set off.
const PROXY_ROUNDS: usize = 4;

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
        self.place_up_to(bidder, auction, amount, None).await
    }

    /// As [`Self::place`], leaving `max` as the bidder's standing maximum when proxy bidding
    /// is on (ignored otherwise); after the bid, the standing maximums answer it.
    pub async fn place_up_to(
        &self,
        bidder: Option<&User>,
        auction: AuctionId,
        amount: Result<Money, FieldErrors>,
        max: Option<Money>,
    ) -> Result<PlacedBid, BidError> {
        let placed = self.place_once(bidder, auction, amount).await?;
        if self.rules.proxy {
            if let Some(max) = max.filter(|m| *m >= placed.amount) {
                // The bid stands whatever happens here: a maximum that could not be stored
                // must not report the stored bid as failed (a retry would bid again).
                let _ = self.bids.set_proxy_max(auction, placed.bidder, max).await;
            }
            self.answer_with_proxies(auction).await;
        }
        Ok(placed)
    }

    /// Counter-bids from standing maximums until none can move the price (a few rounds at
    /// most: each raises it by at least a step). Best effort: a bid racing in meanwhile wins
    /// the write and runs this itself, and a failure here never undoes the bid that ran it.
    async fn answer_with_proxies(&self, auction: AuctionId) {
        for _ in 0..PROXY_ROUNDS {
            let Ok(Some(contest)) = self.bids.proxy_contest(auction).await else {
                return;
            };
            let Some((bidder, amount)) = crate::auction::proxy::counter_bid(&contest, &self.rules)
            else {
                return;
            };
            let bid = NewBid {
                auction,
                bidder,
                amount,
                now: self.clock.now(),
                rules: self.rules.clone(),
            };
            if !matches!(self.bids.place_bid(bid).await, Ok(Some(_))) {
                return;
            }
        }
    }

    async fn place_once(
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
        let planner = Box::new(
            move |facts: &crate::auction::ending::EndFacts, entropy: u64| {
                plan(facts, now, settings, entropy)
            },
        );
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

    /// An admin ends an active auction now: its end moves to now and the real ending runs
    /// (winner, order, emails), as when its time is up. `Err` names why it was refused.
    pub async fn end_now(&self, admin: &User, auction: AuctionId) -> Result<(), String> {
        if !admin.is_admin() {
            return Err("only admins can end auctions".into());
        }
        let now = self.clock.now();
        if !self
            .bids
            .cut_short(auction, now)
            .await
            .map_err(|e| e.to_string())?
        {
            return Err("the auction is not active".into());
        }
        match self.end(auction).await {
            JobOutcome::Retry(e) | JobOutcome::Fail(e) => Err(e),
            JobOutcome::Done => Ok(()),
        }
    }

    async fn open_payment(&self, won: &crate::auction::ending::WonOrder) -> Result<(), String> {
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
                created_at: order.created_at,
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
                key: None,
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
        let mut n = crate::notification::model::NewNotification::new(
            o.buyer,
            crate::notification::model::NotificationType::PaymentReminder,
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

    async fn buyer_email(&self, order: &crate::order::model::Order) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;
    use crate::auction::bid::BidSnapshot;
    use crate::auction::model::AuctionStatus;
    use crate::auction::ports::MockBiddingRepository;
    use crate::auction::proxy::{Contest, ProxyMax};
    use crate::clock::FixedClock;
    use crate::fixtures::user;
    use crate::ids::UserId;
    use std::future::ready;
    use std::sync::{Arc, Mutex};

    const AUCTION: AuctionId = AuctionId(9);

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn placed(bid: &NewBid) -> PlacedBid {
        PlacedBid {
            id: BidId(1),
            auction: bid.auction,
            bidder: bid.bidder,
            amount: bid.amount,
            bid_time: bid.now,
            end_time: bid.now + chrono::Duration::hours(1),
        }
    }

    fn snapshot(status: AuctionStatus, current: i64) -> BidSnapshot {
        BidSnapshot {
            auction: AUCTION,
            status,
            start_time: now() - chrono::Duration::hours(1),
            end_time: now() + chrono::Duration::hours(1),
            starting_price: Money::pkr(100_000),
            current_price: Money::pkr(current),
            total_bids: 3,
            seller: UserId(7),
        }
    }

    fn proxy_rules() -> BidRules {
        BidRules {
            proxy: true,
            ..BidRules::default()
        }
    }

    #[tokio::test]
    async fn a_refused_write_is_explained_from_a_fresh_read() {
        let mut bids = MockBiddingRepository::new();
        bids.expect_place_bid()
            .times(1)
            .returning(|_| Box::pin(ready(Ok(None))));
        bids.expect_bid_snapshot()
            .times(1)
            .returning(|_| Box::pin(ready(Ok(Some(snapshot(AuctionStatus::Active, 150_000))))));
        let bidding = Bidding::new(bids, FixedClock(now()), BidRules::default());
        let err = bidding
            .place(
                Some(&user(1, Role::Buyer)),
                AUCTION,
                Ok(Money::pkr(140_000)),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, BidError::TooLow { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn a_blocked_bidder_is_refused_without_a_write() {
        let mut bids = MockBiddingRepository::new();
        bids.expect_place_bid().never();
        bids.expect_bid_snapshot()
            .returning(|_| Box::pin(ready(Ok(Some(snapshot(AuctionStatus::Active, 150_000))))));
        let bidding = Bidding::new(bids, FixedClock(now()), BidRules::default());
        let mut blocked = user(1, Role::Buyer);
        blocked.is_blocked = true;
        let err = bidding
            .place(Some(&blocked), AUCTION, Ok(Money::pkr(200_000)))
            .await
            .unwrap_err();
        assert_eq!(err, BidError::Blocked);
    }

    #[tokio::test]
    async fn without_proxy_bidding_a_maximum_is_ignored() {
        let mut bids = MockBiddingRepository::new();
        bids.expect_place_bid()
            .times(1)
            .returning(|b| Box::pin(ready(Ok(Some(placed(&b))))));
        bids.expect_set_proxy_max().never();
        bids.expect_proxy_contest().never();
        let bidding = Bidding::new(bids, FixedClock(now()), BidRules::default());
        let bid = bidding
            .place_up_to(
                Some(&user(1, Role::Buyer)),
                AUCTION,
                Ok(Money::pkr(150_000)),
                Some(Money::pkr(500_000)),
            )
            .await
            .unwrap();
        assert_eq!(bid.amount, Money::pkr(150_000));
    }

    #[tokio::test]
    async fn a_standing_maximum_answers_a_bid_and_stops_when_nobody_can_go_higher() {
        let placed_bids = Arc::new(Mutex::new(Vec::<(UserId, Money)>::new()));
        let mut bids = MockBiddingRepository::new();
        let seen = placed_bids.clone();
        bids.expect_place_bid().times(2).returning(move |b| {
            seen.lock().unwrap().push((b.bidder, b.amount));
            Box::pin(ready(Ok(Some(placed(&b)))))
        });
        bids.expect_set_proxy_max()
            .withf(|a, who, max| *a == AUCTION && *who == UserId(1) && *max == Money::pkr(160_000))
            .times(1)
            .returning(|_, _, _| Box::pin(ready(Ok(()))));
        // First: bidder 1 leads at 1,500.00 (max 1,600.00) and bidder 2 left 2,000.00; then
        // bidder 2 leads at 1,600.01 and bidder 1's maximum cannot answer.
        let mut round = 0;
        bids.expect_proxy_contest().times(2).returning(move |_| {
            round += 1;
            let contest = if round == 1 {
                Contest {
                    price: Money::pkr(150_000),
                    leader: UserId(1),
                    leader_max: Some(Money::pkr(160_000)),
                    rival: Some(ProxyMax {
                        bidder: UserId(2),
                        max: Money::pkr(200_000),
                    }),
                }
            } else {
                Contest {
                    price: Money::pkr(160_001),
                    leader: UserId(2),
                    leader_max: Some(Money::pkr(200_000)),
                    rival: Some(ProxyMax {
                        bidder: UserId(1),
                        max: Money::pkr(160_000),
                    }),
                }
            };
            Box::pin(ready(Ok(Some(contest))))
        });
        let bidding = Bidding::new(bids, FixedClock(now()), proxy_rules());
        let bid = bidding
            .place_up_to(
                Some(&user(1, Role::Buyer)),
                AUCTION,
                Ok(Money::pkr(150_000)),
                Some(Money::pkr(160_000)),
            )
            .await
            .unwrap();
        assert_eq!(bid.amount, Money::pkr(150_000), "the caller's own bid");
        assert_eq!(
            *placed_bids.lock().unwrap(),
            [
                (UserId(1), Money::pkr(150_000)),
                (UserId(2), Money::pkr(160_001))
            ]
        );
    }
}
