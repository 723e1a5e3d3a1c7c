//! Bad input of every kind gets a clear JSON 4xx; operations endpoints answer.

mod common;

use common::{spawn_app, spawn_with};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn malformed_bodies_are_json_400_415_413() {
    let app = spawn_with(|c| c.http.max_body_bytes = 4096).await;
    let send = |ct: &'static str, body: Vec<u8>| {
        let req = app
            .client
            .post(app.url("/api/auth/register/"))
            .header("content-type", ct)
            .body(body);
        async move { common::TestApp::reply(req.send().await.unwrap()).await }
    };
    let r = send("application/json", b"{\"username\": ".to_vec()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error - "),
        "{}",
        r.text
    );
    let r = send("application/json", b"[1, 2]".to_vec()).await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
    );
    let r = send("text/plain", b"hello".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        r.body,
        json!({"detail": "Unsupported media type \"text/plain\" in request."})
    );
    let r = send(
        "application/json",
        format!("{{\"username\": \"{}\"}}", "x".repeat(10_000)).into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body, json!({"detail": "Request body is too large."}));
    let r = send("application/json", vec![0xff, 0xfe, 0x00]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Wrong types are field errors, not crashes.
    let r = app
        .post("/api/auth/register/", None, json!({"username": ["a"], "email": {"x": 1}, "password": null, "password_confirm": true}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["username"], json!(["Not a valid string."]));
    assert_eq!(r.body["password"], json!(["This field may not be null."]));
    assert_eq!(app.db.count("users").await, 0);
}

#[tokio::test]
async fn forms_are_accepted_like_json() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/auth/register/"))
        .form(&[
            ("username", "formuser"),
            ("email", "form@example.pk"),
            ("password", common::PASSWORD),
            ("password_confirm", common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn unknown_routes_methods_and_missing_slashes() {
    let app = spawn_app().await;
    for path in ["/api/nothing/", "/nothing", "/api/provinces/1/extra/"] {
        let r = app.get(path, None).await;
        assert_eq!(
            (r.status, &r.body),
            (StatusCode::NOT_FOUND, &json!({"detail": "Not found."})),
            "{path}"
        );
    }
    let r = app
        .send(
            reqwest::Method::PUT,
            "/api/provinces/",
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.body, json!({"detail": "Method \"PUT\" not allowed."}));
    assert_eq!(r.headers["allow"], "GET, HEAD");
    let r = app.delete("/api/auth/login/", None).await;
    assert_eq!(r.body, json!({"detail": "Method \"DELETE\" not allowed."}));
    // Without the trailing slash the request is served as if it had one, POST included.
    let r = app.post("/api/auth/register", None, json!({"username": "noslash", "email": "noslash@example.pk", "password": common::PASSWORD, "password_confirm": common::PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app.get("/api/provinces?ordering=name", None).await;
    assert_eq!(r.body["results"][0]["name"], "Azad Jammu and Kashmir");
    // HEAD works wherever GET does, without a body.
    let res = app
        .client
        .head(app.url("/api/provinces/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().is_empty());
    // Every response carries a request id.
    let r = app.get("/api/provinces/", None).await;
    assert_eq!(r.headers["x-request-id"].to_str().unwrap().len(), 36);
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let app = spawn_with(|c| c.http.cors_origins = vec!["https://madeinpk.pk".into()]).await;
    let res = app
        .client
        .get(app.url("/api/provinces/"))
        .header("Origin", "https://madeinpk.pk")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://madeinpk.pk"
    );
    let res = app
        .client
        .get(app.url("/api/provinces/"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn health_readiness_metrics_and_docs() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/healthz", None).await.body,
        json!({"status": "ok"})
    );
    assert_eq!(
        app.get("/readyz", None).await.body,
        json!({"status": "ready"})
    );
    app.get("/api/provinces/", None).await;
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("http_requests_total{"), "{}", r.text);
    assert!(r.text.contains("jobs{status=\"queued\"}"));
    let r = app.get("/api/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let paths = r.body["paths"].as_object().unwrap();
    for p in [
        "/api/auth/register/",
        "/api/auth/login/",
        "/api/addresses/{id}/set_default/",
        "/api/categories/{id}/",
        "/api/cities/",
    ] {
        assert!(paths.contains_key(p), "{p} missing from OpenAPI");
    }
    let res = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("swagger"));
    let res = app
        .client
        .get(app.url("/api/docs/swagger-ui.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "assets are vendored and served locally"
    );
}

#[tokio::test]
async fn a_fault_of_ours_is_a_logged_500_with_an_error_id_and_no_retry_after() {
    let app = spawn_app().await;
    // A schema the code does not expect: every read of provinces is now a SQL error, which no
    // retry can cure.
    app.db
        .execute("ALTER TABLE provinces RENAME COLUMN name TO name_broken")
        .await;
    let r = app.get("/api/provinces/", None).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text);
    assert_eq!(r.body["error"], "Internal server error");
    let id = r.body["error_id"].as_str().unwrap();
    assert!(
        id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert!(r.headers.get("retry-after").is_none());
    let again = app.get("/api/provinces/", None).await;
    assert_ne!(
        again.body["error_id"], r.body["error_id"],
        "one id per failure"
    );
}
