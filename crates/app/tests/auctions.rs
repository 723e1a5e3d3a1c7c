//! `auctions/` over real HTTP: both create modes, the window rules, edits and deletes until the
//! first bid, bids listing (public by default, masked by setting), filters and the ownership matrix.

mod common;

use chrono::{Duration, Utc};
use common::{PNG, key_order, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn iso(offset: Duration) -> String {
    (Utc::now() + offset).to_rfc3339()
}

fn terms() -> Value {
    json!({"starting_price": "1000.00", "start_time": iso(-Duration::minutes(1)), "end_time": iso(Duration::days(2))})
}

async fn category(app: &common::TestApp, name: &str) -> i64 {
    app.get("/api/categories/", None).await.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn create_for_an_existing_product_and_read_it_back() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("auctioneer", "seller").await;
    let product = app.product(&seller, "Antique brass lamp").await;
    let mut body = terms();
    body["product_id"] = json!(product);
    body["reserve_price"] = json!("1500.00");
    body["duration"] = json!("7 days");
    let r = app
        .post("/api/auctions/", Some(&seller), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        key_order(&r.text, &[]),
        [
            "id",
            "product",
            "starting_price",
            "current_price",
            "reserve_price",
            "start_time",
            "end_time",
            "status",
            "winner",
            "winner_email",
            "latest_bids",
            "total_bids",
            "time_remaining",
            "winning_bid_amount",
            "order_info",
            "created_at"
        ]
    );
    assert_eq!(r.body["current_price"], "1000.00");
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["product"]["listing_type"], "auction");
    assert!(
        r.body.get("winner_username").is_none(),
        "omitted without a winner"
    );
    assert!(r.body["time_remaining"].as_f64().unwrap() > 86_000.0);
    assert_eq!(
        r.body["reserve_price"], "1500.00",
        "the seller sees the reserve"
    );
    let id = r.body["id"].as_i64().unwrap();
    let public = app.get(&format!("/api/auctions/{id}/"), None).await;
    assert_eq!(public.body["reserve_price"], Value::Null, "buyers do not");
    assert_eq!(public.body["latest_bids"], json!([]));
    let r = app.post("/api/auctions/", Some(&seller), body).await;
    assert_eq!(
        r.body,
        json!({"product_id": ["Product already has a listing"]})
    );
    let listing = app
        .post(
            "/api/listings/",
            Some(&seller),
            json!({"product_id": product, "price": "5", "quantity": 1}),
        )
        .await;
    assert_eq!(
        listing.body,
        json!({"product_id": ["Product already has a listing"]}),
        "never both"
    );
}

#[tokio::test]
async fn one_step_creation_with_images() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("onestep", "seller").await;
    let metal = category(&app, "Metalwork").await.to_string();
    let (start, end) = (iso(Duration::hours(1)), iso(Duration::days(1)));
    let r = app
        .multipart(
            Method::POST,
            "/api/auctions/",
            &seller,
            &[
                ("name", "Copper jug"),
                ("description", "Hand-beaten copper"),
                ("category", &metal),
                ("condition", "good"),
                ("starting_price", "500"),
                ("start_time", &start),
                ("end_time", &end),
            ],
            &[("images", "jug.png", PNG)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["product"]["name"], "Copper jug");
    assert_eq!(r.body["product"]["category_name"], "Metalwork");
    assert_eq!(r.body["product"]["images"][0]["is_primary"], true);
    assert_eq!(
        r.body["time_remaining"],
        json!(0),
        "not started yet: integer 0"
    );

    let mut blank = terms();
    for (k, v) in [
        ("name", json!("Jug")),
        ("description", json!("")),
        ("category", json!(metal.parse::<i64>().unwrap())),
        ("condition", json!("new")),
    ] {
        blank[k] = v;
    }
    let r = app.post("/api/auctions/", Some(&seller), blank).await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["When product_id is not provided, name, description, category, and condition are required"]}),
        "a blank description counts as missing"
    );
    let mut body = terms();
    body["name"] = json!("Half");
    let r = app.post("/api/auctions/", Some(&seller), body).await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["When product_id is not provided, name, description, category, and condition are required"]})
    );
    let mut body = terms();
    for (k, v) in [
        ("name", json!("Jug")),
        ("description", json!("d")),
        ("category", json!(999_999)),
        ("condition", json!("mint")),
    ] {
        body[k] = v;
    }
    let r = app.post("/api/auctions/", Some(&seller), body).await;
    assert_eq!(r.body["category"], json!(["Category not found"]));
    assert_eq!(
        r.body["condition"],
        json!(["Condition must be one of: new, like_new, good, fair"])
    );
    assert_eq!(app.db.count("products").await, 1, "nothing half-created");
}

