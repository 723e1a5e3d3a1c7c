//! Admins' moderation over HTTP: block (the user is told once, can read but not write),
//! unblock, reset the unpaid-auction count, and the payment-violation list; nobody else may.

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn admins_block_unblock_and_forgive_and_nobody_else_can() {
    let app = spawn_app().await;
    let (seller, seller_id) = app.register_as("potter", "seller").await;
    let (buyer, buyer_id) = app.register("ayesha").await;
    let admin = app.admin_token().await;
    let admin_id = app.get("/api/auth/profile/", Some(&admin)).await.body["id"]
        .as_i64()
        .unwrap();
    let listing = app.listing(&seller, "Vase", "1000.00", 5).await;
    let block = format!("/api/admin/users/{buyer_id}/block/");

    // Who may.
    let r = app.post(&block, Some(&seller), json!({})).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Only admins can manage users"})
        )
    );
    assert_eq!(
        app.post(&block, None, json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post(
            &format!("/api/admin/users/{admin_id}/block/"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Admin accounts cannot be blocked"})
        )
    );
    for path in [
        "/api/admin/users/999999/block/",
        "/api/admin/users/abc/block/",
    ] {
        assert_eq!(
            app.post(path, Some(&admin), json!({})).await.status,
            StatusCode::NOT_FOUND
        );
    }

    // Blocked (twice: told once); reads work, writes do not.
    for _ in 0..2 {
        let r = app
            .post(&block, Some(&admin), json!({"reason": "Chargeback fraud"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["is_blocked"], true);
    }
    let mailed = app
        .eventually(std::time::Duration::from_secs(15), || async {
            app.mail_to("ayesha@example.pk")
                .iter()
                .any(|m| m.contains("MadeInPK Account Blocked") && m.contains("Chargeback fraud"))
        })
        .await;
    assert!(mailed);
    assert_eq!(
        app.db
            .count(&format!(
                "notifications WHERE user_id = {buyer_id} AND notification_type = 'account_blocked'"
            ))
            .await,
        1
    );
    assert_eq!(
        app.get("/api/orders/", Some(&buyer)).await.status,
        StatusCode::OK
    );
    let r = app.add_to_cart(&buyer, listing, 1).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Your account is blocked"})
        )
    );
    let r = app
        .post(
            "/api/conversations/",
            Some(&buyer),
            json!({"buyer": buyer_id, "seller": seller_id, "product": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Unblocked: writing works again.
    let r = app
        .post(
            &format!("/api/admin/users/{buyer_id}/unblock/"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.body["is_blocked"], false);
    assert_eq!(
        app.add_to_cart(&buyer, listing, 1).await.status,
        StatusCode::CREATED
    );

    // Forgiven: the count goes back to 0, the record stays.
    app.db
        .execute(&format!(
            "UPDATE users SET failed_payment_count = 2 WHERE id = {buyer_id}"
        ))
        .await;
    let r = app
        .post(
            &format!("/api/admin/users/{buyer_id}/reset_violations/"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.body["failed_payment_count"], 0);
}

#[tokio::test]
async fn admins_list_payment_violations() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (buyer, buyer_id) = app.register("ayesha").await;
    let admin = app.admin_token().await;
    let address = app.address(&buyer).await;
    let listing = app.listing(&seller, "Vase", "1000.00", 5).await;
    let order = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&buyer),
            json!({"shipping_address": address, "quantity": 1}),
        )
        .await
        .body;
    let order_id = order["id"].as_i64().unwrap();
    app.db
        .execute(&format!(
            "INSERT INTO payment_violations (user_id, order_id, notes) VALUES ({buyer_id}, {order_id}, 'unpaid')"
        ))
        .await;
    // Someone else's violation, which the filter must leave out.
    let (other, other_id) = app.register("bilal").await;
    let other_address = app.address(&other).await;
    let theirs = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&other),
            json!({"shipping_address": other_address, "quantity": 1}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    app.db
        .execute(&format!(
            "INSERT INTO payment_violations (user_id, order_id, notes) VALUES ({other_id}, {theirs}, 'late')"
        ))
        .await;
    assert_eq!(
        app.get("/api/admin/payment-violations/", Some(&admin))
            .await
            .body["count"],
        2
    );
    assert_eq!(
        app.get("/api/admin/payment-violations/", Some(&buyer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .get(
            &format!("/api/admin/payment-violations/?user={buyer_id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["count"], 1);
    let v = &r.body["results"][0];
    assert_eq!(
        (
            &v["user_username"],
            &v["order"],
            &v["order_number"],
            &v["notes"]
        ),
        (
            &json!("ayesha"),
            &json!(order_id),
            &order["order_number"],
            &json!("unpaid")
        )
    );
    assert_eq!(
        app.get("/api/admin/payment-violations/?user=abc", Some(&admin))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}
