//! Live auctions over real HTTP and real WebSockets: the status on connect, bids over REST and
//! WebSocket reaching every watcher (on this instance and on another one over the same
//! database), refusals told to the bidder only, the outbid email, the end producing the
//! winner's order, and a race of many bidders that never accepts a lower bid after a higher.

mod common;

use std::time::Duration;

use common::{TestApp, spawn_app, spawn_with};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// A watcher's socket.
struct Ws(common::live::Socket);

impl Ws {
    async fn open(base: &str, auction: i64, token: Option<&str>) -> Self {
        Self(common::live::socket(base, auction, token).await)
    }

    /// The next JSON message (pings skipped), within 10 s.
    async fn next(&mut self) -> Value {
        common::live::next_json(&mut self.0).await
    }

    /// True when nothing but pings arrives for `ms`.
    async fn quiet(&mut self, ms: u64) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
        loop {
            match tokio::time::timeout_at(deadline, self.0.next()).await {
                Err(_) => return true,
                Ok(Some(Ok(Message::Text(_)))) => return false,
                Ok(_) => {}
            }
        }
    }

    async fn send(&mut self, v: &Value) {
        self.0
            .send(Message::text(v.to_string()))
            .await
            .expect("sent");
    }

    async fn bid(&mut self, amount: &str) {
        self.send(&json!({"type": "place_bid", "amount": amount}))
            .await;
    }
}

/// A seller's auction of a brass lamp from Rs. 1,000.00, open for `hours` from now.
async fn auction(app: &TestApp, seller: &str, hours: i64) -> i64 {
    auction_now(app, seller, hours).await
}

async fn rest_bid(app: &TestApp, token: Option<&str>, auction: i64, amount: &str) -> common::Reply {
    app.post(
        &format!("/api/auctions/{auction}/place_bid/"),
        token,
        json!({ "amount": amount }),
    )
    .await
}

