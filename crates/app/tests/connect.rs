//! Payout accounts on the dev gateway: open, onboard through its page (a signed account.updated
//! through the webhook), status; payouts wait for an account that can receive them.

mod common;

use common::{spawn_app, spawn_with};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_seller_opens_and_onboards_a_payout_account() {
    let app = spawn_app().await;
    let (buyer, _) = app.register("ayesha").await;
    let (seller, seller_id) = app.register_as("potter", "seller").await;
    let r = app
        .post(
            "/api/stripe/connect/create_account/",
            Some(&buyer),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "Only sellers can create Stripe Connect accounts"})
        )
    );
    let r = app
        .get("/api/stripe/connect/account_status/", Some(&seller))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"has_account": false, "message": "No Stripe account connected. Please create one to receive payments."})
        )
    );
    let r = app
        .post(
            "/api/stripe/connect/refresh_onboarding/",
            Some(&seller),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"error": "No Stripe account found"})
        )
    );

    let r = app
        .post(
            "/api/stripe/connect/create_account/",
            Some(&seller),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let account = format!("acct_dev_{seller_id}");
    assert_eq!(r.body["message"], "Stripe Connect account created");
    assert_eq!(r.body["account_id"], account.as_str());
    assert!(
        r.body["onboarding_url"]
            .as_str()
            .unwrap()
            .contains("/api/stripe/connect/dev/onboard/")
    );
    let again = app
        .post(
            "/api/stripe/connect/create_account/",
            Some(&seller),
            json!({}),
        )
        .await;
    assert_eq!(
        (again.status, again.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Stripe account already exists", "account_id": account})
        )
    );
    let status = app
        .get("/api/stripe/connect/account_status/", Some(&seller))
        .await;
    assert_eq!(status.body["has_account"], true);
    assert_eq!(status.body["payouts_enabled"], false);
    let r = app
        .post(
            "/api/stripe/connect/refresh_onboarding/",
            Some(&seller),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let path = r.body["onboarding_url"]
        .as_str()
        .unwrap()
        .split_once("/api/")
        .map(|(_, p)| format!("/api/{p}"))
        .unwrap();
    let page = app.get(&path, None).await;
    assert!(page.text.contains("Complete onboarding"));
    let done = app
        .client
        .post(app.url(&format!("{path}complete/")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        done.headers()["location"],
        "http://localhost:5173/seller/settings?stripe_setup=success"
    );
    let status = app
        .get("/api/stripe/connect/account_status/", Some(&seller))
        .await;
    assert_eq!(
        (
            status.body["details_submitted"].clone(),
            status.body["charges_enabled"].clone(),
            status.body["payouts_enabled"].clone()
        ),
        (json!(true), json!(true), json!(true))
    );
    assert_eq!(
        app.get("/api/stripe/connect/return_page/", Some(&seller))
            .await
            .body,
        json!({"message": "Stripe account setup completed", "status": "success"})
    );
    assert_eq!(
        app.get("/api/stripe/connect/dev/onboard/acct_other/", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_payout_waits_for_the_sellers_account_then_goes_out_once() {
    let app = spawn_app().await;
    let (seller, seller_id) = app.register_as("potter", "seller").await;
    let (buyer, _) = app.register("ayesha").await;
    let address = app.address(&buyer).await;
    let listing = app.listing(&seller, "Vase", "1000.00", 5).await;
    let order = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&buyer),
            json!({"shipping_address": address}),
        )
        .await
        .body;
    // Checkout never waits for the seller's onboarding.
    assert!(order["payment_url"].is_string());
    app.pay(order["payment_url"].as_str().unwrap(), true).await;
    assert!(
        app.count_reaches("jobs WHERE kind = 'pay_out_seller' AND status = 'done'", 1)
            .await
    );
    assert_eq!(
        app.db
            .count("seller_transfers WHERE status = 'pending'")
            .await,
        1
    );
    let admin = app.admin_token().await;
    let owed = app
        .get("/api/admin/orders-needing-transfers/", Some(&admin))
        .await;
    assert_eq!(owed.body["count"], 1);
    assert_eq!(owed.body["orders"][0]["sellers"][0]["has_stripe"], false);

    app.onboard(&seller).await;
    assert!(
        app.count_reaches(
            &format!(
                "seller_transfers WHERE seller_id = {seller_id} AND status = 'succeeded' AND amount = 980.00"
            ),
            1
        )
        .await
    );
    assert_eq!(app.db.count("seller_transfers").await, 1);
}

#[tokio::test]
async fn an_older_account_report_never_overrides_a_newer_one() {
    const SECRET: &str = "whsec_connect_test";
    let app = spawn_with(|c| c.stripe.webhook_secret = Some(SECRET.into())).await;
    let (seller, seller_id) = app.register_as("potter", "seller").await;
    app.post(
        "/api/stripe/connect/create_account/",
        Some(&seller),
        json!({}),
    )
    .await;
    let account = format!("acct_dev_{seller_id}");
    let now = chrono::Utc::now().timestamp();
    let send = |body: Vec<u8>| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/stripe/webhook/"))
                .header(
                    "Stripe-Signature",
                    madeinpk_stripe::signature::sign(SECRET, now, &body),
                )
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        send(madeinpk_stripe::dev::onboarded_event(&account, now)).await,
        StatusCode::OK
    );
    let stale = json!({"id": "evt_old", "type": "account.updated", "created": now - 60,
        "data": {"object": {"id": account, "payouts_enabled": false, "charges_enabled": false, "details_submitted": false}}});
    assert_eq!(send(stale.to_string().into_bytes()).await, StatusCode::OK);
    let status = app
        .get("/api/stripe/connect/account_status/", Some(&seller))
        .await;
    assert_eq!(status.body["payouts_enabled"], true);
}

#[tokio::test]
async fn publishing_can_require_a_ready_payout_account() {
    let app = spawn_with(|c| c.orders.require_payout_account = true).await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let r = app
        .post(
            "/api/products/",
            Some(&seller),
            json!({"name": "Vase", "description": "Blue", "condition": "new"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    app.onboard(&seller).await;
    let r = app
        .post(
            "/api/products/",
            Some(&seller),
            json!({"name": "Vase", "description": "Blue", "condition": "new"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test]
async fn an_onboarded_seller_gets_a_link_to_their_payout_dashboard() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let path = "/api/stripe/connect/login_link/";
    assert_eq!(
        app.post(path, None, json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.post(path, Some(&seller), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(r.body["has_account"], false);
    // Opened but not onboarded: no dashboard yet.
    app.post(
        "/api/stripe/connect/create_account/",
        Some(&seller),
        json!({}),
    )
    .await;
    let r = app.post(path, Some(&seller), json!({})).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Complete your Stripe account setup first"})
        )
    );
    let (other, other_id) = app.register_as("weaver", "seller").await;
    app.onboard(&other).await;
    let r = app.post(path, Some(&other), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let url = r.body["url"].as_str().unwrap();
    let account = format!("acct_dev_{other_id}");
    assert!(
        url.contains(&format!("/api/stripe/connect/dev/dashboard/{account}/")),
        "{url}"
    );
    let page = app
        .get(
            &format!("/api/{}", url.split_once("/api/").unwrap().1),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains(&format!("Test payout account {account}"))
    );
}