#[tokio::test]
async fn window_and_price_rules() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("rules", "seller").await;
    let product = app.product(&seller, "Rug").await;
    let post = |body: Value| {
        let (app, seller) = (&app, seller.clone());
        async move { app.post("/api/auctions/", Some(&seller), body).await }
    };
    let r = post(json!({"product_id": product})).await;
    for f in ["starting_price", "start_time", "end_time"] {
        assert_eq!(r.body[f], json!(["This field is required."]), "{f}");
    }
    let r = post(json!({"product_id": product, "starting_price": "0", "start_time": iso(Duration::hours(2)), "end_time": iso(Duration::hours(1))})).await;
    assert_eq!(
        r.body,
        json!({"starting_price": ["Ensure this value is greater than or equal to 0.01."]})
    );
    let r = post(json!({"product_id": product, "starting_price": "10", "start_time": iso(Duration::hours(2)), "end_time": iso(Duration::hours(1))})).await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["End time must be after start time"]})
    );
    let r = post(json!({"product_id": product, "starting_price": "10", "reserve_price": "5", "start_time": iso(Duration::hours(1)), "end_time": iso(Duration::hours(2))})).await;
    assert_eq!(
        r.body,
        json!({"reserve_price": ["Reserve price cannot be below the starting price."]})
    );
    let r = post(json!({"product_id": product, "starting_price": "abc", "start_time": "whenever", "end_time": iso(Duration::hours(2))})).await;
    assert_eq!(
        r.body["starting_price"],
        json!(["A valid number is required."])
    );
    assert!(
        r.body["start_time"][0]
            .as_str()
            .unwrap()
            .starts_with("Datetime has wrong format.")
    );
    let (buyer, _) = app.register("bidderonly").await;
    let r = app.post("/api/auctions/", Some(&buyer), terms()).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Only sellers can create auctions"})
        )
    );
    assert_eq!(app.db.count("auctions").await, 0);
}