#[tokio::test]
async fn bids_over_rest_and_websocket_reach_every_watcher_and_refusals_only_the_bidder() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (ali, _) = app.register("ali").await;
    let (sana, _) = app.register("sana").await;
    let id = auction(&app, &seller, 48).await;

    let mut watcher = Ws::open(&app.base, id, None).await;
    let mut bidder = Ws::open(&app.base, id, Some(&sana)).await;
    for ws in [&mut watcher, &mut bidder] {
        let status = ws.next().await;
        assert_eq!(status["type"], "auction_status");
        let d = &status["data"];
        assert_eq!(d["auction_id"], id);
        assert_eq!(d["product"]["name"], "Brass lamp");
        assert_eq!(d["seller"]["username"], "potter");
        assert_eq!(d["seller"]["email"], "potter@example.pk");
        let mut keys: Vec<&str> = d["seller"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "average_rating",
                "biography",
                "brand_name",
                "email",
                "id",
                "is_verified",
                "total_feedbacks",
                "username"
            ],
            "the contract's seller keys (a seller gets a profile on sign-up)"
        );
        assert_eq!(
            (&d["starting_price"], &d["current_price"]),
            (&json!("1000.00"), &json!("1000.00"))
        );
        assert_eq!(
            (&d["status"], &d["is_active"]),
            (&json!("active"), &json!(true))
        );
        assert_eq!(
            (&d["total_bids"], &d["latest_bids"]),
            (&json!(0), &json!([]))
        );
        assert!(d["end_time"].as_str().unwrap().ends_with("+00:00"));
    }

    // REST: the contract's checks and texts.
    let r = rest_bid(&app, None, id, "1500.00").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = rest_bid(&app, Some(&seller), id, "1500.00").await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "You cannot bid on your own auction"})
        )
    );
    let r = rest_bid(&app, Some(&ali), id, "1000.00").await;
    assert_eq!(
        r.body,
        json!({"amount": ["Bid must be higher than current price of 1000.00"]})
    );
    let r = app
        .post(
            &format!("/api/auctions/{id}/place_bid/"),
            Some(&ali),
            json!({}),
        )
        .await;
    assert_eq!(r.body, json!({"amount": ["This field is required."]}));
    let r = rest_bid(&app, Some(&ali), 999_999, "1500.00").await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No AuctionListing matches the given query."})
        )
    );
    let r = rest_bid(&app, Some(&ali), id, "1000.01").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        (
            &r.body["amount"],
            &r.body["is_winning"],
            &r.body["bidder_username"]
        ),
        (&json!("1000.01"), &json!(true), &json!("ali"))
    );
    // A REST bid reaches WebSocket watchers too.
    for ws in [&mut watcher, &mut bidder] {
        let m = ws.next().await;
        assert_eq!(m["type"], "new_bid", "{m}");
        assert_eq!(
            (&m["data"]["amount"], &m["data"]["current_price"]),
            (&json!("1000.01"), &json!("1000.01"))
        );
        assert_eq!(m["data"]["bidder"], "ali", "the contract names the bidder");
    }

    // A refused WebSocket bid is told to its bidder only.
    bidder.bid("1000.01").await;
    let m = bidder.next().await;
    assert_eq!(
        m,
        json!({"type": "error", "message": "Bid must be higher than current price"})
    );
    watcher.bid("5000.00").await;
    assert_eq!(
        watcher.next().await,
        json!({"type": "error", "message": "You must be authenticated to place a bid"})
    );
    watcher.send(&json!("not an object")).await;
    watcher.0.send(Message::text("{not json")).await.unwrap();
    assert_eq!(
        watcher.next().await,
        json!({"type": "error", "message": "Invalid JSON"})
    );
    assert!(
        bidder.quiet(300).await,
        "the others' errors are not broadcast"
    );

    // A WebSocket bid reaches every watcher, and the outbid bidder is emailed.
    bidder.bid("1200.00").await;
    for ws in [&mut watcher, &mut bidder] {
        let m = ws.next().await;
        assert_eq!(
            (&m["type"], &m["data"]["amount"]),
            (&json!("new_bid"), &json!("1200.00"))
        );
    }
    let r = app.get(&format!("/api/auctions/{id}/"), None).await;
    assert_eq!(
        (&r.body["current_price"], &r.body["total_bids"]),
        (&json!("1200.00"), &json!(2))
    );
    let mailed = app
        .eventually(Duration::from_secs(15), || async {
            app.mail_to("ali@example.pk")
                .iter()
                .any(|m| m.contains("Subject: You have been outbid on Brass lamp"))
        })
        .await;
    assert!(mailed, "ali was outbid and told");
    assert_eq!(
        app.db
            .count("notifications WHERE notification_type = 'bid_outbid'")
            .await,
        1
    );
    // Raising one's own winning bid outbids nobody.
    let r = rest_bid(&app, Some(&sana), id, "1300.00").await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(
        app.count_reaches("jobs WHERE kind = 'notify_outbid'", 1)
            .await
    );

    // An unknown auction answers with an error status.
    let mut nowhere = Ws::open(&app.base, 999_999, None).await;
    assert_eq!(
        nowhere.next().await,
        json!({"type": "auction_status", "data": {"error": "Auction not found"}})
    );
    // A bad token watches anonymously.
    let mut stranger = Ws::open(&app.base, id, Some("nonsense")).await;
    assert_eq!(stranger.next().await["data"]["total_bids"], 3);
    stranger.bid("9000.00").await;
    assert_eq!(
        stranger.next().await["message"],
        "You must be authenticated to place a bid"
    );
}

