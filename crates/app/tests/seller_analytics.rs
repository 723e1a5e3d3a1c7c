//! Seller analytics, profile figures and reviews, computed from real orders paid through the
//! dev gateway.

mod common;

use common::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

/// Two sellers; the buyer pays one cart (2 × 1000.00 from potter, 1 × 1225.00 from weaver) and
/// one direct purchase from potter (500.00), and potter ships the cart items.
async fn trading() -> (TestApp, String, String, String, i64, i64) {
    let app = spawn_app().await;
    let (potter, _) = app.register_as("potter", "seller").await;
    let (weaver, _) = app.register_as("weaver", "seller").await;
    app.onboard(&potter).await;
    app.onboard(&weaver).await;
    let (buyer, _) = app.register("ayesha").await;
    let address = app.address(&buyer).await;
    let vase = app.listing(&potter, "Vase", "1000.00", 5).await;
    let cup = app.listing(&potter, "Cup", "500.00", 5).await;
    let shawl = app.listing(&weaver, "Shawl", "1225.00", 5).await;
    app.add_to_cart(&buyer, vase, 2).await;
    app.add_to_cart(&buyer, shawl, 1).await;
    let cart = app
        .post(
            "/api/cart/checkout/",
            Some(&buyer),
            json!({"shipping_address_id": address}),
        )
        .await
        .body;
    app.pay(cart["payment_url"].as_str().unwrap(), true).await;
    let direct = app
        .post(
            &format!("/api/listings/{cup}/purchase/"),
            Some(&buyer),
            json!({"shipping_address": address}),
        )
        .await
        .body;
    app.pay(direct["payment_url"].as_str().unwrap(), true).await;
    let cart_id = cart["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/orders/{cart_id}/mark_shipped/"),
            Some(&potter),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let paid_out = app
        .count_reaches("seller_transfers WHERE status = 'succeeded'", 3)
        .await;
    assert!(paid_out);
    (app, potter, weaver, buyer, cart_id, vase)
}

