//! `listings/` over real HTTP: listing a product, the discount rules, edits, toggles, filters and
//! the ownership matrix.

mod common;

use chrono::{Duration, Utc};
use common::{key_order, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn iso(offset: Duration) -> String {
    (Utc::now() + offset).to_rfc3339()
}

#[tokio::test]
async fn a_seller_lists_a_product_and_gets_the_full_shape() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("weaver", "seller").await;
    let product = app.product(&seller, "Ajrak").await;
    let r = app
        .post(
            "/api/listings/",
            Some(&seller),
            json!({"product_id": product, "price": "1500.50", "quantity": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        key_order(&r.text, &[]),
        [
            "id",
            "product",
            "price",
            "original_price",
            "current_price",
            "quantity",
            "reserved_quantity",
            "available_quantity",
            "status",
            "featured",
            "discount_percentage",
            "discount_start_date",
            "discount_end_date",
            "has_active_discount",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(r.body["price"], "1500.50");
    assert_eq!(r.body["current_price"], "1500.50");
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["available_quantity"], 3);
    assert_eq!(r.body["product"]["listing_type"], "fixed_price");
    assert_eq!(r.body["discount_percentage"], Value::Null);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/listings/{id}/"), None).await.body["product"]["name"],
        "Ajrak"
    );
    // A product has one listing at most.
    let r = app
        .post(
            "/api/listings/",
            Some(&seller),
            json!({"product_id": product, "price": "1", "quantity": 1}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"product_id": ["Product already has a listing"]})
    );
}

#[tokio::test]
async fn bad_listing_input_is_field_errors() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("strict", "seller").await;
    let (other, _) = app.register_as("other", "seller").await;
    let (buyer, _) = app.register("buyer").await;
    let product = app.product(&seller, "Vase").await;
    let foreign = app.product(&other, "Not mine").await;
    let post = |body: Value| {
        let (app, seller) = (&app, seller.clone());
        async move { app.post("/api/listings/", Some(&seller), body).await }
    };
    let r = post(json!({})).await;
    for f in ["product_id", "price", "quantity"] {
        assert_eq!(r.body[f], json!(["This field is required."]), "{f}");
    }
    let r = post(json!({"product_id": 999_999, "price": "-5", "quantity": 0})).await;
    assert_eq!(r.body["product_id"], json!(["Product not found"]));
    assert_eq!(
        r.body["price"],
        json!(["Ensure this value is greater than or equal to 0.01."])
    );
    assert_eq!(
        r.body["quantity"],
        json!(["Ensure this value is greater than or equal to 1."])
    );
    let r = post(json!({"product_id": foreign, "price": "10", "quantity": 1})).await;
    assert_eq!(
        r.body,
        json!({"product_id": ["You can only create listings for your own products"]})
    );
    let r = post(json!({"product_id": product, "price": "10.001", "quantity": "two"})).await;
    assert_eq!(
        r.body["price"],
        json!(["Ensure that there are no more than 2 decimal places."])
    );
    assert_eq!(r.body["quantity"], json!(["A valid integer is required."]));
    let r = post(json!({"product_id": product, "price": "100000000.00", "quantity": 1})).await;
    assert_eq!(
        r.body["price"],
        json!(["Ensure that there are no more than 10 digits in total."])
    );
    let r = post(
        json!({"product_id": product, "price": 10, "quantity": 1, "discount_percentage": "100"}),
    )
    .await;
    assert_eq!(
        r.body["discount_percentage"],
        json!(["Ensure this value is less than or equal to 99.99."])
    );
    let r = post(
        json!({"product_id": product, "price": 10, "quantity": 1, "discount_percentage": "10"}),
    )
    .await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["If setting a discount, you must provide discount_percentage, discount_start_date, and discount_end_date"]})
    );
    let r = post(json!({"product_id": product, "price": 10, "quantity": 1, "discount_percentage": "10",
        "discount_start_date": iso(Duration::days(2)), "discount_end_date": iso(Duration::days(1))}))
    .await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["Discount end date must be after start date"]})
    );
    let r = post(json!({"product_id": product, "price": 10, "quantity": 1, "discount_percentage": "10",
        "discount_start_date": iso(-Duration::days(2)), "discount_end_date": iso(Duration::days(1))}))
    .await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["Discount start date cannot be in the past"]})
    );
    let r = post(
        json!({"product_id": product, "price": 10, "quantity": 1, "discount_start_date": "soon"}),
    )
    .await;
    assert!(
        r.body["discount_start_date"][0]
            .as_str()
            .unwrap()
            .starts_with("Datetime has wrong format.")
    );
    let r = app
        .post(
            "/api/listings/",
            Some(&buyer),
            json!({"product_id": product, "price": 10, "quantity": 1}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Only sellers can create listings"})
        )
    );
    assert_eq!(app.db.count("listings").await, 0);
    assert_eq!(
        app.db
            .count("products WHERE listing_type IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn discounts_price_exactly_to_the_paisa() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("discounter", "seller").await;
    let product = app.product(&seller, "Lamp").await;
    let r = app
        .post(
            "/api/listings/",
            Some(&seller),
            json!({"product_id": product, "price": "350.00", "quantity": 2, "discount_percentage": "16.67",
                   "discount_start_date": iso(Duration::seconds(2)), "discount_end_date": iso(Duration::days(3))}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["discount_percentage"], "16.67");
    assert_eq!(r.body["current_price"], "350.00", "not started yet");
    assert_eq!(r.body["has_active_discount"], false);
    let id = r.body["id"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let r = app.get(&format!("/api/listings/{id}/"), None).await;
    assert_eq!(r.body["has_active_discount"], true);
    // 350.00 × (1 − 0.1667) = 291.655 → 291.66, never "291.655" or "291.66375".
    assert_eq!(r.body["current_price"], "291.66");
    assert_eq!(r.body["original_price"], "350.00");
    // Three nulls clear the discount.
    let r = app
        .patch(&format!("/api/listings/{id}/"), Some(&seller), json!({"discount_percentage": null, "discount_start_date": null, "discount_end_date": null}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["current_price"], "350.00");
    assert_eq!(r.body["discount_percentage"], Value::Null);
    let r = app
        .patch(
            &format!("/api/listings/{id}/"),
            Some(&seller),
            json!({"discount_percentage": "5"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["non_field_errors"][0]
            .as_str()
            .unwrap()
            .starts_with("If setting a discount, you must provide all discount fields")
    );
}

#[tokio::test]
async fn edits_toggles_deletes_and_the_ownership_matrix() {
    let app = spawn_app().await;
    let (owner, _) = app.register_as("lister", "seller").await;
    let (stranger, _) = app.register_as("intruder", "seller").await;
    let admin = app.admin_token().await;
    let product = app.product(&owner, "Kilim").await;
    let id = app
        .post(
            "/api/listings/",
            Some(&owner),
            json!({"product_id": product, "price": "99.99", "quantity": 1, "featured": true}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/listings/{id}/");
    assert_eq!(
        app.get(&path, None).await.body["featured"],
        false,
        "sellers cannot feature themselves"
    );

    let r = app
        .patch(&path, Some(&stranger), json!({"price": "1.00"}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "You can only update your own listings"})
        )
    );
    let r = app.delete(&path, Some(&stranger)).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No FixedPriceListing matches the given query."})
        )
    );
    let r = app
        .post(&format!("{path}toggle_status/"), Some(&stranger), json!({}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "You do not have permission to modify this listing"})
        )
    );
    assert_eq!(
        app.patch(&path, None, json!({"price": "1.00"}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get(&path, None).await.body["price"], "99.99");

    let r = app
        .put(&path, Some(&owner), json!({"price": "120.00"}))
        .await;
    assert_eq!(r.body, json!({"quantity": ["This field is required."]}));
    let r = app
        .put(
            &path,
            Some(&owner),
            json!({"price": "120.00", "quantity": 4, "status": "out_of_stock"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "out_of_stock");
    let r = app
        .post(&format!("{path}toggle_status/"), Some(&owner), json!({}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Cannot activate out-of-stock listing. Please update the stock first."})
        )
    );
    let r = app.patch(&path, Some(&owner), json!({"quantity": 0})).await;
    assert_eq!(
        r.body,
        json!({"quantity": ["Ensure this value is greater than or equal to 1."]})
    );
    assert_eq!(
        app.get(&path, None).await.body["status"],
        "out_of_stock",
        "a failed edit reactivates nothing"
    );
    let r = app.patch(&path, Some(&owner), json!({"quantity": 6})).await;
    assert_eq!(
        r.body["status"], "active",
        "restocking puts it back on sale"
    );
    let r = app
        .post(&format!("{path}toggle_status/"), Some(&owner), json!({}))
        .await;
    assert_eq!(
        r.body,
        json!({"message": "Listing deactivated successfully", "status": "inactive"})
    );
    let r = app
        .post(&format!("{path}toggle_status/"), Some(&owner), json!({}))
        .await;
    assert_eq!(
        r.body,
        json!({"message": "Listing activated successfully", "status": "active"})
    );
    let r = app
        .patch(&path, Some(&admin), json!({"featured": true}))
        .await;
    assert_eq!(r.body["featured"], true, "admins feature listings");

    assert_eq!(
        app.delete(&path, Some(&owner)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&path, None).await.body,
        json!({"detail": "No FixedPriceListing matches the given query."})
    );
    assert_eq!(
        app.get(&format!("/api/products/{product}/"), None)
            .await
            .body["listing_type"],
        Value::Null
    );
    let r = app
        .post(
            "/api/listings/",
            Some(&owner),
            json!({"product_id": product, "price": "5", "quantity": 1}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the product can be listed again"
    );
}

#[tokio::test]
async fn filters_and_ordering() {
    let app = spawn_app().await;
    let (a, a_id) = app.register_as("sellera", "seller").await;
    let (b, _) = app.register_as("sellerb", "seller").await;
    let mut ids = Vec::new();
    for (token, name, price) in [
        (&a, "Clay pot", "100.00"),
        (&a, "Clay lamp", "250.00"),
        (&b, "Brass bowl", "400.00"),
    ] {
        let p = app.product(token, name).await;
        let r = app
            .post(
                "/api/listings/",
                Some(token),
                json!({"product_id": p, "price": price, "quantity": 1}),
            )
            .await;
        ids.push(r.body["id"].as_i64().unwrap());
    }
    app.post(
        &format!("/api/listings/{}/toggle_status/", ids[1]),
        Some(&a),
        json!({}),
    )
    .await;
    let names = |v: &Value| -> Vec<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["product"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = app.get("/api/listings/?ordering=-price", None).await;
    assert_eq!(names(&r.body), ["Brass bowl", "Clay lamp", "Clay pot"]);
    assert_eq!(
        names(
            &app.get("/api/listings/?status=active&ordering=price", None)
                .await
                .body
        ),
        ["Clay pot", "Brass bowl"]
    );
    assert_eq!(
        names(
            &app.get(
                "/api/listings/?min_price=100.01&max_price=400&ordering=price",
                None
            )
            .await
            .body
        ),
        ["Clay lamp", "Brass bowl"]
    );
    assert_eq!(
        names(
            &app.get("/api/listings/?search=clay&ordering=price", None)
                .await
                .body
        ),
        ["Clay pot", "Clay lamp"]
    );
    assert_eq!(
        names(
            &app.get(
                &format!("/api/listings/?seller={a_id}&ordering=price"),
                None
            )
            .await
            .body
        ),
        ["Clay pot", "Clay lamp"]
    );
    assert_eq!(
        app.get("/api/listings/?my_listings=true", Some(&b))
            .await
            .body["count"],
        1
    );
    assert_eq!(
        app.get("/api/listings/?my_listings=false", Some(&b))
            .await
            .body["count"],
        3,
        "false means false"
    );
    assert_eq!(
        app.get("/api/listings/?my_listings=true", None).await.body["count"],
        3,
        "ignored for anonymous callers"
    );
    assert_eq!(
        app.get("/api/listings/?featured=true", None).await.body["count"],
        0
    );
    assert_eq!(
        app.get("/api/listings/?featured=maybe", None).await.body["count"],
        3,
        "other values are ignored"
    );
    for bad in ["min_price=cheap", "status=sold", "seller=x"] {
        assert_eq!(
            app.get(&format!("/api/listings/?{bad}"), None).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn anonymous_pages_are_cached_until_a_write() {
    let app = common::spawn_with(|c| c.catalog.cache = std::time::Duration::from_secs(30)).await;
    let (seller, _) = app.register_as("cached", "seller").await;
    let product = app.product(&seller, "Cached lamp").await;
    let id = app
        .post(
            "/api/listings/",
            Some(&seller),
            json!({"product_id": product, "price": "10.00", "quantity": 1}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/listings/{id}/");
    assert_eq!(app.get(&path, None).await.body["price"], "10.00");
    // A change nobody announces (every trigger off) shows the page really is cached...
    app.db
        .execute(&format!(
            "DO $$ BEGIN SET LOCAL session_replication_role = replica; \
             UPDATE listings SET featured = true WHERE id = {id}; END $$"
        ))
        .await;
    assert_eq!(
        app.get(&path, None).await.body["featured"],
        false,
        "served from the cache"
    );
    // ...shared by signed-in readers...
    let mine = app.get(&path, Some(&seller)).await;
    assert_eq!(mine.body["featured"], false);
    assert_eq!(mine.body["product"]["is_in_wishlist"], false);
    // ...while any committed write, even behind the app's back, is seen at once.
    app.db
        .execute(&format!("UPDATE listings SET price = 11 WHERE id = {id}"))
        .await;
    let fresh = app.get(&path, None).await.body;
    assert_eq!(
        (&fresh["price"], &fresh["featured"]),
        (&json!("11.00"), &json!(true))
    );
    assert_eq!(app.get(&path, Some(&seller)).await.body["price"], "11.00");
    // ...and any write through the app clears it at once.
    let r = app
        .patch(&path, Some(&seller), json!({"price": "12.00"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get(&path, None).await.body["price"], "12.00");
    let list = app.get("/api/listings/", None).await;
    assert_eq!(list.body["results"][0]["price"], "12.00");
    assert_eq!(list.headers["content-type"], "application/json");

    // Each signed-in reader sees their own wishlist flags on the shared page.
    let (fan, _) = app.register("fan").await;
    let second = app.product(&seller, "Cached rug").await;
    app.post(
        "/api/listings/",
        Some(&seller),
        json!({"product_id": second, "price": "20.00", "quantity": 1}),
    )
    .await;
    let r = app
        .post("/api/wishlist/", Some(&fan), json!({"product": product}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let flags = |page: &serde_json::Value| -> Vec<(i64, bool)> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["product"]["id"].as_i64().unwrap(),
                    l["product"]["is_in_wishlist"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let anonymous = app.get("/api/listings/", None).await;
    assert_eq!(flags(&anonymous.body), [(product, false), (second, false)]);
    let fans = app.get("/api/listings/", Some(&fan)).await;
    assert_eq!(fans.status, StatusCode::OK);
    assert_eq!(flags(&fans.body), [(product, true), (second, false)]);
    assert_eq!(
        common::key_order(&fans.text, &[])[..2],
        ["count", "next"],
        "the contract's key order survives the patch"
    );
    let sellers = app.get("/api/listings/", Some(&seller)).await;
    assert_eq!(flags(&sellers.body), [(product, false), (second, false)]);
    let detail = app
        .get(&format!("/api/products/{product}/"), Some(&fan))
        .await;
    assert_eq!(detail.body["is_in_wishlist"], true);
    assert_eq!(
        common::key_order(&detail.text, &[])[..3],
        ["id", "seller", "seller_username"]
    );
    // A bad token is still refused, cache or not.
    assert_eq!(
        app.get("/api/listings/", Some("nope")).await.status,
        StatusCode::UNAUTHORIZED
    );
    // `my_listings` pages depend on the reader: never shared.
    let own = app.get("/api/listings/?my_listings=true", Some(&fan)).await;
    assert_eq!(own.body["count"], 0);
}
