//! `product-reviews/`: the can-review decision, who may write, and what reviews show.

mod common;

use chrono::{Duration, Utc};
use common::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn who_may_review_and_why_not() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("maker", "seller").await;
    let (buyer, _) = app.register("reviewer").await;
    let fixed = app.product(&seller, "Shawl").await;
    app.post(
        "/api/listings/",
        Some(&seller),
        json!({"product_id": fixed, "price": "10", "quantity": 1}),
    )
    .await;
    let auctioned = app.product(&seller, "Rug").await;
    app.post(
        "/api/auctions/",
        Some(&seller),
        json!({"product_id": auctioned, "starting_price": "5", "start_time": Utc::now().to_rfc3339(), "end_time": (Utc::now() + Duration::days(1)).to_rfc3339()}),
    )
    .await;
    let unlisted = app.product(&seller, "Sketch").await;
    let can = |token: Option<String>, product: i64| {
        let app = &app;
        async move {
            app.get(
                &format!("/api/product-reviews/can-review/{product}/"),
                token.as_deref(),
            )
            .await
        }
    };
    let r = can(None, fixed).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::OK,
            json!({"can_review": false, "reason": "You must be logged in to review products", "has_reviewed": false})
        )
    );
    let r = can(Some(buyer.clone()), 999_999).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"can_review": false, "reason": "Product not found", "has_reviewed": false})
        )
    );
    assert_eq!(
        can(Some(buyer.clone()), auctioned).await.body["reason"],
        "Auction products cannot be reviewed"
    );
    assert_eq!(
        can(Some(seller.clone()), fixed).await.body["reason"],
        "You cannot review your own product"
    );
    assert_eq!(
        can(Some(buyer.clone()), fixed).await.body["reason"],
        "You can only review products you have purchased and received. You have not purchased this product."
    );

    let post = |product: i64| {
        let (app, buyer) = (&app, buyer.clone());
        async move {
            app.post(
                "/api/product-reviews/",
                Some(&buyer),
                json!({"product": product, "rating": 5, "title": "Lovely", "comment": "Soft"}),
            )
            .await
        }
    };
    assert_eq!(
        post(auctioned).await.body,
        json!({"product": ["Auction products cannot be reviewed"]})
    );
    assert_eq!(
        post(unlisted).await.body,
        json!({"product": ["Product must have a fixed-price listing"]})
    );
    let r = post(fixed).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["You can only review products you have purchased and received."]})
    );
    let r = app
        .post(
            "/api/product-reviews/",
            Some(&seller),
            json!({"product": fixed, "rating": 5, "title": "Mine", "comment": "Best"}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"product": ["You cannot review your own product"]})
    );
    let r = app
        .post(
            "/api/product-reviews/",
            Some(&buyer),
            json!({"product": fixed, "rating": 9, "title": " "}),
        )
        .await;
    assert_eq!(
        r.body["rating"],
        json!(["Ensure this value is less than or equal to 5."])
    );
    assert_eq!(r.body["title"], json!(["This field may not be blank."]));
    assert_eq!(r.body["comment"], json!(["This field is required."]));
    assert_eq!(
        app.post("/api/product-reviews/", None, json!({}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.db.count("product_reviews").await, 0);
}

#[tokio::test]
async fn reviews_show_on_products_and_only_authors_change_them() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (ali, ali_id) = app.register("ali").await;
    let (sara, sara_id) = app.register("sara").await;
    let admin = app.admin_token().await;
    let product = app.product(&seller, "Vase").await;
    app.post(
        "/api/listings/",
        Some(&seller),
        json!({"product_id": product, "price": "10", "quantity": 5}),
    )
    .await;
    // Reviews as they will be once orders exist (purchases arrive with the orders work).
    for (buyer, rating, verified) in [(ali_id, 4, true), (sara_id, 5, false)] {
        app.db
            .execute(&format!(
                "INSERT INTO product_reviews (product_id, buyer_id, rating, title, comment, is_verified_purchase)
                 VALUES ({product}, {buyer}, {rating}, 'Nice', 'Well made', {verified})"
            ))
            .await;
    }
    let p = app
        .get(&format!("/api/products/{product}/"), None)
        .await
        .body;
    assert_eq!(
        (p["average_rating"].clone(), p["total_reviews"].clone()),
        (json!(4.5), json!(2))
    );
    let r = app
        .get(
            &format!("/api/product-reviews/?product={product}&ordering=-rating"),
            None,
        )
        .await;
    assert_eq!(r.body["count"], 2);
    assert_eq!(r.body["results"][0]["buyer_username"], "sara");
    assert_eq!(r.body["results"][0]["product_name"], "Vase");
    assert_eq!(
        app.get("/api/product-reviews/?verified_only=true", None)
            .await
            .body["count"],
        1
    );
    assert_eq!(
        app.get("/api/product-reviews/?rating=4", None).await.body["count"],
        1
    );
    assert_eq!(
        app.get("/api/product-reviews/?product=x", None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let ali_review = r.body["results"][1]["id"].as_i64().unwrap();
    let r = app
        .get(
            &format!("/api/product-reviews/can-review/{product}/"),
            Some(&ali),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"can_review": false, "reason": "You have already reviewed this product", "has_reviewed": true})
    );

    let path = format!("/api/product-reviews/{ali_review}/");
    let r = app.patch(&path, Some(&sara), json!({"rating": 1})).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!(["You can only update your own reviews"])
        )
    );
    let r = app.delete(&path, Some(&sara)).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!(["You can only delete your own reviews"])
        )
    );
    let r = app
        .patch(&path, Some(&ali), json!({"rating": 2, "product": 999}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["rating"].clone(), r.body["product"].clone()),
        (json!(2), json!(product)),
        "the product stays"
    );
    assert_eq!(
        app.get(&format!("/api/products/{product}/"), None)
            .await
            .body["average_rating"],
        json!(3.5)
    );
    assert_eq!(
        app.delete(&path, Some(&admin)).await.status,
        StatusCode::NO_CONTENT,
        "admins moderate"
    );
    assert_eq!(
        app.get(&path, None).await.body,
        json!({"detail": "No ProductReview matches the given query."})
    );
    let p = app
        .get(&format!("/api/products/{product}/"), None)
        .await
        .body;
    assert_eq!(
        (p["average_rating"].clone(), p["total_reviews"].clone()),
        (json!(5.0), json!(1))
    );
    let none = app.product(&seller, "Unreviewed").await;
    assert_eq!(
        app.get(&format!("/api/products/{none}/"), None).await.body["average_rating"],
        Value::Null
    );
}
