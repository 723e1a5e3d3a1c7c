//! `auth/` over real HTTP: register, login, logout, profile, become-seller, tokens, throttling.

mod common;

use common::{PASSWORD, key_order, spawn_app, spawn_with};
use reqwest::StatusCode;
use serde_json::json;

fn registration(username: &str, email: &str) -> serde_json::Value {
    json!({"username": username, "email": email, "password": PASSWORD, "password_confirm": PASSWORD})
}

#[tokio::test]
async fn register_signs_in_and_queues_a_welcome_notice_and_email() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/auth/register/",
            None,
            registration("ayesha", "Ayesha@Example.PK"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let user = &r.body["user"];
    assert_eq!(
        key_order(&r.text, &["user"]),
        [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "phone_number",
            "profile_picture",
            "profile_picture_url",
            "role",
            "is_blocked",
            "failed_payment_count",
            "created_at"
        ]
    );
    assert_eq!(
        user["email"], "Ayesha@example.pk",
        "the domain is lower-cased"
    );
    assert_eq!(user["role"], "buyer");
    assert_eq!(user["is_blocked"], false);
    assert!(user["created_at"].as_str().unwrap().ends_with("+05:00"));
    let token = r.body["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(
        app.get("/api/auth/profile/", Some(token)).await.status,
        StatusCode::OK
    );

    assert_eq!(
        app.db.count("notifications WHERE notification_type = 'general' AND title = 'Welcome to MadeInPK!'").await,
        1
    );
    // Nothing is sent in the request: the emails (welcome, and the address's verification
    // link) wait in the queue.
    assert!(app.outbox.sent().is_empty());
    assert_eq!(app.db.count("jobs WHERE status = 'queued'").await, 2);
    // The queue sends them and marks the notice as emailed.
    assert_eq!(app.run_jobs().await, 2);
    let sent = app.outbox.sent();
    assert_eq!(sent.len(), 2, "welcome and verification emails");
    assert!(
        sent.iter()
            .all(|m| m.to == vec!["Ayesha@example.pk".to_string()])
    );
    let welcome: Vec<_> = sent
        .iter()
        .filter(|m| m.raw.contains("Subject: Welcome to MadeInPK, ayesha!"))
        .collect();
    assert_eq!(welcome.len(), 1, "welcome email was not sent");
    assert_eq!(
        app.db.count("notifications WHERE is_sent_via_email").await,
        1
    );
    assert_eq!(app.db.count("jobs WHERE status = 'done'").await, 2);
    // Exactly these two: nothing is left to run.
    assert_eq!(app.run_jobs().await, 0);
    assert_eq!(app.outbox.sent().len(), 2);
}

