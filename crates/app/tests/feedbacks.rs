//! `feedbacks/`: who may rate a seller and when (the contract's order of checks), who may change
//! or delete feedback, the seller profile's cached rating after every write, and `seller_stats`.

mod common;

use common::{TestApp, key_order, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An order of `buyer` for a new product of `seller` (token, id), written straight to the
/// database: auction orders come from the auction-ending job, which is being built alongside.
async fn order(app: &TestApp, seller: (&str, i64), buyer: i64, kind: &str, status: &str) -> i64 {
    app.order_in(seller, buyer, kind, status).await
}

/// `buyer`'s feedback on `order`: seller, platform, communication and shipping speed ratings;
/// its id.
async fn give(app: &TestApp, buyer: &str, order: i64, ratings: [i64; 4], described: bool) -> i64 {
    let [seller, platform, communication, shipping] = ratings;
    let r = app
        .post(
            "/api/feedbacks/",
            Some(buyer),
            json!({
                "order_id": order,
                "seller_rating": seller,
                "platform_rating": platform,
                "communication_rating": communication,
                "shipping_speed_rating": shipping,
                "product_as_described": described,
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

/// The seller profile's cached `(average_rating, total_feedbacks)`, as its owner sees it.
async fn cached_rating(app: &TestApp, seller: &str) -> (Value, Value) {
    let r = app.get("/api/auth/profile/", Some(seller)).await;
    let profile = &r.body["seller_profile"];
    (
        profile["average_rating"].clone(),
        profile["total_feedbacks"].clone(),
    )
}

const READ_SHAPE: [&str; 13] = [
    "id",
    "order",
    "order_number",
    "buyer",
    "buyer_username",
    "seller_rating",
    "seller_comment",
    "platform_rating",
    "platform_comment",
    "communication_rating",
    "product_as_described",
    "shipping_speed_rating",
    "created_at",
];

#[tokio::test]
async fn creation_is_checked_in_the_contracts_order() {
    let app = spawn_app().await;
    let (potter, potter_id) = app.register_as("potter", "seller").await;
    let (ayesha, ayesha_id) = app.register("ayesha").await;
    let (bilal, bilal_id) = app.register("bilal").await;
    let seller = (potter.as_str(), potter_id);
    let shipped = order(&app, seller, ayesha_id, "auction", "shipped").await;
    let paid = order(&app, seller, ayesha_id, "auction", "paid").await;
    let fixed = order(&app, seller, ayesha_id, "fixed_price", "delivered").await;
    let ratings = json!({"seller_rating": 5, "platform_rating": 4, "communication_rating": 3, "shipping_speed_rating": 4});
    let on = |order: Value| {
        let mut body = ratings.clone();
        body["order_id"] = order;
        body
    };

    let r = app.post("/api/feedbacks/", None, on(json!(shipped))).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::UNAUTHORIZED,
            json!({"detail": "Authentication credentials were not provided."})
        )
    );

    // (1) No order id, an unreadable or unknown one, or an order the caller did not buy.
    let not_buyer = json!({"error": "Order not found or you are not the buyer"});
    for (token, body) in [
        (&ayesha, ratings.clone()),
        (&ayesha, on(Value::Null)),
        (&ayesha, on(json!("abc"))),
        (&ayesha, on(json!([shipped]))),
        (&ayesha, on(json!(999_999))),
        (&bilal, on(json!(shipped))),
        (&potter, on(json!(shipped))),
    ] {
        let r = app.post("/api/feedbacks/", Some(token), body.clone()).await;
        assert_eq!(
            (r.status, &r.body),
            (StatusCode::BAD_REQUEST, &not_buyer),
            "{body}"
        );
    }
    // (2) and (3) come before any field error.
    let r = app
        .post(
            "/api/feedbacks/",
            Some(&ayesha),
            json!({"order_id": fixed, "seller_rating": 9}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Seller feedback is only available for auction purchases. For fixed-price products, please leave a product review instead."})
        )
    );
    let r = app
        .post(
            "/api/feedbacks/",
            Some(&ayesha),
            json!({"order_id": paid, "seller_rating": 9}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Order must be shipped before feedback"})
        )
    );
    // (5) Field errors, all of them at once.
    let r = app
        .post(
            "/api/feedbacks/",
            Some(&ayesha),
            json!({
                "order_id": shipped,
                "seller_rating": 0,
                "seller_comment": null,
                "platform_rating": 6,
                "communication_rating": "abc",
                "product_as_described": "maybe",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({
            "seller_rating": ["Ensure this value is greater than or equal to 1."],
            "seller_comment": ["This field may not be null."],
            "platform_rating": ["Ensure this value is less than or equal to 5."],
            "communication_rating": ["A valid integer is required."],
            "product_as_described": ["Must be a valid boolean."],
            "shipping_speed_rating": ["This field is required."],
        })
    );
    assert_eq!(app.db.count("feedbacks").await, 0);

    // The buyer of a shipped auction order: 201 with the full read shape, id included.
    let mut body = on(json!(shipped));
    body["seller_comment"] = json!("Beautiful rug");
    let r = app.post("/api/feedbacks/", Some(&ayesha), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(key_order(&r.text, &[]), READ_SHAPE);
    assert!(r.body["id"].as_i64().is_some());
    assert_eq!(r.body["order"], shipped);
    assert!(r.body["order_number"].as_str().unwrap().starts_with("AUC-"));
    assert_eq!(
        (r.body["buyer"].clone(), r.body["buyer_username"].clone()),
        (json!(ayesha_id), json!("ayesha"))
    );
    assert_eq!(
        (
            r.body["seller_rating"].clone(),
            r.body["platform_rating"].clone(),
            r.body["communication_rating"].clone(),
            r.body["shipping_speed_rating"].clone()
        ),
        (json!(5), json!(4), json!(3), json!(4))
    );
    assert_eq!(r.body["seller_comment"], "Beautiful rug");
    assert_eq!(r.body["platform_comment"], "", "defaults to blank");
    assert_eq!(r.body["product_as_described"], true, "defaults to true");
    assert!(r.body["created_at"].as_str().unwrap().ends_with("+05:00"));

    // (4) Once per order, before field errors.
    let r = app
        .post(
            "/api/feedbacks/",
            Some(&ayesha),
            json!({"order_id": shipped, "seller_rating": 9}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Feedback already submitted"})
        )
    );

    // Delivered orders qualify too; forms work like JSON.
    let delivered = order(&app, seller, ayesha_id, "auction", "delivered").await;
    let delivered_id = delivered.to_string();
    let res = app
        .client
        .post(app.url("/api/feedbacks/"))
        .header("Authorization", format!("Token {ayesha}"))
        .form(&[
            ("order_id", delivered_id.as_str()),
            ("seller_rating", "4"),
            ("platform_rating", "5"),
            ("communication_rating", "4"),
            ("shipping_speed_rating", "2"),
            ("product_as_described", "false"),
        ])
        .send()
        .await
        .unwrap();
    let r = TestApp::reply(res).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["product_as_described"], false);
    assert_eq!(r.body["shipping_speed_rating"], 2);
    assert_eq!(app.db.count("feedbacks").await, 2);

    // A blocked buyer writes nothing.
    let theirs = order(&app, seller, bilal_id, "auction", "shipped").await;
    app.db
        .execute(&format!(
            "UPDATE users SET is_blocked = true WHERE id = {bilal_id}"
        ))
        .await;
    let r = app
        .post("/api/feedbacks/", Some(&bilal), on(json!(theirs)))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Your account is blocked"})
        )
    );
    assert_eq!(app.db.count("feedbacks").await, 2);
}

#[tokio::test]
async fn any_signed_in_user_reads_all_feedback() {
    let app = spawn_app().await;
    let (potter, potter_id) = app.register_as("potter", "seller").await;
    let (weaver, weaver_id) = app.register_as("weaver", "seller").await;
    let (ayesha, ayesha_id) = app.register("ayesha").await;
    let (bilal, bilal_id) = app.register("bilal").await;
    let (reader, _) = app.register("chand").await;
    let potter_seller = (potter.as_str(), potter_id);
    let o1 = order(&app, potter_seller, ayesha_id, "auction", "shipped").await;
    let o2 = order(&app, potter_seller, bilal_id, "auction", "shipped").await;
    let o3 = order(
        &app,
        (weaver.as_str(), weaver_id),
        ayesha_id,
        "auction",
        "shipped",
    )
    .await;
    let first = give(&app, &ayesha, o1, [5, 5, 5, 5], true).await;
    let second = give(&app, &bilal, o2, [3, 4, 4, 4], true).await;
    let third = give(&app, &ayesha, o3, [4, 4, 4, 4], true).await;

    for path in [
        "/api/feedbacks/".to_owned(),
        format!("/api/feedbacks/{first}/"),
        format!("/api/feedbacks/seller_stats/?seller_id={potter_id}"),
    ] {
        let r = app.get(&path, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }

    // Everyone's feedback, newest first by default, without a `seller` key.
    let r = app.get("/api/feedbacks/", Some(&reader)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["count"], 3);
    let ids = |body: &Value| -> Vec<i64> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&r.body), [third, second, first]);
    assert!(r.body["results"][0].get("seller").is_none());
    assert_eq!(
        app.get("/api/feedbacks/?ordering=bogus", Some(&reader))
            .await
            .body["results"][0]["id"],
        third,
        "unknown ordering fields are ignored"
    );

    let r = app
        .get(
            &format!("/api/feedbacks/?seller={potter_id}"),
            Some(&reader),
        )
        .await;
    assert_eq!(ids(&r.body), [second, first]);
    let r = app
        .get("/api/feedbacks/?ordering=seller_rating", Some(&reader))
        .await;
    assert_eq!(ids(&r.body), [second, third, first]);
    let r = app
        .get(
            "/api/feedbacks/?ordering=buyer_username,-seller_rating",
            Some(&reader),
        )
        .await;
    assert_eq!(ids(&r.body), [first, third, second]);
    let r = app.get("/api/feedbacks/?seller=abc", Some(&reader)).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"seller": ["A valid integer is required."]})
        )
    );
    let r = app.get("/api/feedbacks/?page=2", Some(&reader)).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::NOT_FOUND, json!({"detail": "Invalid page."}))
    );

    let r = app
        .get(&format!("/api/feedbacks/{second}/"), Some(&reader))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(key_order(&r.text, &[]), READ_SHAPE);
    assert_eq!(
        (r.body["order"].clone(), r.body["buyer_username"].clone()),
        (json!(o2), json!("bilal"))
    );
    let r = app.get("/api/feedbacks/999999/", Some(&reader)).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No Feedback matches the given query."})
        )
    );
    let r = app.get("/api/feedbacks/abc/", Some(&reader)).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::NOT_FOUND, json!({"detail": "Not found."}))
    );
    let r = app
        .send(
            Method::PUT,
            "/api/feedbacks/",
            Some(&reader),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"detail": "Method \"PUT\" not allowed."})
        )
    );
}

