//! `products/` over real HTTP: creation with images, reads, filters, the ownership matrix, images.

mod common;

use common::{PNG, key_order, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn a_seller_creates_a_product_with_images() {
    let app = spawn_app().await;
    let (seller, seller_id) = app.register_as("potter", "seller").await;
    let pottery = app.get("/api/categories/", None).await.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Pottery")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let r = app
        .multipart(
            Method::POST,
            "/api/products/",
            &seller,
            &[
                ("name", "Blue vase"),
                ("description", "Multani blue pottery"),
                ("condition", "new"),
                ("category", &pottery),
            ],
            &[("images", "a.png", PNG), ("images", "b.png", PNG)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        key_order(&r.text, &[]),
        [
            "id",
            "seller",
            "seller_username",
            "category",
            "category_name",
            "name",
            "description",
            "condition",
            "images",
            "listing_type",
            "average_rating",
            "total_reviews",
            "seller_profile",
            "region",
            "is_in_wishlist",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(r.body["seller"], seller_id);
    assert_eq!(r.body["seller_username"], "potter");
    assert_eq!(r.body["category_name"], "Pottery");
    assert_eq!(r.body["listing_type"], Value::Null);
    assert_eq!(r.body["seller_profile"]["average_rating"], "0.00");
    let images = r.body["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(
        (images[0]["is_primary"].clone(), images[0]["order"].clone()),
        (json!(true), json!(0))
    );
    assert_eq!(
        (images[1]["is_primary"].clone(), images[1]["order"].clone()),
        (json!(false), json!(1))
    );
    let url = images[0]["image"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/media/products/", app.base)),
        "{url}"
    );
    assert_eq!(images[0]["image_url"], images[0]["image"]);
    let served = app.client.get(url).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);

    let id = r.body["id"].as_i64().unwrap();
    let r = app.get(&format!("/api/products/{id}/"), None).await;
    assert_eq!(r.body["name"], "Blue vase");
    // No category: the key is left out, as in the original.
    let plain = app.product(&seller, "Plain").await;
    let r = app.get(&format!("/api/products/{plain}/"), None).await;
    assert!(r.body.get("category_name").is_none());
    assert_eq!(r.body["category"], Value::Null);
}

#[tokio::test]
async fn only_sellers_create_and_bad_input_is_field_errors() {
    let app = spawn_app().await;
    let (buyer, _) = app.register("shopper").await;
    let r = app
        .post(
            "/api/products/",
            Some(&buyer),
            json!({"name": "x", "description": "y", "condition": "new"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, json!({"error": "Only sellers can create products"}));
    assert_eq!(
        app.post("/api/products/", None, json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );

    let (seller, _) = app.register_as("maker", "both").await;
    let r = app.post("/api/products/", Some(&seller), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for f in ["name", "description", "condition"] {
        assert_eq!(r.body[f], json!(["This field is required."]), "{f}");
    }
    let r = app
        .post("/api/products/", Some(&seller), json!({"name": "x".repeat(256), "description": "y", "condition": "mint", "category": 999_999}))
        .await;
    assert_eq!(
        r.body["name"],
        json!(["Ensure this field has no more than 255 characters."])
    );
    assert_eq!(
        r.body["condition"],
        json!(["\"mint\" is not a valid choice."])
    );
    assert_eq!(
        r.body["category"],
        json!(["Invalid pk \"999999\" - object does not exist."])
    );
    let r = app
        .multipart(
            Method::POST,
            "/api/products/",
            &seller,
            &[("name", "Vase"), ("description", "d"), ("condition", "new")],
            &[
                ("images", "ok.png", PNG),
                ("images", "evil.png", b"<?php echo 1; ?>"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"images": {"1": ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."]}})
    );
    assert_eq!(app.db.count("products").await, 0);
}

#[tokio::test]
async fn oversized_uploads_are_refused() {
    let app = common::spawn_with(|c| c.media.max_upload_bytes = 1024).await;
    let (seller, _) = app.register_as("big", "seller").await;
    let mut big = PNG.to_vec();
    big.resize(4096, 0);
    let r = app
        .multipart(
            Method::POST,
            "/api/products/",
            &seller,
            &[("name", "V"), ("description", "d"), ("condition", "new")],
            &[("images", "big.png", &big)],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body, json!({"detail": "Request body is too large."}));
    assert_eq!(app.db.count("products").await, 0);
}

#[tokio::test]
async fn the_ownership_matrix() {
    let app = spawn_app().await;
    let (owner, _) = app.register_as("owner", "seller").await;
    let (stranger, _) = app.register_as("stranger", "seller").await;
    let admin = app.admin_token().await;
    let id = app.product(&owner, "Shawl").await;
    let path = format!("/api/products/{id}/");

    let r = app
        .patch(&path, Some(&stranger), json!({"name": "Mine now"}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No Product matches the given query."})
        )
    );
    let r = app
        .put(
            &path,
            Some(&stranger),
            json!({"name": "Mine", "description": "d", "condition": "good"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.delete(&path, Some(&stranger)).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No Product matches the given query."})
        )
    );
    assert_eq!(
        app.patch(&path, None, json!({"name": "anon"})).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(&path, None).await.body["name"],
        "Shawl",
        "nothing changed"
    );

    let r = app
        .patch(
            &path,
            Some(&owner),
            json!({"name": "Pashmina shawl", "condition": "like_new"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        (r.body["name"].clone(), r.body["condition"].clone()),
        (json!("Pashmina shawl"), json!("like_new"))
    );
    let r = app.put(&path, Some(&owner), json!({"name": "Shawl"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .patch(&path, Some(&admin), json!({"description": "Moderated"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "admins may edit");
    assert_eq!(
        app.delete(&path, Some(&owner)).await.status,
        StatusCode::NO_CONTENT
    );
    let r = app.get(&path, None).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "No Product matches the given query."})
        )
    );
    assert_eq!(
        app.get("/api/products/abc/", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn image_management_rules() {
    let app = spawn_app().await;
    let (owner, _) = app.register_as("imgowner", "seller").await;
    let (stranger, _) = app.register_as("imgstranger", "seller").await;
    let id = app.product(&owner, "Rug").await;
    let add = format!("/api/products/{id}/add_image/");
    let r = app
        .multipart(Method::POST, &add, &owner, &[("note", "no file here")], &[])
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "No image file provided"})
        )
    );
    let r = app
        .multipart(
            Method::POST,
            &add,
            &stranger,
            &[],
            &[("image", "x.png", PNG)],
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "You can only add images to your own products"})
        )
    );
    // A stranger learns nothing from a bad file: the owner check comes first.
    let r = app
        .multipart(
            Method::POST,
            &add,
            &stranger,
            &[],
            &[("image", "x.txt", b"hello")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .multipart(
            Method::POST,
            &add,
            &owner,
            &[],
            &[("image", "x.txt", b"hello")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"image": ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."]})
    );
    let first = app
        .multipart(Method::POST, &add, &owner, &[], &[("image", "a.png", PNG)])
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(
        (
            first.body["is_primary"].clone(),
            first.body["order"].clone()
        ),
        (json!(true), json!(0))
    );
    let second = app
        .multipart(Method::POST, &add, &owner, &[], &[("image", "b.png", PNG)])
        .await;
    assert_eq!(
        (
            second.body["is_primary"].clone(),
            second.body["order"].clone()
        ),
        (json!(false), json!(1))
    );
    let (a, b) = (
        first.body["id"].as_i64().unwrap(),
        second.body["id"].as_i64().unwrap(),
    );

    let del = |image: &str| format!("/api/products/{id}/delete_image/{image}/");
    let r = app.delete(&del(&a.to_string()), Some(&stranger)).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": "You can only delete images from your own products"})
        )
    );
    let r = app.delete(&del("999999"), Some(&owner)).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::NOT_FOUND, json!({"error": "Image not found"}))
    );
    let r = app.delete(&del("abc"), Some(&owner)).await;
    assert_eq!(
        (r.status, r.body),
        (StatusCode::NOT_FOUND, json!({"error": "Image not found"}))
    );
    let r = app.delete(&del("abc"), Some(&stranger)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let file = first.body["image"].as_str().unwrap().to_owned();
    assert_eq!(
        app.delete(&del(&a.to_string()), Some(&owner)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.client.get(&file).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "the file is gone"
    );
    let images = app.get(&format!("/api/products/{id}/"), None).await.body["images"].clone();
    assert_eq!(images.as_array().unwrap().len(), 1);
    assert_eq!(images[0]["id"], b);
    assert_eq!(
        images[0]["is_primary"], true,
        "the next image became primary"
    );
    let r = app.delete(&del(&b.to_string()), Some(&owner)).await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Product must have at least one image"})
        )
    );
}

#[tokio::test]
async fn filters_search_ordering_and_regions() {
    let app = spawn_app().await;
    let (lahori, lahori_id) = app.register_as("lahori", "seller").await;
    let (karachiite, _) = app.register_as("karachiite", "seller").await;
    let lahore = app.city("Lahore").await;
    let karachi = app.city("Karachi").await;
    app.post("/api/addresses/", Some(&lahori), json!({"street_address": "1 Anarkali", "city": lahore, "postal_code": "54000", "is_default": true})).await;
    app.post("/api/addresses/", Some(&karachiite), json!({"street_address": "2 Saddar", "city": karachi, "postal_code": "74000", "is_default": true})).await;
    app.product(&lahori, "Khussa shoes").await;
    app.product(&lahori, "Ajrak shawl").await;
    app.product(&karachiite, "Sindhi topi").await;
    let r = app
        .post(
            "/api/products/",
            Some(&karachiite),
            json!({"name": "Old khussa", "description": "worn", "condition": "fair"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    let names = |body: &Value| -> Vec<String> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = app.get("/api/products/?ordering=name", None).await;
    assert_eq!(
        names(&r.body),
        ["Ajrak shawl", "Khussa shoes", "Old khussa", "Sindhi topi"]
    );
    assert_eq!(
        r.body["results"][0]["region"],
        json!({"id": r.body["results"][0]["region"]["id"], "name": "Punjab"})
    );
    let r = app
        .get(
            &format!("/api/products/?seller={lahori_id}&ordering=-name"),
            None,
        )
        .await;
    assert_eq!(names(&r.body), ["Khussa shoes", "Ajrak shawl"]);
    let r = app
        .get("/api/products/?search=KHUSSA&ordering=name", None)
        .await;
    assert_eq!(names(&r.body), ["Khussa shoes", "Old khussa"]);
    let r = app.get("/api/products/?search=khussa,worn", None).await;
    assert_eq!(names(&r.body), ["Old khussa"], "every term must match");
    let r = app.get("/api/products/?search=100%25", None).await;
    assert_eq!(r.body["count"], 0, "wildcards in terms are literal");
    let r = app.get("/api/products/?condition=fair", None).await;
    assert_eq!(names(&r.body), ["Old khussa"]);
    let sindh = app.get("/api/provinces/?ordering=name", None).await.body["results"][6]["id"]
        .as_i64()
        .unwrap();
    let r = app
        .get(
            &format!("/api/products/?province={sindh}&ordering=name"),
            None,
        )
        .await;
    assert_eq!(names(&r.body), ["Old khussa", "Sindhi topi"]);
    for bad in ["seller=x", "category=x", "province=x", "condition=mint"] {
        assert_eq!(
            app.get(&format!("/api/products/?{bad}"), None).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}