#[tokio::test]
async fn the_end_closes_bidding_and_makes_the_winners_order() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (ali, _) = app.register("ali").await;
    let (sana, _) = app.register("sana").await;
    app.address(&sana).await;
    let id = auction(&app, &seller, 1).await;
    assert_eq!(
        rest_bid(&app, Some(&ali), id, "1100.00").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        rest_bid(&app, Some(&sana), id, "1250.50").await.status,
        StatusCode::CREATED
    );
    let mut watcher = Ws::open(&app.base, id, None).await;
    assert_eq!(watcher.next().await["type"], "auction_status");

    // Time passes the end: bids are refused at once, and the auction ends.
    app.clock.advance(chrono::Duration::minutes(61));
    let r = rest_bid(&app, Some(&ali), id, "5000.00").await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Auction is not active"})
        )
    );
    // The end is carried out (the auction's end job, or the sweep's backstop).
    app.sweep().await;
    // The last bid's broadcast may reach this socket after its status (it subscribed first);
    // then comes the end.
    let mut ended = watcher.next().await;
    if ended["type"] == "new_bid" {
        assert_eq!(ended["data"]["amount"], "1250.50");
        ended = watcher.next().await;
    }
    assert_eq!(
        ended,
        json!({"type": "auction_ended", "data": {"auction_id": id, "status": "ended", "winner": "sana",
            "final_price": "1250.50", "product_name": "Brass lamp", "message": "Auction ended! Winner: sana"}})
    );
    let a = app
        .get(&format!("/api/auctions/{id}/"), Some(&seller))
        .await;
    assert_eq!(a.body["status"], "ended");
    assert_eq!(a.body["winner_username"], "sana");

    // The winner's order: the winning bid, the 2% fee, a deadline a day away, a payment link.
    let orders = app.get("/api/orders/", Some(&sana)).await;
    let order = &orders.body["results"][0];
    assert_eq!(order["order_type"], "auction", "{}", orders.text);
    assert!(order["order_number"].as_str().unwrap().starts_with("AUC-"));
    assert_eq!(
        (
            &order["total_amount"],
            &order["platform_fee"],
            &order["seller_amount"]
        ),
        (&json!("1250.50"), &json!("25.01"), &json!("1225.49"))
    );
    assert_eq!(order["status"], "pending_payment");
    assert!(order["shipping_address"].is_i64(), "the winner's address");
    let won = app
        .eventually(Duration::from_secs(15), || async {
            app.mail_to("sana@example.pk")
                .iter()
                .any(|m| m.contains("Subject: You won the auction for Brass lamp"))
        })
        .await;
    assert!(won);
    let id_of_order = order["id"].as_i64().unwrap();
    let full = app
        .get(&format!("/api/orders/{id_of_order}/"), Some(&sana))
        .await;
    let url = full.body["payment_url"].as_str().unwrap().to_owned();
    assert!(url.contains("/api/payments/dev/checkout/"), "{url}");
    let told = app
        .eventually(Duration::from_secs(15), || async {
            app.mail_to("potter@example.pk")
                .iter()
                .any(|m| m.contains("Subject: Your auction for Brass lamp has ended"))
        })
        .await;
    assert!(told);
    assert_eq!(
        app.db
            .count("notifications WHERE notification_type = 'auction_lost'")
            .await,
        1,
        "ali lost"
    );
    // Ending again changes nothing: one order.
    app.clock.advance(chrono::Duration::minutes(1));
    app.sweep().await;
    assert_eq!(app.db.count("orders WHERE order_type = 'auction'").await, 1);

    // Paying it completes the auction.
    app.pay(&url, true).await;
    assert!(
        app.count_reaches("auctions WHERE status = 'completed'", 1)
            .await
    );

    // Shipped, then delivered: the winner is asked for feedback, and gives it once.
    let r = app
        .post(
            &format!("/api/orders/{id_of_order}/mark_shipped/"),
            Some(&seller),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            &format!("/api/orders/{id_of_order}/mark_delivered/"),
            Some(&sana),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let number = order["order_number"].as_str().unwrap().to_owned();
    let asked = app
        .eventually(Duration::from_secs(15), || async {
            app.mail_to("sana@example.pk").iter().any(|m| {
                m.contains(&format!(
                    "Subject: Please provide feedback - Order {number}"
                )) && m.contains(&format!("/orders/{id_of_order}/feedback"))
            })
        })
        .await;
    assert!(asked, "the feedback request email");
    assert_eq!(
        app.db
            .count(&format!(
                "notifications WHERE notification_type = 'feedback_request' AND order_id = {id_of_order}"
            ))
            .await,
        1
    );
    let feedback = json!({"order_id": id_of_order, "seller_rating": 5, "platform_rating": 4,
        "communication_rating": 5, "shipping_speed_rating": 4});
    let r = app
        .post("/api/feedbacks/", Some(&sana), feedback.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = app.post("/api/feedbacks/", Some(&sana), feedback).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Feedback already submitted"})
        )
    );
}

#[tokio::test]
async fn a_winner_without_an_address_still_gets_the_order() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (ali, _) = app.register("ali").await;
    let id = auction(&app, &seller, 1).await;
    assert_eq!(
        rest_bid(&app, Some(&ali), id, "1100.00").await.status,
        StatusCode::CREATED
    );
    app.clock.advance(chrono::Duration::minutes(61));
    assert!(
        app.count_reaches(
            "orders WHERE order_type = 'auction' AND shipping_address_id IS NULL",
            1
        )
        .await
    );
    let asked = app
        .eventually(Duration::from_secs(15), || async {
            app.mail_to("ali@example.pk")
                .iter()
                .any(|m| m.contains("Add a shipping address"))
        })
        .await;
    assert!(asked, "the winner is asked for an address");
}

