//! Checkout, payment through the dev gateway, payouts, emails, and the order life cycle over HTTP.

mod common;

use common::{TestApp, spawn_app, spawn_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{Market, market};

async fn checkout(m: &Market, key: Option<&str>) -> common::Reply {
    let mut req = m
        .app
        .client
        .post(m.app.url("/api/cart/checkout/"))
        .header("Authorization", format!("Token {}", m.buyer))
        .json(&json!({"shipping_address_id": m.address}));
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    TestApp::reply(req.send().await.unwrap()).await
}

async fn fill_cart(m: &Market) {
    for (listing, qty) in m.listings.iter().zip([2, 1, 3]) {
        let r = m.app.add_to_cart(&m.buyer, *listing, qty).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
}

async fn order(m: &Market, token: &str, id: i64) -> Value {
    let r = m.app.get(&format!("/api/orders/{id}/"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

#[tokio::test]
async fn a_three_seller_cart_is_one_order_paid_once_with_three_exact_payouts() {
    let m = market(spawn_app().await).await;
    fill_cart(&m).await;
    let r = checkout(&m, Some("checkout-1")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let o = r.body.clone();
    let id = o["id"].as_i64().unwrap();
    assert!(o["order_number"].as_str().unwrap().starts_with("CART-"));
    assert_eq!(o["order_number"].as_str().unwrap().len(), 17);
    assert_eq!(o["order_type"], "cart");
    assert_eq!(o["status"], "pending_payment");
    // 2 × 1000.00 + 1225.00 + 3 × 333.33 = 4224.99; fees 40.00 + 24.50 + 20.00 (19.9998).
    assert_eq!(o["total_amount"], "4224.99");
    assert_eq!(o["platform_fee"], "84.50");
    assert_eq!(o["seller_amount"], Value::Null);
    assert!(o.get("seller_username").is_none());
    assert_eq!(o["is_multi_seller"], true);
    assert_eq!(o["items"].as_array().unwrap().len(), 3);
    assert!(
        o["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["seller_id"].is_i64())
    );
    assert!(
        o["payment_url"]
            .as_str()
            .unwrap()
            .contains("/api/payments/dev/checkout/cs_dev_")
    );
    assert!(o["payment_deadline"].is_string());
    let breakdown: Vec<&str> = o["seller_breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["seller_amount"].as_str().unwrap())
        .collect();
    assert_eq!(breakdown.len(), 3);
    assert!(
        breakdown.contains(&"1960.00")
            && breakdown.contains(&"1200.50")
            && breakdown.contains(&"979.99")
    );
    // Units are taken when the order is placed; the cart is empty.
    assert_eq!(m.app.stock(m.listings[0]).await, (3, 0, "active".into()));
    assert_eq!(m.app.stock(m.listings[1]).await, (1, 0, "active".into()));
    assert_eq!(m.app.stock(m.listings[2]).await, (7, 0, "active".into()));
    let cart = m.app.get("/api/cart/", Some(&m.buyer)).await;
    assert_eq!(cart.body["items"], json!([]));

    // A retry with the same key returns the same order; nothing is taken twice.
    let again = checkout(&m, Some("checkout-1")).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    assert_eq!(again.body["id"], id);
    assert_eq!(m.app.db.count("orders").await, 1);
    // Without a key, a second click finds the cart already checked out.
    let empty = checkout(&m, None).await;
    assert_eq!(empty.body, json!({"non_field_errors": ["Cart is empty"]}));

    // The buyer pays on the dev gateway's page; its signed event goes through the webhook.
    let paid = m.app.pay(o["payment_url"].as_str().unwrap(), true).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.text);
    let location = paid.headers["location"].to_str().unwrap();
    assert!(location.contains(&format!(
        "/api/payments/success/?order_id={id}&session_id=cs_dev_"
    )));
    let o = order(&m, &m.buyer, id).await;
    assert_eq!(o["status"], "paid");
    assert!(o["paid_at"].is_string());
    assert!(
        o["stripe_payment_intent_id"]
            .as_str()
            .unwrap()
            .starts_with("pi_dev_")
    );
    assert_eq!(
        m.app.db.count("payments WHERE status = 'succeeded'").await,
        1
    );
    // The paid session's page says it is closed, and paying it again is refused.
    let path = o["payment_url"]
        .as_str()
        .unwrap()
        .split_once("/api/")
        .map(|(_, p)| format!("/api/{p}"))
        .unwrap();
    let page = m.app.get(&path, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("This checkout is closed (order paid)"),
        "{}",
        page.text
    );
    let again = m.app.post(&format!("{path}pay/"), None, json!({})).await;
    assert_eq!(again.status, StatusCode::GONE, "{}", again.text);
    assert!(again.text.contains("closed (order paid)"), "{}", again.text);
    assert_eq!(
        m.app.db.count("payments WHERE status = 'succeeded'").await,
        1
    );

    // One payout per seller, each exactly the seller's share, made by the job queue.
    m.app.run_jobs().await;
    assert_eq!(
        m.app
            .db
            .count("seller_transfers WHERE status = 'succeeded'")
            .await,
        3,
        "three transfers were paid"
    );
    for amount in ["1960.00", "1200.50", "979.99"] {
        assert_eq!(
            m.app
                .db
                .count(&format!("seller_transfers WHERE amount = {amount} AND stripe_transfer_id LIKE 'tr_dev_%'"))
                .await,
            1,
            "{amount}"
        );
    }
    assert_eq!(
        m.app
            .db
            .count("orders WHERE total_amount = (SELECT sum(amount) + sum(platform_fee) FROM seller_transfers)")
            .await,
        1,
        "payouts plus fees add up to the charge"
    );

    // Receipts: the buyer's lists every line, each seller's only their own.
    assert!(
        m.app.outbox.sent().len() >= 4 + 4,
        "{} emails",
        m.app.outbox.sent().len()
    );
    let number = o["order_number"].as_str().unwrap();
    let receipt = m.app.mail_to("ayesha@example.pk");
    let receipt = receipt
        .iter()
        .find(|r| r.contains(&format!("Subject: Payment Successful - Order {number}")))
        .expect("the buyer's receipt");
    for needle in ["Vase", "Shawl", "Spoon", "4224.99"] {
        assert!(receipt.contains(needle), "{needle}");
    }
    for (seller, (mine, others)) in ["potter", "weaver", "carver"].iter().zip([
        ("Vase", ["Shawl", "Spoon"]),
        ("Shawl", ["Vase", "Spoon"]),
        ("Spoon", ["Vase", "Shawl"]),
    ]) {
        let mails = m.app.mail_to(&format!("{seller}@example.pk"));
        let sale = mails
            .iter()
            .find(|r| r.contains(&format!("Subject: New Sale - Order {number}")))
            .unwrap_or_else(|| panic!("{seller} got no sale email"));
        assert!(sale.contains(mine));
        for other in others {
            assert!(!sale.contains(other), "{seller} saw {other}");
        }
    }

    // A seller sees only their lines and amounts, never the buyer's payment reference.
    let seen = order(&m, &m.sellers[0], id).await;
    assert_eq!(seen["items"].as_array().unwrap().len(), 1);
    assert_eq!(seen["items"][0]["product_name"], "Vase");
    assert_eq!(seen["total_amount"], "2000.00");
    assert_eq!(seen["platform_fee"], "40.00");
    assert_eq!(seen["seller_amount"], "1960.00");
    assert_eq!(seen["stripe_payment_intent_id"], "");
    assert_eq!(seen["my_items_shipped"], false);
    assert_eq!(seen["seller_breakdown"].as_array().unwrap().len(), 1);
    // A stranger sees nothing.
    let (stranger, _) = m.app.register("stranger").await;
    let r = m
        .app
        .get(&format!("/api/orders/{id}/"), Some(&stranger))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.body,
        json!({"detail": "No Order matches the given query."})
    );
    assert_eq!(
        m.app.get("/api/orders/", Some(&stranger)).await.body["count"],
        0
    );
    assert_eq!(
        m.app.get(&format!("/api/orders/{id}/"), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Lists: the buyer's and each seller's.
    let mine = m.app.get("/api/orders/?role=buyer", Some(&m.buyer)).await;
    assert_eq!(mine.body["count"], 1);
    let sold = m
        .app
        .get("/api/orders/?role=seller", Some(&m.sellers[2]))
        .await;
    assert_eq!(sold.body["count"], 1);
    assert_eq!(sold.body["results"][0]["seller_amount"], "979.99");
    assert_eq!(
        m.app
            .get("/api/orders/?role=seller", Some(&m.buyer))
            .await
            .body["count"],
        0
    );
}

#[tokio::test]
async fn each_seller_ships_their_own_items_then_the_buyer_confirms_delivery() {
    let m = market(spawn_app().await).await;
    fill_cart(&m).await;
    let o = checkout(&m, None).await.body;
    let id = o["id"].as_i64().unwrap();
    let ship = |token: &str| {
        let path = format!("/api/orders/{id}/mark_shipped/");
        let token = token.to_owned();
        let app = &m.app;
        async move {
            app.post(&path, Some(&token), json!({"tracking_number": "TCS-123"}))
                .await
        }
    };
    let r = ship(&m.sellers[0]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"error": "Order must be paid first"}));
    m.app.pay(o["payment_url"].as_str().unwrap(), true).await;

    let r = ship(&m.buyer).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, json!({"error": "You have no items in this order"}));
    let r = ship(&m.sellers[0]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"message": "Your items marked as shipped", "all_items_shipped": false})
    );
    let r = ship(&m.sellers[0]).await;
    assert_eq!(
        r.body,
        json!({"error": "Your items have already been marked as shipped"})
    );
    let seen = order(&m, &m.sellers[0], id).await;
    assert_eq!(seen["my_items_shipped"], true);
    assert_eq!(seen["items"][0]["tracking_number"], "TCS-123");
    ship(&m.sellers[1]).await;
    let r = ship(&m.sellers[2]).await;
    assert_eq!(r.body["all_items_shipped"], true);
    let o = order(&m, &m.buyer, id).await;
    assert_eq!(o["status"], "shipped");
    assert!(o["shipped_at"].is_string());
    assert_eq!(
        m.app
            .db
            .count(&format!(
                "notifications WHERE order_id = {id} AND notification_type = 'order_shipped'"
            ))
            .await,
        4
    );

    let path = format!("/api/orders/{id}/mark_delivered/");
    let r = m.app.post(&path, Some(&m.sellers[0]), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = m.app.post(&path, Some(&m.buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "delivered");
    // Forward only: delivered cannot be delivered again or cancelled.
    let r = m.app.post(&path, Some(&m.buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = m
        .app
        .post(
            &format!("/api/orders/{id}/cancel/"),
            Some(&m.buyer),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.body,
        json!({"error": "An order that is delivered cannot become cancelled"})
    );
}

#[tokio::test]
async fn a_declined_payment_releases_the_stock_and_tells_the_buyer() {
    let m = market(spawn_app().await).await;
    let r = m
        .app
        .post(
            &format!("/api/listings/{}/purchase/", m.listings[1]),
            Some(&m.buyer),
            json!({"quantity": 2, "shipping_address": m.address}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["order_type"], "fixed_price");
    assert!(r.body["order_number"].as_str().unwrap().starts_with("FXD-"));
    assert_eq!(r.body["unit_price"], "1225.00");
    assert_eq!(r.body["total_amount"], "2450.00");
    assert_eq!(r.body["platform_fee"], "49.00");
    assert_eq!(r.body["seller_amount"], "2401.00");
    assert_eq!(r.body["seller_username"], "weaver");
    assert_eq!(r.body["items"], json!([]));
    assert_eq!(
        m.app.stock(m.listings[1]).await,
        (0, 0, "out_of_stock".into())
    );
    let id = r.body["id"].as_i64().unwrap();

    let failed = m
        .app
        .pay(r.body["payment_url"].as_str().unwrap(), false)
        .await;
    assert_eq!(failed.status, StatusCode::SEE_OTHER);
    assert_eq!(order(&m, &m.buyer, id).await["status"], "payment_failed");
    assert_eq!(m.app.stock(m.listings[1]).await, (2, 0, "active".into()));
    m.app.run_jobs().await;
    let told = m
        .app
        .mail_to("ayesha@example.pk")
        .iter()
        .filter(|r| r.contains("Subject: Payment not completed - Order FXD-"))
        .count();
    assert_eq!(told, 1);
    // The closed session cannot be paid any more.
    let path = r.body["payment_url"]
        .as_str()
        .unwrap()
        .split_once("/api/")
        .unwrap()
        .1
        .to_owned();
    let late = m
        .app
        .client
        .post(m.app.url(&format!("/api/{path}pay/")))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), StatusCode::GONE);
    assert_eq!(m.app.db.count("seller_transfers").await, 0);
}

#[tokio::test]
async fn an_unpaid_order_expires_with_its_session_and_its_units_return() {
    let m = market(spawn_app().await).await;
    fill_cart(&m).await;
    let o = checkout(&m, None).await.body;
    let id = o["id"].as_i64().unwrap();
    assert_eq!(m.app.stock(m.listings[1]).await, (1, 0, "active".into()));
    m.app.clock.advance(chrono::Duration::minutes(31));
    m.app.sweep().await;
    assert_eq!(
        m.app.stock(m.listings[1]).await,
        (2, 0, "active".into()),
        "the units came back"
    );
    assert_eq!(order(&m, &m.buyer, id).await["status"], "payment_failed");
    assert_eq!(m.app.stock(m.listings[0]).await, (5, 0, "active".into()));
    assert_eq!(m.app.stock(m.listings[2]).await, (10, 0, "active".into()));
    let late = m.app.pay(o["payment_url"].as_str().unwrap(), true).await;
    assert_eq!(late.status, StatusCode::GONE);
}

#[tokio::test]
async fn the_buyer_may_cancel_before_paying_and_nobody_else_may() {
    let m = market(spawn_app().await).await;
    fill_cart(&m).await;
    let o = checkout(&m, None).await.body;
    let id = o["id"].as_i64().unwrap();
    let path = format!("/api/orders/{id}/cancel/");
    let r = m.app.post(&path, Some(&m.sellers[0]), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (stranger, _) = m.app.register("stranger").await;
    assert_eq!(
        m.app.post(&path, Some(&stranger), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let r = m.app.post(&path, Some(&m.buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "cancelled");
    assert_eq!(m.app.stock(m.listings[0]).await, (5, 0, "active".into()));
    let r = m.app.post(&path, Some(&m.buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn direct_purchase_checks_come_in_the_contracts_order() {
    let m = market(spawn_app().await).await;
    let listing = m.listings[0];
    let buy = |token: &str, body: Value| {
        let (app, token) = (&m.app, token.to_owned());
        async move {
            app.post(
                &format!("/api/listings/{listing}/purchase/"),
                Some(&token),
                body,
            )
            .await
        }
    };
    let r = m
        .app
        .post(
            "/api/listings/999999/purchase/",
            Some(&m.buyer),
            json!({"shipping_address": m.address}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.body,
        json!({"detail": "No FixedPriceListing matches the given query."})
    );
    let r = buy(&m.sellers[0], json!({"shipping_address": m.address})).await;
    assert_eq!(
        r.body,
        json!({"error": "You cannot purchase your own listing"})
    );
    for bad in [json!(0), json!(-3)] {
        let r = buy(
            &m.buyer,
            json!({"quantity": bad, "shipping_address": m.address}),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.body,
            json!({"quantity": ["Ensure this value is greater than or equal to 1."]})
        );
    }
    let r = buy(
        &m.buyer,
        json!({"quantity": "two", "shipping_address": m.address}),
    )
    .await;
    assert_eq!(
        r.body,
        json!({"quantity": ["A valid integer is required."]})
    );
    let r = buy(
        &m.buyer,
        json!({"quantity": 6, "shipping_address": m.address}),
    )
    .await;
    assert_eq!(r.body, json!({"error": "Not enough quantity available"}));
    let (other, _) = m.app.register("other").await;
    let theirs = m.app.address(&other).await;
    for address in [json!(theirs), json!(null), json!(999_999)] {
        let r = buy(&m.buyer, json!({"shipping_address": address})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{address}");
    }
    let r = buy(&m.buyer, json!({"shipping_address": theirs})).await;
    assert_eq!(r.body, json!({"error": "Invalid shipping address"}));
    assert_eq!(m.app.db.count("orders").await, 0);
    assert_eq!(m.app.stock(listing).await, (5, 0, "active".into()));
    // Form posts work too (the original crashed on them).
    let res = m
        .app
        .client
        .post(m.app.url(&format!("/api/listings/{listing}/purchase/")))
        .header("Authorization", format!("Token {}", m.buyer))
        .form(&[
            ("quantity", "2"),
            ("shipping_address", &m.address.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(m.app.stock(listing).await, (3, 0, "active".into()));
    m.app
        .post(
            &format!("/api/listings/{listing}/toggle_status/"),
            Some(&m.sellers[0]),
            json!({}),
        )
        .await;
    let r = buy(&m.buyer, json!({"shipping_address": m.address})).await;
    assert_eq!(r.body, json!({"error": "Listing is not active"}));
}

#[tokio::test]
async fn checkout_validates_the_address_and_the_cart() {
    let m = market(spawn_app().await).await;
    let r = checkout(&m, None).await;
    assert_eq!(r.body, json!({"non_field_errors": ["Cart is empty"]}));
    let r = m
        .app
        .post("/api/cart/checkout/", Some(&m.buyer), json!({}))
        .await;
    assert_eq!(
        r.body,
        json!({"shipping_address_id": ["This field is required."]})
    );
    let r = m
        .app
        .post(
            "/api/cart/checkout/",
            Some(&m.buyer),
            json!({"shipping_address_id": "x"}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"shipping_address_id": ["A valid integer is required."]})
    );
    let (other, _) = m.app.register("other").await;
    let theirs = m.app.address(&other).await;
    fill_cart(&m).await;
    let r = m
        .app
        .post(
            "/api/cart/checkout/",
            Some(&m.buyer),
            json!({"shipping_address_id": theirs}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"shipping_address_id": ["Invalid shipping address"]})
    );
    assert_eq!(m.app.db.count("orders").await, 0);
    // A seller deactivating a listing in the cart makes checkout name it.
    m.app
        .post(
            &format!("/api/listings/{}/toggle_status/", m.listings[2]),
            Some(&m.sellers[2]),
            json!({}),
        )
        .await;
    let r = checkout(&m, None).await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["The following items are no longer available: Spoon"]})
    );
    assert_eq!(m.app.stock(m.listings[0]).await, (5, 2, "active".into()));
}

mod webhook {
    use super::*;
    use madeinpk_stripe::{dev, signature};

    const SECRET: &str = common::WEBHOOK_SECRET;

    async fn signed(app: &TestApp, body: &[u8], secret: &str, at: i64) -> common::Reply {
        app.deliver(body, secret, at).await
    }

    fn session(order: &Value) -> String {
        order["payment_url"]
            .as_str()
            .unwrap()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned()
    }

    #[tokio::test]
    async fn bad_signatures_and_payloads_are_400_and_change_nothing() {
        let m = market(spawn_with(|c| c.stripe.webhook_secret = Some(SECRET.into())).await).await;
        fill_cart(&m).await;
        let o = checkout(&m, None).await.body;
        let now = chrono::Utc::now().timestamp();
        let body = dev::completed_event(&session(&o), o["id"].as_i64().unwrap(), 422_499, now);
        let invalid = json!({"error": "Invalid signature"});
        assert_eq!(
            signed(&m.app, &body, "whsec_wrong", now).await.body,
            invalid
        );
        assert_eq!(signed(&m.app, &body, SECRET, now - 301).await.body, invalid);
        let mut tampered = body.clone();
        let at = tampered.len() - 3;
        tampered[at] = b' ';
        let header = signature::sign(SECRET, now, &body);
        let res = m
            .app
            .client
            .post(m.app.url("/api/stripe/webhook/"))
            .header("Stripe-Signature", header)
            .body(tampered)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = m
            .app
            .client
            .post(m.app.url("/api/stripe/webhook/"))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let r = signed(&m.app, b"not json", SECRET, now).await;
        assert_eq!(r.body, json!({"error": "Invalid payload"}));
        assert_eq!(
            m.app
                .db
                .count("orders WHERE status = 'pending_payment'")
                .await,
            1
        );
        // Unknown types are acknowledged; stray credentials are ignored here.
        let other = br#"{"id":"evt_x","type":"customer.created","data":{"object":{"id":"cus_1"}}}"#;
        let res = m
            .app
            .client
            .post(m.app.url("/api/stripe/webhook/"))
            .header("Stripe-Signature", signature::sign(SECRET, now, other))
            .header("Authorization", "Token nope")
            .body(other.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn replays_and_reordering_pay_once_and_never_move_an_order_back() {
        let m = market(spawn_with(|c| c.stripe.webhook_secret = Some(SECRET.into())).await).await;
        fill_cart(&m).await;
        let o = checkout(&m, None).await.body;
        let id = o["id"].as_i64().unwrap();
        let s = session(&o);
        let now = chrono::Utc::now().timestamp();
        let paid = dev::completed_event(&s, id, 422_499, now);
        let failed = dev::failed_event(&s, id, now);
        // Success three times, a late failure in between: one paid order, three payouts.
        for body in [&paid, &paid, &failed, &paid] {
            let r = signed(&m.app, body, SECRET, now).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            assert_eq!(r.body, json!({"status": "success"}));
        }
        assert_eq!(order(&m, &m.buyer, id).await["status"], "paid");
        assert_eq!(m.app.db.count("payments").await, 1);
        assert_eq!(m.app.db.count("seller_transfers").await, 3);
        assert_eq!(m.app.db.count("payment_events").await, 2);
        m.app.run_jobs().await;
        assert_eq!(
            m.app
                .db
                .count("jobs WHERE kind = 'pay_out_seller' AND status = 'done'")
                .await,
            3
        );
        assert_eq!(
            m.app.db.count("jobs WHERE kind = 'pay_out_seller'").await,
            3
        );
        assert_eq!(m.app.stock(m.listings[0]).await, (3, 0, "active".into()));
        // A session paid for a different amount is not this order's payment.
        fill_cart(&m).await;
        let o2 = checkout(&m, None).await.body;
        let wrong = dev::completed_event(&session(&o2), o2["id"].as_i64().unwrap(), 1, now);
        signed(&m.app, &wrong, SECRET, now).await;
        assert_eq!(
            order(&m, &m.buyer, o2["id"].as_i64().unwrap()).await["status"],
            "pending_payment"
        );
        // Nor is a session that names another order.
        let mismatched = dev::completed_event(&session(&o2), id, 422_499, now + 1);
        signed(&m.app, &mismatched, SECRET, now).await;
        assert_eq!(
            order(&m, &m.buyer, o2["id"].as_i64().unwrap()).await["status"],
            "pending_payment"
        );
    }

    #[tokio::test]
    async fn a_failure_then_a_late_success_takes_the_units_again() {
        let m = market(spawn_with(|c| c.stripe.webhook_secret = Some(SECRET.into())).await).await;
        fill_cart(&m).await;
        let o = checkout(&m, None).await.body;
        let id = o["id"].as_i64().unwrap();
        let s = session(&o);
        let now = chrono::Utc::now().timestamp();
        signed(&m.app, &dev::failed_event(&s, id, now), SECRET, now).await;
        assert_eq!(m.app.stock(m.listings[1]).await, (2, 0, "active".into()));
        signed(
            &m.app,
            &dev::completed_event(&s, id, 422_499, now),
            SECRET,
            now,
        )
        .await;
        assert_eq!(order(&m, &m.buyer, id).await["status"], "paid");
        assert_eq!(m.app.stock(m.listings[1]).await, (1, 0, "active".into()));
    }
}

#[tokio::test]
async fn payment_pages_redirect_and_show_the_callers_order() {
    let m = market(spawn_app().await).await;
    fill_cart(&m).await;
    let o = checkout(&m, None).await.body;
    let id = o["id"].as_i64().unwrap();
    let r = m
        .app
        .get(&format!("/api/payments/success/?order_id={id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(
        r.headers["location"],
        format!("http://localhost:5173/order-success?order_id={id}").as_str()
    );
    for q in ["order_id=abc", "order_id=999999", ""] {
        let r = m
            .app
            .get(&format!("/api/payments/success/?{q}"), None)
            .await;
        assert_eq!(r.status, StatusCode::FOUND);
        assert_eq!(r.headers["location"], "http://localhost:5173/order-success");
    }
    let r = m
        .app
        .get(
            &format!("/api/payments/cancel/?order_id={id}"),
            Some(&m.buyer),
        )
        .await;
    assert_eq!(r.body["message"], "Payment cancelled");
    assert_eq!(r.body["order"]["id"], id);
    assert_eq!(r.body["payment_url"], o["payment_url"]);
    let r = m
        .app
        .get(
            &format!("/api/payments/cancel/?order_id={id}"),
            Some(&m.sellers[0]),
        )
        .await;
    assert_eq!(r.body, json!({"message": "Payment cancelled"}));
    let r = m
        .app
        .get("/api/payments/cancel/?order_id=abc", Some(&m.buyer))
        .await;
    assert_eq!(r.body, json!({"message": "Payment cancelled"}));
    assert_eq!(
        m.app.get("/api/payments/cancel/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        m.app
            .get("/api/payments/dev/checkout/cs_dev_nope/", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        m.app
            .post("/api/orders/", Some(&m.buyer), json!({}))
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}
