//! `addresses/`: owner-only CRUD, one default, validation, pagination.

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn crud_for_the_owner() {
    let app = spawn_app().await;
    let (token, _) = app.register("owner").await;
    let lahore = app.city("Lahore").await;
    let karachi = app.city("Karachi").await;
    let r = app
        .post(
            "/api/addresses/",
            Some(&token),
            json!({"street_address": "1 Mall Road", "city": lahore, "postal_code": "54000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        common::key_order(&r.text, &[]),
        [
            "id",
            "street_address",
            "city",
            "city_name",
            "province_name",
            "postal_code",
            "is_default",
            "created_at"
        ]
    );
    assert_eq!(r.body["city_name"], "Lahore");
    assert_eq!(r.body["province_name"], "Punjab");
    assert_eq!(r.body["is_default"], false);
    let id = r.body["id"].as_i64().unwrap();
    let path = format!("/api/addresses/{id}/");

    assert_eq!(
        app.get(&path, Some(&token)).await.body["street_address"],
        "1 Mall Road"
    );
    let r = app
        .patch(&path, Some(&token), json!({"city": karachi}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["city_name"], "Karachi");
    assert_eq!(r.body["province_name"], "Sindh");
    assert_eq!(r.body["street_address"], "1 Mall Road");
    let r = app
        .put(
            &path,
            Some(&token),
            json!({"street_address": "9 Clifton", "city": karachi}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"postal_code": ["This field is required."]}));
    let r = app
        .put(
            &path,
            Some(&token),
            json!({"street_address": "9 Clifton", "city": karachi, "postal_code": "75600"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["postal_code"], "75600");
    let r = app.delete(&path, Some(&token)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.text.is_empty());
    assert_eq!(
        app.get(&path, Some(&token)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn another_users_address_is_not_found_and_untouched() {
    let app = spawn_app().await;
    let (owner, _) = app.register("owner").await;
    let (stranger, _) = app.register("stranger").await;
    let city = app.city("Quetta").await;
    let id = app
        .post(
            "/api/addresses/",
            Some(&owner),
            json!({"street_address": "Jinnah Road", "city": city, "postal_code": "87300"}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/addresses/{id}/");
    let not_found = json!({"detail": "No Address matches the given query."});
    let r = app.get(&path, Some(&stranger)).await;
    assert_eq!((r.status, &r.body), (StatusCode::NOT_FOUND, &not_found));
    let r = app
        .patch(
            &path,
            Some(&stranger),
            json!({"street_address": "hijacked"}),
        )
        .await;
    assert_eq!((r.status, &r.body), (StatusCode::NOT_FOUND, &not_found));
    let r = app
        .put(
            &path,
            Some(&stranger),
            json!({"street_address": "hijacked", "city": city, "postal_code": "1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(&format!("{path}set_default/"), Some(&stranger), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.delete(&path, Some(&stranger)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/addresses/", Some(&stranger)).await.body["count"],
        0
    );
    let r = app.get(&path, Some(&owner)).await;
    assert_eq!(r.body["street_address"], "Jinnah Road");
    assert_eq!(r.body["is_default"], false);
    assert_eq!(
        app.get("/api/addresses/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.get("/api/addresses/abc/", Some(&owner)).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::NOT_FOUND, json!({"detail": "Not found."}))
    );
}

#[tokio::test]
async fn there_is_only_ever_one_default() {
    let app = spawn_app().await;
    let (token, _) = app.register("movers").await;
    let city = app.city("Peshawar").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let r = app
            .post("/api/addresses/", Some(&token), json!({"street_address": format!("{n} Saddar"), "city": city, "postal_code": "25000", "is_default": true}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(r.body["is_default"], true);
        ids.push(r.body["id"].as_i64().unwrap());
    }
    assert_eq!(app.db.count("addresses WHERE is_default").await, 1);
    let defaults = |body: &serde_json::Value| -> Vec<i64> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["is_default"] == true)
            .map(|a| a["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        defaults(&app.get("/api/addresses/", Some(&token)).await.body),
        vec![ids[2]]
    );
    let r = app
        .post(
            &format!("/api/addresses/{}/set_default/", ids[0]),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"message": "Default address updated"}));
    assert_eq!(
        defaults(&app.get("/api/addresses/", Some(&token)).await.body),
        vec![ids[0]]
    );
    let r = app
        .patch(
            &format!("/api/addresses/{}/", ids[1]),
            Some(&token),
            json!({"is_default": "true"}),
        )
        .await;
    assert_eq!(r.body["is_default"], true);
    assert_eq!(
        defaults(&app.get("/api/addresses/", Some(&token)).await.body),
        vec![ids[1]]
    );

    // Racing default changes never leave two defaults.
    let mut tasks = Vec::new();
    for id in ids.clone() {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/addresses/{id}/set_default/")),
            token.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("Authorization", format!("Token {token}"))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(app.db.count("addresses WHERE is_default").await, 1);
}

#[tokio::test]
async fn validation_messages() {
    let app = spawn_app().await;
    let (token, _) = app.register("careful").await;
    let r = app.post("/api/addresses/", Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"street_address": ["This field is required."], "city": ["This field is required."], "postal_code": ["This field is required."]})
    );
    let r = app
        .post(
            "/api/addresses/",
            Some(&token),
            json!({"street_address": "x", "city": 999_999, "postal_code": "12345678901"}),
        )
        .await;
    assert_eq!(
        r.body["city"],
        json!(["Invalid pk \"999999\" - object does not exist."])
    );
    assert_eq!(
        r.body["postal_code"],
        json!(["Ensure this field has no more than 10 characters."])
    );
    let r = app.post("/api/addresses/", Some(&token), json!({"street_address": "x", "city": "lahore", "postal_code": "1", "is_default": "maybe"})).await;
    assert_eq!(
        r.body["city"],
        json!(["Incorrect type. Expected pk value, received str."])
    );
    assert_eq!(r.body["is_default"], json!(["Must be a valid boolean."]));
    assert_eq!(app.db.count("addresses").await, 0);
}

#[tokio::test]
async fn listing_is_paginated_and_ordered() {
    let app = spawn_app().await;
    let (token, _) = app.register("collector").await;
    let city = app.city("Hyderabad").await;
    for n in 0..23 {
        let r = app
            .post("/api/addresses/", Some(&token), json!({"street_address": format!("Street {n:02}"), "city": city, "postal_code": format!("{n}")}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let r = app
        .get("/api/addresses/?ordering=-street_address", Some(&token))
        .await;
    assert_eq!(r.body["count"], 23);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 20);
    assert_eq!(r.body["results"][0]["street_address"], "Street 22");
    assert_eq!(r.body["previous"], serde_json::Value::Null);
    let next = r.body["next"].as_str().unwrap().to_owned();
    assert!(
        next.starts_with(&app.base)
            && next.contains("page=2")
            && next.contains("ordering=-street_address"),
        "{next}"
    );
    let res = app
        .client
        .get(&next)
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap();
    let page2: serde_json::Value = res.json().await.unwrap();
    assert_eq!(page2["results"].as_array().unwrap().len(), 3);
    assert_eq!(page2["results"][2]["street_address"], "Street 00");
    assert_eq!(page2["next"], serde_json::Value::Null);
    assert!(
        !page2["previous"].as_str().unwrap().contains("page="),
        "the link to page 1 drops page"
    );
}