#[tokio::test]
async fn an_auction_without_bids_ends_without_an_order() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let id = auction(&app, &seller, 1).await;
    let mut watcher = Ws::open(&app.base, id, None).await;
    watcher.next().await;
    app.clock.advance(chrono::Duration::minutes(61));
    app.sweep().await;
    let m = watcher.next().await;
    assert_eq!(
        m["data"],
        json!({"auction_id": id, "status": "ended", "winner": null, "final_price": "1000.00",
               "product_name": "Brass lamp", "message": "Auction ended with no bids"})
    );
    assert_eq!(app.db.count("orders").await, 0);
}

#[tokio::test]
async fn a_bid_taken_by_one_instance_reaches_a_watcher_on_another() {
    let a = spawn_app().await;
    let mut config = a.config.clone();
    config.jobs.serve_runs_workers = false;
    let b = madeinpk_app::startup::Application::build(config, None)
        .await
        .expect("second instance");
    let b_base = format!("http://127.0.0.1:{}", b.port());
    tokio::spawn(b.run_until_stopped());

    let (seller, _) = a.register_as("potter", "seller").await;
    let (ali, _) = a.register("ali").await;
    let id = auction(&a, &seller, 48).await;
    let mut on_b = Ws::open(&b_base, id, None).await;
    assert_eq!(on_b.next().await["type"], "auction_status");
    assert_eq!(
        rest_bid(&a, Some(&ali), id, "1500.00").await.status,
        StatusCode::CREATED
    );
    let m = on_b.next().await;
    assert_eq!(
        (&m["type"], &m["data"]["amount"]),
        (&json!("new_bid"), &json!("1500.00"))
    );
}

#[tokio::test]
async fn racing_bidders_never_get_a_lower_bid_accepted_after_a_higher_one() {
    let app = spawn_with(|c| c.database.pool_size = 20).await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let id = auction(&app, &seller, 48).await;
    let mut tokens = Vec::new();
    for i in 0..50 {
        tokens.push(app.register(&format!("bidder{i}")).await.0);
    }
    let base = app.base.clone();
    let client = app.client.clone();
    let mut tasks = Vec::new();
    // Everyone starts bidding together, once every socket is open. Each bid takes the next
    // amount from a shared counter (one paisa apart), so bids from both paths interleave and
    // arrive out of order; neither path can fall behind in rounds and only ever bid too low.
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(tokens.len()));
    let next = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(100_001));
    for (i, token) in tokens.into_iter().enumerate() {
        let (base, client, start, next) =
            (base.clone(), client.clone(), start.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            // Half bid over WebSocket, half over REST; 20 bids each.
            let mut ws = if i % 2 == 0 {
                let mut ws = Ws::open(&base, id, Some(&token)).await;
                ws.next().await;
                Some(ws)
            } else {
                None
            };
            start.wait().await;
            let mut accepted = 0usize;
            for _ in 0..20 {
                let paisa = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let amount = format!("{}.{:02}", paisa / 100, paisa % 100);
                if let Some(ws) = &mut ws {
                    // Each bid is answered on the socket: an error to this bidder only,
                    // or the new_bid every watcher gets.
                    ws.bid(&amount).await;
                    loop {
                        let m = ws.next().await;
                        if m["type"] == "error" {
                            break;
                        }
                        if m["type"] == "new_bid" && m["data"]["amount"] == amount.as_str() {
                            accepted += 1;
                            break;
                        }
                    }
                } else {
                    let r = client
                        .post(format!("{base}/api/auctions/{id}/place_bid/"))
                        .header("Authorization", format!("Token {token}"))
                        .json(&json!({ "amount": amount }))
                        .send()
                        .await
                        .unwrap();
                    if r.status() == StatusCode::CREATED {
                        accepted += 1;
                    } else {
                        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
                    }
                }
            }
            (i % 2 == 0, accepted)
        }));
    }
    let (mut over_ws, mut over_rest) = (0, 0);
    for t in tasks {
        let (ws, accepted) = t.await.unwrap();
        if ws {
            over_ws += accepted;
        } else {
            over_rest += accepted;
        }
    }
    let amounts = app
        .db
        .ids("SELECT (amount * 100)::bigint AS id FROM bids ORDER BY bids.id")
        .await;
    assert_eq!(
        amounts.len(),
        over_ws + over_rest,
        "every bid told accepted is recorded, and no other"
    );
    assert!(
        over_ws > 0 && over_rest > 0,
        "both paths had bids accepted: {over_ws} over WebSocket, {over_rest} over REST"
    );
    assert!(
        amounts.windows(2).all(|w| w[0] < w[1]),
        "accepted bids strictly increase: {amounts:?}"
    );
    let top = *amounts.iter().max().unwrap();
    assert_eq!(
        app.db
            .count(&format!(
                "auctions WHERE id = {id} AND (current_price * 100)::bigint = {top} AND total_bids = {}",
                amounts.len()
            ))
            .await,
        1,
        "the price is the highest accepted bid"
    );
}

