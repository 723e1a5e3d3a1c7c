//! Complaints over HTTP: users file and manage their own (strangers 404, anonymous 401), may
//! name only their own orders and real sellers, cannot change one once resolved; admins see
//! all, move them through the workflow, and each side is notified.

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn complaints_are_filed_owned_locked_when_final_and_moved_by_admins() {
    let app = spawn_app().await;
    let (seller, seller_id) = app.register_as("potter", "seller").await;
    let (buyer, buyer_id) = app.register("ayesha").await;
    let (stranger, _) = app.register("stranger").await;
    let admin = app.admin_token().await;
    let address = app.address(&buyer).await;
    let listing = app.listing(&seller, "Vase", "1000.00", 5).await;
    let order = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&buyer),
            json!({"shipping_address": address, "quantity": 1}),
        )
        .await
        .body;
    let order_id = order["id"].as_i64().unwrap();

    let file = |token: String, body: Value| {
        let app = &app;
        async move { app.post("/api/complaints/", Some(&token), body).await }
    };
    // Field errors, all at once; someone else's order and a non-seller are unknown to the caller.
    let r = file(buyer.clone(), json!({"category": "xyz", "subject": ""})).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"category": ["\"xyz\" is not a valid choice."], "subject": ["This field may not be blank."],
                   "description": ["This field is required."]})
        )
    );
    let r = file(
        stranger.clone(),
        json!({"category": "seller", "subject": "Late", "description": "x", "order": order_id, "seller": buyer_id}),
    )
    .await;
    assert_eq!(
        r.body,
        json!({"order": [format!("Invalid pk \"{order_id}\" - object does not exist.")],
               "seller": [format!("Invalid pk \"{buyer_id}\" - object does not exist.")]})
    );
    assert_eq!(
        app.post("/api/complaints/", None, json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );

    // The buyer files one about their order and its seller; admins hear of it.
    let r = file(
        buyer.clone(),
        json!({"category": "shipping", "subject": "Not shipped", "description": "A week already.",
               "order": order_id, "seller": seller_id, "status": "resolved"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let c = r.body.clone();
    let id = c["id"].as_i64().unwrap();
    assert!(c["complaint_number"].as_str().unwrap().starts_with("CMP-"));
    assert_eq!(c["complaint_number"].as_str().unwrap().len(), 16);
    assert_eq!(
        (
            &c["status"],
            &c["order_number"],
            &c["seller_username"],
            &c["user_username"]
        ),
        (
            &json!("open"),
            &order["order_number"],
            &json!("potter"),
            &json!("ayesha")
        )
    );
    assert!(c.get("admin_notes").is_none(), "notes are for admins");
    assert_eq!(
        app.db
            .count("notifications n JOIN users u ON u.id = n.user_id WHERE u.role = 'admin' AND n.title = 'New complaint'")
            .await,
        1
    );

    // Only the complainant sees or changes it.
    let not_found = json!({"detail": "No Complaint matches the given query."});
    for r in [
        app.get(&format!("/api/complaints/{id}/"), Some(&stranger))
            .await,
        app.patch(
            &format!("/api/complaints/{id}/"),
            Some(&stranger),
            json!({"subject": "x"}),
        )
        .await,
        app.delete(&format!("/api/complaints/{id}/"), Some(&stranger))
            .await,
        app.get(&format!("/api/complaints/{id}/"), Some(&seller))
            .await,
    ] {
        assert_eq!((r.status, &r.body), (StatusCode::NOT_FOUND, &not_found));
    }
    assert_eq!(
        app.get("/api/complaints/", Some(&stranger)).await.body["count"],
        0
    );
    let r = app
        .patch(
            &format!("/api/complaints/{id}/"),
            Some(&buyer),
            json!({"subject": "Still not shipped", "status": "closed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (&r.body["subject"], &r.body["status"]),
        (&json!("Still not shipped"), &json!("open"))
    );

    // A blank subject or description is a field error, not a database refusal.
    for field in ["subject", "description"] {
        let r = app
            .patch(
                &format!("/api/complaints/{id}/"),
                Some(&buyer),
                json!({ field: "  " }),
            )
            .await;
        assert_eq!(
            (r.status, r.body),
            (
                StatusCode::BAD_REQUEST,
                json!({ field: ["This field may not be blank."] })
            )
        );
    }

    // Admins: the list, the workflow, and the complainant told. Through the users' API an
    // admin sees only their own complaints, as anyone.
    assert_eq!(
        app.get(&format!("/api/complaints/{id}/"), Some(&admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/admin/complaints/", Some(&buyer)).await.status,
        StatusCode::FORBIDDEN
    );
    let other = file(
        stranger.clone(),
        json!({"category": "platform", "subject": "Slow site", "description": "Pages take long."}),
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    let all = app
        .get("/api/admin/complaints/?status=open", Some(&admin))
        .await;
    assert_eq!(all.body["count"], 2, "{}", all.text);
    assert_eq!(
        app.get("/api/admin/complaints/?status=nope", Some(&admin))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let status = |body: Value| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.post(
                &format!("/api/admin/complaints/{id}/status/"),
                Some(&admin),
                body,
            )
            .await
        }
    };
    let r = status(json!({"status": "in_progress", "admin_notes": "Asked the seller"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["admin_notes"], "Asked the seller");
    let open = app
        .get("/api/admin/complaints/?status=open", Some(&admin))
        .await;
    assert_eq!(open.body["count"], 1);
    assert_eq!(
        open.body["results"][0]["id"], other.body["id"],
        "the filter holds"
    );
    let r = status(json!({"status": "open"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = status(json!({"status": "resolved"})).await;
    assert_eq!(r.body["status"], "resolved");
    assert_eq!(
        app.post(
            "/api/admin/complaints/999999/status/",
            Some(&admin),
            json!({"status": "closed"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let told = app
        .eventually(std::time::Duration::from_secs(15), || async {
            app.mail_to("ayesha@example.pk")
                .iter()
                .any(|m| m.contains("Complaint updated") && m.contains("is now resolved"))
        })
        .await;
    assert!(told, "the complainant is emailed");

    // Resolved: locked for its author.
    let locked = json!({"error": "A resolved or closed complaint cannot be changed"});
    let r = app
        .patch(
            &format!("/api/complaints/{id}/"),
            Some(&buyer),
            json!({"subject": "x"}),
        )
        .await;
    assert_eq!((r.status, &r.body), (StatusCode::BAD_REQUEST, &locked));
    let r = app
        .delete(&format!("/api/complaints/{id}/"), Some(&buyer))
        .await;
    assert_eq!((r.status, &r.body), (StatusCode::BAD_REQUEST, &locked));
    // Reopened, it can be withdrawn.
    status(json!({"status": "open"})).await;
    assert_eq!(
        app.delete(&format!("/api/complaints/{id}/"), Some(&buyer))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.db.count(&format!("complaints WHERE id = {id}")).await,
        0
    );
}
