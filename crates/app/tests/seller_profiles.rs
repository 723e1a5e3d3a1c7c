//! `seller-profiles/`: visibility, creation rules, owner edits, admin-only verification.

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn owners_see_theirs_admins_see_all_strangers_nothing() {
    let app = spawn_app().await;
    let (a, _) = app.register_as("shopa", "seller").await;
    let (b, _) = app.register_as("shopb", "seller").await;
    let admin = app.admin_token().await;
    let mine = app.get("/api/seller-profiles/", Some(&a)).await;
    assert_eq!(mine.body["count"], 1);
    let a_profile = mine.body["results"][0]["id"].as_i64().unwrap();
    assert_eq!(
        app.get("/api/seller-profiles/", Some(&admin)).await.body["count"],
        2
    );
    let r = app
        .get(&format!("/api/seller-profiles/{a_profile}/"), Some(&b))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No SellerProfile matches the given query."})
        )
    );
    assert_eq!(
        app.get(&format!("/api/seller-profiles/{a_profile}/"), Some(&admin))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/seller-profiles/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .patch(
            &format!("/api/seller-profiles/{a_profile}/"),
            Some(&b),
            json!({"brand_name": "Hijack"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.delete(&format!("/api/seller-profiles/{a_profile}/"), Some(&b))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn creation_rules_use_bare_lists() {
    let app = spawn_app().await;
    let (buyer, _) = app.register("justbuying").await;
    let r = app
        .post(
            "/api/seller-profiles/",
            Some(&buyer),
            json!({"brand_name": "X"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!(["Only sellers can create seller profiles"])
        )
    );
    let (seller, _) = app.register_as("hasone", "seller").await;
    let r = app
        .post(
            "/api/seller-profiles/",
            Some(&seller),
            json!({"brand_name": "X"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!(["Seller profile already exists"])
        )
    );
    let r = app
        .post(
            "/api/seller-profiles/",
            Some(&seller),
            json!({"website": "nope"}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"website": ["Enter a valid URL."]}),
        "field errors come first"
    );
    // A seller whose profile was deleted can make a new one.
    let id = app.get("/api/seller-profiles/", Some(&seller)).await.body["results"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.delete(&format!("/api/seller-profiles/{id}/"), Some(&seller))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let r = app
        .post(
            "/api/seller-profiles/",
            Some(&seller),
            json!({"brand_name": "Again", "social_media_links": ["any", "json"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["brand_name"], "Again");
    assert_eq!(r.body["social_media_links"], json!(["any", "json"]));
}

#[tokio::test]
async fn owners_edit_but_only_admins_verify() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("editor", "seller").await;
    let (other, _) = app.register("addressowner").await;
    let admin = app.admin_token().await;
    let city = app.city("Sialkot").await;
    let foreign = app
        .post(
            "/api/addresses/",
            Some(&other),
            json!({"street_address": "x", "city": city, "postal_code": "1"}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let own = app
        .post(
            "/api/addresses/",
            Some(&seller),
            json!({"street_address": "Paris Road", "city": city, "postal_code": "51310"}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let id = app.get("/api/seller-profiles/", Some(&seller)).await.body["results"][0]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/seller-profiles/{id}/");
    let r = app
        .patch(
            &path,
            Some(&seller),
            json!({"business_address_id": foreign}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"business_address_id": ["Invalid business address ID or address does not belong to you"]})
    );
    let r = app.patch(&path, Some(&seller), json!({"brand_name": "Sialkot Leather", "business_address_id": own, "is_verified": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["brand_name"], "Sialkot Leather");
    assert_eq!(
        r.body["business_address"],
        "Paris Road, Sialkot, Punjab 51310"
    );
    assert_eq!(
        r.body["is_verified"], false,
        "sellers cannot verify themselves"
    );

    let r = app
        .post(&format!("{path}verify/"), Some(&seller), json!({}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Only admins can verify sellers"})
        )
    );
    let r = app
        .post(
            "/api/seller-profiles/999999/unverify/",
            Some(&seller),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Only admins can unverify sellers"})
        ),
        "role before lookup"
    );
    assert_eq!(
        app.post(
            "/api/seller-profiles/999999/verify/",
            Some(&admin),
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post("/api/seller-profiles/abc/verify/", Some(&seller), json!({}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the role is checked before the id is read"
    );
    let r = app
        .post("/api/seller-profiles/abc/verify/", Some(&admin), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(&format!("{path}verify/"), Some(&admin), json!({}))
        .await;
    assert_eq!(r.body, json!({"message": "Seller verified successfully"}));
    assert_eq!(
        app.get(&path, Some(&seller)).await.body["is_verified"],
        true
    );
    let product = app.product(&seller, "Football").await;
    assert_eq!(
        app.get(&format!("/api/products/{product}/"), None)
            .await
            .body["seller_profile"]["is_verified"],
        true
    );
    let r = app
        .post(&format!("{path}unverify/"), Some(&admin), json!({}))
        .await;
    assert_eq!(r.body, json!({"message": "Seller unverified"}));
    assert_eq!(
        app.get(&path, Some(&admin)).await.body["is_verified"],
        Value::Bool(false)
    );
}

/// Fuzzing found `social_media_links: null` stored and echoed as null on create, while an update
/// reads null as the `{}` default (and the contract's default is `{}`).
#[tokio::test]
async fn null_social_links_on_create_mean_the_default() {
    let app = spawn_app().await;
    let (buyer, _) = app.register("nullbuyer").await;
    let r = app
        .post(
            "/api/auth/become-seller/",
            Some(&buyer),
            json!({"brand_name": "Null Crafts", "social_media_links": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["seller_profile"]["social_media_links"], json!({}));
    let profile = app.get("/api/auth/profile/", Some(&buyer)).await;
    assert_eq!(
        profile.body["seller_profile"]["social_media_links"],
        json!({})
    );

    let (seller, _) = app.register_as("nullseller", "seller").await;
    let id = app.get("/api/seller-profiles/", Some(&seller)).await.body["results"][0]["id"]
        .as_i64()
        .unwrap();
    app.delete(&format!("/api/seller-profiles/{id}/"), Some(&seller))
        .await;
    let r = app
        .post(
            "/api/seller-profiles/",
            Some(&seller),
            json!({"social_media_links": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["social_media_links"], json!({}));
    let listed = app.get("/api/seller-profiles/", Some(&seller)).await;
    assert_eq!(listed.body["results"][0]["social_media_links"], json!({}));
}
