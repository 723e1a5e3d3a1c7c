//! Finding L2 (lockout and enumeration) over real HTTP: wrong passwords slow down the client that
//! sends them, never the account's owner, and registration attempts are throttled per address.
//! Clients are told apart by `X-Forwarded-For`, believed because these apps trust their proxy.

mod common;

use std::time::Duration;

use common::{PASSWORD, Reply, TestApp, spawn_app, spawn_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ATTACKER: &str = "203.0.113.7";
const OWNER: &str = "198.51.100.23";

/// POSTs `body` to `path` as the client at `ip`.
async fn post_from(app: &TestApp, ip: &str, path: &str, body: Value) -> Reply {
    let res = app
        .client
        .post(app.url(path))
        .header("X-Forwarded-For", ip)
        .json(&body)
        .send()
        .await
        .expect("request sent");
    TestApp::reply(res).await
}

async fn login_from(app: &TestApp, ip: &str, email: &str, password: &str) -> Reply {
    post_from(
        app,
        ip,
        "/api/auth/login/",
        json!({"email": email, "password": password}),
    )
    .await
}

async fn register_from(app: &TestApp, ip: &str, username: &str, email: &str) -> Reply {
    post_from(
        app,
        ip,
        "/api/auth/register/",
        json!({"username": username, "email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
    )
    .await
}

/// Checks the throttled answer (429, `Retry-After`, the usual detail) and returns its seconds.
fn retry_after(r: &Reply) -> u64 {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    let secs: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(
        r.body,
        json!({"detail": format!("Request was throttled. Expected available in {secs} seconds.")})
    );
    secs
}

#[tokio::test]
async fn l2_wrong_passwords_from_an_attacker_do_not_lock_the_owner_out() {
    let app = spawn_with(|c| {
        c.http.trust_proxy_headers = true;
        c.auth.login.per_account = 5;
        c.auth.login.backoff_secs = 60;
    })
    .await;
    let r = register_from(&app, OWNER, "owner", "owner@example.pk").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let mut statuses = Vec::new();
    for _ in 0..12 {
        let r = login_from(&app, ATTACKER, "owner@example.pk", "Wrong-password-1").await;
        statuses.push(r.status);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert!(
        statuses[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // The attacker waits even with the right password, so the answer says nothing about it.
    let r = login_from(&app, ATTACKER, "owner@example.pk", PASSWORD).await;
    assert!(retry_after(&r) > 55, "{}", r.text);

    // The owner, from their own address, signs in at once.
    let r = login_from(&app, OWNER, "owner@example.pk", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(r.body["user"]["username"], "owner");
    // Their success does not free the attacker.
    let r = login_from(&app, ATTACKER, "owner@example.pk", "Wrong-password-2").await;
    retry_after(&r);
    // The owner's own typo is the contract's 401, and the right password still works after it.
    let r = login_from(&app, OWNER, "owner@example.pk", "Wrong-password-1").await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::UNAUTHORIZED,
            json!({"error": "Invalid credentials"})
        )
    );
    let r = login_from(&app, OWNER, "owner@example.pk", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn l2_the_attacker_is_throttled_with_backoff() {
    let app = spawn_with(|c| {
        c.http.trust_proxy_headers = true;
        c.auth.login.per_account = 2;
        c.auth.login.backoff_secs = 1;
        c.auth.login.backoff_max_secs = 2;
    })
    .await;
    let r = register_from(&app, OWNER, "victim", "victim@example.pk").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let guess = || login_from(&app, ATTACKER, "victim@example.pk", "Wrong-password-1");

    // Two free guesses, then the first wait.
    assert_eq!(guess().await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(guess().await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(retry_after(&guess().await), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // Once it is over one more guess is heard, and the next wait is twice as long.
    assert_eq!(guess().await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(retry_after(&guess().await), 2);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // The wait doubles no further than its cap.
    assert_eq!(guess().await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(retry_after(&guess().await), 2);

    // Meanwhile the owner is never kept waiting.
    let r = login_from(&app, OWNER, "victim@example.pk", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn l2_registration_is_throttled_per_ip() {
    let app = spawn_with(|c| {
        c.http.trust_proxy_headers = true;
        c.auth.register.per_ip = 3;
    })
    .await;
    let r = register_from(&app, OWNER, "owner", "owner@example.pk").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let taken = json!(["user with this email already exists."]);

    // Every attempt counts, whatever it answers: a probe of a registered email, a new account.
    let r = register_from(&app, ATTACKER, "probe1", "owner@example.pk").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.body["email"], taken);
    let r = register_from(&app, ATTACKER, "probe2", "probe2@example.pk").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = register_from(&app, ATTACKER, "probe3", "owner@example.pk").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // Past the budget the address learns nothing more about emails and creates nothing.
    let r = register_from(&app, ATTACKER, "probe4", "owner@example.pk").await;
    assert!(retry_after(&r) > 3500, "{}", r.text);
    let r = register_from(&app, ATTACKER, "probe5", "probe5@example.pk").await;
    retry_after(&r);
    assert_eq!(app.db.count("users WHERE username = 'probe5'").await, 0);

    // Another address is unaffected, and still gets the contract's answer.
    let r = register_from(&app, OWNER, "probe6", "owner@example.pk").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.body["email"], taken);
    let r = register_from(&app, OWNER, "friend", "friend@example.pk").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test]
async fn l2_an_overlong_email_is_a_wrong_login_not_a_server_error() {
    let app = spawn_app().await;
    let wrong = app.login("nobody@example.pk", "Wrong-password-1").await;
    let long = format!("{}@example.pk", "a".repeat(5000));
    let r = app.login(&long, "Wrong-password-1").await;
    assert_eq!(
        (r.status, r.body),
        (wrong.status, wrong.body),
        "the same answer as any unknown account"
    );
}