#[tokio::test]
async fn statistics_and_earnings_count_each_sellers_share() {
    let (app, potter, weaver, buyer, _, _) = trading().await;
    let r = app.get("/api/seller/statistics/", Some(&buyer)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.body,
        json!({"error": "Only sellers can access this endpoint"})
    );
    assert_eq!(
        app.get("/api/seller/statistics/", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // potter: 2 orders (cart share 1960.00 + direct 490.00), none shipped as a whole yet.
    let stats = app.get("/api/seller/statistics/", Some(&potter)).await.body;
    assert_eq!(stats["total_orders"], 2);
    assert_eq!(stats["total_sales"], 0);
    assert_eq!(
        stats["pending_orders"], 1,
        "the direct order still waits for potter"
    );
    assert_eq!(stats["total_revenue"], "2450.00");
    assert_eq!(stats["current_month_earnings"], "2450.00");
    assert_eq!(stats["total_products"], 2);
    assert_eq!(stats["active_auctions"], 0);
    let stats = app.get("/api/seller/statistics/", Some(&weaver)).await.body;
    assert_eq!(stats["total_orders"], 1);
    assert_eq!(stats["pending_orders"], 1);
    assert_eq!(stats["total_revenue"], "1200.50");

    let earned = app.get("/api/seller/earnings/", Some(&potter)).await.body;
    assert_eq!(earned["total_earnings"], "2450.00");
    assert_eq!(earned["current_month"], "2450.00");
    assert_eq!(earned["last_month"], "0.00");
    assert_eq!(earned["pending_payouts"], "0.00");
    assert_eq!(earned["failed_payouts"], "0.00");
    assert_eq!(earned["earnings_by_month"].as_array().unwrap().len(), 12);
    assert_eq!(earned["earnings_by_month"][11]["amount"], "2450.00");
    assert_eq!(earned["earnings_by_month"][11]["earnings"], 2450.0);
    assert_eq!(earned["earnings_by_week"][3]["name"], "Week 4");
    assert_eq!(earned["earnings_by_week"][3]["amount"], "2450.00");
    assert_eq!(earned["earnings_by_quarter"].as_array().unwrap().len(), 4);
    assert_eq!(earned["earnings_by_year"][4]["amount"], "2450.00");
    let products = earned["product_performance"].as_array().unwrap();
    assert_eq!(products.len(), 2);
    assert_eq!(products[0]["name"], "Vase");
    assert_eq!(products[0]["total_quantity_sold"], 2);
    assert_eq!(products[0]["total_revenue"], "1960.00");
    assert_eq!(products[1]["name"], "Cup");
    assert_eq!(products[1]["average_order_value"], "490.00");

    let top = app
        .get("/api/seller/product-performance/", Some(&potter))
        .await
        .body;
    assert_eq!(
        top["products"],
        json!([
            {"id": products[0]["id"], "name": "Vase", "sales": 1, "revenue": "1960.00"},
            {"id": products[1]["id"], "name": "Cup", "sales": 1, "revenue": "490.00"},
        ])
    );

    let history = app
        .get("/api/seller/transactions/", Some(&potter))
        .await
        .body;
    assert_eq!(history["total"], 2);
    assert_eq!(
        (history["limit"].clone(), history["offset"].clone()),
        (json!(50), json!(0))
    );
    let amounts: Vec<&str> = history["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["amount"].as_str().unwrap())
        .collect();
    assert!(
        amounts.contains(&"+1,960.00") && amounts.contains(&"+490.00"),
        "{amounts:?}"
    );
    assert!(
        history["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["status"] == "Completed"
                && x["id"].as_str().unwrap().starts_with("tr_dev_")
                && x["description"].as_str().unwrap().starts_with("Order "))
    );
    let history = app
        .get("/api/seller/transactions/?limit=1&offset=1", Some(&potter))
        .await
        .body;
    assert_eq!(history["transactions"].as_array().unwrap().len(), 1);
    assert_eq!(history["total"], 2);
    for bad in ["limit=abc", "offset=-1"] {
        let r = app
            .get(&format!("/api/seller/transactions/?{bad}"), Some(&potter))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn a_received_product_can_be_reviewed_once_as_a_verified_purchase() {
    let (app, potter, weaver, buyer, cart, _) = trading().await;
    let vase_product = app
        .get(&format!("/api/orders/{cart}/"), Some(&buyer))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["product_name"] == "Vase")
        .unwrap()["product"]
        .as_i64()
        .unwrap();
    let shawl_product = app
        .get(&format!("/api/orders/{cart}/"), Some(&buyer))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["product_name"] == "Shawl")
        .unwrap()["product"]
        .as_i64()
        .unwrap();
    // The shawl is paid but not shipped: not received yet.
    let r = app
        .get(
            &format!("/api/product-reviews/can-review/{shawl_product}/"),
            Some(&buyer),
        )
        .await;
    assert_eq!(r.body["can_review"], false);
    assert!(
        r.body["reason"]
            .as_str()
            .unwrap()
            .ends_with("Your orders for this product have status: paid")
    );
    // The whole cart ships once weaver ships too; then both can be reviewed.
    app.post(
        &format!("/api/orders/{cart}/mark_shipped/"),
        Some(&weaver),
        json!({}),
    )
    .await;
    let r = app
        .get(
            &format!("/api/product-reviews/can-review/{vase_product}/"),
            Some(&buyer),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"can_review": true, "reason": "You can review this product", "has_reviewed": false})
    );
    let (stranger, _) = app.register("stranger").await;
    let r = app
        .post(
            "/api/product-reviews/",
            Some(&stranger),
            json!({"product": vase_product, "rating": 5, "title": "Nice", "comment": "Lovely"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let other_order = app
        .db
        .ids("SELECT id FROM orders WHERE order_type = 'fixed_price'")
        .await[0];
    let r = app
        .post("/api/product-reviews/", Some(&buyer), json!({"product": vase_product, "rating": 5, "title": "Nice", "comment": "Lovely", "order": other_order}))
        .await;
    assert_eq!(
        r.body,
        json!({"order": [format!("Invalid pk \"{other_order}\" - object does not exist.")]})
    );
    let r = app
        .post(
            "/api/product-reviews/",
            Some(&buyer),
            json!({"product": vase_product, "rating": 4, "title": "Nice", "comment": "Lovely"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["order"], cart);
    assert_eq!(r.body["is_verified_purchase"], true);
    let r = app
        .post(
            "/api/product-reviews/",
            Some(&buyer),
            json!({"product": vase_product, "rating": 4, "title": "Again", "comment": "Again"}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["You have already reviewed this product"]})
    );
    let product = app
        .get(&format!("/api/products/{vase_product}/"), None)
        .await
        .body;
    assert_eq!(product["average_rating"], 4.0);
    assert_eq!(product["total_reviews"], 1);

    // Profile figures: shipped orders count for the buyer and for each seller in them.
    let me = app.get("/api/auth/profile/", Some(&buyer)).await.body;
    assert_eq!(me["total_purchases"], 1);
    let seller = app.get("/api/auth/profile/", Some(&potter)).await.body;
    assert_eq!(seller["total_sales"], 1);
}
