//! Bids written as one batch (group commit) against a real Postgres database: each bid is
//! judged against the auction as the bids before it in the batch left it, and everything a
//! single bid writes (history, price, leader, outbid jobs, the first-bid notice, the published
//! event) is written per accepted bid.

use chrono::{Duration, Utc};
use madeinpk_domain::auction::bid::{BidRules, NewBid};
use madeinpk_domain::auction::ports::BiddingRepository;
use madeinpk_domain::ids::{AuctionId, UserId};
use madeinpk_domain::money::Money;
use madeinpk_postgres::auction::events::{AuctionEvent, AuctionListener};
use madeinpk_postgres::testing::TestDb;

/// A seller (1), three bidders (2–4) and an open auction (id 1) starting at Rs. 1,000.
async fn auction(t: &TestDb) {
    for (id, name) in [(1, "seller"), (2, "amna"), (3, "bilal"), (4, "chand")] {
        t.execute(&format!(
            "INSERT INTO users (id, username, email, password_hash, role) VALUES ({id}, '{name}', '{name}@example.pk', 'x', 'buyer')"
        ))
        .await;
    }
    t.execute(
        "INSERT INTO products (id, seller_id, name, description, condition) VALUES (1, 1, 'Brass lamp', 'Old', 'new')",
    )
    .await;
    t.execute(
        "INSERT INTO auctions (id, product_id, starting_price, current_price, start_time, end_time, status)
         VALUES (1, 1, 1000.00, 1000.00, now() - interval '1 hour', now() + interval '1 hour', 'active')",
    )
    .await;
}

fn bid(bidder: i64, paisa: i64) -> NewBid {
    NewBid {
        auction: AuctionId(1),
        bidder: UserId(bidder),
        amount: Money::pkr(paisa),
        now: Utc::now(),
        rules: BidRules::default(),
    }
}

