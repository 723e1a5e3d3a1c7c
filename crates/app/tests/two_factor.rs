//! Two-factor sign-in over HTTP: enrolment, the login's code step, recovery codes, replayed and
//! wrong codes, challenges that expire or run out, throttling, and turning it off.

mod common;

use chrono::{Duration, Utc};
use common::{PASSWORD, TestApp, spawn_app};
use madeinpk_app::one_time_codes::code_at;
use reqwest::StatusCode;
use serde_json::json;

/// The app's code `shift` seconds from now (an authenticator app on a clock that far off).
fn code(secret: &str, shift: i64) -> String {
    code_at(secret, Utc::now() + Duration::seconds(shift))
}

/// A code that is not the current one (each digit moved by one).
fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| char::from_digit((c.to_digit(10).unwrap() + 1) % 10, 10).unwrap())
        .collect()
}

/// Turns two-factor sign-in on for `token`'s account: its secret and recovery codes.
async fn enrol(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let setup = app
        .post("/api/auth/2fa/setup/", Some(token), json!({}))
        .await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.text);
    let secret = setup.body["secret"].as_str().unwrap().to_owned();
    let confirmed = app
        .post(
            "/api/auth/2fa/confirm/",
            Some(token),
            json!({"code": code(&secret, 0)}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    let codes = confirmed.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// Logs in with the password: the challenge (asserting a code is asked for, with no token).
async fn challenge(app: &TestApp, email: &str) -> String {
    let r = app.login(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["two_factor_required"], true, "{}", r.text);
    assert!(r.body.get("token").is_none(), "no token before the code");
    r.body["challenge"].as_str().unwrap().to_owned()
}

async fn send_code(app: &TestApp, challenge: &str, code: &str) -> common::Reply {
    app.post(
        "/api/auth/login/2fa/",
        None,
        json!({"challenge": challenge, "code": code}),
    )
    .await
}

#[tokio::test]
async fn enrolment_then_every_login_asks_for_a_code_accepted_once() {
    let app = spawn_app().await;
    let (token, id) = app.register("hina").await;
    let off = app.get("/api/auth/2fa/", Some(&token)).await;
    assert_eq!(
        off.body,
        json!({"enabled": false, "recovery_codes_left": 0})
    );

    let setup = app
        .post("/api/auth/2fa/setup/", Some(&token), json!({}))
        .await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.text);
    let secret = setup.body["secret"].as_str().unwrap().to_owned();
    let uri = setup.body["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/MadeInPK:hina%40example.pk?"),
        "{uri}"
    );
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    // Until a code confirms it, sign-in is unchanged.
    let plain = app.login("hina@example.pk", PASSWORD).await;
    assert!(plain.body["token"].is_string(), "{}", plain.text);

    let now = code(&secret, 0);
    let refused = app
        .post(
            "/api/auth/2fa/confirm/",
            Some(&token),
            json!({"code": wrong(&now)}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.body["code"][0], "Invalid or expired code.");
    let confirmed = app
        .post("/api/auth/2fa/confirm/", Some(&token), json!({"code": now}))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    assert_eq!(
        confirmed.body["recovery_codes"].as_array().unwrap().len(),
        10
    );
    let on = app.get("/api/auth/2fa/", Some(&token)).await;
    assert_eq!(on.body, json!({"enabled": true, "recovery_codes_left": 10}));
    let again = app
        .post("/api/auth/2fa/setup/", Some(&token), json!({}))
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);

    let challenge = challenge(&app, "hina@example.pk").await;
    // The code that confirmed enrolment was spent: replaying it within its window fails.
    let replayed = send_code(&app, &challenge, &now).await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST);
    assert_eq!(replayed.body["code"][0], "Invalid or expired code.");
    // The next step's code (a phone clock a little ahead) signs in: the usual login body.
    let next = code(&secret, 30);
    let signed_in = send_code(&app, &challenge, &next).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
    assert_eq!(signed_in.body["user"]["id"], id);
    assert_eq!(signed_in.body["user"]["email"], "hina@example.pk");
    let new_token = signed_in.body["token"].as_str().unwrap();
    let me = app.get("/api/auth/profile/", Some(new_token)).await;
    assert_eq!(me.status, StatusCode::OK);
    // The challenge is spent, and the same code on a fresh challenge is a replay.
    assert_eq!(
        send_code(&app, &challenge, &code(&secret, 30)).await.body["challenge"][0],
        "This sign-in has expired. Please sign in again."
    );
    let fresh = challenge_again(&app).await;
    assert_eq!(
        send_code(&app, &fresh, &next).await.status,
        StatusCode::BAD_REQUEST,
        "a code is accepted once"
    );
}

async fn challenge_again(app: &TestApp) -> String {
    challenge(app, "hina@example.pk").await
}

