//! How an auction ends: at its end time the highest bid wins (if it meets the reserve), an
//! auction order for the winning bid is made with a payment deadline, and the winner, the
//! seller and the other bidders are told. A winner without an address still gets the order.

use chrono::{DateTime, Duration, Utc};

use crate::auction::model::AuctionStatus;
use crate::ids::{AddressId, AuctionId, OrderId, ProductId, UserId};
use crate::job::model::{JobPayload, NewJob};
use crate::money::Money;
use crate::notification::email::EmailMessage;
use crate::notification::model::{NewNotification, NotificationType};
use crate::order::checkout::Party;
use crate::order::commission::{Split, split};
use crate::order::model::{OrderType, order_number};
use crate::outbox::Outbox;
use crate::rate::BasisPoints;

/// An ending auction as read under its lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndFacts {
    /// The auction.
    pub auction: AuctionId,
    /// Its product.
    pub product: ProductId,
    /// The product's name.
    pub product_name: String,
    /// The seller.
    pub seller: Party,
    /// Status.
    pub status: AuctionStatus,
    /// When it ends (soft close may have moved it).
    pub end_time: DateTime<Utc>,
    /// The current price.
    pub current_price: Money,
    /// The lowest price the seller accepts.
    pub reserve_price: Option<Money>,
    /// The highest bidder and their bid.
    pub leader: Option<(Party, Money)>,
    /// The leader's default shipping address.
    pub leader_address: Option<AddressId>,
    /// Everyone else who bid.
    pub others: Vec<Party>,
}

/// What to store for an auction that won.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuctionOrder {
    /// Order number (`AUC-…`).
    pub number: String,
    /// The winner.
    pub buyer: UserId,
    /// Where it goes, if the winner has an address yet.
    pub shipping_address: Option<AddressId>,
    /// The winning bid, split into fee and seller amount.
    pub split: Split,
    /// Pay before this.
    pub payment_deadline: DateTime<Utc>,
}

/// What ending an auction does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndPlan {
    /// Not yet (its end moved) or not active any more: nothing changes.
    Keep,
    /// Closed: its status becomes `ended`, with the winner and order when there is one.
    Close {
        /// The winner.
        winner: Option<UserId>,
        /// The auction order.
        order: Option<AuctionOrder>,
        /// Notices; the order id is filled in by the store.
        outbox: Outbox,
    },
}

/// The order of an auction that was won.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WonOrder {
    /// The order.
    pub order: OrderId,
    /// The winner.
    pub winner: Party,
    /// The product's name.
    pub product: String,
}

/// What the store did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// No such auction.
    NotFound,
    /// Not due: it ends at this time.
    NotDue(DateTime<Utc>),
    /// Ended (now or before), with its order when it was won.
    Closed(Option<WonOrder>),
}

/// Settings of auction endings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndSettings {
    /// The platform's commission.
    pub fee: BasisPoints,
    /// The winner pays within this.
    pub payment_window: Duration,
    /// A reminder goes this long before the deadline.
    pub reminder_before: Duration,
}

/// The job that ends `auction` at `end` (one per end time: soft close queues another).
pub fn end_job(auction: AuctionId, end: DateTime<Utc>) -> NewJob {
    NewJob::now(JobPayload::EndAuction { auction })
        .unique(format!("end:{auction}:{}", end.timestamp_micros()))
        .at(end)
}

/// The reminder job of an auction order.
pub fn reminder_job(order: OrderId, at: DateTime<Utc>) -> NewJob {
    NewJob::now(JobPayload::PaymentReminder { order })
        .unique(format!("remind:{order}"))
        .at(at)
}

