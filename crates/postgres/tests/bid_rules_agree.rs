//! The bid rules exist twice: in the domain (`BidSnapshot::admit`, which judges queued bids) and
//! as the one-statement `PLACE_BID` SQL (a single bid, atomically under the auction's row lock).
//! This property test proves the two agree on random auctions and bids, against a real
//! database: the same bids are accepted, and an accepted bid leaves the same price, bid count
//! and end time.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use madeinpk_domain::auction::bid::{BidRules, BidSnapshot, NewBid};
use madeinpk_domain::auction::model::AuctionStatus;
use madeinpk_domain::ids::{AuctionId, UserId};
use madeinpk_domain::money::Money;
use madeinpk_postgres::testing::TestDb;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

const SELLER: i64 = 1;
const BIDDER: i64 = 2;

/// One random auction and one bid on it.
#[derive(Debug, Clone)]
struct Case {
    status: AuctionStatus,
    /// Seconds from now to the window's start and end.
    start: i64,
    end: i64,
    starting: i64,
    /// Accepted bids so far, and how far the current price is above the starting one.
    total_bids: i64,
    raised: i64,
    /// `(from, step)` bands, ascending (empty: the contract's rule).
    bands: Vec<(i64, i64)>,
    soft_close: Option<i64>,
    by_seller: bool,
    /// The bid's distance from the minimum, in paisa.
    offset: i64,
}

fn case() -> impl Strategy<Value = Case> {
    let status = prop_oneof![
        6 => Just(AuctionStatus::Active),
        1 => Just(AuctionStatus::Completed),
        1 => Just(AuctionStatus::Ended),
        1 => Just(AuctionStatus::Cancelled),
    ];
    let bands = prop_oneof![
        Just(Vec::new()),
        proptest::collection::vec((0i64..2_000_000, 1i64..50_000), 1..4).prop_map(|mut b| {
            b.sort_by_key(|x| x.0);
            b.dedup_by_key(|x| x.0);
            b
        }),
    ];
    (
        status,
        prop_oneof![-2i64..=2, -7_200i64..120],
        prop_oneof![-2i64..=2, -120i64..7_200],
        1i64..1_000_000,
        prop_oneof![Just(0i64), 1i64..6],
        0i64..1_500_000,
        bands,
        proptest::option::of(prop_oneof![1i64..900, Just(3_600)]),
        proptest::bool::weighted(0.1),
        // Half the bids land within a paisa or two of the minimum, where the rules decide.
        prop_oneof![-2i64..=2, -60_000i64..60_000],
    )
        .prop_map(
            |(
                status,
                start,
                end,
                starting,
                total_bids,
                raised,
                bands,
                soft_close,
                by_seller,
                offset,
            )| {
                Case {
                    status,
                    start,
                    // The table requires a window that ends after it starts.
                    end: end.max(start + 1),
                    starting,
                    total_bids,
                    raised: if total_bids == 0 { 0 } else { raised },
                    bands,
                    soft_close,
                    by_seller,
                    offset,
                }
            },
        )
}

fn rules(c: &Case) -> BidRules {
    BidRules {
        increments: c
            .bands
            .iter()
            .map(|&(from, step)| (Money::pkr(from), Money::pkr(step)))
            .collect(),
        soft_close: c.soft_close.map(Duration::seconds),
        proxy: false,
    }
}

/// Inserts the auction of `c` as auction `id`, on a product of the seller's.
async fn insert(t: &TestDb, id: i64, c: &Case, now: DateTime<Utc>) {
    let at = |secs: i64| (now + Duration::seconds(secs)).to_rfc3339();
    t.execute(&format!(
        "INSERT INTO products (id, seller_id, name, description, condition) VALUES ({id}, {SELLER}, 'Lamp {id}', 'Old', 'new')"
    ))
    .await;
    t.execute(&format!(
        "INSERT INTO auctions (id, product_id, starting_price, current_price, total_bids, start_time, end_time, status)
         VALUES ({id}, {id}, {}, {}, {}, '{}', '{}', '{}')",
        Money::pkr(c.starting),
        Money::pkr(c.starting + c.raised),
        c.total_bids,
        at(c.start),
        at(c.end),
        c.status.as_str(),
    ))
    .await;
}

async fn check(t: &TestDb, id: i64, c: Case) -> Result<(), TestCaseError> {
    // Postgres keeps microseconds: the bid's time must be one it can store exactly.
    let now = Utc::now().trunc_subsecs(6);
    insert(t, id, &c, now).await;
    let rules = rules(&c);
    let mut snapshot = BidSnapshot {
        auction: AuctionId(id),
        status: c.status,
        start_time: now + Duration::seconds(c.start),
        end_time: now + Duration::seconds(c.end),
        starting_price: Money::pkr(c.starting),
        current_price: Money::pkr(c.starting + c.raised),
        total_bids: c.total_bids,
        seller: UserId(SELLER),
    };
    let minimum = rules.minimum(
        snapshot.starting_price,
        snapshot.current_price,
        snapshot.total_bids,
    );
    let bid = NewBid {
        auction: AuctionId(id),
        bidder: UserId(if c.by_seller { SELLER } else { BIDDER }),
        amount: Money::pkr((minimum.minor() + c.offset).max(1)),
        now,
        rules,
    };
    let domain = snapshot.admit(&bid);
    let stored =
        t.db.place_bids(std::slice::from_ref(&bid))
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .remove(0);
    prop_assert_eq!(domain, stored.is_some(), "accepted by one rule only");
    if let Some(placed) = stored {
        prop_assert_eq!(placed.end_time, snapshot.end_time);
        let price = t
            .count(&format!(
                "auctions WHERE id = {id} AND current_price = {} AND total_bids = {}",
                snapshot.current_price, snapshot.total_bids
            ))
            .await;
        prop_assert_eq!(price, 1, "price and count as the domain moved them");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bid_statement_and_the_domain_rules_agree_on_random_bids() {
    let t = TestDb::new().await;
    for (id, name) in [(SELLER, "seller"), (BIDDER, "amna")] {
        t.execute(&format!(
            "INSERT INTO users (id, username, email, password_hash, role) VALUES ({id}, '{name}', '{name}@example.pk', 'x', 'buyer')"
        ))
        .await;
    }
    let next = AtomicI64::new(1);
    let handle = tokio::runtime::Handle::current();
    let outcome = tokio::task::block_in_place(|| {
        let mut runner = TestRunner::new(Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        });
        runner.run(&case(), |c| {
            let id = next.fetch_add(1, Ordering::Relaxed);
            handle.block_on(check(&t, id, c))
        })
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
