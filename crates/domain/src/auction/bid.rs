//! Bidding rules, the same for REST and WebSocket bids: the auction is active and inside its
//! window, the bidder is signed in, not blocked and not the seller, and the amount clears the
//! minimum. By default the minimum is the contract's ("higher than the current price", the first
//! bid too); an increment table by price band and soft close are opt-in settings.

use chrono::{DateTime, Duration, Utc};

use crate::account::user::User;
use crate::auction::model::AuctionStatus;
use crate::ids::{AuctionId, BidId, UserId};
use crate::money::Money;
use crate::store::StoreError;
use crate::validation::FieldErrors;

/// The smallest step the contract's default rule allows (one paisa above the current price).
const ONE_PAISA: Money = Money::pkr(1);

/// How bids must rise, and whether late bids extend the auction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BidRules {
    /// Increment bands `(from price, increment)`, ascending. Empty: the contract's rule.
    pub increments: Vec<(Money, Money)>,
    /// Soft close: a bid closer than this to the end moves the end to `now + window`.
    pub soft_close: Option<Duration>,
    /// Proxy bidding: bids may leave a maximum the system bids up to (see `proxy`).
    pub proxy: bool,
}

impl BidRules {
    /// The increment above `current` (the band whose start is the highest at or below it).
    pub fn increment(&self, current: Money) -> Money {
        self.increments
            .iter()
            .rev()
            .find(|(from, _)| *from <= current)
            .or_else(|| self.increments.first())
            .map_or(ONE_PAISA, |(_, step)| *step)
    }

    /// What the first bid must add to the starting price: nothing with an increment table
    /// (the starting price is a valid first bid), one paisa under the contract's rule.
    pub fn first_premium(&self) -> Money {
        if self.increments.is_empty() {
            ONE_PAISA
        } else {
            Money::zero(ONE_PAISA.currency())
        }
    }

    /// The lowest acceptable next bid.
    pub fn minimum(&self, starting: Money, current: Money, total_bids: i64) -> Money {
        let (base, step) = if total_bids == 0 {
            (starting, self.first_premium())
        } else {
            (current, self.increment(current))
        };
        base.checked_add(step).unwrap_or(base)
    }

    /// The end after a bid at `now` (soft close moves it, never earlier).
    pub fn end_after_bid(&self, end: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        match self.soft_close {
            Some(window) if end - now < window => end.max(now + window),
            _ => end,
        }
    }
}

/// What a bid is checked against, read from the auction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidSnapshot {
    /// The auction.
    pub auction: AuctionId,
    /// Its status.
    pub status: AuctionStatus,
    /// Window start.
    pub start_time: DateTime<Utc>,
    /// Window end.
    pub end_time: DateTime<Utc>,
    /// Opening price.
    pub starting_price: Money,
    /// Highest accepted bid, or the starting price.
    pub current_price: Money,
    /// Accepted bids so far.
    pub total_bids: i64,
    /// The seller.
    pub seller: UserId,
}

impl BidSnapshot {
    /// Bids are accepted now.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.status == AuctionStatus::Active && self.start_time <= now && now <= self.end_time
    }

    /// Applies one bid as the store does under the auction's lock: true, with the snapshot
    /// moved past the bid, when the auction is open at the bid's time, the bidder is not its
    /// seller and the amount clears the minimum (blocked bidders are refused before this).
    pub fn admit(&mut self, bid: &NewBid) -> bool {
        let minimum = bid
            .rules
            .minimum(self.starting_price, self.current_price, self.total_bids);
        // Above the largest storable amount it could only fail the whole batch's write.
        let storable = bid.amount.minor() <= crate::money::MAX_MINOR;
        if !self.is_open(bid.now) || bid.bidder == self.seller || bid.amount < minimum || !storable
        {
            return false;
        }
        self.current_price = bid.amount;
        self.total_bids += 1;
        self.end_time = bid.rules.end_after_bid(self.end_time, bid.now);
        true
    }
}

