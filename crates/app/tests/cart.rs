//! Cart over HTTP: the contract's add/update/remove/clear answers, stock holds, per-seller
//! groups, and hold expiry driven by the app's clock.

mod common;

use common::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

async fn shop() -> (TestApp, String, String, i64) {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (buyer, _) = app.register("ayesha").await;
    let listing = app.listing(&seller, "Blue vase", "1500.00", 3).await;
    (app, seller, buyer, listing)
}

#[tokio::test]
async fn the_cart_needs_a_user_and_starts_empty() {
    let (app, _, buyer, _) = shop().await;
    assert_eq!(
        app.get("/api/cart/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.get("/api/cart/", Some(&buyer)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["items"], json!([]));
    assert_eq!(r.body["total_items"], 0);
    assert_eq!(r.body["total_price"], "0.00");
    assert_eq!(r.body["sellers"], json!([]));
    assert_eq!(
        common::key_order(&r.text, &[])[..6],
        [
            "id",
            "items",
            "total_items",
            "total_price",
            "sellers",
            "seller_groups"
        ]
    );
}

#[tokio::test]
async fn adding_holds_units_and_merges_lines() {
    let (app, _, buyer, listing) = shop().await;
    let r = app.add_to_cart(&buyer, listing, 1).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let item = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["listing_id"], listing);
    assert_eq!(r.body["quantity"], 1);
    assert_eq!(r.body["unit_price"], "1500.00");
    assert_eq!(r.body["subtotal"], "1500.00");
    assert_eq!(r.body["is_available"], true);
    assert_eq!(r.body["seller_username"], "potter");
    assert!(r.body["reserved_until"].is_string());
    assert_eq!(r.body["reservation_expired"], false);
    assert_eq!(app.stock(listing).await, (3, 1, "active".into()));

    // The same listing again: one line, still 201.
    let r = app.add_to_cart(&buyer, listing, 2).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["id"], item);
    assert_eq!(r.body["quantity"], 3);
    assert_eq!(app.stock(listing).await, (3, 3, "active".into()));
    let listing_view = app.get(&format!("/api/listings/{listing}/"), None).await;
    assert_eq!(listing_view.body["available_quantity"], 0);

    // Beyond the stock, on an existing line: the contract's {"error"} shape, nothing held.
    let r = app.add_to_cart(&buyer, listing, 1).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"error": "Only 3 items available in stock"}));
    assert_eq!(app.stock(listing).await, (3, 3, "active".into()));
}

#[tokio::test]
async fn another_buyer_sees_only_what_is_not_held() {
    let (app, _, buyer, listing) = shop().await;
    let (other, _) = app.register("bilal").await;
    assert_eq!(
        app.add_to_cart(&buyer, listing, 2).await.status,
        StatusCode::CREATED
    );
    let r = app.add_to_cart(&other, listing, 2).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["Only 1 items available in stock"]})
    );
    assert_eq!(
        app.add_to_cart(&other, listing, 1).await.status,
        StatusCode::CREATED
    );
    assert_eq!(app.stock(listing).await, (3, 3, "active".into()));
}

