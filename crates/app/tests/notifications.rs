//! Notifications over HTTP: each user reads and marks only their own, newest first, with the
//! unread count; strangers get 404 and change nothing; the collection is read-only.

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn each_user_reads_and_marks_only_their_own() {
    let app = spawn_app().await;
    let (ayesha, ayesha_id) = app.register("ayesha").await;
    let (bilal, bilal_id) = app.register("bilal").await;
    assert_eq!(
        app.get("/api/notifications/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Sign-up leaves a welcome notice; two more for Ayesha, one an hour older.
    for (user, title, age) in [(ayesha_id, "Older", 60), (ayesha_id, "Newest", 0)] {
        app.db
            .execute(&format!(
                "INSERT INTO notifications (user_id, notification_type, title, message, created_at) \
                 VALUES ({user}, 'general', '{title}', 'x', now() + interval '1 minute' - interval '{age} minutes')"
            ))
            .await;
    }
    let mine = app.get("/api/notifications/", Some(&ayesha)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert_eq!(mine.body["count"], 3);
    let first = &mine.body["results"][0];
    assert_eq!(first["title"], "Newest");
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "notification_type",
            "title",
            "message",
            "is_read",
            "order",
            "auction",
            "created_at"
        ]
    );
    assert_eq!(
        (&first["order"], &first["is_read"]),
        (&json!(null), &json!(false))
    );
    assert!(first["created_at"].as_str().unwrap().ends_with("+05:00"));
    let oldest = app
        .get("/api/notifications/?ordering=created_at", Some(&ayesha))
        .await;
    assert_eq!(oldest.body["results"][0]["title"], "Older");

    // Bilal's welcome notice is not Ayesha's to read or mark.
    let theirs = app.get("/api/notifications/", Some(&bilal)).await.body["results"][0]["id"]
        .as_i64()
        .unwrap();
    let not_found = json!({"detail": "No Notification matches the given query."});
    for r in [
        app.get(&format!("/api/notifications/{theirs}/"), Some(&ayesha))
            .await,
        app.post(
            &format!("/api/notifications/{theirs}/mark_read/"),
            Some(&ayesha),
            json!({}),
        )
        .await,
    ] {
        assert_eq!(
            (r.status, r.body),
            (StatusCode::NOT_FOUND, not_found.clone())
        );
    }
    assert_eq!(
        app.get("/api/notifications/abc/", Some(&ayesha))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Marking: one (twice is fine), then all; Bilal's stay unread.
    let unread = |token: String| {
        let app = &app;
        async move {
            app.get("/api/notifications/unread_count/", Some(&token))
                .await
                .body["unread_count"]
                .clone()
        }
    };
    assert_eq!(unread(ayesha.clone()).await, 3);
    let newest = first["id"].as_i64().unwrap();
    for _ in 0..2 {
        let r = app
            .post(
                &format!("/api/notifications/{newest}/mark_read/"),
                Some(&ayesha),
                json!({}),
            )
            .await;
        assert_eq!(
            (r.status, r.body),
            (
                StatusCode::OK,
                json!({"message": "Notification marked as read"})
            )
        );
    }
    assert_eq!(unread(ayesha.clone()).await, 2);
    let one = app
        .get(&format!("/api/notifications/{newest}/"), Some(&ayesha))
        .await;
    assert_eq!(one.body["is_read"], true);
    let r = app
        .post(
            "/api/notifications/mark_all_read/",
            Some(&ayesha),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::OK,
            json!({"message": "All notifications marked as read"})
        )
    );
    assert_eq!(unread(ayesha.clone()).await, 0);
    assert_eq!(unread(bilal.clone()).await, 1);
    assert_eq!(
        app.db
            .count(&format!(
                "notifications WHERE user_id = {bilal_id} AND is_read"
            ))
            .await,
        0
    );

    // Read-only: no create, change or delete.
    assert_eq!(
        app.post("/api/notifications/", Some(&ayesha), json!({"title": "x"}))
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        app.delete(&format!("/api/notifications/{newest}/"), Some(&ayesha))
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}
