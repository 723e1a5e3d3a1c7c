//! Provinces, cities and categories: seeded data, filters, ordering, pages, admin writes.

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn provinces_and_cities_are_seeded() {
    let app = spawn_app().await;
    let r = app.get("/api/provinces/?ordering=name", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["count"], 7);
    let names: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Azad Jammu and Kashmir",
            "Balochistan",
            "Gilgit-Baltistan",
            "Islamabad Capital Territory",
            "Khyber Pakhtunkhwa",
            "Punjab",
            "Sindh"
        ]
    );
    let sindh = r.body["results"][6]["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/provinces/{sindh}/"), None)
            .await
            .body,
        json!({"id": sindh, "name": "Sindh"})
    );
    assert_eq!(app.get("/api/cities/", None).await.body["count"], 111);
    let r = app
        .get(
            &format!("/api/cities/?province={sindh}&ordering=-name&page_size=100"),
            None,
        )
        .await;
    assert_eq!(r.body["count"], 20);
    let first = &r.body["results"][0];
    assert_eq!(first["province"], sindh);
    assert_eq!(first["province_name"], "Sindh");
    assert_eq!(first["name"], "Umerkot");
    let r = app
        .get(&format!("/api/cities/{}/", first["id"]), None)
        .await;
    assert_eq!(r.body["name"], "Umerkot");
}

#[tokio::test]
async fn bad_filters_ids_and_pages_are_clear_4xx() {
    let app = spawn_app().await;
    let r = app.get("/api/cities/?province=sindh", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"province": ["A valid integer is required."]})
    );
    let r = app.get("/api/provinces/abc/", None).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::NOT_FOUND, json!({"detail": "Not found."}))
    );
    let r = app.get("/api/provinces/999999/", None).await;
    assert_eq!(
        r.body,
        json!({"detail": "No Province matches the given query."})
    );
    let r = app.get("/api/cities/99999999999999999999999/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for page in ["0", "99", "x", "-1"] {
        let r = app.get(&format!("/api/cities/?page={page}"), None).await;
        assert_eq!(
            (r.status, &r.body),
            (StatusCode::NOT_FOUND, &json!({"detail": "Invalid page."})),
            "page={page}"
        );
    }
    let r = app.get("/api/cities/?page=", None).await;
    assert_eq!(r.status, StatusCode::OK, "an empty page means the first");
    let r = app.get("/api/cities/?page=last", None).await;
    assert_eq!(r.body["results"].as_array().unwrap().len(), 11);
    assert_eq!(r.body["next"], Value::Null);
    let r = app.get("/api/cities/?page_size=1000", None).await;
    assert_eq!(
        r.body["results"].as_array().unwrap().len(),
        100,
        "page_size is capped at 100"
    );
    let r = app.get("/api/provinces/?ordering=bogus,-id", None).await;
    assert_eq!(
        r.body["results"][0]["id"],
        r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .max()
            .unwrap()
    );
}

#[tokio::test]
async fn category_tree_and_subcategories() {
    let app = spawn_app().await;
    let r = app.get("/api/categories/", None).await;
    assert_eq!(r.body["count"], 12);
    let pottery = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Pottery")
        .unwrap()
        .clone();
    assert_eq!(
        common::key_order(&r.text, &[]),
        ["count", "next", "previous", "results"]
    );
    assert_eq!(pottery["parent"], Value::Null);
    let subs: Vec<&str> = pottery["subcategories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(subs, ["Blue Pottery", "Terracotta"]);
    let blue = pottery["subcategories"][0]["id"].as_i64().unwrap();
    let r = app.get(&format!("/api/categories/{blue}/"), None).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "subcategories can be fetched by id"
    );
    assert_eq!(r.body["parent"], pottery["id"]);
    assert_eq!(r.body["subcategories"], json!([]));
}

#[tokio::test]
async fn only_admins_write_categories() {
    let app = spawn_app().await;
    let (buyer, _) = app.register("buyer").await;
    let (seller, _) = app.register_as("seller", "seller").await;
    for token in [&buyer, &seller] {
        let r = app
            .post("/api/categories/", Some(token), json!({"name": "Kites"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            r.body,
            json!({"detail": "You do not have permission to perform this action."})
        );
    }
    assert_eq!(
        app.post("/api/categories/", None, json!({"name": "Kites"}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let admin = app.admin_token().await;
    let r = app
        .post(
            "/api/categories/",
            Some(&admin),
            json!({"name": "Kites", "description": "Basant kites"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let kites = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["subcategories"], json!([]));
    let r = app
        .post("/api/categories/", Some(&admin), json!({"name": "kites"}))
        .await;
    assert_eq!(
        r.body,
        json!({"name": ["category with this name already exists."]})
    );
    let r = app
        .post(
            "/api/categories/",
            Some(&admin),
            json!({"name": "Patang", "parent": kites}),
        )
        .await;
    let patang = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["parent"], kites);
    let r = app
        .patch(
            &format!("/api/categories/{kites}/"),
            Some(&admin),
            json!({"parent": patang}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "no cycles");
    let r = app
        .patch(
            &format!("/api/categories/{kites}/"),
            Some(&buyer),
            json!({"name": "Mine"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.get(&format!("/api/categories/{kites}/"), None).await;
    assert_eq!(r.body["name"], "Kites");
    assert_eq!(r.body["subcategories"][0]["name"], "Patang");
    assert_eq!(
        app.delete(&format!("/api/categories/{kites}/"), Some(&buyer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.delete(&format!("/api/categories/{kites}/"), Some(&admin))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let r = app.get(&format!("/api/categories/{patang}/"), None).await;
    assert_eq!(
        r.body["parent"],
        Value::Null,
        "children of a deleted category become top-level"
    );
    assert_eq!(app.get("/api/categories/", None).await.body["count"], 13);
}

#[tokio::test]
async fn racing_creates_of_one_name_make_one_category_and_no_server_error() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/categories/"),
            admin.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("Authorization", format!("Token {token}"))
                .json(&json!({"name": "Sialkot Sports"}))
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
        statuses.iter().all(|s| [
            StatusCode::CREATED,
            StatusCode::BAD_REQUEST,
            StatusCode::CONFLICT
        ]
        .contains(s)),
        "{statuses:?}"
    );
    assert_eq!(
        app.db
            .count("categories WHERE name = 'Sialkot Sports'")
            .await,
        1
    );
}