/// Why a bid was refused (texts of the contract).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BidError {
    /// No such auction.
    #[error("Auction not found")]
    NotFound,
    /// Anonymous (WebSocket watchers may not bid).
    #[error("You must be authenticated to place a bid")]
    Unauthenticated,
    /// Not active, or outside its window.
    #[error("Auction is not active")]
    NotActive,
    /// The bidder is blocked.
    #[error("Your account is blocked")]
    Blocked,
    /// The bidder sells this auction.
    #[error("You cannot bid on your own auction")]
    OwnAuction,
    /// Below the minimum.
    #[error("Bid must be higher than current price")]
    TooLow {
        /// The current price.
        current: Money,
        /// The lowest acceptable bid.
        minimum: Money,
        /// An increment table is in force (the field message names the minimum).
        stepped: bool,
    },
    /// The amount is not a valid amount.
    #[error("invalid bid")]
    Invalid(FieldErrors),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BidError {
    /// The REST field message of a bid below the minimum.
    pub fn amount_message(&self) -> Option<String> {
        match self {
            Self::TooLow {
                current,
                stepped: false,
                ..
            } => Some(format!(
                "Bid must be higher than current price of {}",
                current.to_decimal_string()
            )),
            Self::TooLow {
                minimum,
                stepped: true,
                ..
            } => Some(format!(
                "Bid must be at least {}",
                minimum.to_decimal_string()
            )),
            _ => None,
        }
    }
}

/// Checks a bid, in the contract's order: the auction exists and is open, the bidder is not
/// blocked and not its seller, the amount clears the minimum.
pub fn check(
    snapshot: Option<&BidSnapshot>,
    bidder: &User,
    amount: Money,
    now: DateTime<Utc>,
    rules: &BidRules,
) -> Result<(), BidError> {
    let a = check_bidder(snapshot, bidder, now)?;
    check_amount(a, amount, rules)
}

/// The checks before the amount's: the auction exists and is open, the bidder may bid on it.
pub fn check_bidder<'a>(
    snapshot: Option<&'a BidSnapshot>,
    bidder: &User,
    now: DateTime<Utc>,
) -> Result<&'a BidSnapshot, BidError> {
    let a = snapshot.ok_or(BidError::NotFound)?;
    if !a.is_open(now) {
        return Err(BidError::NotActive);
    }
    if bidder.is_blocked {
        return Err(BidError::Blocked);
    }
    if bidder.id == a.seller {
        return Err(BidError::OwnAuction);
    }
    Ok(a)
}

/// The amount clears the minimum.
pub fn check_amount(a: &BidSnapshot, amount: Money, rules: &BidRules) -> Result<(), BidError> {
    let minimum = rules.minimum(a.starting_price, a.current_price, a.total_bids);
    if amount < minimum {
        return Err(BidError::TooLow {
            current: a.current_price,
            minimum,
            stepped: !rules.increments.is_empty(),
        });
    }
    Ok(())
}

/// The order in which bids that queued together on one auction are judged: lowest amount
/// first, ties by arrival. They were in flight at the same time, so every order is a valid
/// serialisation; this one accepts each bid that clears the price it meets, instead of
/// refusing a bid only because a higher one overtook it on the way in.
pub fn judging_order(bids: &[NewBid]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..bids.len()).collect();
    order.sort_by_key(|&i| bids[i].amount);
    order
}

/// A bid to place: the store accepts it only if the auction still is as the rules require.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBid {
    /// The auction.
    pub auction: AuctionId,
    /// The bidder.
    pub bidder: UserId,
    /// The amount.
    pub amount: Money,
    /// When.
    pub now: DateTime<Utc>,
    /// The rules the store enforces atomically with the write.
    pub rules: BidRules,
}

/// An accepted bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedBid {
    /// The bid.
    pub id: BidId,
    /// The auction.
    pub auction: AuctionId,
    /// The bidder.
    pub bidder: UserId,
    /// The amount (the auction's new current price).
    pub amount: Money,
    /// When.
    pub bid_time: DateTime<Utc>,
    /// The auction's end after this bid (moved by soft close).
    pub end_time: DateTime<Utc>,
}

/// A bid that outbid someone, with who to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbid {
    /// The auction.
    pub auction: AuctionId,
    /// Its product's name.
    pub product: String,
    /// The price when they are told (the highest bid by then).
    pub amount: Money,
    /// The bidder who was outbid.
    pub outbid: crate::order::checkout::Party,
}

