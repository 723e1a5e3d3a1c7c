//! Password reset over HTTP: the same answer for every address, a single-use link by email
//! that expires and is replaced by a newer one, the account signed out everywhere, throttling.

mod common;

use common::console::admin;
use common::{PASSWORD, TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

const NEW: &str = "Shisham-Wood-77";

/// The tokens of the reset links emailed to `address` so far, oldest first.
fn reset_tokens(app: &TestApp, address: &str) -> Vec<String> {
    app.emailed_tokens(address, "Reset your MadeInPK password", "/reset-password")
}

async fn ask(app: &TestApp, email: &str) -> common::Reply {
    app.post("/api/auth/password-reset/", None, json!({"email": email}))
        .await
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> common::Reply {
    app.post(
        "/api/auth/password-reset/confirm/",
        None,
        json!({"token": token, "password": password, "password_confirm": password}),
    )
    .await
}

#[tokio::test]
async fn a_reset_link_works_once_and_signs_the_account_out_everywhere() {
    let app = spawn_app().await;
    let (token, _) = app.register("farah").await;

    let known = ask(&app, "Farah@Example.pk").await;
    let unknown = ask(&app, "nobody@example.pk").await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.text);
    assert_eq!(
        (unknown.status, &unknown.body),
        (known.status, &known.body),
        "the answer does not tell whether an account uses the address"
    );
    app.run_jobs().await;
    assert!(app.mail_to("nobody@example.pk").is_empty());
    let links = reset_tokens(&app, "farah@example.pk");
    assert_eq!(links.len(), 1, "one email with one link");
    assert_eq!(links[0].len(), 64);
    assert!(
        app.mail_to("farah@example.pk").iter().any(|m| m
            .replace("=\r\n", "")
            .replace("=3D", "=")
            .contains(&format!(
                "http://localhost:5173/reset-password?token={}",
                links[0]
            ))),
        "the link opens the front end's reset page"
    );

    // Asking again replaces the link: only the newest works.
    ask(&app, "farah@example.pk").await;
    app.run_jobs().await;
    let links = reset_tokens(&app, "farah@example.pk");
    assert_eq!(links.len(), 2);
    let r = confirm(&app, &links[0], NEW).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["token"][0],
        "This password reset link is invalid or has expired."
    );
    // The registration's rules apply, and a refusal does not spend the link.
    let r = confirm(&app, &links[1], "farah-2026").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["password"][0],
        "The password is too similar to the username."
    );
    let r = app
        .post(
            "/api/auth/password-reset/confirm/",
            None,
            json!({"token": links[1], "password": NEW, "password_confirm": "Other-Wood-77"}),
        )
        .await;
    assert_eq!(
        r.body["password_confirm"][0],
        "The two password fields didn't match."
    );

    let r = confirm(&app, &links[1], NEW).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["message"], "Password has been reset");
    assert_eq!(
        app.get("/api/auth/profile/", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED,
        "every session signed out"
    );
    assert_eq!(
        app.login("farah@example.pk", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("farah@example.pk", NEW).await.status,
        StatusCode::OK
    );
    // Single use.
    let r = confirm(&app, &links[1], "Another-Wood-88").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["token"].is_array());
    app.run_jobs().await;
    assert_eq!(
        app.mail_to("farah@example.pk")
            .iter()
            .filter(|m| m.contains("Your MadeInPK password was changed"))
            .count(),
        1
    );
}

#[tokio::test]
async fn expired_foreign_and_missing_tokens_are_refused() {
    let app = spawn_app().await;
    app.register("bilal").await;
    ask(&app, "bilal@example.pk").await;
    app.run_jobs().await;
    let link = reset_tokens(&app, "bilal@example.pk").remove(0);
    app.db
        .execute("UPDATE password_resets SET expires_at = now() - interval '1 second'")
        .await;
    for token in [
        link.as_str(),
        "not-a-token",
        &"a".repeat(64),
        &"x".repeat(5000),
    ] {
        let r = confirm(&app, token, NEW).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(
            r.body["token"][0],
            "This password reset link is invalid or has expired."
        );
    }
    let r = app
        .post("/api/auth/password-reset/confirm/", None, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for field in ["token", "password", "password_confirm"] {
        assert_eq!(r.body[field][0], "This field is required.", "{field}");
    }
    assert_eq!(
        app.login("bilal@example.pk", PASSWORD).await.status,
        StatusCode::OK,
        "nothing changed"
    );
}

#[tokio::test]
async fn requests_are_throttled_per_address_and_per_client() {
    let app = spawn_app().await;
    app.register("sana").await;
    for _ in 0..3 {
        assert_eq!(ask(&app, "sana@example.pk").await.status, StatusCode::OK);
    }
    let r = ask(&app, "SANA@example.pk").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert!(r.headers.contains_key("retry-after"));
    app.run_jobs().await;
    assert_eq!(
        reset_tokens(&app, "sana@example.pk").len(),
        3,
        "no mail past the limit"
    );
    // Ten requests from one client, whatever the addresses, then it waits.
    for i in 0..6 {
        assert_eq!(
            ask(&app, &format!("someone{i}@example.pk")).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        ask(&app, "someone-else@example.pk").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_reset_ends_the_accounts_console_sessions_too() {
    let app = spawn_app().await;
    let mut console = admin(&app).await;
    assert_eq!(console.get("/admin/").await.status, StatusCode::OK);
    ask(&app, "root@example.pk").await;
    app.run_jobs().await;
    let link = reset_tokens(&app, "root@example.pk").remove(0);
    assert_eq!(
        confirm(&app, &link, "Rawalpindi-Wool-2026!").await.status,
        StatusCode::OK
    );
    let p = console.get("/admin/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location.starts_with("/admin/login/"), "{}", p.location);
}