#[tokio::test]
async fn a_batch_is_judged_bid_by_bid_and_writes_what_single_bids_write() {
    let t = TestDb::new().await;
    auction(&t).await;
    let mut listener = AuctionListener::connect(&t.url).await.unwrap();
    let outcomes =
        t.db.place_bids(&[
            bid(2, 100_001), // first bid: above the starting price
            bid(3, 100_001), // not above the new price
            bid(3, 150_000), // outbids amna
            bid(1, 500_000), // the seller
            bid(4, 120_000), // came later, but lower: judged before bilal's 1500
            bid(3, 160_000), // bilal raises his own bid: nobody to tell
            bid(4, 170_000), // outbids bilal
        ])
        .await
        .unwrap();
    let accepted: Vec<Option<i64>> = outcomes
        .iter()
        .map(|o| o.as_ref().map(|p| p.amount.minor()))
        .collect();
    assert_eq!(
        accepted,
        vec![
            Some(100_001),
            None,
            Some(150_000),
            None,
            Some(120_000),
            Some(160_000),
            Some(170_000)
        ]
    );
    // Judged lowest first: ids (the history's order) rise with the amounts.
    let mut placed: Vec<(i64, i64)> = outcomes
        .iter()
        .flatten()
        .map(|p| (p.amount.minor(), p.id.get()))
        .collect();
    placed.sort_unstable();
    let ids: Vec<i64> = placed.iter().map(|(_, id)| *id).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids rise with amounts: {placed:?}"
    );
    let times: Vec<_> = outcomes
        .iter()
        .flatten()
        .map(|p| (p.id, p.bid_time))
        .collect();
    assert!(
        times
            .iter()
            .all(|(id, at)| times.iter().all(|(j, t)| j <= id || t >= at)),
        "bid times never go backwards"
    );
    assert_eq!(
        t.ids("SELECT id FROM bids ORDER BY amount").await,
        ids,
        "the history is the accepted bids"
    );
    assert_eq!(
        t.count(
            "auctions WHERE current_price = 1700.00 AND total_bids = 5 AND leader_id = 4 AND previous_leader_id = 3"
        )
        .await,
        1
    );
    assert_eq!(
        t.ids("SELECT winning_bid_id AS id FROM auctions").await,
        vec![*ids.last().unwrap()]
    );
    // Outbid jobs for amna (by chand's 1200), chand (by bilal's 1500) and bilal (by chand's
    // 1700), not for bilal's raise.
    assert_eq!(
        t.ids("SELECT (payload->'data'->>'bid')::bigint AS id FROM jobs WHERE kind = 'notify_outbid' ORDER BY id")
            .await,
        vec![ids[1], ids[2], ids[4]]
    );
    assert_eq!(
        t.count("notifications WHERE user_id = 1 AND notification_type = 'bid_placed' AND message LIKE '%first bid of Rs. 1000.01'")
            .await,
        1
    );
    // Every accepted bid is published, in order.
    let mut published = Vec::new();
    while published.len() < 5 {
        match tokio::time::timeout(std::time::Duration::from_secs(5), listener.next()).await {
            Ok(Some(AuctionEvent::Bid { amount, bidder, .. })) => {
                published.push((bidder, amount));
            }
            other => panic!("expected a bid event, got {other:?}"),
        }
    }
    assert_eq!(
        published,
        vec![
            ("amna".to_owned(), "1000.01".to_owned()),
            ("chand".to_owned(), "1200.00".to_owned()),
            ("bilal".to_owned(), "1500.00".to_owned()),
            ("bilal".to_owned(), "1600.00".to_owned()),
            ("chand".to_owned(), "1700.00".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_batch_on_a_closed_auction_takes_nothing_and_one_bid_takes_the_single_path() {
    let t = TestDb::new().await;
    auction(&t).await;
    let single = t.db.place_bids(&[bid(2, 100_500)]).await.unwrap();
    assert_eq!(single[0].as_ref().map(|p| p.amount.minor()), Some(100_500));
    // Soft close moves the end, bid by bid, in a batch too.
    t.execute("UPDATE auctions SET end_time = now() + interval '10 seconds'")
        .await;
    let rules = BidRules {
        soft_close: Some(Duration::minutes(5)),
        ..BidRules::default()
    };
    let late: Vec<NewBid> = [(3, 101_000), (4, 102_000)]
        .into_iter()
        .map(|(who, paisa)| NewBid {
            rules: rules.clone(),
            ..bid(who, paisa)
        })
        .collect();
    let outcomes = t.db.place_bids(&late).await.unwrap();
    assert!(outcomes.iter().all(Option::is_some));
    assert_eq!(
        t.count("auctions WHERE end_time > now() + interval '4 minutes'")
            .await,
        1
    );
    t.execute("UPDATE auctions SET status = 'ended'").await;
    let refused =
        t.db.place_bids(&[bid(2, 200_000), bid(3, 300_000)])
            .await
            .unwrap();
    assert_eq!(refused, vec![None, None]);
    assert_eq!(t.count("bids").await, 3);
    // The port's single bids go through the same queue.
    t.execute("UPDATE auctions SET status = 'active'").await;
    let placed = t.db.place_bid(bid(2, 400_000)).await.unwrap();
    assert_eq!(placed.map(|p| p.amount.minor()), Some(400_000));
}

#[tokio::test]
async fn outbids_of_one_bidder_wait_in_one_notice_told_at_the_price_then() {
    let t = TestDb::new().await;
    auction(&t).await;
    // amna is outbid twice and bilal once before any notice runs.
    let outcomes =
        t.db.place_bids(&[
            bid(2, 100_100),
            bid(3, 100_200),
            bid(2, 100_300),
            bid(3, 100_400),
            bid(4, 100_500),
        ])
        .await
        .unwrap();
    assert!(outcomes.iter().all(Option::is_some));
    let jobs = t
        .ids("SELECT (payload->'data'->>'bid')::bigint AS id FROM jobs WHERE kind = 'notify_outbid' ORDER BY id")
        .await;
    assert_eq!(
        jobs.len(),
        2,
        "one waiting notice each for amna and bilal: {jobs:?}"
    );
    let outbox = || -> madeinpk_domain::auction::ports::OutbidOutbox {
        Box::new(madeinpk_domain::auction::bid::outbid_outbox)
    };
    for job in &jobs {
        t.db.notify_outbid(madeinpk_domain::ids::BidId(*job), outbox())
            .await
            .unwrap();
        // Run twice, as after a crash: told once.
        t.db.notify_outbid(madeinpk_domain::ids::BidId(*job), outbox())
            .await
            .unwrap();
    }
    assert_eq!(
        t.count("notifications WHERE notification_type = 'bid_outbid'")
            .await,
        2
    );
    assert_eq!(
        t.count("notifications WHERE notification_type = 'bid_outbid' AND user_id = 2 AND message LIKE '%Rs. 1005.00%'")
            .await,
        1,
        "amna hears of the price now"
    );
    // Once told, a new outbid queues a new notice; one for a bidder who leads again says nothing.
    t.db.place_bids(&[bid(2, 100_600), bid(3, 100_700), bid(2, 100_800)])
        .await
        .unwrap();
    let waiting = t
        .ids("SELECT (payload->'data'->>'bid')::bigint AS id FROM jobs WHERE kind = 'notify_outbid' AND unique_key IS NOT NULL ORDER BY id")
        .await;
    assert_eq!(waiting.len(), 3, "chand, amna and bilal wait: {waiting:?}");
    for job in &waiting {
        t.db.notify_outbid(madeinpk_domain::ids::BidId(*job), outbox())
            .await
            .unwrap();
    }
    assert_eq!(
        t.count("notifications WHERE notification_type = 'bid_outbid' AND user_id = 2")
            .await,
        1,
        "amna leads again: her second notice says nothing"
    );
    assert_eq!(
        t.count("notifications WHERE notification_type = 'bid_outbid' AND user_id IN (3, 4)")
            .await,
        3
    );
}

#[tokio::test]
async fn one_failing_bid_fails_alone_and_the_rest_of_its_batch_is_placed() {
    let t = TestDb::new().await;
    auction(&t).await;
    let queues = std::sync::Arc::new(madeinpk_postgres::auction::bid_queue::BidQueues::default());
    // Bidder 99 does not exist: its insert breaks the batch's statement.
    let (a, b, c) = tokio::join!(
        queues.place(&t.db, bid(2, 100_100)),
        queues.place(&t.db, bid(99, 100_200)),
        queues.place(&t.db, bid(3, 100_300)),
    );
    assert!(b.is_err(), "{b:?}");
    assert_eq!(a.unwrap().map(|p| p.amount.minor()), Some(100_100));
    assert_eq!(c.unwrap().map(|p| p.amount.minor()), Some(100_300));
    assert_eq!(t.count("bids").await, 2);
    assert_eq!(
        t.count("auctions WHERE current_price = 1003.00 AND total_bids = 2")
            .await,
        1
    );
}
