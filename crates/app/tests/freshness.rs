//! Every read after a committed write is fresh, with the catalogue page cache on (60 s, so the
//! TTL explains nothing), on the instance that wrote and on another one over the same database:
//! REST writes, WebSocket bids, jobs (an auction ending, a stock hold lapsing) and a write made
//! in `psql` behind every instance's back.

mod common;

use std::time::Duration;

use common::live::{next_json as next, socket};
use common::{TestApp, spawn_with};
use futures_util::SinkExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// An app with the page cache on for a minute.
async fn cached_app() -> TestApp {
    spawn_with(|c| {
        c.catalog.cache = Duration::from_mins(1);
        c.orders.cart_hold = Duration::from_mins(15);
    })
    .await
}

/// A second instance on `a`'s database (no workers of its own); its base URL.
async fn second_instance(a: &TestApp) -> String {
    let mut config = a.config.clone();
    config.jobs.serve_runs_workers = false;
    let b = madeinpk_app::startup::Application::build(config, None)
        .await
        .expect("second instance");
    let base = format!("http://127.0.0.1:{}", b.port());
    tokio::spawn(b.run_until_stopped());
    base
}

/// An anonymous GET on any instance.
async fn get(app: &TestApp, base: &str, path: &str) -> Value {
    let r = app
        .client
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("JSON")
}

/// Runs `sql` with every trigger off (`session_replication_role = replica`): a change nobody
/// announces.
async fn silently(app: &TestApp, sql: &str) {
    app.db
        .execute(&format!(
            "DO $$ BEGIN SET LOCAL session_replication_role = replica; {sql}; END $$"
        ))
        .await;
}