/// The outbid bidder's notice and email (never sent to the new bidder themselves).
pub fn outbid_outbox(o: &Outbid) -> crate::outbox::Outbox {
    let amount = o.amount.to_decimal_string();
    let mut n = crate::notification::model::NewNotification::new(
        o.outbid.id,
        crate::notification::model::NotificationType::BidOutbid,
        "You have been outbid",
        format!(
            "Someone placed a higher bid of Rs. {amount} on {}",
            o.product
        ),
    );
    n.auction_id = Some(o.auction.get());
    crate::outbox::Outbox::new().notify_by_email(
        n,
        o.outbid.email.clone(),
        crate::notification::email::EmailMessage::Outbid {
            username: o.outbid.username.clone(),
            product: o.product.clone(),
            amount,
            auction_id: o.auction.get(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;
    use proptest::prelude::*;

    fn snapshot(current: i64, bids: i64) -> BidSnapshot {
        let now = Utc::now();
        BidSnapshot {
            auction: AuctionId(1),
            status: AuctionStatus::Active,
            start_time: now - Duration::hours(1),
            end_time: now + Duration::hours(1),
            starting_price: Money::pkr(100_000),
            current_price: Money::pkr(current),
            total_bids: bids,
            seller: UserId(7),
        }
    }

    fn bidder(id: i64) -> User {
        crate::fixtures::user(id, Role::Buyer)
    }

    fn stepped() -> BidRules {
        BidRules {
            increments: vec![
                (Money::pkr(0), Money::pkr(5_000)),
                (Money::pkr(500_000), Money::pkr(25_000)),
            ],
            soft_close: None,
            proxy: false,
        }
    }

    #[test]
    fn the_default_rule_is_higher_than_the_current_price_the_first_bid_too() {
        let rules = BidRules::default();
        let now = Utc::now();
        let s = snapshot(100_000, 0);
        let low = check(Some(&s), &bidder(2), Money::pkr(100_000), now, &rules).unwrap_err();
        assert_eq!(
            low.amount_message().as_deref(),
            Some("Bid must be higher than current price of 1000.00")
        );
        assert_eq!(low.to_string(), "Bid must be higher than current price");
        assert!(check(Some(&s), &bidder(2), Money::pkr(100_001), now, &rules).is_ok());
    }

    #[test]
    fn an_increment_table_sets_the_step_by_price_band() {
        let rules = stepped();
        assert_eq!(
            rules.minimum(Money::pkr(100_000), Money::pkr(100_000), 0),
            Money::pkr(100_000),
            "the starting price is a valid first bid"
        );
        assert_eq!(
            rules.minimum(Money::pkr(100_000), Money::pkr(120_000), 3),
            Money::pkr(125_000)
        );
        assert_eq!(
            rules.minimum(Money::pkr(100_000), Money::pkr(600_000), 9),
            Money::pkr(625_000)
        );
        let e = check(
            Some(&snapshot(120_000, 3)),
            &bidder(2),
            Money::pkr(124_999),
            Utc::now(),
            &rules,
        )
        .unwrap_err();
        assert_eq!(
            e.amount_message().as_deref(),
            Some("Bid must be at least 1250.00")
        );
    }

    #[test]
    fn refusals_come_in_the_contracts_order() {
        let rules = BidRules::default();
        let now = Utc::now();
        let mut blocked = bidder(7);
        blocked.is_blocked = true;
        let mut closed = snapshot(100_000, 0);
        closed.end_time = now - Duration::seconds(1);
        let cases = [
            (None, bidder(2), BidError::NotFound),
            (Some(closed), blocked.clone(), BidError::NotActive),
            (Some(snapshot(100_000, 0)), blocked, BidError::Blocked),
            (Some(snapshot(100_000, 0)), bidder(7), BidError::OwnAuction),
        ];
        for (s, who, expected) in cases {
            let got = check(s.as_ref(), &who, Money::pkr(1), now, &rules).unwrap_err();
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn soft_close_extends_only_late_bids() {
        let now = Utc::now();
        let rules = BidRules {
            increments: vec![],
            soft_close: Some(Duration::minutes(5)),
            proxy: false,
        };
        let late = now + Duration::minutes(2);
        assert_eq!(rules.end_after_bid(late, now), now + Duration::minutes(5));
        let early = now + Duration::minutes(30);
        assert_eq!(rules.end_after_bid(early, now), early);
        assert_eq!(BidRules::default().end_after_bid(late, now), late);
    }

    #[test]
    fn concurrent_bids_are_judged_lowest_first_ties_by_arrival() {
        let now = Utc::now();
        let bid = |who: i64, paisa: i64| NewBid {
            auction: AuctionId(1),
            bidder: UserId(who),
            amount: Money::pkr(paisa),
            now,
            rules: BidRules::default(),
        };
        let batch = [bid(2, 300), bid(3, 100), bid(4, 300), bid(5, 200)];
        assert_eq!(judging_order(&batch), vec![1, 3, 0, 2]);
        let mut s = snapshot(50, 1);
        let admitted: Vec<bool> = judging_order(&batch)
            .into_iter()
            .map(|i| s.admit(&batch[i]))
            .collect();
        // 100, 200 and the first 300 clear the price they meet; the second 300 does not.
        assert_eq!(admitted, vec![true, true, true, false]);
        assert_eq!(judging_order(&[]), Vec::<usize>::new());
    }

    #[test]
    fn admission_moves_a_soft_closing_end_and_refuses_closed_auctions_and_sellers() {
        let now = Utc::now();
        let rules = BidRules {
            soft_close: Some(Duration::minutes(2)),
            ..BidRules::default()
        };
        let mut s = snapshot(100_000, 3);
        s.end_time = now + Duration::seconds(30);
        let auction = s.auction;
        let bid = |who: i64, amount: i64, at| NewBid {
            auction,
            bidder: UserId(who),
            amount: Money::pkr(amount),
            now: at,
            rules: rules.clone(),
        };
        let first = bid(2, 100_001, now);
        let own = bid(7, 200_000, now);
        let late = bid(3, 300_000, now + Duration::minutes(3));
        assert!(s.admit(&first));
        assert_eq!(
            s.end_time,
            now + Duration::minutes(2),
            "soft close moved the end"
        );
        assert_eq!((s.current_price, s.total_bids), (Money::pkr(100_001), 4));
        assert!(!s.admit(&own), "the seller may not bid");
        assert!(!s.admit(&late), "past the moved end");
        assert!(
            !s.admit(&bid(4, crate::money::MAX_MINOR + 1, now)),
            "above the largest storable amount"
        );
        s.status = AuctionStatus::Ended;
        assert!(!s.admit(&bid(4, 400_000, now)));
        assert_eq!(s.current_price, Money::pkr(100_001));
    }

    proptest! {
        /// Any interleaving of bid attempts, applied one at a time as the store serialises
        /// them: the accepted amounts strictly increase and the price is the highest of them.
        #[test]
        fn accepted_bids_strictly_increase(
            attempts in prop::collection::vec((1i64..=6, 90_000i64..=400_000), 1..=200),
            table in any::<bool>(),
        ) {
            let rules = if table { stepped() } else { BidRules::default() };
            let now = Utc::now();
            let mut s = snapshot(100_000, 0);
            let mut accepted: Vec<i64> = Vec::new();
            for (who, amount) in attempts {
                // The store's admission (batched bids) agrees with the checks bid by bid.
                let verdict = check(Some(&s), &bidder(who), Money::pkr(amount), now, &rules);
                let bid = NewBid {
                    auction: s.auction,
                    bidder: UserId(who),
                    amount: Money::pkr(amount),
                    now,
                    rules: rules.clone(),
                };
                let before = s.clone();
                let admitted = s.admit(&bid);
                prop_assert_eq!(admitted, verdict.is_ok());
                if admitted {
                    accepted.push(amount);
                    prop_assert_eq!(s.current_price, Money::pkr(amount));
                    prop_assert_eq!(s.total_bids, before.total_bids + 1);
                } else {
                    prop_assert_eq!(&s, &before);
                }
            }
            prop_assert!(accepted.windows(2).all(|w| w[0] < w[1]));
            if let Some(last) = accepted.last() {
                prop_assert_eq!(s.current_price.minor(), *last);
                prop_assert_eq!(*last, *accepted.iter().max().unwrap());
            }
        }
    }
}
