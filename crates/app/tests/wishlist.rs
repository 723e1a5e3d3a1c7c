//! `wishlist/`: saving once, the read shape by listing type, owner scoping, and the product flag.

mod common;

use chrono::{Duration, Utc};
use common::{PNG, key_order, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn save_once_read_by_listing_type_and_remove() {
    let app = spawn_app().await;
    let (seller, seller_id) = app.register_as("crafts", "seller").await;
    let (buyer, _) = app.register("saver").await;
    let (stranger, _) = app.register("peeker").await;
    let r = app
        .multipart(
            Method::POST,
            "/api/products/",
            &seller,
            &[("name", "Lamp"), ("description", "d"), ("condition", "new")],
            &[("images", "l.png", PNG)],
        )
        .await;
    let lamp = r.body["id"].as_i64().unwrap();
    app.post(
        "/api/listings/",
        Some(&seller),
        json!({"product_id": lamp, "price": "750.00", "quantity": 2}),
    )
    .await;
    let rug = app.product(&seller, "Rug").await;
    app.post(
        "/api/auctions/",
        Some(&seller),
        json!({"product_id": rug, "starting_price": "900", "start_time": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "end_time": (Utc::now() + Duration::days(1)).to_rfc3339()}),
    )
    .await;
    let unlisted = app.product(&seller, "Sketch").await;

    let r = app
        .post(
            "/api/wishlist/",
            Some(&buyer),
            json!({"product": lamp, "notes": "gift"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        key_order(&r.text, &[]),
        [
            "id",
            "product",
            "product_name",
            "product_image",
            "seller",
            "seller_id",
            "price",
            "stock_status",
            "listing_type",
            "notes",
            "created_at"
        ]
    );
    assert_eq!(r.body["seller"], "crafts");
    assert_eq!(r.body["seller_id"], seller_id);
    assert_eq!(r.body["price"], json!({"price": "750.00"}));
    assert_eq!(r.body["stock_status"], "In Stock");
    assert_eq!(r.body["listing_type"], "fixed_price");
    assert!(
        r.body["product_image"]
            .as_str()
            .unwrap()
            .starts_with(&app.base)
    );
    let lamp_entry = r.body["id"].as_i64().unwrap();
    let r = app
        .post("/api/wishlist/", Some(&buyer), json!({"product": lamp}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"product": ["Product is already in your wishlist"]})
        )
    );
    let r = app
        .post("/api/wishlist/", Some(&buyer), json!({"product": rug}))
        .await;
    assert_eq!(
        r.body["price"],
        json!({"current_price": "900.00", "starting_price": "900.00"})
    );
    assert_eq!(r.body["stock_status"], "In Stock");
    let r = app
        .post("/api/wishlist/", Some(&buyer), json!({"product": unlisted}))
        .await;
    assert_eq!(
        (
            r.body["price"].clone(),
            r.body["stock_status"].clone(),
            r.body["listing_type"].clone()
        ),
        (Value::Null, json!("Not Listed"), Value::Null)
    );
    let unlisted_entry = r.body["id"].as_i64().unwrap();
    let r = app
        .post("/api/wishlist/", Some(&buyer), json!({"product": 999_999}))
        .await;
    assert_eq!(
        r.body,
        json!({"product": ["Invalid pk \"999999\" - object does not exist."]})
    );

    let list = app.get("/api/wishlist/", Some(&buyer)).await;
    assert_eq!(list.body["count"], 3);
    assert_eq!(
        list.body["results"][0]["product_name"], "Sketch",
        "newest first"
    );
    assert_eq!(
        app.get("/api/wishlist/?ordering=created_at", Some(&buyer))
            .await
            .body["results"][0]["product_name"],
        "Lamp"
    );
    assert_eq!(
        app.get(&format!("/api/products/{lamp}/"), Some(&buyer))
            .await
            .body["is_in_wishlist"],
        true
    );
    assert_eq!(
        app.get(&format!("/api/products/{lamp}/"), Some(&stranger))
            .await
            .body["is_in_wishlist"],
        false
    );
    assert_eq!(
        app.get(&format!("/api/products/{lamp}/"), None).await.body["is_in_wishlist"],
        false
    );

    // Scoped to the owner.
    assert_eq!(
        app.get("/api/wishlist/", Some(&stranger)).await.body["count"],
        0
    );
    let r = app
        .get(&format!("/api/wishlist/{lamp_entry}/"), Some(&stranger))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No Wishlist matches the given query."})
        )
    );
    assert_eq!(
        app.delete(&format!("/api/wishlist/{lamp_entry}/"), Some(&stranger))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/wishlist/", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Moving an entry onto a product already saved is a field error (the original answered 500).
    let r = app
        .patch(
            &format!("/api/wishlist/{unlisted_entry}/"),
            Some(&buyer),
            json!({"product": lamp}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"product": ["Product is already in your wishlist"]})
        )
    );
    let r = app
        .patch(
            &format!("/api/wishlist/{unlisted_entry}/"),
            Some(&buyer),
            json!({"notes": "for the wall"}),
        )
        .await;
    assert_eq!(r.body["notes"], "for the wall");
    let r = app
        .post(
            &format!("/api/wishlist/{lamp_entry}/remove_from_wishlist/"),
            Some(&buyer),
            json!({}),
        )
        .await;
    assert_eq!(r.body, json!({"message": "Product removed from wishlist"}));
    assert_eq!(
        app.delete(&format!("/api/wishlist/{unlisted_entry}/"), Some(&buyer))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/wishlist/", Some(&buyer)).await.body["count"],
        1
    );
}
