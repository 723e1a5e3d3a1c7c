//! Email verification over HTTP: a link at registration and on an email change, spent once,
//! only for the address it was sent to; resends throttled; the status endpoint.

mod common;

use common::{TestApp, spawn_app, spawn_on, spawn_with, test_config};
use madeinpk_mail::MailTransport;
use madeinpk_postgres::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

/// The tokens of the verification links emailed to `address` so far, oldest first.
fn links(app: &TestApp, address: &str) -> Vec<String> {
    app.emailed_tokens(
        address,
        "Confirm your MadeInPK email address",
        "/verify-email",
    )
}

async fn verified(app: &TestApp, token: &str) -> bool {
    let r = app.get("/api/auth/verify-email/", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["email_verified"].as_bool().unwrap()
}

async fn spend(app: &TestApp, link: &str) -> common::Reply {
    app.post("/api/auth/verify-email/", None, json!({"token": link}))
        .await
}

#[tokio::test]
async fn a_registration_link_verifies_the_address_once() {
    let app = spawn_app().await;
    let (token, _) = app.register("hina").await;
    assert!(!verified(&app, &token).await);
    app.run_jobs().await;
    let sent = links(&app, "hina@example.pk");
    assert_eq!(sent.len(), 1, "one link at registration");
    assert!(
        app.mail_to("hina@example.pk").iter().any(|m| m
            .replace("=\r\n", "")
            .replace("=3D", "=")
            .contains(&format!(
                "http://localhost:5173/verify-email?token={}",
                sent[0]
            ))),
        "the link opens the front end's page"
    );
    let r = spend(&app, &sent[0]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["message"], "Email verified");
    assert!(verified(&app, &token).await);
    let again = spend(&app, &sent[0]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        again.body["token"][0],
        "This verification link is invalid or has expired."
    );
    for bad in ["", "nonsense", &"f".repeat(64)] {
        let r = spend(&app, bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text);
    }
    // Verified: a resend sends nothing.
    let r = app
        .post("/api/auth/verify-email/resend/", Some(&token), json!({}))
        .await;
    assert_eq!(r.body["message"], "Email already verified");
    app.run_jobs().await;
    assert_eq!(links(&app, "hina@example.pk").len(), 1);
}

#[tokio::test]
async fn a_changed_email_is_unverified_until_its_own_link_is_used() {
    let app = spawn_app().await;
    let (token, _) = app.register("omar").await;
    app.run_jobs().await;
    let old_link = links(&app, "omar@example.pk").remove(0);
    let r = app
        .patch(
            "/api/auth/profile/",
            Some(&token),
            json!({"email": "omar.new@example.pk"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.run_jobs().await;
    let new_link = links(&app, "omar.new@example.pk");
    assert_eq!(new_link.len(), 1, "the new address gets its link");
    // The old address's link no longer verifies anything.
    assert_eq!(spend(&app, &old_link).await.status, StatusCode::BAD_REQUEST);
    assert!(!verified(&app, &token).await);
    assert_eq!(spend(&app, &new_link[0]).await.status, StatusCode::OK);
    assert!(verified(&app, &token).await);
    // Changing it again un-verifies it, with no other step.
    app.patch(
        "/api/auth/profile/",
        Some(&token),
        json!({"email": "omar3@example.pk"}),
    )
    .await;
    assert!(!verified(&app, &token).await);
    // A profile change that keeps the email sends nothing.
    app.patch(
        "/api/auth/profile/",
        Some(&token),
        json!({"first_name": "Omar"}),
    )
    .await;
    app.run_jobs().await;
    assert_eq!(links(&app, "omar3@example.pk").len(), 1);
}

#[tokio::test]
async fn resends_replace_the_link_and_are_throttled() {
    let app = spawn_app().await;
    let (token, _) = app.register("zoya").await;
    for _ in 0..3 {
        let r = app
            .post("/api/auth/verify-email/resend/", Some(&token), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["message"], "Verification email sent");
    }
    let r = app
        .post("/api/auth/verify-email/resend/", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    app.run_jobs().await;
    let sent = links(&app, "zoya@example.pk");
    assert_eq!(sent.len(), 4, "registration's and three resends");
    // Only the newest works.
    assert_eq!(spend(&app, &sent[0]).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(spend(&app, &sent[3]).await.status, StatusCode::OK);
    assert_eq!(
        app.post("/api/auth/verify-email/resend/", None, json!({}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_profile_shows_email_verified_only_when_the_setting_says_so() {
    // By default the profile is the contract's UserProfile exactly.
    let plain = spawn_app().await;
    let (token, _) = plain.register("asad").await;
    let profile = plain.get("/api/auth/profile/", Some(&token)).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(
        profile.body.get("email_verified").is_none(),
        "{}",
        profile.text
    );

    let db = TestDb::new().await;
    let mut config = test_config(&db.url);
    config.auth.profile_shows_email_verified = true;
    let (transport, outbox) = MailTransport::memory();
    let app = spawn_on(db, config, transport, outbox).await;
    let (token, _) = app.register("asad").await;
    assert_eq!(shown(&app, &token).await, false);
    app.run_jobs().await;
    let link = links(&app, "asad@example.pk").remove(0);
    assert_eq!(spend(&app, &link).await.status, StatusCode::OK);
    assert_eq!(shown(&app, &token).await, true);
    let r = app
        .patch(
            "/api/auth/profile/",
            Some(&token),
            json!({"email": "asad2@example.pk"}),
        )
        .await;
    assert_eq!(
        r.body["email_verified"], false,
        "a changed email is unverified"
    );
}

async fn shown(app: &TestApp, token: &str) -> serde_json::Value {
    app.get("/api/auth/profile/", Some(token)).await.body["email_verified"].clone()
}

#[tokio::test]
async fn with_the_setting_a_seller_verifies_before_publishing_and_before_being_paid() {
    let app = spawn_with(|c| c.auth.sellers_must_verify_email = true).await;
    let (seller, seller_id) = app.register_as("potter", "seller").await;
    let vase = json!({"name": "Vase", "description": "Blue", "condition": "new"});
    let refused = app
        .post("/api/products/", Some(&seller), vase.clone())
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert_eq!(
        refused.body["error"],
        "Verify your email address before publishing"
    );
    // Buying and browsing stay open to an unverified account.
    let (buyer, _) = app.register("ayesha").await;
    assert_eq!(
        app.get("/api/listings/", Some(&buyer)).await.status,
        StatusCode::OK
    );

    app.run_jobs().await;
    let link = links(&app, "potter@example.pk");
    assert_eq!(spend(&app, &link[0]).await.status, StatusCode::OK);
    let listing = app.listing(&seller, "Vase", "1000.00", 5).await;
    app.onboard(&seller).await;

    // A changed, unproved address holds the payout (nothing is lost: it waits, pending).
    app.patch(
        "/api/auth/profile/",
        Some(&seller),
        json!({"email": "potter.new@example.pk"}),
    )
    .await;
    let address = app.address(&buyer).await;
    let order = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&buyer),
            json!({"shipping_address": address}),
        )
        .await
        .body;
    app.pay(order["payment_url"].as_str().unwrap(), true).await;
    assert!(
        app.count_reaches("jobs WHERE kind = 'pay_out_seller' AND status = 'done'", 1)
            .await
    );
    let pending = format!("seller_transfers WHERE seller_id = {seller_id} AND status = 'pending'");
    assert_eq!(app.db.count(&pending).await, 1, "held, not sent");
    // Publishing is closed again until the new address is proved.
    let refused = app
        .post("/api/products/", Some(&seller), vase.clone())
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);

    // Verifying releases it, once.
    app.run_jobs().await;
    let link = links(&app, "potter.new@example.pk");
    assert_eq!(spend(&app, &link[0]).await.status, StatusCode::OK);
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
    let published = app.post("/api/products/", Some(&seller), vase).await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.text);
}
