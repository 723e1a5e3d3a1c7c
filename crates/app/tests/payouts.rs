//! Admin payout tools: the orders still owing sellers, and a retry that never pays twice.

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn admins_see_owed_payouts_and_retry_them_without_paying_twice() {
    let app = spawn_app().await;
    let (potter, _) = app.register_as("potter", "seller").await;
    let (weaver, weaver_id) = app.register_as("weaver", "seller").await;
    app.onboard(&potter).await;
    app.onboard(&weaver).await;
    let (buyer, _) = app.register("ayesha").await;
    let address = app.address(&buyer).await;
    let vase = app.listing(&potter, "Vase", "1000.00", 5).await;
    let shawl = app.listing(&weaver, "Shawl", "1225.00", 5).await;
    app.add_to_cart(&buyer, vase, 1).await;
    app.add_to_cart(&buyer, shawl, 1).await;
    let order = app
        .post(
            "/api/cart/checkout/",
            Some(&buyer),
            json!({"shipping_address_id": address}),
        )
        .await
        .body;
    let id = order["id"].as_i64().unwrap();
    let admin = app.admin_token().await;

    // Unpaid: refused with the contract's text.
    let r = app
        .post(
            "/api/admin/trigger-transfers/",
            Some(&admin),
            json!({"order_id": id}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Order must be paid. Current status: pending_payment"})
        )
    );
    app.pay(order["payment_url"].as_str().unwrap(), true).await;
    assert!(
        app.count_reaches("seller_transfers WHERE status = 'succeeded'", 2)
            .await
    );
    let original = app
        .db
        .ids(&format!(
            "SELECT id FROM seller_transfers WHERE seller_id = {weaver_id}"
        ))
        .await;
    assert_eq!(original.len(), 1);
    let r = app
        .get("/api/admin/orders-needing-transfers/", Some(&admin))
        .await;
    assert_eq!(r.body, json!({"count": 0, "orders": []}));
    let r = app
        .post(
            "/api/admin/trigger-transfers/",
            Some(&admin),
            json!({"order_id": id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["warning"], "Transfers already exist for this order");
    assert_eq!(r.body["transfers"].as_array().unwrap().len(), 2);

    // A payout that failed for good shows up, and a retry pays it with the same provider key.
    app.db
        .execute(&format!(
            "UPDATE seller_transfers SET status = 'failed', completed_at = NULL WHERE seller_id = {weaver_id}"
        ))
        .await;
    let owed = app
        .get("/api/admin/orders-needing-transfers/", Some(&admin))
        .await
        .body;
    assert_eq!(owed["count"], 1);
    assert_eq!(owed["orders"][0]["order_id"], id);
    assert_eq!(owed["orders"][0]["status"], "paid");
    assert_eq!(owed["orders"][0]["total_amount"], "2225.00");
    assert!(
        owed["orders"][0]["paid_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(owed["orders"][0]["sellers"].as_array().unwrap().len(), 2);
    let r = app
        .post(
            "/api/admin/trigger-transfers/",
            Some(&admin),
            json!({"order_id": id}),
        )
        .await;
    assert_eq!(r.body["message"], "Transfers triggered successfully");
    let weaver_row = r.body["transfers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["seller_username"] == "weaver")
        .unwrap()
        .clone();
    assert_eq!(weaver_row["status"], "pending");
    assert_eq!(weaver_row["amount"], "1200.50");
    let before = weaver_row["stripe_transfer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        app.count_reaches("seller_transfers WHERE status = 'succeeded'", 2)
            .await
    );
    assert_eq!(
        app.db.count("seller_transfers").await,
        2,
        "no second payout row"
    );
    assert_eq!(
        app.db
            .count(&format!(
                "seller_transfers WHERE seller_id = {weaver_id} AND stripe_transfer_id = '{before}'"
            ))
            .await,
        1,
        "the retry used the same idempotency key, so the provider returned the same transfer"
    );
    let r = app
        .get("/api/admin/orders-needing-transfers/", Some(&admin))
        .await;
    assert_eq!(r.body["count"], 0);
}

#[tokio::test]
async fn only_admins_use_the_payout_tools_and_bad_requests_are_refused() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let r = app
        .post(
            "/api/admin/trigger-transfers/",
            Some(&seller),
            json!({"order_id": 1}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Only admins can trigger manual transfers"})
        )
    );
    let r = app
        .get("/api/admin/orders-needing-transfers/", Some(&seller))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Only admins can access this endpoint"})
        )
    );
    assert_eq!(
        app.get("/api/admin/orders-needing-transfers/", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let admin = app.admin_token().await;
    for body in [
        json!({}),
        json!({"order_id": ""}),
        json!({"order_id": "abc"}),
    ] {
        let r = app
            .post("/api/admin/trigger-transfers/", Some(&admin), body.clone())
            .await;
        assert_eq!(
            (r.status, r.body),
            (
                StatusCode::BAD_REQUEST,
                json!({"error": "order_id is required"})
            ),
            "{body}"
        );
    }
    let r = app
        .post(
            "/api/admin/trigger-transfers/",
            Some(&admin),
            json!({"order_id": 999_999}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::NOT_FOUND, json!({"error": "Order not found"}))
    );
}
