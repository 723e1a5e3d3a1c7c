//! Conversations over HTTP: only participants read or write (strangers and admins who are not
//! one get 404; anonymous 401), participants never change, the contract's field errors, unread
//! markers cleared by reading, and the other participant notified of each message.

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn participants_talk_and_nobody_else_sees_a_word() {
    let app = spawn_app().await;
    let (seller, seller_id) = app.register_as("potter", "seller").await;
    let (buyer, buyer_id) = app.register("ayesha").await;
    let (stranger, stranger_id) = app.register("stranger").await;
    let admin = app.admin_token().await;
    let product = app.product(&seller, "Vase").await;
    let (_, other_seller_id) = app.register_as("weaver", "seller").await;

    // Bad input and the rewrite's participant rules.
    let open = |token: String, body: Value| {
        let app = &app;
        async move { app.post("/api/conversations/", Some(&token), body).await }
    };
    let r = open(
        buyer.clone(),
        json!({"buyer": buyer_id, "seller": seller_id}),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"product": ["This field is required."]})
        )
    );
    let r = open(
        buyer.clone(),
        json!({"buyer": buyer_id, "seller": 99_999, "product": null}),
    )
    .await;
    assert_eq!(
        r.body,
        json!({"seller": ["Invalid pk \"99999\" - object does not exist."]})
    );
    let r = open(
        stranger.clone(),
        json!({"buyer": buyer_id, "seller": seller_id, "product": null}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "not between two others");
    let r = open(
        buyer.clone(),
        json!({"buyer": buyer_id, "seller": buyer_id, "product": null}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "not with oneself");
    let r = open(
        buyer.clone(),
        json!({"buyer": buyer_id, "seller": other_seller_id, "product": product}),
    )
    .await;
    assert_eq!(
        r.body,
        json!({"product": ["This product is not sold by this seller."]})
    );
    assert_eq!(
        app.post(
            "/api/conversations/",
            None,
            json!({"buyer": buyer_id, "seller": seller_id, "product": null})
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );

    // The buyer opens one about the vase; the same again is the contract's duplicate.
    let body = json!({"buyer": buyer_id, "seller": seller_id, "product": product});
    let r = open(buyer.clone(), body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let c = r.body.clone();
    let id = c["id"].as_i64().unwrap();
    assert_eq!(
        (
            &c["buyer_username"],
            &c["seller_username"],
            &c["product_name"]
        ),
        (&json!("ayesha"), &json!("potter"), &json!("Vase"))
    );
    assert_eq!(
        (
            &c["latest_message"],
            &c["unread_count"],
            &c["product_image"]
        ),
        (&json!(null), &json!(0), &json!(null))
    );
    let r = open(buyer.clone(), body).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"non_field_errors": ["The fields buyer, seller, product must make a unique set."]})
        )
    );

    // Messages: the buyer writes twice; the seller sees two unread, reads them, then answers.
    let send = |token: String, body: Value| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/conversations/{id}/send_message/"),
                Some(&token),
                body,
            )
            .await
        }
    };
    let r = send(
        buyer.clone(),
        json!({"content": "Is the vase glazed?", "is_read": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["is_read"], false, "the sender cannot mark it read");
    assert_eq!(r.body["sender_username"], "ayesha");
    send(buyer.clone(), json!({"content": "And the size?"})).await;
    let r = send(buyer.clone(), json!({"content": "  "})).await;
    assert_eq!(r.body, json!({"content": ["This field may not be blank."]}));
    let r = send(buyer.clone(), json!({})).await;
    assert_eq!(r.body, json!({"content": ["This field is required."]}));
    assert_eq!(
        app.db
            .count(&format!(
                "notifications WHERE user_id = {seller_id} AND notification_type = 'message_received' \
                 AND title = 'New message' AND message = 'You have a new message from ayesha'"
            ))
            .await,
        2
    );
    let seen_by_seller = app
        .get(&format!("/api/conversations/{id}/"), Some(&seller))
        .await;
    assert_eq!(seen_by_seller.body["unread_count"], 2);
    assert_eq!(
        seen_by_seller.body["latest_message"]["content"],
        "And the size?"
    );
    let list = app
        .get(&format!("/api/conversations/{id}/messages/"), Some(&seller))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let contents: Vec<&Value> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["content"])
        .collect();
    assert_eq!(
        contents,
        [&json!("Is the vase glazed?"), &json!("And the size?")]
    );
    assert!(
        list.body
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["is_read"] == true)
    );
    assert_eq!(
        app.get(&format!("/api/conversations/{id}/"), Some(&seller))
            .await
            .body["unread_count"],
        0
    );
    send(seller.clone(), json!({"content": "Yes, and 30 cm."})).await;
    // The buyer's own messages do not count as unread for them; the answer does.
    assert_eq!(
        app.get(&format!("/api/conversations/{id}/"), Some(&buyer))
            .await
            .body["unread_count"],
        1
    );
    let mine = app.get("/api/conversations/", Some(&seller)).await;
    assert_eq!(mine.body["count"], 1);

    // Participants never change.
    let r = app
        .patch(
            &format!("/api/conversations/{id}/"),
            Some(&buyer),
            json!({"buyer": stranger_id, "seller": stranger_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        (&r.body["buyer"], &r.body["seller"]),
        (&json!(buyer_id), &json!(seller_id))
    );

    // Strangers and admins who are not participants: 404 everywhere, and nothing changes.
    let not_found = json!({"detail": "No Conversation matches the given query."});
    for token in [&stranger, &admin] {
        for r in [
            app.get(&format!("/api/conversations/{id}/"), Some(token))
                .await,
            app.get(&format!("/api/conversations/{id}/messages/"), Some(token))
                .await,
            app.post(
                &format!("/api/conversations/{id}/send_message/"),
                Some(token),
                json!({}),
            )
            .await,
            app.delete(&format!("/api/conversations/{id}/"), Some(token))
                .await,
        ] {
            assert_eq!((r.status, &r.body), (StatusCode::NOT_FOUND, &not_found));
        }
        assert_eq!(
            app.get("/api/conversations/", Some(token)).await.body["count"],
            0
        );
    }
    assert_eq!(app.db.count("messages").await, 3);
    assert_eq!(
        app.get("/api/conversations/abc/", Some(&buyer))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A participant deletes it, messages and all.
    assert_eq!(
        app.delete(&format!("/api/conversations/{id}/"), Some(&seller))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.db.count("messages").await, 0);
}