/// Waits until `base` serves `path` from its cache: a change made with the catalogue triggers
/// off (no announcement) stays unseen. Proves the cache is really on before freshness is tested,
/// so no test below passes merely because nothing was cached. `undo` restores the row, also
/// silently.
async fn until_cached(app: &TestApp, base: &str, path: &str, change: &str, undo: &str) {
    let started = std::time::Instant::now();
    loop {
        let before = get(app, base, path).await;
        silently(app, change).await;
        let after = get(app, base, path).await;
        silently(app, undo).await;
        if before == after {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{base} never cached {path}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A seller's auction from Rs. 500.00 ending in `minutes`; its id.
async fn auction(app: &TestApp, seller: &str, minutes: i64) -> i64 {
    app.auction_of(
        seller,
        "Carved box",
        "500.00",
        chrono::Duration::minutes(minutes),
    )
    .await
}

#[tokio::test]
async fn a_socket_bid_is_seen_at_once_by_the_rest_view_of_the_auction() {
    let app = cached_app().await;
    let (seller, _) = app.register_as("carver", "seller").await;
    let (ali, _) = app.register("ali").await;
    let id = auction(&app, &seller, 60).await;
    let path = format!("/api/auctions/{id}/");
    until_cached(
        &app,
        &app.base,
        &path,
        &format!("UPDATE auctions SET starting_price = 499 WHERE id = {id}"),
        &format!("UPDATE auctions SET starting_price = 500 WHERE id = {id}"),
    )
    .await;

    let mut watcher = socket(&app.base, id, None).await;
    let mut bidder = socket(&app.base, id, Some(&ali)).await;
    assert_eq!(next(&mut watcher).await["type"], "auction_status");
    assert_eq!(next(&mut bidder).await["type"], "auction_status");
    bidder
        .send(Message::text(
            json!({"type": "place_bid", "amount": "600.00"}).to_string(),
        ))
        .await
        .unwrap();
    for ws in [&mut watcher, &mut bidder] {
        let m = next(ws).await;
        assert_eq!(
            (&m["type"], &m["data"]["current_price"]),
            (&json!("new_bid"), &json!("600.00"))
        );
    }
    let a = get(&app, &app.base, &path).await;
    assert_eq!(
        (&a["current_price"], &a["total_bids"]),
        (&json!("600.00"), &json!(1))
    );
    assert_eq!(a["latest_bids"][0]["bidder_username"], "ali");
}

#[tokio::test]
async fn writes_through_one_instance_are_seen_at_once_through_another() {
    let a = cached_app().await;
    let b = second_instance(&a).await;
    let (seller, _) = a.register_as("weaver", "seller").await;
    let (buyer, _) = a.register("buyer").await;
    let listing = a.listing(&seller, "Shawl", "1500.00", 3).await;
    let path = format!("/api/listings/{listing}/");
    until_cached(
        &a,
        &b,
        &path,
        &format!("UPDATE listings SET featured = true WHERE id = {listing}"),
        &format!("UPDATE listings SET featured = false WHERE id = {listing}"),
    )
    .await;

    // A REST write through A.
    let r = a
        .patch(&path, Some(&seller), json!({"price": "1400.00"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(get(&a, &b, &path).await["price"], "1400.00");
    let listed = get(&a, &b, "/api/listings/").await;
    assert_eq!(listed["results"][0]["price"], "1400.00");

    // A cart hold taken through A, then lapsing in A's worker (a job).
    assert_eq!(
        a.add_to_cart(&buyer, listing, 2).await.status,
        StatusCode::CREATED
    );
    let l = get(&a, &b, &path).await;
    assert_eq!(
        (&l["reserved_quantity"], &l["available_quantity"]),
        (&json!(2), &json!(1))
    );
    a.clock.advance(chrono::Duration::minutes(16));
    assert!(
        a.eventually(Duration::from_secs(10), || async {
            a.db.count(&format!(
                "listings WHERE id = {listing} AND reserved_quantity = 0"
            ))
            .await
                == 1
        })
        .await,
        "the hold lapses"
    );
    assert_eq!(get(&a, &b, &path).await["available_quantity"], 3);

    // A write in psql, behind every instance's back.
    a.db.execute(&format!(
        "UPDATE products SET name = 'Pashmina shawl' WHERE id = (SELECT product_id FROM listings WHERE id = {listing})"
    ))
    .await;
    assert_eq!(
        get(&a, &b, &path).await["product"]["name"],
        "Pashmina shawl"
    );
}

#[tokio::test]
async fn bids_and_an_ending_through_one_instance_are_seen_at_once_through_another() {
    let a = cached_app().await;
    let b = second_instance(&a).await;
    let (seller, _) = a.register_as("potter", "seller").await;
    let (ali, _) = a.register("ali").await;
    let (sana, _) = a.register("sana").await;
    let id = auction(&a, &seller, 60).await;
    let path = format!("/api/auctions/{id}/");
    until_cached(
        &a,
        &b,
        &path,
        &format!("UPDATE auctions SET starting_price = 499 WHERE id = {id}"),
        &format!("UPDATE auctions SET starting_price = 500 WHERE id = {id}"),
    )
    .await;

    // A REST bid through A.
    let r = a
        .post(
            &format!("{path}place_bid/"),
            Some(&ali),
            json!({"amount": "700.00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let seen = get(&a, &b, &path).await;
    assert_eq!(
        (&seen["current_price"], &seen["total_bids"]),
        (&json!("700.00"), &json!(1))
    );

    // A socket bid through A.
    let mut ws = socket(&a.base, id, Some(&sana)).await;
    assert_eq!(next(&mut ws).await["type"], "auction_status");
    ws.send(Message::text(
        json!({"type": "place_bid", "amount": "800.00"}).to_string(),
    ))
    .await
    .unwrap();
    let m = next(&mut ws).await;
    assert_eq!(
        (&m["type"], &m["data"]["amount"]),
        (&json!("new_bid"), &json!("800.00"))
    );
    let seen = get(&a, &b, &path).await;
    assert_eq!(
        (&seen["current_price"], &seen["total_bids"]),
        (&json!("800.00"), &json!(2))
    );
    let bids = get(&a, &b, &format!("{path}bids/")).await;
    assert_eq!(bids[0]["bidder_username"], "sana");

    // The ending, a job in A's worker.
    a.clock.advance(chrono::Duration::minutes(61));
    assert!(
        a.eventually(Duration::from_secs(10), || async {
            a.db.count(&format!("auctions WHERE id = {id} AND status = 'ended'"))
                .await
                == 1
        })
        .await,
        "the auction ends"
    );
    let seen = get(&a, &b, &path).await;
    assert_eq!(
        (&seen["status"], &seen["winner_username"]),
        (&json!("ended"), &json!("sana"))
    );
}