#[tokio::test]
async fn edits_and_deletes_stop_at_the_first_bid_and_every_viewer_sees_the_bidders() {
    let app = spawn_app().await;
    let (owner, _) = app.register_as("owner", "seller").await;
    let (stranger, _) = app.register_as("stranger", "seller").await;
    let (bidder, bidder_id) = app.register("buyer_api_02").await;
    let (other, other_id) = app.register("curious").await;
    let admin = app.admin_token().await;
    let product = app.product(&owner, "Carved box").await;
    let mut body = terms();
    body["product_id"] = json!(product);
    let id = app.post("/api/auctions/", Some(&owner), body).await.body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/auctions/{id}/");

    let r = app
        .patch(&path, Some(&stranger), json!({"starting_price": "1.00"}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No AuctionListing matches the given query."})
        )
    );
    let r = app.delete(&path, Some(&stranger)).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No AuctionListing matches the given query."})
        )
    );
    assert_eq!(
        app.patch(&path, None, json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .patch(
            &path,
            Some(&owner),
            json!({"end_time": iso(-Duration::days(1))}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["End time must be after start time"]}),
        "PATCH is checked against the stored start"
    );
    let r = app
        .patch(&path, Some(&owner), json!({"starting_price": "1200.00"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (
            r.body["starting_price"].clone(),
            r.body["current_price"].clone()
        ),
        (json!("1200.00"), json!("1200.00"))
    );
    let r = app.put(&path, Some(&admin), json!({"starting_price": "1300.00", "start_time": iso(-Duration::minutes(5)), "end_time": iso(Duration::days(3))})).await;
    assert_eq!(r.status, StatusCode::OK, "admins may edit");

    // A bid arrives.
    let r = app
        .post(
            &format!("{path}place_bid/"),
            Some(&bidder),
            json!({"amount": "1400.00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let refused = json!({"error": "Auctions cannot be changed once bidding has started"});
    let r = app
        .patch(&path, Some(&owner), json!({"starting_price": "1.00"}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::BAD_REQUEST, refused.clone())
    );
    let r = app.delete(&path, Some(&owner)).await;
    assert_eq!((r.status, r.body), (StatusCode::BAD_REQUEST, refused));

    let bids = |token: Option<String>| {
        let app = &app;
        let path = format!("{path}bids/");
        async move { app.get(&path, token.as_deref()).await.body }
    };
    let seen_by_seller = bids(Some(owner.clone())).await;
    assert_eq!(seen_by_seller[0]["bidder"], bidder_id);
    assert_eq!(seen_by_seller[0]["bidder_username"], "buyer_api_02");
    assert_eq!(seen_by_seller[0]["amount"], "1400.00");
    assert_eq!(
        bids(Some(bidder)).await[0]["bidder_username"],
        "buyer_api_02",
        "bidders see themselves"
    );
    // The contract: every viewer, anonymous included, sees who bid (BIDDER_PRIVACY=public).
    let seen_by_others = bids(Some(other.clone())).await;
    assert_eq!(seen_by_others[0]["bidder"], bidder_id);
    assert_eq!(seen_by_others[0]["bidder_username"], "buyer_api_02");
    let r = app
        .post(
            &format!("{path}place_bid/"),
            Some(&other),
            json!({"amount": "1500.00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        key_order(&r.text, &[]),
        [
            "id",
            "bidder",
            "bidder_username",
            "amount",
            "bid_time",
            "is_winning"
        ]
    );
    let anonymous = bids(None).await;
    assert_eq!(
        anonymous
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (
                b["bidder"].clone(),
                b["bidder_username"].clone(),
                b["amount"].clone(),
                b["is_winning"].clone()
            ))
            .collect::<Vec<_>>(),
        [
            (
                json!(other_id),
                json!("curious"),
                json!("1500.00"),
                json!(true)
            ),
            (
                json!(bidder_id),
                json!("buyer_api_02"),
                json!("1400.00"),
                json!(false)
            ),
        ],
        "newest first, both bidders named"
    );
    let r = app.get(&path, None).await;
    assert_eq!(r.body["total_bids"], 2);
    assert_eq!(r.body["current_price"], "1500.00");
    assert_eq!(r.body["latest_bids"][1]["bidder_username"], "buyer_api_02");
    assert_eq!(r.body["latest_bids"][1]["bidder"], bidder_id);
    assert_eq!(
        app.get("/api/auctions/999999/bids/", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn filters_ordering_and_deleting_before_bids() {
    let app = spawn_app().await;
    let (a, a_id) = app.register_as("auctionsa", "seller").await;
    let (b, _) = app.register_as("auctionsb", "seller").await;
    let mut ids = Vec::new();
    for (token, name, price, days) in [
        (&a, "Silver ring", "300", 3),
        (&a, "Gold ring", "900", 1),
        (&b, "Shawl", "600", 2),
    ] {
        let p = app.product(token, name).await;
        let r = app
            .post("/api/auctions/", Some(token), json!({"product_id": p, "starting_price": price, "start_time": iso(-Duration::minutes(1)), "end_time": iso(Duration::days(days))}))
            .await;
        ids.push(r.body["id"].as_i64().unwrap());
    }
    let names = |v: &Value| -> Vec<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["product"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&app.get("/api/auctions/?ordering=end_time", None).await.body),
        ["Gold ring", "Shawl", "Silver ring"]
    );
    assert_eq!(
        names(
            &app.get("/api/auctions/?ordering=-current_price", None)
                .await
                .body
        ),
        ["Gold ring", "Shawl", "Silver ring"]
    );
    assert_eq!(
        names(
            &app.get("/api/auctions/?search=ring&ordering=current_price", None)
                .await
                .body
        ),
        ["Silver ring", "Gold ring"]
    );
    assert_eq!(
        app.get(&format!("/api/auctions/?seller={a_id}"), None)
            .await
            .body["count"],
        2
    );
    assert_eq!(
        app.get("/api/auctions/?my_auctions=true", Some(&b))
            .await
            .body["count"],
        1
    );
    assert_eq!(
        app.get("/api/auctions/?my_auctions=false", Some(&b))
            .await
            .body["count"],
        3
    );
    assert_eq!(
        app.get("/api/auctions/?status=ended", None).await.body["count"],
        0
    );
    assert_eq!(
        app.get("/api/auctions/?status=finished", None).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.delete(&format!("/api/auctions/{}/", ids[0]), Some(&a))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get("/api/auctions/", None).await.body["count"], 2);
    let r = app.get(&format!("/api/auctions/{}/", ids[0]), None).await;
    assert_eq!(
        r.body,
        json!({"detail": "No AuctionListing matches the given query."})
    );
}

#[tokio::test]
async fn inputs_the_database_would_reject_are_field_errors_and_closed_auctions_stay_closed() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("edgecases", "seller").await;
    let product = app.product(&seller, "Clock").await;
    let r = app
        .post("/api/auctions/", Some(&seller), json!({"product_id": product, "starting_price": "10", "start_time": "-5000-01-01T00:00", "end_time": iso(Duration::days(1))}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["start_time"][0]
            .as_str()
            .unwrap()
            .starts_with("Datetime has wrong format.")
    );
    let r = app.get("/api/auctions/?search=%00", None).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"detail": "Null characters are not allowed."})
        )
    );
    let r = app.get("/api/products/?search=ok%00", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let mut body = terms();
    body["product_id"] = json!(product);
    let id = app.post("/api/auctions/", Some(&seller), body).await.body["id"]
        .as_i64()
        .unwrap();
    app.db
        .execute(&format!(
            "UPDATE auctions SET status = 'ended' WHERE id = {id}"
        ))
        .await;
    let r = app
        .patch(
            &format!("/api/auctions/{id}/"),
            Some(&seller),
            json!({"end_time": iso(Duration::days(9))}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Only active auctions can be changed"})
        )
    );

    // A product whose auction has bids cannot be deleted from under its bidders.
    let (_, bidder_id) = app.register("holder").await;
    app.db
        .execute(&format!(
            "INSERT INTO bids (auction_id, bidder_id, amount) VALUES ({id}, {bidder_id}, 1400)"
        ))
        .await;
    app.db
        .execute(&format!(
            "UPDATE auctions SET total_bids = 1, current_price = 1400 WHERE id = {id}"
        ))
        .await;
    let r = app
        .delete(&format!("/api/products/{product}/"), Some(&seller))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Auctions cannot be changed once bidding has started"})
        )
    );
    assert_eq!(app.db.count("bids").await, 1);
}

#[tokio::test]
async fn bidder_privacy_masked_hides_bidders_from_everyone_but_themselves_the_seller_and_admins() {
    let app = common::spawn_with(|c| {
        c.auctions.bidder_privacy = madeinpk_domain::auction::model::BidderPrivacy::Masked;
    })
    .await;
    let (owner, _) = app.register_as("maskseller", "seller").await;
    let (bidder, bidder_id) = app.register("buyer_api_02").await;
    let (other, _) = app.register("nosy").await;
    let admin = app.admin_token().await;
    let product = app.product(&owner, "Masked lamp").await;
    let mut body = terms();
    body["product_id"] = json!(product);
    let id = app.post("/api/auctions/", Some(&owner), body).await.body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/auctions/{id}/");
    let r = app
        .post(
            &format!("{path}place_bid/"),
            Some(&bidder),
            json!({"amount": "1400.00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    for (who, token) in [("bidder", &bidder), ("seller", &owner), ("admin", &admin)] {
        let seen = app.get(&format!("{path}bids/"), Some(token)).await.body;
        assert_eq!(
            (&seen[0]["bidder"], &seen[0]["bidder_username"]),
            (&json!(bidder_id), &json!("buyer_api_02")),
            "{who} sees the bidder"
        );
    }
    for token in [Some(other.as_str()), None] {
        let seen = app.get(&format!("{path}bids/"), token).await.body;
        assert_eq!(
            (&seen[0]["bidder"], &seen[0]["bidder_username"]),
            (&Value::Null, &json!("b***2"))
        );
        let a = app.get(&path, token).await.body;
        assert_eq!(a["latest_bids"][0]["bidder_username"], "b***2");
        assert_eq!(a["latest_bids"][0]["bidder"], Value::Null);
    }
}
