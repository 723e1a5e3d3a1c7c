//! The admin dashboard over HTTP: figures computed from real orders, payouts and refunds
//! (revenue and commission less what was refunded), distributions, trends and alerts.

mod common;

use common::{item_of, market, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_dashboard_counts_what_happened_and_only_admins_see_it() {
    let m = market(spawn_app().await).await;
    let app = &m.app;
    let admin = app.admin_token().await;
    assert_eq!(
        app.get("/api/admin/dashboard/", Some(&m.buyer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // A paid cart of Rs. 4,224.99 (fees 40.00 + 24.50 + 20.00), then one vase refunded.
    for (listing, qty) in m.listings.iter().zip([2, 1, 3]) {
        app.add_to_cart(&m.buyer, *listing, qty).await;
    }
    let order = app
        .post(
            "/api/cart/checkout/",
            Some(&m.buyer),
            json!({"shipping_address_id": m.address}),
        )
        .await
        .body;
    app.pay(order["payment_url"].as_str().unwrap(), true).await;
    assert!(
        app.count_reaches("seller_transfers WHERE status = 'succeeded'", 3)
            .await
    );
    let id = order["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/orders/{id}/refund/"),
            Some(&admin),
            json!({"items": [{"item": item_of(&order, "Vase"), "quantity": 1}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // One more order left unpaid.
    app.post(
        &format!("/api/listings/{}/purchase/", m.listings[1]),
        Some(&m.buyer),
        json!({"shipping_address": m.address, "quantity": 1}),
    )
    .await;

    let d = app.get("/api/admin/dashboard/", Some(&admin)).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    let b = &d.body;
    assert_eq!(b["total_revenue"], "3224.99", "paid less refunded");
    assert_eq!(
        b["platform_fees"], "64.50",
        "the fee given back with the refund is not earned"
    );
    assert_eq!(b["avg_order_value"], "4224.99");
    assert_eq!(b["revenue_this_month"], "3224.99");
    assert_eq!(
        (&b["total_orders"], &b["pending_orders"]),
        (&json!(2), &json!(1))
    );
    assert_eq!(b["total_sellers"], 3);
    assert_eq!(b["total_users"], 5, "3 sellers, the buyer and the admin");
    assert_eq!(b["total_transfers"], 3);
    assert_eq!(b["total_transferred_amount"], "4140.49");
    // The shawl's two units are taken (one sold, one waiting for payment): out of stock.
    assert_eq!(b["active_fixed_price_listings"], 2);
    assert_eq!(b["total_active_listings"], 2);
    let statuses = b["orders_by_status"].as_array().unwrap();
    assert!(statuses.contains(&json!({"status": "partially_refunded", "count": 1})));
    assert!(statuses.contains(&json!({"status": "pending_payment", "count": 1})));
    assert_eq!(
        b["order_type_distribution"],
        json!([{"order_type": "cart", "count": 1}, {"order_type": "fixed_price", "count": 1}])
    );
    let trend = b["revenue_trend"].as_array().unwrap();
    assert_eq!(trend.len(), 30);
    assert_eq!(
        trend[29]["revenue"], "3224.99",
        "today: what was paid less what was refunded, as the totals"
    );
    assert_eq!(b["orders_trend"][29]["orders"], 2);
    // Units kept: 2 vases less the refunded one, the shawl twice (the unpaid order's does not
    // count), 3 spoons; best first.
    let best: Vec<(&str, i64)> = b["best_selling_products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["total_sold"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(best, [("Spoon", 3), ("Vase", 1), ("Shawl", 1)]);
    // Sellers' shares less what their refunds took back: the potter kept 980.00 of 1,960.00.
    let top: Vec<(&str, &str)> = b["top_sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["username"].as_str().unwrap(),
                s["total_revenue"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("weaver", "1200.50"),
            ("potter", "980.00"),
            ("carver", "979.99")
        ]
    );
    assert_eq!(b["recent_orders"].as_array().unwrap().len(), 2);
    assert_eq!(
        b["recent_orders"][1]["seller"], "-",
        "a cart order has several"
    );
    let months = b["user_registration_trend"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[11]["users"], 5);
    assert_eq!(
        b["top_rated_sellers"],
        json!([]),
        "nobody has 5 feedbacks yet"
    );
    assert_eq!(
        b["alerts"],
        json!([{"type": "warning", "message": "1 orders pending payment"}])
    );
}