/// Decides the outcome of an auction whose time is up (`entropy` numbers the order).
pub fn plan(facts: &EndFacts, now: DateTime<Utc>, settings: EndSettings, entropy: u64) -> EndPlan {
    if facts.status != AuctionStatus::Active || facts.end_time > now {
        return EndPlan::Keep;
    }
    let auction = facts.auction.get();
    let notice = |user: UserId, kind, title: &str, message: String| {
        let mut n = NewNotification::new(user, kind, title, message);
        n.auction_id = Some(auction);
        n
    };
    let product = facts.product_name.clone();
    let winning = facts
        .leader
        .as_ref()
        .filter(|(_, bid)| facts.reserve_price.is_none_or(|reserve| *bid >= reserve));
    let Some((winner, amount)) = winning else {
        let outcome = if facts.leader.is_some() {
            "The reserve price was not met, so the item was not sold."
        } else {
            "There were no bids."
        };
        let mut out = Outbox::new().notify_by_email(
            notice(
                facts.seller.id,
                NotificationType::AuctionEnded,
                "Auction ended",
                format!("Your auction for {product} ended. {outcome}"),
            ),
            facts.seller.email.clone(),
            EmailMessage::AuctionEnded {
                username: facts.seller.username.clone(),
                product: product.clone(),
                winner: None,
                final_price: facts.current_price.to_decimal_string(),
                order_number: None,
                outcome: outcome.into(),
            },
        );
        for bidder in facts.leader.iter().map(|l| &l.0).chain(&facts.others) {
            out = out.notify(notice(
                bidder.id,
                NotificationType::AuctionLost,
                "Auction ended",
                format!("The auction for {product} ended without a sale. {outcome}"),
            ));
        }
        return EndPlan::Close {
            winner: None,
            order: None,
            outbox: out,
        };
    };
    let number = order_number(OrderType::Auction, entropy);
    // One seller, one line: the fee is the seller's share of the commission on the bid.
    let split = split([(facts.seller.id, *amount)], settings.fee).unwrap_or(Split {
        total: *amount,
        fee: Money::zero(amount.currency()),
        seller_amount: *amount,
        sellers: Vec::new(),
    });
    let deadline = now + settings.payment_window;
    let price = amount.to_decimal_string();
    let mut out = Outbox::new()
        .notify(notice(
            winner.id,
            NotificationType::AuctionWon,
            "You won the auction",
            format!(
                "Congratulations! You won the auction for {product} at Rs. {price}. Please pay within {} hours.",
                settings.payment_window.num_hours()
            ),
        ))
        .notify_by_email(
            notice(
                facts.seller.id,
                NotificationType::AuctionEnded,
                "Auction ended",
                format!("Your auction for {product} ended. Winner: {} at Rs. {price}.", winner.username),
            ),
            facts.seller.email.clone(),
            EmailMessage::AuctionEnded {
                username: facts.seller.username.clone(),
                product: product.clone(),
                winner: Some(winner.username.clone()),
                final_price: price.clone(),
                order_number: Some(number.clone()),
                outcome: String::new(),
            },
        );
    for other in facts.others.iter().filter(|o| o.id != winner.id) {
        out = out.notify(notice(
            other.id,
            NotificationType::AuctionLost,
            "Auction ended",
            format!("The auction for {product} ended at Rs. {price}. You did not win this time."),
        ));
    }
    EndPlan::Close {
        winner: Some(winner.id),
        order: Some(AuctionOrder {
            number,
            buyer: winner.id,
            shipping_address: facts.leader_address,
            split,
            payment_deadline: deadline,
        }),
        outbox: out,
    }
}

/// The winner's email, sent once the order's payment link exists.
pub fn won_email(
    won: &WonOrder,
    order: &crate::order::model::Order,
    deadline: String,
) -> EmailMessage {
    EmailMessage::AuctionWon {
        username: won.winner.username.clone(),
        product: won.product.clone(),
        amount: order.total.to_decimal_string(),
        order_number: order.number.clone(),
        payment_url: order.payment_url.clone(),
        deadline,
        has_address: order.shipping_address.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(id: i64) -> Party {
        Party {
            id: UserId(id),
            username: format!("u{id}"),
            email: format!("u{id}@example.pk"),
        }
    }

    fn facts(leader: Option<i64>, reserve: Option<i64>) -> EndFacts {
        EndFacts {
            auction: AuctionId(3),
            product: ProductId(30),
            product_name: "Brass lamp".into(),
            seller: party(7),
            status: AuctionStatus::Active,
            end_time: Utc::now() - Duration::seconds(1),
            current_price: Money::pkr(150_000),
            reserve_price: reserve.map(Money::pkr),
            leader: leader.map(|id| (party(id), Money::pkr(150_000))),
            leader_address: None,
            others: vec![party(8), party(9)],
        }
    }

    fn settings() -> EndSettings {
        EndSettings {
            fee: BasisPoints::new(200).unwrap(),
            payment_window: Duration::hours(24),
            reminder_before: Duration::hours(6),
        }
    }

    #[test]
    fn the_highest_bid_wins_an_order_with_a_deadline_and_a_fee() {
        let now = Utc::now();
        let EndPlan::Close {
            winner,
            order,
            outbox,
        } = plan(&facts(Some(8), None), now, settings(), 1)
        else {
            panic!("closes");
        };
        assert_eq!(winner, Some(UserId(8)));
        let order = order.unwrap();
        assert!(order.number.starts_with("AUC-"));
        assert_eq!(order.split.total, Money::pkr(150_000));
        assert_eq!(order.split.fee, Money::pkr(3_000));
        assert_eq!(order.split.seller_amount, Money::pkr(147_000));
        assert_eq!(order.payment_deadline, now + Duration::hours(24));
        assert_eq!(
            order.shipping_address, None,
            "no address: the order is still made"
        );
        let kinds: Vec<(i64, NotificationType)> = outbox
            .notices
            .iter()
            .map(|n| (n.notification.user.get(), n.notification.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (8, NotificationType::AuctionWon),
                (7, NotificationType::AuctionEnded),
                (9, NotificationType::AuctionLost),
            ]
        );
    }

    #[test]
    fn no_bids_or_an_unmet_reserve_close_without_a_sale() {
        let now = Utc::now();
        for f in [facts(None, None), facts(Some(8), Some(200_000))] {
            let EndPlan::Close { winner, order, .. } = plan(&f, now, settings(), 1) else {
                panic!("closes");
            };
            assert_eq!((winner, order), (None, None));
        }
        let met = facts(Some(8), Some(150_000));
        assert!(matches!(
            plan(&met, now, settings(), 1),
            EndPlan::Close {
                winner: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn an_auction_not_due_or_not_active_is_kept() {
        let now = Utc::now();
        let mut later = facts(Some(8), None);
        later.end_time = now + Duration::minutes(5);
        assert_eq!(plan(&later, now, settings(), 1), EndPlan::Keep);
        let mut ended = facts(Some(8), None);
        ended.status = AuctionStatus::Ended;
        assert_eq!(plan(&ended, now, settings(), 1), EndPlan::Keep);
    }
}