#[tokio::test]
async fn recovery_codes_sign_in_once_each() {
    let app = spawn_app().await;
    let (token, _) = app.register("hina").await;
    let (_, codes) = enrol(&app, &token).await;
    let c = challenge(&app, "hina@example.pk").await;
    let r = send_code(&app, &c, &codes[0]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let c = challenge(&app, "hina@example.pk").await;
    assert_eq!(
        send_code(&app, &c, &codes[0]).await.status,
        StatusCode::BAD_REQUEST
    );
    // Typed as people type them: upper case, spaces.
    let typed = format!(" {} ", codes[1].to_uppercase().replace('-', " - "));
    let r = send_code(&app, &c, &typed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let status = app.get("/api/auth/2fa/", Some(&token)).await;
    assert_eq!(status.body["recovery_codes_left"], 8);
}

#[tokio::test]
async fn challenges_expire_run_out_and_cannot_be_forged() {
    let app = spawn_app().await;
    let (token, _) = app.register("hina").await;
    let (secret, _) = enrol(&app, &token).await;
    let current = code(&secret, 30);

    for forged in ["", "nonsense", &"a".repeat(64), &"b".repeat(300)] {
        let r = send_code(&app, forged, &current).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{forged:?}");
        assert!(r.body["challenge"].is_array(), "{}", r.text);
    }
    let missing = app
        .post("/api/auth/login/2fa/", None, json!({"challenge": "x"}))
        .await;
    assert_eq!(missing.body["code"][0], "This field is required.");

    // Five wrong codes spend a challenge: the right one is refused after them.
    let c = challenge(&app, "hina@example.pk").await;
    for _ in 0..5 {
        assert_eq!(
            send_code(&app, &c, &wrong(&current)).await.body["code"][0],
            "Invalid or expired code."
        );
    }
    let late = send_code(&app, &c, &current).await;
    assert_eq!(
        late.body["challenge"][0],
        "This sign-in has expired. Please sign in again."
    );

    // A challenge lives five minutes.
    let c = challenge(&app, "hina@example.pk").await;
    app.db
        .execute("UPDATE two_factor_challenges SET expires_at = now() - interval '1 second'")
        .await;
    let expired = send_code(&app, &c, &current).await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    assert!(expired.body["challenge"].is_array(), "{}", expired.text);
    // Signing out everywhere ends a sign-in waiting for its code.
    let c = challenge(&app, "hina@example.pk").await;
    let out = app
        .post("/api/auth/logout-all/", Some(&token), json!({}))
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text);
    assert!(send_code(&app, &c, &current).await.body["challenge"].is_array());
    // A console challenge is not an API one (and the reverse): the purposes are kept apart.
    let c = challenge(&app, "hina@example.pk").await;
    app.db
        .execute("UPDATE two_factor_challenges SET purpose = 'console'")
        .await;
    assert!(send_code(&app, &c, &current).await.body["challenge"].is_array());
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_account() {
    let app = spawn_app().await;
    let (token, _) = app.register("hina").await;
    let (secret, _) = enrol(&app, &token).await;
    let bad = wrong(&code(&secret, 30));
    // Ten codes in a quarter hour (over challenges: each takes five), the enrolment's included.
    let mut sent = 1;
    let mut c = challenge(&app, "hina@example.pk").await;
    while sent < 10 {
        let r = send_code(&app, &c, &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        sent += 1;
        if r.body["challenge"].is_array() || sent % 5 == 1 {
            c = challenge(&app, "hina@example.pk").await;
        }
    }
    let c = challenge(&app, "hina@example.pk").await;
    let throttled = send_code(&app, &c, &code(&secret, 30)).await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        throttled.text
    );
    assert!(throttled.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn turning_it_off_needs_a_code_and_admins_keep_it() {
    let app = spawn_app().await;
    let (token, _) = app.register("hina").await;
    let not_on = app
        .post(
            "/api/auth/2fa/disable/",
            Some(&token),
            json!({"code": "123456"}),
        )
        .await;
    assert_eq!(not_on.status, StatusCode::BAD_REQUEST);
    let no_setup = app
        .post(
            "/api/auth/2fa/confirm/",
            Some(&token),
            json!({"code": "123456"}),
        )
        .await;
    assert_eq!(no_setup.status, StatusCode::BAD_REQUEST);
    let (secret, _) = enrol(&app, &token).await;
    let next = code(&secret, 30);
    let refused = app
        .post(
            "/api/auth/2fa/disable/",
            Some(&token),
            json!({"code": wrong(&next)}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let off = app
        .post(
            "/api/auth/2fa/disable/",
            Some(&token),
            json!({"code": next}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.text);
    assert_eq!(off.body["message"], "Two-factor sign-in is off");
    let plain = app.login("hina@example.pk", PASSWORD).await;
    assert!(plain.body["token"].is_string(), "{}", plain.text);
    assert_eq!(app.db.count("two_factor_recovery_codes").await, 0);

    let admin = app.admin_token().await;
    let (secret, codes) = enrol(&app, &admin).await;
    let kept = app
        .post(
            "/api/auth/2fa/disable/",
            Some(&admin),
            json!({"code": code(&secret, 30)}),
        )
        .await;
    assert_eq!(kept.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        kept.body["non_field_errors"][0],
        "Admins must keep two-factor sign-in on."
    );
    let c = challenge(&app, "root@example.pk").await;
    assert_eq!(send_code(&app, &c, &codes[0]).await.status, StatusCode::OK);
    // Without a token nothing here opens.
    for path in [
        "/api/auth/2fa/setup/",
        "/api/auth/2fa/confirm/",
        "/api/auth/2fa/disable/",
    ] {
        assert_eq!(
            app.post(path, None, json!({})).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}
