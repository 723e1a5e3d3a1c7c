//! Regression tests for the findings of the black-box security review (issue 17, point 4), one
//! or more per finding, named after it. L2, L3 and L5 have their own files
//! (`login_throttle.rs`, `purchase_rules.rs`, `visibility.rs`); M2 is in `live_auctions.rs`.

mod common;

use std::time::Duration;

use common::live::{next_json, socket, ws_url};
use common::{PNG, TestApp, spawn_app, spawn_with};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// A seller's auction from Rs. 1,000.00, open for two days.
async fn auction(app: &TestApp, seller: &str) -> i64 {
    app.auction_of(seller, "Inlaid box", "1000.00", chrono::Duration::days(2))
        .await
}

async fn bid(app: &TestApp, token: &str, auction: i64, amount: &str) -> common::Reply {
    app.post(
        &format!("/api/auctions/{auction}/place_bid/"),
        Some(token),
        json!({ "amount": amount }),
    )
    .await
}

#[tokio::test]
async fn h1_a_forged_host_cannot_plant_links_in_cached_pages() {
    let app = spawn_with(|c| {
        c.catalog.cache = Duration::from_mins(1);
        "http://shop.example".clone_into(&mut c.http.public_base_url);
    })
    .await;
    let (seller, _) = app.register_as("hostseller", "seller").await;
    for i in 0..21 {
        app.listing(&seller, &format!("Lamp {i}"), "10.00", 1).await;
    }
    let forged = app
        .client
        .get(app.url("/api/listings/"))
        .header("host", "evil.example")
        .header("x-forwarded-host", app.base.trim_start_matches("http://"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        forged["next"], "http://shop.example/api/listings/?page=2",
        "an unknown host gets the public base URL"
    );
    // A real reader right after gets links to where it really is, not the forged host.
    let real = app.get("/api/listings/", None).await.body;
    assert_eq!(real["next"], format!("{}/api/listings/?page=2", app.base));
    let forged_again = app
        .client
        .get(app.url("/api/listings/"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!forged_again.contains("evil.example"), "{forged_again}");
}

#[tokio::test]
async fn m1_multipart_bodies_are_bounded_and_files_are_taken_only_where_expected() {
    let app = spawn_with(|c| {
        c.http.max_body_bytes = 64 * 1024;
        c.media.max_upload_bytes = 200 * 1024;
        c.media.max_upload_total = 300 * 1024;
    })
    .await;
    // Registration takes no file: a file part is read past within the small bound...
    let small = reqwest::multipart::Form::new()
        .text("username", "formuser")
        .text("email", "formuser@example.pk")
        .text("password", common::PASSWORD)
        .text("password_confirm", common::PASSWORD)
        .part(
            "avatar",
            reqwest::multipart::Part::bytes(vec![0u8; 10 * 1024]).file_name("a.bin"),
        );
    let register = |form: reqwest::multipart::Form| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/auth/register/"))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    let r = register(small).await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    // ...and a large one is refused, whatever its parts.
    let large = reqwest::multipart::Form::new()
        .text("username", "formuser2")
        .part(
            "avatar",
            reqwest::multipart::Part::bytes(vec![0u8; 100 * 1024]).file_name("a.bin"),
        );
    let r = register(large).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.db.count("users WHERE username = 'formuser2'").await, 0);

    // Product images: each file and the whole request are bounded.
    let (seller, _) = app.register_as("bigfiles", "seller").await;
    let fields = [
        ("name", "Rug"),
        ("description", "Wool"),
        ("condition", "new"),
    ];
    let big = vec![0u8; 250 * 1024];
    let r = app
        .multipart(
            reqwest::Method::POST,
            "/api/products/",
            &seller,
            &fields,
            &[("images", "big.png", &big)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "one file over its bound"
    );
    let half = vec![0u8; 150 * 1024];
    let r = app
        .multipart(
            reqwest::Method::POST,
            "/api/products/",
            &seller,
            &fields,
            &[("images", "a.png", &half), ("images", "b.png", &half)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "the request over its bound"
    );
    let r = app
        .multipart(
            reqwest::Method::POST,
            "/api/products/",
            &seller,
            &fields,
            &[("images", "a.png", PNG)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(app.db.count("products WHERE name = 'Rug'").await, 1);
}

#[tokio::test]
async fn m3_blocking_withdraws_standing_bids_and_a_blocked_account_never_wins() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (seller, _) = app.register_as("blockseller", "seller").await;
    let (honest, honest_id) = app.register("honest").await;
    let (cheat, cheat_id) = app.register("cheat").await;
    let id = auction(&app, &seller).await;
    assert_eq!(
        bid(&app, &honest, id, "1100.00").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        bid(&app, &cheat, id, "1500.00").await.status,
        StatusCode::CREATED
    );
    let mut watcher = socket(&app.base, id, None).await;
    assert_eq!(
        next_json(&mut watcher).await["data"]["current_price"],
        "1500.00"
    );

    let r = app
        .post(
            &format!("/api/admin/users/{cheat_id}/block/"),
            Some(&admin),
            json!({"reason": "Shill bidding"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Watchers get the auction's new state at once (after, perhaps, the last bid's broadcast,
    // which may reach a socket after its first status).
    let mut status = next_json(&mut watcher).await;
    if status["type"] == "new_bid" {
        status = next_json(&mut watcher).await;
    }
    assert_eq!(status["type"], "auction_status", "{status}");
    assert_eq!(
        (
            &status["data"]["current_price"],
            &status["data"]["total_bids"]
        ),
        (&json!("1100.00"), &json!(1))
    );
    let a = app.get(&format!("/api/auctions/{id}/"), None).await.body;
    assert_eq!(
        (&a["current_price"], &a["total_bids"]),
        (&json!("1100.00"), &json!(1))
    );
    let bids = app
        .get(&format!("/api/auctions/{id}/bids/"), None)
        .await
        .body;
    assert_eq!(bids.as_array().unwrap().len(), 1);
    assert_eq!(
        (&bids[0]["bidder"], &bids[0]["is_winning"]),
        (&json!(honest_id), &json!(true))
    );
    assert_eq!(
        app.db
            .count(&format!(
                "withdrawn_bids WHERE bidder_id = {cheat_id} AND amount = 1500"
            ))
            .await,
        1,
        "kept for the record"
    );
    // A bid just above the recomputed price is accepted again.
    assert_eq!(
        bid(&app, &honest, id, "1200.00").await.status,
        StatusCode::CREATED
    );

    // The end awards the best remaining bidder, never a blocked one, even one blocked behind
    // the service's back (no withdrawal ran).
    let (late, late_id) = app.register("late").await;
    assert_eq!(
        bid(&app, &late, id, "1300.00").await.status,
        StatusCode::CREATED
    );
    app.db
        .execute(&format!(
            "UPDATE users SET is_blocked = true WHERE id = {late_id}"
        ))
        .await;
    app.clock.advance(chrono::Duration::days(3));
    assert!(
        app.eventually(Duration::from_secs(10), || async {
            app.db
                .count(&format!("auctions WHERE id = {id} AND status = 'ended'"))
                .await
                == 1
        })
        .await
    );
    let a = app
        .get(&format!("/api/auctions/{id}/"), Some(&seller))
        .await
        .body;
    assert_eq!(
        (&a["winner"], &a["current_price"]),
        (&json!(honest_id), &json!("1200.00"))
    );
    assert_eq!(
        app.db
            .count(&format!("orders WHERE buyer_id IN ({cheat_id}, {late_id})"))
            .await,
        0
    );
}

#[tokio::test]
async fn m4_metric_labels_stay_bounded_whatever_the_methods() {
    let app = spawn_app().await;
    for i in 0..30 {
        let method = reqwest::Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap();
        app.client
            .request(method, app.url("/api/listings/"))
            .send()
            .await
            .unwrap();
    }
    let metrics = app.get("/metrics", None).await.text;
    assert!(!metrics.contains("PROBE"), "no invented method is a label");
    assert!(metrics.contains("method=\"other\""));
}

#[tokio::test]
async fn m4_metrics_can_require_a_token() {
    let app = spawn_with(|c| c.metrics_token = Some("scrape-me".into())).await;
    assert_eq!(
        app.get("/metrics", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .client
        .get(app.url("/metrics"))
        .header("authorization", "Bearer scrape-me")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn l1_dev_gateway_pages_open_only_from_the_links_they_were_given_by() {
    let app = spawn_app().await;
    let (seller, seller_id) = app.register_as("devseller", "seller").await;
    let (buyer, _) = app.register("devbuyer").await;
    let listing = app.listing(&seller, "Shawl", "500.00", 2).await;
    let address = app.address(&buyer).await;
    assert_eq!(
        app.add_to_cart(&buyer, listing, 1).await.status,
        StatusCode::CREATED
    );
    let order = app
        .post(
            "/api/cart/checkout/",
            Some(&buyer),
            json!({"shipping_address_id": address}),
        )
        .await
        .body;
    let url = order["payment_url"].as_str().unwrap();
    let number = order["order_number"].as_str().unwrap();
    // The session id is not derivable from the order number.
    let guessed = format!(
        "/api/payments/dev/checkout/cs_dev_{}/",
        number.to_ascii_lowercase().replace('-', "_")
    );
    assert!(!url.ends_with(&guessed), "{url}");
    assert_eq!(app.get(&guessed, None).await.status, StatusCode::NOT_FOUND);
    let r = app
        .client
        .post(app.url(&format!("{guessed}fail/")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.db
            .count(&format!(
                "orders WHERE order_number = '{number}' AND status = 'pending_payment'"
            ))
            .await,
        1,
        "a guessed link declines nothing"
    );

    // Onboarding: an account id alone opens nothing, and completes nothing.
    let account = format!("acct_dev_{seller_id}");
    let r = app
        .post(
            "/api/stripe/connect/create_account/",
            Some(&seller),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    for path in [
        format!("/api/stripe/connect/dev/onboard/{account}/"),
        format!("/api/stripe/connect/dev/onboard/{account}/00000000000000000000000000000000/"),
    ] {
        assert_eq!(
            app.get(&path, None).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        let r = app
            .client
            .post(app.url(&format!("{path}complete/")))
            .send()
            .await
            .unwrap();
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&r.status()),
            "{path}: {}",
            r.status()
        );
    }
    let status = app
        .get("/api/stripe/connect/account_status/", Some(&seller))
        .await;
    assert_eq!(status.body["payouts_enabled"], false);
    // The link the seller was given works.
    let link = r.body["onboarding_url"].as_str().unwrap();
    let given = link
        .split_once("/api/")
        .map(|(_, p)| format!("/api/{p}"))
        .unwrap();
    assert_eq!(app.get(&given, None).await.status, StatusCode::OK);
    let done = app
        .client
        .post(app.url(&format!("{given}complete/")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let status = app
        .get("/api/stripe/connect/account_status/", Some(&seller))
        .await;
    assert_eq!(status.body["payouts_enabled"], true);
}

#[tokio::test]
async fn l4_images_are_decoded_bounded_and_cleaned() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("imageseller", "seller").await;
    let product = app.product(&seller, "Vase").await;
    let path = format!("/api/products/{product}/add_image/");
    let upload = |bytes: Vec<u8>| {
        let app = &app;
        let (seller, path) = (seller.clone(), path.clone());
        async move {
            app.multipart(
                reqwest::Method::POST,
                &path,
                &seller,
                &[],
                &[("image", "x.png", &bytes)],
            )
            .await
        }
    };
    let refused = json!({"image": ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."]});
    // A truncated PNG.
    let r = upload(PNG[..PNG.len() - 20].to_vec()).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::BAD_REQUEST, refused.clone())
    );
    // A 12000 × 12000 decompression bomb (refused by its header, nothing inflated).
    let mut bomb = PNG.to_vec();
    bomb[16..20].copy_from_slice(&12_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&12_000u32.to_be_bytes());
    let r = upload(bomb).await;
    assert_eq!((r.status, r.body), (StatusCode::BAD_REQUEST, refused));
    // A PNG with HTML appended is stored without it.
    let mut polluted = PNG.to_vec();
    polluted.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    let r = upload(polluted).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let image = r.body["image"].as_str().unwrap();
    let media = image.split_once("/media/").unwrap().1;
    let served = app
        .client
        .get(app.url(&format!("/media/{media}")))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let headers = served.headers().clone();
    let bytes = served.bytes().await.unwrap();
    assert!(
        !bytes.windows(6).any(|w| w == b"<html>"),
        "no trailing HTML"
    );
    assert!(bytes.starts_with(b"\x89PNG"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert!(headers.contains_key("referrer-policy"));
}

#[tokio::test]
async fn l4_every_response_says_nosniff_and_pages_refuse_framing() {
    let app = spawn_app().await;
    for path in ["/api/listings/", "/healthz", "/api/nowhere/"] {
        let r = app.get(path, None).await;
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{path}");
    }
    let docs = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    let docs = if docs.status().is_redirection() {
        let to = docs.headers()["location"].to_str().unwrap().to_owned();
        let to = if to.starts_with('/') {
            app.url(&to)
        } else {
            to
        };
        app.client.get(to).send().await.unwrap()
    } else {
        docs
    };
    assert_eq!(docs.status(), StatusCode::OK);
    assert_eq!(docs.headers()["x-frame-options"], "DENY");
    assert!(
        docs.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(docs.headers().contains_key("referrer-policy"));
}

#[tokio::test]
async fn l6_sockets_are_bounded_per_token_and_address() {
    let app = spawn_with(|c| {
        c.ws.max_per_token = 2;
        c.ws.max_per_ip = 3;
    })
    .await;
    let (seller, _) = app.register_as("sockseller", "seller").await;
    let (watcher, _) = app.register("sockwatcher").await;
    let id = auction(&app, &seller).await;
    let mut open = vec![
        socket(&app.base, id, Some(&watcher)).await,
        socket(&app.base, id, Some(&watcher)).await,
    ];
    let refused = tokio_tungstenite::connect_async(ws_url(&app.base, id, Some(&watcher))).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status(), 429);
        }
        other => panic!("a third socket for one token is refused: {other:?}"),
    }
    open.push(socket(&app.base, id, None).await);
    assert!(
        tokio_tungstenite::connect_async(ws_url(&app.base, id, None))
            .await
            .is_err(),
        "a fourth from one address is refused"
    );
    // Closing one frees its place.
    let mut first = open.remove(0);
    first.close(None).await.unwrap();
    drop(first);
    assert!(
        app.eventually(Duration::from_secs(5), || async {
            tokio_tungstenite::connect_async(ws_url(&app.base, id, Some(&watcher)))
                .await
                .is_ok()
        })
        .await
    );
}

#[tokio::test]
async fn l6_a_socket_to_an_auction_that_does_not_exist_is_closed() {
    let app = spawn_app().await;
    let mut ws = socket(&app.base, 999_999, None).await;
    assert_eq!(
        next_json(&mut ws).await,
        json!({"type": "auction_status", "data": {"error": "Auction not found"}})
    );
    let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("closed at once");
    match frame {
        Some(Ok(Message::Close(Some(reason)))) => {
            assert_eq!(u16::from(reason.code), 1008);
        }
        None | Some(Err(_)) => {}
        other => panic!("the server closes the socket: {other:?}"),
    }
}

#[tokio::test]
async fn l7_a_close_frame_is_answered_at_once() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("closeseller", "seller").await;
    let id = auction(&app, &seller).await;
    let mut ws = socket(&app.base, id, None).await;
    assert_eq!(next_json(&mut ws).await["type"], "auction_status");
    ws.send(Message::Close(None)).await.unwrap();
    let started = std::time::Instant::now();
    // The answer is the server's Close, then the end of the stream.
    let mut answered = None;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("the close is answered")
        {
            Some(Ok(Message::Close(_))) => answered = Some(started.elapsed()),
            None => break,
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("{e}"),
        }
    }
    let closed = started.elapsed();
    println!("close frame after {answered:?}, connection closed after {closed:?}");
    // RFC 6455 §5.5.1: the Close is answered at once (measured ~0.2 ms; the bound leaves room
    // for a busy machine). The TCP connection then ends when actix's linger does
    // (`HTTP_LINGER_MS`, 1 s by default, measured ~0.9 s).
    let answered = answered.expect("the server answers with its own Close");
    assert!(
        answered < Duration::from_millis(600),
        "the Close is answered at once: {answered:?}"
    );
}
