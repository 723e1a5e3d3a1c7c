//! Proxy bidding (opt-in, `PROXY_BIDDING`): a bidder leaves a maximum and the system bids for
//! them, one step at a time as others bid, never above it. After every accepted bid the
//! standing maximums are compared and at most one counter-bid follows; each counter-bid is an
//! ordinary bid through the same atomic write, so the accepted sequence stays strictly
//! increasing whatever races with it.

use crate::auction::bid::BidRules;
use crate::ids::UserId;
use crate::money::Money;

/// A bidder's standing maximum on an auction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyMax {
    /// The bidder.
    pub bidder: UserId,
    /// The most they will pay.
    pub max: Money,
}

/// An auction as the proxy rule sees it after a bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contest {
    /// The price now.
    pub price: Money,
    /// Who leads at that price.
    pub leader: UserId,
    /// The leader's own maximum, if they left one.
    pub leader_max: Option<Money>,
    /// The highest maximum of anyone else (ties: the earlier one).
    pub rival: Option<ProxyMax>,
}

/// The bid the system places next, if any: `(for whom, amount)`.
///
/// A rival whose maximum beats the leader's takes the lead one step above the leader's
/// maximum (capped at their own); otherwise the leader, if they left a maximum, is raised just
/// enough to stay above the rival (capped at theirs). Nothing when no rival can bid at all.
pub fn counter_bid(contest: &Contest, rules: &BidRules) -> Option<(UserId, Money)> {
    let rival = contest.rival?;
    let price = contest.price;
    let floor = price.checked_add(rules.increment(price)).ok()?;
    if rival.max < floor {
        return None;
    }
    let leader_max = contest.leader_max.unwrap_or(price).max(price);
    if rival.max > leader_max {
        let above = leader_max
            .checked_add(rules.increment(leader_max))
            .ok()?
            .max(floor);
        return Some((rival.bidder, above.min(rival.max)));
    }
    // The leader's maximum holds: raise them over the rival's maximum, as far as theirs goes.
    let needed = rival
        .max
        .checked_add(rules.increment(rival.max))
        .ok()?
        .min(leader_max);
    (needed > price).then_some((contest.leader, needed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: UserId = UserId(1);
    const B: UserId = UserId(2);

    fn contest(
        price: i64,
        leader: UserId,
        leader_max: Option<i64>,
        rival: Option<(UserId, i64)>,
    ) -> Contest {
        Contest {
            price: Money::pkr(price),
            leader,
            leader_max: leader_max.map(Money::pkr),
            rival: rival.map(|(bidder, max)| ProxyMax {
                bidder,
                max: Money::pkr(max),
            }),
        }
    }

    #[test]
    fn a_rival_maximum_takes_the_lead_one_step_above_the_leader() {
        let rules = BidRules::default();
        // B bid 1,500.00 outright; A left 2,000.00: A leads at 1,500.01.
        assert_eq!(
            counter_bid(&contest(150_000, B, None, Some((A, 200_000))), &rules),
            Some((A, Money::pkr(150_001)))
        );
        // B's own maximum of 1,800.00 is beaten too: A at 1,800.01.
        assert_eq!(
            counter_bid(
                &contest(150_000, B, Some(180_000), Some((A, 200_000))),
                &rules
            ),
            Some((A, Money::pkr(180_001)))
        );
        // Capped at A's maximum.
        assert_eq!(
            counter_bid(
                &contest(150_000, B, Some(199_999), Some((A, 200_000))),
                &rules
            ),
            Some((A, Money::pkr(200_000)))
        );
    }

    #[test]
    fn a_leader_with_the_higher_maximum_is_raised_just_over_the_rival() {
        let rules = BidRules::default();
        assert_eq!(
            counter_bid(
                &contest(150_000, A, Some(300_000), Some((B, 200_000))),
                &rules
            ),
            Some((A, Money::pkr(200_001)))
        );
        // Equal maximums: the leader keeps the lead at their maximum.
        assert_eq!(
            counter_bid(
                &contest(150_000, A, Some(200_000), Some((B, 200_000))),
                &rules
            ),
            Some((A, Money::pkr(200_000)))
        );
    }

    #[test]
    fn nothing_when_no_rival_can_bid() {
        let rules = BidRules::default();
        assert_eq!(
            counter_bid(&contest(150_000, A, Some(300_000), None), &rules),
            None
        );
        assert_eq!(
            counter_bid(&contest(150_000, A, None, Some((B, 150_000))), &rules),
            None,
            "a maximum at the price cannot beat it"
        );
    }

    #[test]
    fn increments_from_the_table_apply() {
        let rules = BidRules {
            increments: vec![(Money::pkr(0), Money::pkr(5_000))],
            soft_close: None,
            proxy: true,
        };
        assert_eq!(
            counter_bid(&contest(150_000, B, None, Some((A, 200_000))), &rules),
            Some((A, Money::pkr(155_000)))
        );
        assert_eq!(
            counter_bid(&contest(150_000, B, None, Some((A, 154_999))), &rules),
            None
        );
    }

    proptest! {
        /// Whatever the maximums, a counter-bid raises the price by at least a step, never
        /// passes the maximum it bids for, and the higher maximum ends in the lead.
        #[test]
        fn counter_bids_rise_stay_within_their_maximum_and_favour_the_higher(
            price in 100i64..1_000_000,
            leader_extra in proptest::option::of(0i64..1_000_000),
            rival_max in 1i64..2_000_000,
        ) {
            let rules = BidRules::default();
            let c = contest(price, B, leader_extra.map(|e| price + e), Some((A, rival_max)));
            match counter_bid(&c, &rules) {
                None => prop_assert!(rival_max <= price, "a rival above the price always moves it"),
                Some((who, amount)) => {
                    prop_assert!(amount.minor() > price);
                    let cap = if who == A { rival_max } else { price + leader_extra.unwrap_or(0) };
                    prop_assert!(amount.minor() <= cap);
                    let leader_max = price + leader_extra.unwrap_or(0);
                    prop_assert_eq!(who == A, rival_max > leader_max);
                }
            }
        }
    }
}
