//! Security review finding L3 over real HTTP: auction windows are bounded, a buyer who states
//! the total they agreed to is never charged another one, and one buyer cannot tie up a
//! listing's units with an endless run of unpaid orders.

mod common;

use chrono::Duration;
use common::{Reply, TestApp, market, spawn_app, spawn_with};
use madeinpk_domain::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

const TOO_LONG: &str = "End time must be at most 30 days after the start time (or after now, once the start has passed).";

/// A time `offset` from now on the app's clock, as ISO-8601.
fn iso(app: &TestApp, offset: Duration) -> String {
    (app.clock.now() + offset).to_rfc3339()
}

/// `POST auctions/` for a new product of `seller`'s named `name`, open from `start` to `end`
/// (offsets from now).
async fn create(app: &TestApp, seller: &str, name: &str, start: Duration, end: Duration) -> Reply {
    let product = app.product(seller, name).await;
    app.post(
        "/api/auctions/",
        Some(seller),
        json!({"product_id": product, "starting_price": "1000.00",
               "start_time": iso(app, start), "end_time": iso(app, end)}),
    )
    .await
}

#[tokio::test]
async fn l3_auctions_must_end_in_the_future_and_within_the_bound() {
    let day = Duration::days(1);
    let minute = Duration::minutes(1);
    // Off by default: the contract accepts any window whose end follows its start.
    let contract = spawn_app().await;
    let (seller, _) = contract.register_as("auctioneer", "seller").await;
    let r = create(&contract, &seller, "Lamp 0", -day * 2, -day).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = create(&contract, &seller, "Lamp 00", -minute, day * 3650).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let app = spawn_with(|c| c.auctions.schedule_bounds = true).await;
    let (seller, _) = app.register_as("auctioneer", "seller").await;

    // Refused: ended already, ten years long, starting too far ahead, too long from a future
    // start; nothing is created.
    let r = create(&app, &seller, "Lamp 1", -day * 2, -day).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"end_time": ["End time must be in the future."]})
        )
    );
    let r = create(&app, &seller, "Lamp 2", -minute, day * 3650).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::BAD_REQUEST, json!({"end_time": [TOO_LONG]}))
    );
    let r = create(&app, &seller, "Lamp 3", day * 31, day * 32).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"start_time": ["Start time must be at most 30 days from now."]})
        )
    );
    let r = create(&app, &seller, "Lamp 4", day * 20, day * 51).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::BAD_REQUEST, json!({"end_time": [TOO_LONG]}))
    );
    let r = create(&app, &seller, "Lamp 5", day * 31, day * 100).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({
                "start_time": ["Start time must be at most 30 days from now."],
                "end_time": [TOO_LONG]
            })
        )
    );
    // The window's own rule still comes first, with the contract's text.
    let r = create(&app, &seller, "Lamp 6", day * 2, day).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"non_field_errors": ["End time must be after start time"]})
        )
    );
    assert_eq!(app.db.count("auctions").await, 0);

    // Accepted: a future start runs 29 days from it; an opened one is measured from now.
    let r = create(&app, &seller, "Lamp 7", day * 20, day * 49).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = create(&app, &seller, "Lamp 8", -day * 10, day * 25).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(app.db.count("auctions").await, 2);

    // Edits that move the window keep the bounds; a price edit leaves the window alone.
    let path = format!("/api/auctions/{}/", r.body["id"].as_i64().unwrap());
    let r = app
        .patch(
            &path,
            Some(&seller),
            json!({"end_time": iso(&app, day * 31)}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::BAD_REQUEST, json!({"end_time": [TOO_LONG]}))
    );
    let r = app
        .patch(
            &path,
            Some(&seller),
            json!({"end_time": iso(&app, -Duration::hours(1))}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"end_time": ["End time must be in the future."]})
        )
    );
    let r = app
        .put(
            &path,
            Some(&seller),
            json!({"starting_price": "1000.00", "start_time": iso(&app, -minute), "end_time": iso(&app, day * 365)}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::BAD_REQUEST, json!({"end_time": [TOO_LONG]}))
    );
    let r = app
        .patch(&path, Some(&seller), json!({"starting_price": "1200.00"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .patch(
            &path,
            Some(&seller),
            json!({"end_time": iso(&app, day * 29)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // The bounds are settings: a year-long auction starting any time ahead.
    let app = spawn_with(|c| {
        c.auctions.schedule_bounds = true;
        c.auctions.max_days = 365;
        c.auctions.max_start_days = 0;
    })
    .await;
    let (seller, _) = app.register_as("auctioneer", "seller").await;
    let r = create(&app, &seller, "Lamp 1", day * 400, day * 700).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = create(&app, &seller, "Lamp 2", -minute, day * 366).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"end_time": ["End time must be at most 365 days after the start time (or after now, once the start has passed)."]})
        )
    );
    let r = create(&app, &seller, "Lamp 3", -day * 2, -day).await;
    assert_eq!(
        r.body,
        json!({"end_time": ["End time must be in the future."]})
    );
    assert_eq!(app.db.count("auctions").await, 1);
}

#[tokio::test]
async fn l3_a_changed_price_is_refused_when_the_buyer_states_the_expected_total() {
    let m = market(spawn_app().await).await;
    let (vase, spoon) = (m.listings[0], m.listings[2]);
    let r = m.app.add_to_cart(&m.buyer, vase, 2).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        m.app.get("/api/cart/", Some(&m.buyer)).await.body["total_price"],
        "2000.00"
    );
    // The seller raises the price while the vases sit in the cart.
    let r = m
        .app
        .patch(
            &format!("/api/listings/{vase}/"),
            Some(&m.sellers[0]),
            json!({"price": "1100.00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let checkout = |expected: Value| {
        let app = &m.app;
        let body = json!({"shipping_address_id": m.address, "expected_total": expected});
        let token = m.buyer.clone();
        async move { app.post("/api/cart/checkout/", Some(&token), body).await }
    };
    let r = checkout(json!("2000.00")).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"non_field_errors": ["Prices changed: the total is now 2200.00, not 2000.00. Review your cart and check out again."]})
        )
    );
    // Nothing was placed: no order, the units still held by the cart, the cart intact.
    assert_eq!(m.app.db.count("orders").await, 0);
    assert_eq!(m.app.stock(vase).await, (5, 2, "active".into()));
    let cart = m.app.get("/api/cart/", Some(&m.buyer)).await.body;
    assert_eq!(cart["items"].as_array().unwrap().len(), 1);
    assert_eq!(cart["items"][0]["quantity"], 2);
    let r = checkout(json!("abc")).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"expected_total": ["A valid number is required."]})
        )
    );
    // At the total the buyer now agrees to, the order is placed.
    let r = checkout(json!("2200.00")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["total_amount"], "2200.00");
    assert_eq!(m.app.stock(vase).await, (3, 0, "active".into()));

    // A direct purchase states its total the same way.
    let buy = |quantity: i64, expected: Option<Value>| {
        let app = &m.app;
        let mut body = json!({"quantity": quantity, "shipping_address": m.address});
        if let Some(e) = expected {
            body["expected_total"] = e;
        }
        let token = m.buyer.clone();
        async move {
            app.post(
                &format!("/api/listings/{spoon}/purchase/"),
                Some(&token),
                body,
            )
            .await
        }
    };
    let r = buy(2, Some(json!("333.33"))).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"non_field_errors": ["Prices changed: the total is now 666.66, not 333.33. Review your cart and check out again."]})
        )
    );
    assert_eq!(m.app.db.count("orders").await, 1);
    assert_eq!(m.app.stock(spoon).await, (10, 0, "active".into()));
    let r = buy(2, Some(json!(666.66))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["total_amount"], "666.66");
    // Without the field the contract holds: the current price is charged.
    let r = m
        .app
        .patch(
            &format!("/api/listings/{spoon}/"),
            Some(&m.sellers[2]),
            json!({"price": "400.00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = buy(1, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["total_amount"], "400.00");
    assert_eq!(m.app.db.count("orders").await, 3);
}

#[tokio::test]
async fn l3_unpaid_orders_per_buyer_and_listing_are_bounded() {
    let m = market(spawn_with(|c| c.orders.max_unpaid_orders_per_listing = 3).await).await;
    let (vase, spoon) = (m.listings[0], m.listings[2]);
    let buy = |token: String, address: i64| {
        let app = &m.app;
        async move {
            app.post(
                &format!("/api/listings/{spoon}/purchase/"),
                Some(&token),
                json!({"quantity": 1, "shipping_address": address}),
            )
            .await
        }
    };
    let mut unpaid = Vec::new();
    for _ in 0..3 {
        let r = buy(m.buyer.clone(), m.address).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        unpaid.push(r.body);
    }
    let refused =
        json!({"error": "You already have 3 unpaid orders for Spoon; pay or cancel one first"});
    let r = buy(m.buyer.clone(), m.address).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::BAD_REQUEST, refused.clone())
    );
    assert_eq!(m.app.db.count("orders").await, 3);
    assert_eq!(m.app.stock(spoon).await, (7, 0, "active".into()));

    // The bound is per buyer: someone else still buys.
    let (other, _) = m.app.register("bilal").await;
    let other_address = m.app.address(&other).await;
    let r = buy(other, other_address).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(m.app.stock(spoon).await, (6, 0, "active".into()));

    // A cart holding the listing is refused too, and stays as it was.
    for listing in [vase, spoon] {
        let r = m.app.add_to_cart(&m.buyer, listing, 1).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let checkout = || {
        let app = &m.app;
        let body = json!({"shipping_address_id": m.address});
        let token = m.buyer.clone();
        async move { app.post("/api/cart/checkout/", Some(&token), body).await }
    };
    let r = checkout().await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::BAD_REQUEST, refused.clone())
    );
    assert_eq!(m.app.db.count("orders").await, 4);
    assert_eq!(m.app.stock(spoon).await, (6, 1, "active".into()));
    assert_eq!(m.app.stock(vase).await, (5, 1, "active".into()));
    let cart = m.app.get("/api/cart/", Some(&m.buyer)).await.body;
    assert_eq!(cart["items"].as_array().unwrap().len(), 2);

    // Paying one and cancelling another makes room again.
    let paid = m
        .app
        .pay(unpaid[0]["payment_url"].as_str().unwrap(), true)
        .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.text);
    let cancel = format!("/api/orders/{}/cancel/", unpaid[1]["id"].as_i64().unwrap());
    let r = m.app.post(&cancel, Some(&m.buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = checkout().await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(m.app.stock(spoon).await, (6, 0, "active".into()));
    assert_eq!(m.app.stock(vase).await, (4, 0, "active".into()));
    // Two unpaid orders hold the spoon now (a purchase and the cart); one more fits.
    let r = buy(m.buyer.clone(), m.address).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = buy(m.buyer.clone(), m.address).await;
    assert_eq!((r.status, r.body), (StatusCode::BAD_REQUEST, refused));
    assert_eq!(m.app.stock(spoon).await, (5, 0, "active".into()));

    // 0, the default (the contract has no such bound), lifts it.
    let m = market(spawn_app().await).await;
    for _ in 0..4 {
        let r = m
            .app
            .post(
                &format!("/api/listings/{}/purchase/", m.listings[2]),
                Some(&m.buyer),
                json!({"quantity": 1, "shipping_address": m.address}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    assert_eq!(m.app.db.count("orders").await, 4);
}
