//! An account's sessions over HTTP: listing them with their clients, ending one, signing out
//! everywhere, and changing the password (other sessions and the console signed out, this one
//! kept, the owner emailed), with their refusals.

mod common;

use common::console::admin;
use common::{PASSWORD, TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

/// Signs in from a client that names itself.
async fn sign_in_from(app: &TestApp, email: &str, agent: &str) -> String {
    let res = app
        .client
        .post(app.url("/api/auth/login/"))
        .header("User-Agent", agent)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let r = TestApp::reply(res).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sessions_are_listed_with_their_clients_and_end_at_once() {
    let app = spawn_app().await;
    let (first, _) = app.register("nadia").await;
    let laptop = sign_in_from(&app, "nadia@example.pk", "Firefox/133 (laptop)").await;
    let phone = sign_in_from(&app, "nadia@example.pk", "MadeInPK-Android/2.1").await;
    let (stranger, _) = app.register("stranger").await;

    let r = app.get("/api/auth/sessions/", Some(&laptop)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.body.as_array().unwrap();
    assert_eq!(list.len(), 3, "registration, laptop and phone: {}", r.text);
    assert_eq!(list[0]["client"], "MadeInPK-Android/2.1", "newest first");
    assert_eq!(list[1]["client"], "Firefox/133 (laptop)");
    let current: Vec<bool> = list
        .iter()
        .map(|s| s["current"].as_bool().unwrap())
        .collect();
    assert_eq!(current, [false, true, false]);
    assert!(list[0]["created_at"].is_string() && list[0]["last_used_at"].is_string());
    assert!(!r.text.contains(&phone), "a token is never shown again");

    // Ending the phone's session refuses its very next request.
    let phone_id = list[0]["id"].as_i64().unwrap();
    let r = app
        .delete(&format!("/api/auth/sessions/{phone_id}/"), Some(&laptop))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        app.get("/api/auth/profile/", Some(&phone)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/auth/profile/", Some(&laptop)).await.status,
        StatusCode::OK
    );
    // Gone, someone else's, or not a number: 404, and nothing ends.
    let first_id = list[2]["id"].as_i64().unwrap();
    for (path, token) in [
        (format!("/api/auth/sessions/{phone_id}/"), &laptop),
        (format!("/api/auth/sessions/{first_id}/"), &stranger),
        ("/api/auth/sessions/abc/".to_owned(), &laptop),
    ] {
        let r = app.delete(&path, Some(token)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
    }
    assert_eq!(
        app.get("/api/auth/profile/", Some(&first)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/auth/sessions/", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Signing out everywhere ends every session, the one asking included.
    let r = app
        .post("/api/auth/logout-all/", Some(&first), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["message"], "Logged out of every session");
    for token in [&first, &laptop] {
        assert_eq!(
            app.get("/api/auth/profile/", Some(token)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.get("/api/auth/profile/", Some(&stranger)).await.status,
        StatusCode::OK,
        "other accounts are untouched"
    );
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_ends_the_others_and_tells_the_owner() {
    let app = spawn_app().await;
    let (here, _) = app.register("kamran").await;
    let elsewhere = sign_in_from(&app, "kamran@example.pk", "old tablet").await;
    let new = "Shisham-Wood-77";

    let change = |old: &str, new: &str, again: &str| json!({"old_password": old, "new_password": new, "new_password_confirm": again});
    let r = app
        .post(
            "/api/auth/change-password/",
            Some(&here),
            change("Wrong-password-1", new, new),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["old_password"][0],
        "Your old password was entered incorrectly. Please enter it again."
    );
    let r = app
        .post(
            "/api/auth/change-password/",
            Some(&here),
            change(PASSWORD, "kamran-2026", "kamran-2027"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["new_password"][0],
        "The password is too similar to the username."
    );
    assert_eq!(
        r.body["new_password_confirm"][0],
        "The two password fields didn't match."
    );
    let r = app
        .post("/api/auth/change-password/", Some(&here), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["old_password"][0], "This field is required.");
    // Refusals changed nothing.
    assert_eq!(
        app.get("/api/auth/profile/", Some(&elsewhere)).await.status,
        StatusCode::OK
    );

    let r = app
        .post(
            "/api/auth/change-password/",
            Some(&here),
            change(PASSWORD, new, new),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["message"], "Password changed");
    assert_eq!(
        app.get("/api/auth/profile/", Some(&here)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/auth/profile/", Some(&elsewhere)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("kamran@example.pk", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("kamran@example.pk", new).await.status,
        StatusCode::OK
    );
    app.run_jobs().await;
    let mail = app.mail_to("kamran@example.pk");
    assert_eq!(
        mail.iter()
            .filter(|m| m.contains("Your MadeInPK password was changed"))
            .count(),
        1,
        "one email tells the owner"
    );
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_per_account() {
    let app = spawn_app().await;
    let (token, _) = app.register("guesser").await;
    let guess = json!({
        "old_password": "Wrong-password-1",
        "new_password": "Shisham-Wood-77",
        "new_password_confirm": "Shisham-Wood-77",
    });
    for _ in 0..10 {
        let r = app
            .post("/api/auth/change-password/", Some(&token), guess.clone())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    let r = app
        .post("/api/auth/change-password/", Some(&token), guess)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert!(r.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn an_admin_changing_their_password_is_signed_out_of_the_console() {
    let app = spawn_app().await;
    let mut console = admin(&app).await;
    assert_eq!(console.get("/admin/").await.status, StatusCode::OK);
    // The console enrolled the admin: the API asks for a code too.
    let challenge = app.login("root@example.pk", PASSWORD).await.body["challenge"].clone();
    let signed_in = app
        .post(
            "/api/auth/login/2fa/",
            None,
            json!({"challenge": challenge, "code": app.admin_recovery_code()}),
        )
        .await;
    let token = signed_in.body["token"].as_str().unwrap().to_owned();
    let new = "Rawalpindi-Wool-2026!";
    let r = app
        .post(
            "/api/auth/change-password/",
            Some(&token),
            json!({"old_password": PASSWORD, "new_password": new, "new_password_confirm": new}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let p = console.get("/admin/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location.starts_with("/admin/login/"), "{}", p.location);
}

#[tokio::test]
async fn revocation_takes_effect_at_once_on_every_instance() {
    let app = spawn_app().await;
    // A second instance of the service on the same database, as behind a load balancer.
    let (mail, _) = madeinpk_mail::MailTransport::memory();
    let other = madeinpk_app::startup::Application::build(app.config.clone(), Some(mail))
        .await
        .expect("second instance builds");
    let other_base = format!("http://127.0.0.1:{}", other.port());
    tokio::spawn(other.run_until_stopped());
    let on_other = |token: String| {
        let client = app.client.clone();
        let url = format!("{other_base}/api/auth/profile/");
        async move {
            client
                .get(url)
                .header("Authorization", format!("Token {token}"))
                .send()
                .await
                .unwrap()
                .status()
        }
    };

    let (token, _) = app.register("nadia").await;
    let laptop = sign_in_from(&app, "nadia@example.pk", "Laptop").await;
    let phone = sign_in_from(&app, "nadia@example.pk", "Phone").await;
    for t in [&token, &laptop, &phone] {
        assert_eq!(on_other(t.clone()).await, StatusCode::OK);
    }
    // One session ended on this instance is refused on the other at its next request.
    let listed = app.get("/api/auth/sessions/", Some(&token)).await;
    let laptop_id = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["client"] == "Laptop")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .delete(&format!("/api/auth/sessions/{laptop_id}/"), Some(&token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(on_other(laptop.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(on_other(phone.clone()).await, StatusCode::OK);
    // Signing out everywhere, likewise.
    let r = app
        .post("/api/auth/logout-all/", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for t in [token, phone] {
        assert_eq!(on_other(t).await, StatusCode::UNAUTHORIZED);
    }
}