#[tokio::test]
async fn three_unpaid_wins_cancel_their_auctions_count_once_each_and_block_the_winner() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (ali, ali_id) = app.register("ali").await;
    app.address(&ali).await;
    let first = auction(&app, &seller, 1).await;
    assert_eq!(
        rest_bid(&app, Some(&ali), first, "1100.00").await.status,
        StatusCode::CREATED
    );
    // The first win goes unpaid: counted, not blocked.
    app.clock.advance(chrono::Duration::minutes(61));
    assert!(
        app.count_reaches("orders WHERE order_type = 'auction'", 1)
            .await
    );
    app.clock.advance(chrono::Duration::hours(24));
    assert!(
        app.count_reaches(
            &format!("users WHERE id = {ali_id} AND failed_payment_count = 1 AND NOT is_blocked"),
            1
        )
        .await
    );
    assert!(
        app.count_reaches(
            &format!("auctions WHERE id = {first} AND status = 'cancelled'"),
            1
        )
        .await
    );
    let orders = app.get("/api/orders/", Some(&ali)).await;
    assert_eq!(orders.body["results"][0]["status"], "payment_failed");

    // Two more: the third blocks the account, once.
    for _ in 0..2 {
        let id = auction(&app, &seller, 1).await;
        assert_eq!(
            rest_bid(&app, Some(&ali), id, "1100.00").await.status,
            StatusCode::CREATED
        );
    }
    app.clock.advance(chrono::Duration::minutes(61));
    assert!(
        app.count_reaches("orders WHERE order_type = 'auction'", 3)
            .await
    );
    app.clock.advance(chrono::Duration::hours(24));
    assert!(
        app.count_reaches(
            &format!("users WHERE id = {ali_id} AND failed_payment_count = 3 AND is_blocked"),
            1
        )
        .await
    );
    assert_eq!(
        app.db
            .count(&format!(
                "payment_violations WHERE user_id = {ali_id} AND auction_id IS NOT NULL"
            ))
            .await,
        3
    );
    assert_eq!(app.db.count("auctions WHERE status = 'cancelled'").await, 3);
    let blocked = app
        .eventually(Duration::from_secs(15), || async {
            app.mail_to("ali@example.pk")
                .iter()
                .any(|m| m.contains("Subject: MadeInPK Account Blocked"))
        })
        .await;
    assert!(blocked, "the winner is told by email");
    assert_eq!(
        app.mail_to("ali@example.pk")
            .iter()
            .filter(|m| m.contains("Subject: MadeInPK Account Blocked"))
            .count(),
        1
    );
    assert_eq!(
        app.db
            .count(&format!(
                "notifications WHERE user_id = {ali_id} AND notification_type = 'account_blocked'"
            ))
            .await,
        1
    );
    // A blocked account cannot bid any more.
    let next = auction(&app, &seller, 5).await;
    let r = rest_bid(&app, Some(&ali), next, "1100.00").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.body, json!({"error": "Your account is blocked"}));
}

/// A seller's auction of a brass lamp from Rs. 1,000.00, timed by the app's clock (which
/// tests move forward).
async fn auction_now(app: &TestApp, seller: &str, hours: i64) -> i64 {
    app.auction_of(
        seller,
        "Brass lamp",
        "1000.00",
        chrono::Duration::hours(hours),
    )
    .await
}