#[tokio::test]
async fn duplicate_email_and_username_are_field_errors() {
    let app = spawn_app().await;
    app.register("bilal").await;
    let r = app
        .post(
            "/api/auth/register/",
            None,
            registration("BILAL", "BILAL@example.pk"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["email"],
        json!(["user with this email already exists."])
    );
    assert_eq!(
        r.body["username"],
        json!(["A user with that username already exists."])
    );
    assert_eq!(app.db.count("users").await, 1);
}

#[tokio::test]
async fn field_rules_and_password_confirmation() {
    let app = spawn_app().await;
    let r = app.post("/api/auth/register/", None, json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for field in ["username", "email", "password", "password_confirm"] {
        assert_eq!(r.body[field], json!(["This field is required."]), "{field}");
    }
    let r = app
        .post("/api/auth/register/", None, json!({"username": "a b", "email": "nope", "password": "short", "password_confirm": "short"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["username"][0]
            .as_str()
            .unwrap()
            .starts_with("Enter a valid username.")
    );
    assert_eq!(r.body["email"], json!(["Enter a valid email address."]));
    assert_eq!(
        r.body["password"],
        json!(["Ensure this field has at least 8 characters."])
    );
    let mut body = registration("sana", "sana@example.pk");
    body["password_confirm"] = json!("Different-2026!");
    let r = app.post("/api/auth/register/", None, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["Passwords do not match"]})
    );
    let mut body = registration("sana", "sana@example.pk");
    body["password"] = json!("12345678");
    body["password_confirm"] = json!("12345678");
    let r = app.post("/api/auth/register/", None, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["password"]
            .as_array()
            .unwrap()
            .contains(&json!("This password is entirely numeric."))
    );
    assert_eq!(app.db.count("users").await, 0);
}

#[tokio::test]
async fn nobody_can_make_themselves_admin() {
    let app = spawn_app().await;
    let mut body = registration("mallory", "mallory@example.pk");
    body["role"] = json!("admin");
    let r = app.post("/api/auth/register/", None, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"role": ["\"admin\" is not a valid choice."]})
    );
    assert_eq!(app.db.count("users").await, 0);

    // Privileged fields sent at registration are ignored.
    let mut body = registration("mallory", "mallory@example.pk");
    body["is_staff"] = json!(true);
    body["is_blocked"] = json!(true);
    let r = app.post("/api/auth/register/", None, body).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let token = r.body["token"].as_str().unwrap().to_owned();

    for method in ["PUT", "PATCH"] {
        let body = json!({"username": "mallory", "email": "mallory@example.pk", "role": "admin", "is_blocked": true, "failed_payment_count": 0});
        let r = app
            .send(
                method.parse().unwrap(),
                "/api/auth/profile/",
                Some(&token),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["role"], "buyer", "{method} must not change the role");
    }
    assert_eq!(
        app.db
            .count("users WHERE role = 'admin' OR is_blocked")
            .await,
        0
    );
    // An admin-only action stays forbidden.
    let r = app
        .post("/api/categories/", Some(&token), json!({"name": "Stolen"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sellers_get_a_blank_profile_at_registration() {
    let app = spawn_app().await;
    let (token, _) = app.register_as("potter", "seller").await;
    let r = app.get("/api/auth/profile/", Some(&token)).await;
    assert_eq!(r.body["role"], "seller");
    let profile = &r.body["seller_profile"];
    assert_eq!(profile["brand_name"], "");
    assert_eq!(profile["average_rating"], "0.00");
    assert_eq!(profile["social_media_links"], json!({}));
    assert_eq!(profile["business_address_detail"], serde_json::Value::Null);
}

#[tokio::test]
async fn login_by_email_issues_a_fresh_token_each_time() {
    let app = spawn_app().await;
    let (first, _) = app.register("kamran").await;
    let r = app.login("KAMRAN@example.pk", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let second = r.body["token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(r.body["user"]["username"], "kamran");
    let r = app.login("kamran@example.pk", "Wrong-password-1").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body, json!({"error": "Invalid credentials"}));
    let r = app.login("nobody@example.pk", PASSWORD).await;
    assert_eq!(r.body, json!({"error": "Invalid credentials"}));
    let r = app
        .post(
            "/api/auth/login/",
            None,
            json!({"username": "kamran", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .post(
            "/api/auth/login/",
            None,
            json!({"email": 5, "password": [1]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn blocked_users_cannot_log_in_or_write_but_can_read() {
    let app = spawn_app().await;
    let (token, id) = app.register("blocked").await;
    app.db
        .execute(&format!(
            "UPDATE users SET is_blocked = true WHERE id = {id}"
        ))
        .await;
    let r = app.login("blocked@example.pk", PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, json!({"error": "Your account is blocked"}));
    let r = app.login("blocked@example.pk", "Wrong-password-1").await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a wrong password reveals nothing about the block"
    );
    assert_eq!(
        app.get("/api/auth/profile/", Some(&token)).await.status,
        StatusCode::OK
    );
    let r = app
        .patch(
            "/api/auth/profile/",
            Some(&token),
            json!({"first_name": "X"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, json!({"error": "Your account is blocked"}));
    let city = app.city("Lahore").await;
    let r = app
        .post(
            "/api/addresses/",
            Some(&token),
            json!({"street_address": "1 Mall Road", "city": city, "postal_code": "54000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post("/api/auth/become-seller/", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.db.count("addresses").await + app.db.count("seller_profiles").await,
        0
    );
}

#[tokio::test]
async fn logout_revokes_only_the_token_it_was_called_with() {
    let app = spawn_app().await;
    let (phone, _) = app.register("nadia").await;
    let laptop = app.login("nadia@example.pk", PASSWORD).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.post("/api/auth/logout/", Some(&phone), json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"message": "Logged out successfully"}));
    let r = app.get("/api/auth/profile/", Some(&phone)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body, json!({"detail": "Invalid token."}));
    assert_eq!(
        app.get("/api/auth/profile/", Some(&laptop)).await.status,
        StatusCode::OK
    );
    // Logout without a body or content type works too.
    let res = app
        .client
        .post(app.url("/api/auth/logout/"))
        .header("Authorization", format!("Token {laptop}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.db.count("api_tokens").await, 0);
}

#[tokio::test]
async fn missing_unknown_and_foreign_scheme_tokens() {
    let app = spawn_app().await;
    let r = app.get("/api/auth/profile/", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.body,
        json!({"detail": "Authentication credentials were not provided."})
    );
    assert_eq!(r.headers["www-authenticate"], "Token");
    // An unknown token is refused everywhere, public endpoints included.
    for path in ["/api/provinces/", "/api/auth/profile/"] {
        let r = app.get(path, Some("0000")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.body, json!({"detail": "Invalid token."}));
    }
    let r = app
        .post(
            "/api/auth/register/",
            Some("0000"),
            registration("x1", "x1@example.pk"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The keyword is case-insensitive; other schemes mean anonymous.
    let (token, _) = app.register("case").await;
    let res = app
        .client
        .get(app.url("/api/auth/profile/"))
        .header("Authorization", format!("token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .client
        .get(app.url("/api/provinces/"))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .client
        .get(app.url("/api/auth/profile/"))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .client
        .get(app.url("/api/provinces/"))
        .header("Authorization", "Token a b")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_expire_after_inactivity() {
    let app = spawn_app().await;
    let (token, _) = app.register("sleepy").await;
    assert_eq!(
        app.get("/api/auth/profile/", Some(&token)).await.status,
        StatusCode::OK
    );
    app.db
        .execute("UPDATE api_tokens SET last_used_at = now() - interval '31 days'")
        .await;
    let r = app.get("/api/auth/profile/", Some(&token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body, json!({"detail": "Invalid token."}));
    // Recent use keeps a token alive.
    let (token, _) = app.register("busy").await;
    app.db.execute("UPDATE api_tokens SET last_used_at = now() - interval '29 days' WHERE id = (SELECT max(id) FROM api_tokens)").await;
    assert_eq!(
        app.get("/api/auth/profile/", Some(&token)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.db
            .count("api_tokens WHERE last_used_at > now() - interval '1 minute'")
            .await,
        1,
        "use refreshes the clock"
    );
}

#[tokio::test]
async fn profile_read_and_update() {
    let app = spawn_app().await;
    let (token, id) = app.register("hina").await;
    app.register("taken").await;
    let r = app.get("/api/auth/profile/", Some(&token)).await;
    assert_eq!(
        key_order(&r.text, &[]),
        [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "phone_number",
            "profile_picture",
            "profile_picture_url",
            "role",
            "created_at",
            "total_sales",
            "total_purchases",
            "average_seller_rating",
            "seller_profile"
        ]
    );
    assert_eq!(r.body["id"], id);
    assert_eq!(r.body["total_sales"], 0);
    assert_eq!(r.body["seller_profile"], serde_json::Value::Null);

    let r = app
        .patch(
            "/api/auth/profile/",
            Some(&token),
            json!({"first_name": "Hina", "phone_number": "03001234567"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["first_name"], "Hina");
    assert_eq!(r.body["username"], "hina");
    let r = app
        .patch(
            "/api/auth/profile/",
            Some(&token),
            json!({"username": "TAKEN"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"username": ["A user with that username already exists."]})
    );
    let r = app
        .patch(
            "/api/auth/profile/",
            Some(&token),
            json!({"phone_number": "0300123456789012"}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"phone_number": ["Ensure this field has no more than 15 characters."]})
    );
    let r = app
        .put(
            "/api/auth/profile/",
            Some(&token),
            json!({"username": "hina2"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"email": ["This field is required."]}));
    let r = app
        .put(
            "/api/auth/profile/",
            Some(&token),
            json!({"username": "hina2", "email": "hina2@example.pk"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["email"], "hina2@example.pk");
    assert_eq!(
        app.login("hina2@example.pk", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn become_seller_flow_and_refusals() {
    let app = spawn_app().await;
    let (token, _) = app.register("weaver").await;
    let (other, _) = app.register("other").await;
    let city = app.city("Multan").await;
    let foreign = app
        .post(
            "/api/addresses/",
            Some(&other),
            json!({"street_address": "2 Fort Road", "city": city, "postal_code": "60000"}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();

    let r = app.get("/api/auth/become-seller/", Some(&token)).await;
    assert_eq!(
        r.body,
        json!({"can_become_seller": true, "current_role": "buyer", "has_seller_profile": false, "message": "You can upgrade to seller"})
    );
    let r = app
        .post(
            "/api/auth/become-seller/",
            Some(&token),
            json!({"business_address_id": foreign}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["Invalid business address ID or address does not belong to you"]})
    );
    let r = app
        .post(
            "/api/auth/become-seller/",
            Some(&token),
            json!({"website": "not a url"}),
        )
        .await;
    assert_eq!(r.body, json!({"website": ["Enter a valid URL."]}));

    let own = app
        .post("/api/addresses/", Some(&token), json!({"street_address": "5 Hussain Agahi", "city": city, "postal_code": "60000", "is_default": true}))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            "/api/auth/become-seller/",
            Some(&token),
            json!({"brand_name": "Multani Weaves", "business_address_id": own, "website": "https://weaves.pk", "social_media_links": {"instagram": "@weaves"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["message"], "Successfully upgraded to seller");
    assert_eq!(r.body["user"]["role"], "both");
    let p = &r.body["seller_profile"];
    assert_eq!(p["brand_name"], "Multani Weaves");
    assert_eq!(
        p["business_address"],
        "5 Hussain Agahi, Multan, Punjab 60000"
    );
    assert_eq!(p["business_address_id"], own);
    assert_eq!(p["province_name"], "Punjab");
    assert_eq!(p["user_username"], "weaver");
    assert_eq!(p["is_verified"], false);
    assert_eq!(p["social_media_links"]["instagram"], "@weaves");
    assert_eq!(
        app.db
            .count("notifications WHERE title = 'Welcome to Selling on MadeInPK!'")
            .await,
        1
    );

    let r = app
        .post("/api/auth/become-seller/", Some(&token), json!({}))
        .await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["You already have seller capabilities"]})
    );
    let r = app.get("/api/auth/become-seller/", Some(&token)).await;
    assert_eq!(r.body["can_become_seller"], false);
    assert_eq!(
        r.body["message"],
        "You already have seller capabilities or a seller profile"
    );
    assert_eq!(app.db.count("seller_profiles").await, 1);
}

#[tokio::test]
async fn login_is_throttled_per_account_and_per_ip() {
    let app = spawn_with(|c| {
        c.auth.login.per_account = 3;
        c.auth.login.per_ip = 8;
    })
    .await;
    app.register("target").await;
    for _ in 0..3 {
        assert_eq!(
            app.login("target@example.pk", "Wrong-password-1")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let r = app.login("target@example.pk", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("Request was throttled.")
    );
    assert!(r.headers.contains_key("retry-after"));
    // Other accounts are unaffected until the IP's own budget runs out.
    app.register("bystander").await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.login("bystander@example.pk", PASSWORD).await.status);
    }
    assert_eq!(statuses[0], StatusCode::OK);
    assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.db.count("api_tokens").await,
        2 + i64::try_from(statuses.iter().filter(|s| **s == StatusCode::OK).count()).unwrap()
    );
}

#[tokio::test]
async fn a_successful_login_resets_the_account_counter() {
    let app = spawn_with(|c| c.auth.login.per_account = 3).await;
    app.register("forgetful").await;
    for _ in 0..2 {
        app.login("forgetful@example.pk", "Wrong-password-1").await;
    }
    assert_eq!(
        app.login("forgetful@example.pk", PASSWORD).await.status,
        StatusCode::OK
    );
    for _ in 0..2 {
        app.login("forgetful@example.pk", "Wrong-password-1").await;
    }
    assert_eq!(
        app.login("forgetful@example.pk", PASSWORD).await.status,
        StatusCode::OK
    );
}

async fn upload_picture(
    app: &common::TestApp,
    token: &str,
    bytes: &[u8],
    name: &str,
) -> common::Reply {
    let form = reqwest::multipart::Form::new()
        .text("first_name", "Zara")
        .part(
            "profile_picture",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    let res = app
        .client
        .patch(app.url("/api/auth/profile/"))
        .header("Authorization", format!("Token {token}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    common::TestApp::reply(res).await
}

#[tokio::test]
async fn profile_pictures_are_checked_stored_served_and_replaced() {
    let app = spawn_app().await;
    let (token, _) = app.register("zara").await;
    let r = upload_picture(&app, &token, b"%PDF-1.7 definitely not an image", "cv.png").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"profile_picture": ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."]})
    );
    assert_eq!(
        app.get("/api/auth/profile/", Some(&token)).await.body["first_name"],
        "",
        "nothing changed"
    );

    let r = upload_picture(&app, &token, common::PNG, "me.jpg").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body["first_name"], "Zara",
        "text parts of the form apply too"
    );
    let first = r.body["profile_picture"].as_str().unwrap().to_owned();
    assert!(
        first.starts_with("/media/profiles/")
            && std::path::Path::new(&first).extension() == Some("png".as_ref()),
        "named by content, not by the client: {first}"
    );
    assert_eq!(
        r.body["profile_picture_url"],
        format!("{}{first}", app.base)
    );
    let served = app.client.get(app.url(&first)).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    // The stored picture is the upload decoded and written anew (nothing but the image).
    let stored = image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
    assert_eq!((stored.width(), stored.height()), (1, 1));

    let r = upload_picture(&app, &token, common::PNG, "again.png").await;
    let second = r.body["profile_picture"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(
        app.client
            .get(app.url(&first))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND,
        "the replaced file is gone"
    );

    let r = app
        .patch(
            "/api/auth/profile/",
            Some(&token),
            json!({"profile_picture": null}),
        )
        .await;
    assert_eq!(r.body["profile_picture"], serde_json::Value::Null);
    assert_eq!(r.body["profile_picture_url"], serde_json::Value::Null);
    assert_eq!(
        app.client
            .get(app.url(&second))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = app
        .patch(
            "/api/auth/profile/",
            Some(&token),
            json!({"profile_picture": "http://x/y.png"}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"profile_picture": ["The submitted data was not a file. Check the encoding type on the form."]})
    );
}

#[tokio::test]
async fn nul_characters_are_field_errors_not_server_errors() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/auth/register/",
            None,
            registration("nul\u{0}user", "nul@example.pk"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["username"],
        json!(["Null characters are not allowed."])
    );
    let r = app.login("nul\u{0}@example.pk", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let (token, _) = app.register("clean").await;
    let r = app
        .post(
            "/api/auth/become-seller/",
            Some(&token),
            json!({"social_media_links": {"x\u{0}": "y"}}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"social_media_links": ["Null characters are not allowed."]})
    );
    let r = app
        .patch(
            "/api/auth/profile/",
            Some(&token),
            json!({"first_name": "a\u{0}"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn whitespace_is_trimmed_but_passwords_are_kept_as_typed() {
    let app = spawn_app().await;
    let body = json!({"username": "  spaced  ", "email": " spaced@example.pk ", "password": " pass phrase 1 ", "password_confirm": " pass phrase 1 "});
    let r = app.post("/api/auth/register/", None, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["user"]["username"], "spaced");
    assert_eq!(r.body["user"]["email"], "spaced@example.pk");
    assert_eq!(
        app.login("spaced@example.pk", " pass phrase 1 ")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.login("spaced@example.pk", "pass phrase 1").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn racing_become_seller_requests_make_one_profile_and_no_server_error() {
    let app = spawn_app().await;
    let (token, _) = app.register("racer").await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/auth/become-seller/"),
            token.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("Authorization", format!("Token {token}"))
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::BAD_REQUEST),
        "{statuses:?}"
    );
    assert_eq!(app.db.count("seller_profiles").await, 1);
    assert_eq!(
        app.db
            .count("notifications WHERE title = 'Welcome to Selling on MadeInPK!'")
            .await,
        1
    );
    // The new-seller notice is emailed too, once.
    app.run_jobs().await;
    let sent = app
        .outbox
        .sent()
        .iter()
        .filter(|m| m.raw.contains("Subject: Welcome to Selling on MadeInPK!"))
        .count();
    assert_eq!(sent, 1);
}