#[tokio::test]
async fn only_the_buyer_or_an_admin_changes_feedback() {
    let app = spawn_app().await;
    let (potter, potter_id) = app.register_as("potter", "seller").await;
    let (ayesha, ayesha_id) = app.register("ayesha").await;
    let (bilal, _) = app.register("bilal").await;
    let admin = app.admin_token().await;
    let seller = (potter.as_str(), potter_id);
    let rated = order(&app, seller, ayesha_id, "auction", "shipped").await;
    let other = order(&app, seller, ayesha_id, "auction", "delivered").await;
    let id = give(&app, &ayesha, rated, [4, 4, 4, 4], true).await;
    let path = format!("/api/feedbacks/{id}/");
    let full = json!({"seller_rating": 1, "platform_rating": 1, "communication_rating": 1, "shipping_speed_rating": 1});

    // Strangers and the rated seller: as if it did not exist.
    let hidden = json!({"detail": "No Feedback matches the given query."});
    for token in [&bilal, &potter] {
        for r in [
            app.patch(&path, Some(token), json!({"seller_rating": 1}))
                .await,
            app.put(&path, Some(token), full.clone()).await,
            app.delete(&path, Some(token)).await,
        ] {
            assert_eq!((r.status, &r.body), (StatusCode::NOT_FOUND, &hidden));
        }
    }
    for r in [
        app.patch(&path, None, json!({"seller_rating": 1})).await,
        app.delete(&path, None).await,
    ] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let unchanged = app.get(&path, Some(&bilal)).await.body;
    assert_eq!(unchanged["seller_rating"], 4);
    assert_eq!(app.db.count("feedbacks").await, 1);

    // The buyer: PATCH changes what is sent; the order never moves.
    let r = app
        .patch(
            &path,
            Some(&ayesha),
            json!({"seller_rating": 2, "seller_comment": "Slow replies", "order": other, "order_id": other}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(key_order(&r.text, &[]), READ_SHAPE);
    assert_eq!(
        (
            r.body["seller_rating"].clone(),
            r.body["seller_comment"].clone(),
            r.body["platform_rating"].clone(),
            r.body["order"].clone()
        ),
        (json!(2), json!("Slow replies"), json!(4), json!(rated))
    );
    let r = app
        .patch(&path, Some(&ayesha), json!({"seller_rating": 6}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"seller_rating": ["Ensure this value is less than or equal to 5."]})
        )
    );
    // PUT needs all four ratings; what it does not send stays.
    let r = app
        .put(&path, Some(&ayesha), json!({"seller_rating": 3}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({
                "platform_rating": ["This field is required."],
                "communication_rating": ["This field is required."],
                "shipping_speed_rating": ["This field is required."],
            })
        )
    );
    let r = app.put(&path, Some(&ayesha), full.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["shipping_speed_rating"], 1);
    assert_eq!(r.body["seller_comment"], "Slow replies");
    let r = app
        .patch("/api/feedbacks/999999/", Some(&ayesha), json!({}))
        .await;
    assert_eq!((r.status, r.body), (StatusCode::NOT_FOUND, hidden.clone()));

    // Admins moderate.
    let r = app
        .patch(
            &path,
            Some(&admin),
            json!({"platform_comment": "Edited by staff"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["platform_comment"], "Edited by staff");
    let second = give(&app, &ayesha, other, [5, 5, 5, 5], true).await;
    assert_eq!(
        app.delete(&format!("/api/feedbacks/{second}/"), Some(&admin))
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    // The buyer deletes their own.
    assert_eq!(
        app.delete(&path, Some(&ayesha)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&path, Some(&ayesha)).await.body, hidden);
    assert_eq!(app.db.count("feedbacks").await, 0);
}

#[tokio::test]
async fn the_sellers_rating_follows_every_write() {
    let app = spawn_app().await;
    let (potter, potter_id) = app.register_as("potter", "seller").await;
    let admin = app.admin_token().await;
    let seller = (potter.as_str(), potter_id);
    let mut buyers = Vec::new();
    for name in ["ayesha", "bilal", "chand"] {
        let (token, id) = app.register(name).await;
        let order = order(&app, seller, id, "auction", "shipped").await;
        buyers.push((token, order));
    }
    let rating = |avg: &str, n: i64| (json!(avg), json!(n));
    assert_eq!(cached_rating(&app, &potter).await, rating("0.00", 0));

    let a = give(&app, &buyers[0].0, buyers[0].1, [5, 1, 1, 1], true).await;
    assert_eq!(cached_rating(&app, &potter).await, rating("5.00", 1));
    let b = give(&app, &buyers[1].0, buyers[1].1, [4, 1, 1, 1], true).await;
    assert_eq!(cached_rating(&app, &potter).await, rating("4.50", 2));
    let c = give(&app, &buyers[2].0, buyers[2].1, [4, 1, 1, 1], true).await;
    assert_eq!(cached_rating(&app, &potter).await, rating("4.33", 3));
    // The seller's own profile carries the unrounded mean.
    let me = app.get("/api/auth/profile/", Some(&potter)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    let mean = me.body["average_seller_rating"].as_f64().unwrap();
    assert!((mean - 13.0 / 3.0).abs() < 1e-9, "{}", me.text);

    // 14 / 3 = 4.666…: rounded to two places, half up.
    let r = app
        .patch(
            &format!("/api/feedbacks/{b}/"),
            Some(&buyers[1].0),
            json!({"seller_rating": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(cached_rating(&app, &potter).await, rating("4.67", 3));
    // Only the seller rating counts towards it.
    let r = app
        .patch(
            &format!("/api/feedbacks/{b}/"),
            Some(&buyers[1].0),
            json!({"platform_rating": 5, "communication_rating": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(cached_rating(&app, &potter).await, rating("4.67", 3));

    // Deleting recomputes too (the original forgot to).
    assert_eq!(
        app.delete(&format!("/api/feedbacks/{a}/"), Some(&buyers[0].0))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(cached_rating(&app, &potter).await, rating("4.50", 2));
    let r = app
        .delete(&format!("/api/feedbacks/{c}/"), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(cached_rating(&app, &potter).await, rating("5.00", 1));
    let r = app
        .delete(&format!("/api/feedbacks/{b}/"), Some(&buyers[1].0))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(cached_rating(&app, &potter).await, rating("0.00", 0));

    // A seller without a profile can still be rated; there is simply nothing to cache.
    let (weaver, weaver_id) = app.register_as("weaver", "seller").await;
    let (dina, dina_id) = app.register("dina").await;
    let shawl = order(
        &app,
        (weaver.as_str(), weaver_id),
        dina_id,
        "auction",
        "shipped",
    )
    .await;
    app.db
        .execute(&format!(
            "DELETE FROM seller_profiles WHERE user_id = {weaver_id}"
        ))
        .await;
    give(&app, &dina, shawl, [3, 3, 3, 3], true).await;
    assert_eq!(
        app.db
            .count(&format!("feedbacks WHERE seller_id = {weaver_id}"))
            .await,
        1
    );
}

#[tokio::test]
async fn seller_stats_sum_up_one_sellers_feedback() {
    let app = spawn_app().await;
    let (potter, potter_id) = app.register_as("potter", "seller").await;
    let (weaver, weaver_id) = app.register_as("weaver", "seller").await;
    let (reader, _) = app.register("reader").await;
    let stats = |query: &str| {
        let (app, reader) = (&app, reader.clone());
        let path = format!("/api/feedbacks/seller_stats/{query}");
        async move { app.get(&path, Some(&reader)).await }
    };

    let required = json!({"error": "seller_id required"});
    for query in ["", "?seller_id=", "?seller_id=%20", "?seller=1"] {
        let r = stats(query).await;
        assert_eq!(
            (r.status, &r.body),
            (StatusCode::BAD_REQUEST, &required),
            "{query}"
        );
    }
    let r = stats("?seller_id=abc").await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"seller_id": ["A valid integer is required."]})
        )
    );
    let none = json!({"message": "No feedback yet"});
    for query in [
        format!("?seller_id={potter_id}"),
        "?seller_id=999999".to_owned(),
    ] {
        let r = stats(&query).await;
        assert_eq!((r.status, &r.body), (StatusCode::OK, &none), "{query}");
    }

    for (n, (ratings, described)) in [
        ([5, 1, 5, 4], true),
        ([4, 1, 4, 3], true),
        ([4, 1, 3, 3], false),
    ]
    .into_iter()
    .enumerate()
    {
        let (buyer, buyer_id) = app.register(&format!("buyer{n}")).await;
        let o = order(
            &app,
            (potter.as_str(), potter_id),
            buyer_id,
            "auction",
            "shipped",
        )
        .await;
        give(&app, &buyer, o, ratings, described).await;
    }
    // Another seller's feedback does not count.
    let (buyer, buyer_id) = app.register("buyer9").await;
    let o = order(
        &app,
        (weaver.as_str(), weaver_id),
        buyer_id,
        "auction",
        "shipped",
    )
    .await;
    give(&app, &buyer, o, [1, 1, 1, 1], false).await;

    let r = stats(&format!("?seller_id={potter_id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        key_order(&r.text, &[]),
        [
            "total_feedbacks",
            "average_seller_rating",
            "average_communication",
            "average_shipping",
            "product_as_described_percent"
        ]
    );
    assert_eq!(
        r.body,
        json!({
            "total_feedbacks": 3,
            "average_seller_rating": 13.0 / 3.0,
            "average_communication": 4.0,
            "average_shipping": 10.0 / 3.0,
            "product_as_described_percent": 200.0 / 3.0,
        })
    );
    // Unrounded, as the original printed it.
    assert!(r.text.contains("66.66666666666667"), "{}", r.text);
    let r = app
        .post(
            &format!("/api/feedbacks/seller_stats/?seller_id={potter_id}"),
            Some(&reader),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}