#[tokio::test]
async fn over_the_socket_the_seller_cannot_bid_and_nobody_can_after_the_end() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (ali, _) = app.register("ali").await;
    let id = auction(&app, &seller, 1).await;
    let mut own = Ws::open(&app.base, id, Some(&seller)).await;
    let mut bidder = Ws::open(&app.base, id, Some(&ali)).await;
    assert_eq!(own.next().await["type"], "auction_status");
    assert_eq!(bidder.next().await["type"], "auction_status");
    own.bid("1500.00").await;
    assert_eq!(
        own.next().await,
        json!({"type": "error", "message": "You cannot bid on your own auction"})
    );
    assert!(bidder.quiet(300).await, "a refusal reaches only its bidder");
    app.clock.advance(chrono::Duration::minutes(61));
    app.sweep().await;
    assert_eq!(bidder.next().await["type"], "auction_ended");
    bidder.bid("1500.00").await;
    assert_eq!(
        bidder.next().await,
        json!({"type": "error", "message": "Auction is not active"})
    );
    assert_eq!(app.db.count("bids").await, 0);
}

#[tokio::test]
async fn with_proxy_bidding_a_standing_maximum_answers_each_higher_bid_up_to_itself() {
    let app = spawn_with(|c| c.auctions.proxy_bidding = true).await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (ali, _) = app.register("ali").await;
    let (sana, _) = app.register("sana").await;
    let id = auction(&app, &seller, 48).await;
    let mut watcher = Ws::open(&app.base, id, None).await;
    assert_eq!(watcher.next().await["type"], "auction_status");
    let place = |token: String, body: Value| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/auctions/{id}/place_bid/"),
                Some(&token),
                body,
            )
            .await
        }
    };
    let r = place(
        ali.clone(),
        json!({"amount": "1100.00", "max_amount": "1000.00"}),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"max_amount": ["Ensure this value is greater than or equal to the bid amount."]})
        )
    );
    let r = place(
        ali.clone(),
        json!({"amount": "1100.00", "max_amount": "2000.00"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Sana bids 1,500.00; Ali's maximum answers at once, one paisa above.
    let r = place(sana.clone(), json!({"amount": "1500.00"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let seen: Vec<Value> = [
        watcher.next().await,
        watcher.next().await,
        watcher.next().await,
    ]
    .into_iter()
    .map(|m| m["data"]["amount"].clone())
    .collect();
    assert_eq!(seen, [json!("1100.00"), json!("1500.00"), json!("1500.01")]);
    let a = app.get(&format!("/api/auctions/{id}/"), Some(&ali)).await;
    assert_eq!(a.body["current_price"], "1500.01");
    // Above Ali's maximum, Sana keeps the lead; nothing answers.
    let r = place(sana.clone(), json!({"amount": "2500.00"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(watcher.next().await["data"]["amount"], "2500.00");
    assert!(watcher.quiet(300).await);
    let bids = app
        .db
        .ids("SELECT (amount * 100)::bigint AS id FROM bids ORDER BY id")
        .await;
    assert_eq!(bids, [110_000, 150_000, 150_001, 250_000]);
}

#[tokio::test]
async fn a_socket_from_a_foreign_origin_is_refused() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let id = auction(&app, &seller, 1).await;
    let url = format!(
        "{}/ws/auction/{id}/",
        app.base.replacen("http://", "ws://", 1)
    );
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            url.as_str(),
        )
        .unwrap();
    request
        .headers_mut()
        .insert("Origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status(), 403);
        }
        other => panic!("a foreign origin must be refused: {other:?}"),
    }
    // The front end's own origin is welcome.
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            url.as_str(),
        )
        .unwrap();
    request
        .headers_mut()
        .insert("Origin", app.config.http.frontend_url.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(first.to_text().unwrap().contains("auction_status"));
}

#[tokio::test]
async fn soft_close_keeps_a_late_contested_auction_open_then_it_ends() {
    let app = spawn_with(|c| c.auctions.soft_close = Duration::from_mins(5)).await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (ali, _) = app.register("ali").await;
    let (sana, _) = app.register("sana").await;
    app.address(&sana).await;
    let id = auction(&app, &seller, 1).await;
    let mut watcher = Ws::open(&app.base, id, None).await;
    watcher.next().await;
    // Three minutes before the end, a bid moves the end to five minutes from then.
    app.clock.advance(chrono::Duration::minutes(57));
    assert_eq!(
        rest_bid(&app, Some(&ali), id, "1100.00").await.status,
        StatusCode::CREATED
    );
    assert_eq!(watcher.next().await["type"], "new_bid");
    // Past the original end: the end job and the sweep run, yet it stays open, and another
    // late bid extends it again.
    app.clock.advance(chrono::Duration::minutes(4));
    app.sweep().await;
    let r = rest_bid(&app, Some(&sana), id, "1200.00").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(watcher.next().await["type"], "new_bid");
    let a = app.get(&format!("/api/auctions/{id}/"), None).await;
    assert_eq!(
        a.body["status"], "active",
        "the original end passed but it is open"
    );
    // Then time runs out: it ends, once, with Sana the winner.
    app.clock.advance(chrono::Duration::minutes(6));
    app.sweep().await;
    let ended = watcher.next().await;
    assert_eq!(ended["type"], "auction_ended");
    assert_eq!(ended["data"]["final_price"], "1200.00");
    assert!(
        app.count_reaches("orders WHERE order_type = 'auction'", 1)
            .await
    );
    // The winner is reminded six hours before the 24-hour deadline (the queue runs jobs by the
    // database's clock, which the test cannot move: the due job is brought forward instead).
    assert!(
        app.count_reaches(
            "jobs j JOIN orders o ON o.id = (j.payload->'data'->>'order')::bigint \
             WHERE j.kind = 'payment_reminder' AND j.status = 'queued' \
             AND j.run_at = o.payment_deadline - interval '6 hours'",
            1
        )
        .await
    );
    app.db
        .execute("UPDATE jobs SET run_at = now() WHERE kind = 'payment_reminder'")
        .await;
    let reminded = app
        .eventually(Duration::from_secs(15), || async {
            app.mail_to("sana@example.pk")
                .iter()
                .any(|m| m.contains("Subject: Payment reminder"))
        })
        .await;
    assert!(reminded, "the payment reminder");
}

#[tokio::test]
async fn the_seller_hears_of_the_first_bid_only() {
    let app = spawn_app().await;
    let (seller, seller_id) = app.register_as("potter", "seller").await;
    let (ali, _) = app.register("ali").await;
    let id = auction(&app, &seller, 5).await;
    for amount in ["1100.00", "1200.00", "1300.00"] {
        assert_eq!(
            rest_bid(&app, Some(&ali), id, amount).await.status,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        app.db
            .count(&format!(
                "notifications WHERE user_id = {seller_id} AND notification_type = 'bid_placed' \
                 AND auction_id = {id} AND message = 'Your auction for Brass lamp received its first bid of Rs. 1100.00'"
            ))
            .await,
        1
    );
    assert_eq!(
        app.db
            .count("notifications WHERE notification_type = 'bid_placed'")
            .await,
        1
    );
}

#[tokio::test]
async fn masked_bidders_and_hidden_seller_email_are_opt_in_settings_on_the_socket() {
    let app = spawn_with(|c| {
        c.auctions.bidder_privacy = madeinpk_domain::auction::model::BidderPrivacy::Masked;
        c.ws.seller_email = false;
    })
    .await;
    let (seller, _) = app.register_as("quietpotter", "seller").await;
    let (ali, _) = app.register("ali").await;
    let id = auction(&app, &seller, 48).await;
    assert_eq!(
        rest_bid(&app, Some(&ali), id, "1100.00").await.status,
        StatusCode::CREATED
    );
    let mut anonymous = Ws::open(&app.base, id, None).await;
    let mut own = Ws::open(&app.base, id, Some(&ali)).await;
    let status = anonymous.next().await;
    assert_eq!(status["data"]["seller"]["username"], "quietpotter");
    assert!(
        status["data"]["seller"].get("email").is_none(),
        "no seller email with WS_SELLER_EMAIL=hidden: {status}"
    );
    assert_eq!(status["data"]["latest_bids"][0]["bidder"], "a***i");
    let status = own.next().await;
    assert_eq!(
        status["data"]["latest_bids"][0]["bidder"], "ali",
        "a bidder sees their own name"
    );
    own.bid("1200.00").await;
    for ws in [&mut anonymous, &mut own] {
        let m = ws.next().await;
        assert_eq!(
            (&m["type"], &m["data"]["bidder"]),
            (&json!("new_bid"), &json!("a***i"))
        );
    }
}