#[tokio::test]
async fn bad_additions_are_refused_with_the_contracts_messages() {
    let (app, seller, buyer, listing) = shop().await;
    let r = app.add_to_cart(&buyer, 999_999, 1).await;
    assert_eq!(r.body, json!({"listing_id": ["Listing not found"]}));
    let r = app.add_to_cart(&buyer, listing, 0).await;
    assert_eq!(
        r.body,
        json!({"quantity": ["Ensure this value is greater than or equal to 1."]})
    );
    let r = app
        .post(
            "/api/cart/add_item/",
            Some(&buyer),
            json!({"listing_id": "x", "quantity": "two"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"listing_id": ["A valid integer is required."], "quantity": ["A valid integer is required."]})
    );
    let r = app
        .post("/api/cart/add_item/", Some(&buyer), json!({}))
        .await;
    assert_eq!(
        r.body,
        json!({"quantity": ["This field is required."], "listing_id": ["This field is required."]})
    );
    let r = app.add_to_cart(&seller, listing, 1).await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["You cannot add your own products to cart"]})
    );
    let r = app.add_to_cart(&buyer, listing, 4).await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["Only 3 items available in stock"]})
    );
    let r = app
        .post(
            "/api/cart/add_item/",
            Some(&buyer),
            json!({"auction_id": 1, "quantity": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["auction_id"][0]
            .as_str()
            .unwrap()
            .contains("Auction items")
    );
    let r = app
        .post(
            &format!("/api/listings/{listing}/toggle_status/"),
            Some(&seller),
            json!({}),
        )
        .await;
    assert_eq!(r.body["status"], "inactive");
    let r = app.add_to_cart(&buyer, listing, 1).await;
    assert_eq!(
        r.body,
        json!({"listing_id": ["This listing is not active"]})
    );
    assert_eq!(app.stock(listing).await, (3, 0, "inactive".into()));
}

#[tokio::test]
async fn lines_change_remove_and_clear_with_their_holds() {
    let (app, _, buyer, listing) = shop().await;
    let (other, _) = app.register("bilal").await;
    let item = app.add_to_cart(&buyer, listing, 1).await.body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/cart/items/{item}/");
    let r = app.patch(&path, Some(&buyer), json!({"quantity": 3})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["quantity"], 3);
    assert_eq!(app.stock(listing).await.1, 3);
    let r = app.put(&path, Some(&buyer), json!({"quantity": 2})).await;
    assert_eq!(r.body["quantity"], 2);
    assert_eq!(app.stock(listing).await.1, 2);
    let r = app.patch(&path, Some(&buyer), json!({"quantity": 5})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"quantity": ["Only 3 items available in stock"]})
    );
    let r = app.patch(&path, Some(&buyer), json!({"quantity": 0})).await;
    assert_eq!(
        r.body,
        json!({"quantity": ["Ensure this value is greater than or equal to 1."]})
    );
    // Someone else's line, or none: 404, nothing changes.
    for who in [&other, &buyer] {
        let target = if who == &other {
            path.clone()
        } else {
            "/api/cart/items/999999/".into()
        };
        let r = app.patch(&target, Some(who), json!({"quantity": 1})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, json!({"error": "Cart item not found"}));
    }
    assert_eq!(
        app.delete(&path, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/cart/items/abc/", Some(&buyer)).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(app.stock(listing).await.1, 2);

    let r = app.delete(&path, Some(&buyer)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"message": "Item removed from cart"}));
    assert_eq!(app.stock(listing).await.1, 0);
    assert_eq!(
        app.delete(&path, Some(&buyer)).await.status,
        StatusCode::NOT_FOUND
    );

    app.add_to_cart(&buyer, listing, 2).await;
    let r = app.post("/api/cart/clear/", Some(&buyer), json!({})).await;
    assert_eq!(r.body, json!({"message": "Cart cleared"}));
    assert_eq!(app.stock(listing).await.1, 0);
    let (fresh, _) = app.register("chand").await;
    let r = app.post("/api/cart/clear/", Some(&fresh), json!({})).await;
    assert_eq!(r.body, json!({"message": "Cart is already empty"}));
}

#[tokio::test]
async fn the_view_groups_lines_by_seller_with_discounted_prices() {
    let (app, potter, buyer, vase) = shop().await;
    let (weaver, _) = app.register_as("weaver", "seller").await;
    let shawl = app.listing(&weaver, "Ajrak shawl", "291.66", 5).await;
    let cup = app.listing(&potter, "Cup", "100.00", 5).await;
    let now = chrono::Utc::now();
    let r = app
        .patch(
            &format!("/api/listings/{shawl}/"),
            Some(&weaver),
            json!({"discount_percentage": "12.50",
                   "discount_start_date": (now - chrono::Duration::hours(1)).to_rfc3339(),
                   "discount_end_date": (now + chrono::Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.add_to_cart(&buyer, vase, 1).await;
    app.add_to_cart(&buyer, shawl, 3).await;
    app.add_to_cart(&buyer, cup, 2).await;
    let r = app.get("/api/cart/", Some(&buyer)).await;
    assert_eq!(r.body["total_items"], 6);
    // 291.66 × 0.875 = 255.2025 → 255.20 a unit; 3 units = 765.60.
    let shawl_line = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["listing_id"] == shawl)
        .unwrap()
        .clone();
    assert_eq!(shawl_line["unit_price"], "255.20");
    assert_eq!(shawl_line["subtotal"], "765.60");
    assert_eq!(r.body["total_price"], "2465.60");
    // Newest first.
    assert_eq!(r.body["items"][0]["listing_id"], cup);
    let groups = r.body["seller_groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    let potter_group = groups
        .iter()
        .find(|g| g["seller_username"] == "potter")
        .unwrap();
    assert_eq!(potter_group["subtotal"], "1700.00");
    assert_eq!(potter_group["total_items"], 3);
    let weaver_group = groups
        .iter()
        .find(|g| g["seller_username"] == "weaver")
        .unwrap();
    assert_eq!(weaver_group["subtotal"], "765.60");
    assert_eq!(r.body["sellers"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn holds_lapse_after_a_notice_and_are_taken_again_at_checkout() {
    let (app, _, buyer, listing) = shop().await;
    let address = app.address(&buyer).await;
    app.add_to_cart(&buyer, listing, 2).await;
    assert_eq!(app.stock(listing).await.1, 2);

    // 11 minutes in, 4 are left: one notice (in-app and email), however often the sweep runs.
    app.clock.advance(chrono::Duration::minutes(11));
    for _ in 0..3 {
        app.sweep().await;
    }
    let told = app
        .mail_to("ayesha@example.pk")
        .iter()
        .filter(|m| m.contains("Subject: Your cart items will be released in 4 minutes"))
        .count();
    assert_eq!(told, 1, "the expiry notice was emailed once");
    assert_eq!(
        app.db
            .count("notifications WHERE title = 'Your cart items will be released soon'")
            .await,
        1
    );
    assert_eq!(
        app.stock(listing).await.1,
        2,
        "still held before the time is up"
    );

    // Past the hold: the units go back, the line is flagged.
    app.clock.advance(chrono::Duration::minutes(5));
    app.sweep().await;
    assert_eq!(
        app.stock(listing).await.1,
        0,
        "the lapsed hold was released"
    );
    let r = app.get("/api/cart/", Some(&buyer)).await;
    assert_eq!(r.body["items"][0]["reservation_expired"], true);
    assert_eq!(r.body["items"][0]["reserved_until"], json!(null));

    // Someone else takes two of the three units: checkout names the line it cannot fill.
    let (other, _) = app.register("bilal").await;
    assert_eq!(
        app.add_to_cart(&other, listing, 2).await.status,
        StatusCode::CREATED
    );
    let r = app
        .post(
            "/api/cart/checkout/",
            Some(&buyer),
            json!({"shipping_address_id": address}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["The following items are no longer available: Blue vase"]})
    );
    // Once they are free again, the lapsed line is taken again at checkout.
    app.post("/api/cart/clear/", Some(&other), json!({})).await;
    let r = app
        .post(
            "/api/cart/checkout/",
            Some(&buyer),
            json!({"shipping_address_id": address}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(app.stock(listing).await, (1, 0, "active".into()));
}

#[tokio::test]
async fn abandoned_carts_are_cleared_and_their_holds_released() {
    let (app, _, buyer, listing) = shop().await;
    app.add_to_cart(&buyer, listing, 1).await;
    app.clock.advance(chrono::Duration::days(8));
    app.sweep().await;
    assert_eq!(app.db.count("carts").await, 0);
    assert_eq!(app.stock(listing).await.1, 0);
    let r = app.get("/api/cart/", Some(&buyer)).await;
    assert_eq!(r.body["items"], json!([]));
}
