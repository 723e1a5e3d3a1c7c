//! The operator console's edit forms (the API's validation and messages) and the audit log of
//! admin API changes.

mod common;

use common::console::{admin, hidden_name};
use common::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn edit_forms_save_through_the_api_rules() {
    let app = spawn_app().await;
    let mut b = admin(&app).await;
    let csrf = b.csrf().await;
    let cat = app
        .db
        .ids("SELECT id FROM categories ORDER BY id LIMIT 1")
        .await[0];
    let other = app
        .db
        .ids("SELECT id FROM categories ORDER BY id OFFSET 1 LIMIT 1")
        .await[0];
    assert_eq!(
        b.get(&format!("/admin/categories/{other}/")).await.status,
        StatusCode::OK
    );
    let other_name = hidden_name(
        &b.get(&format!("/admin/categories/{other}/edit/"))
            .await
            .text,
    );
    let path = format!("/admin/categories/{cat}/edit/");
    let p = b
        .post(
            &path,
            &[
                ("name", &other_name),
                ("description", ""),
                ("parent_id", ""),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.text.contains("aria-invalid=\"true\""),
        "the name field shows its error"
    );
    let p = b
        .post(
            &path,
            &[
                ("name", "Hand-block prints"),
                ("description", "Printed by hand"),
                ("parent_id", ""),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text);
    assert_eq!(
        app.db
            .count(&format!(
                "categories WHERE id = {cat} AND name = 'Hand-block prints'"
            ))
            .await,
        1
    );
    assert_eq!(app.db.count(&format!("audit_log WHERE entity = 'categories' AND entity_id = {cat} AND action = 'edit' AND outcome = 'done'")).await, 1);
    assert_eq!(
        app.db
            .count("audit_log WHERE outcome LIKE 'refused:%'")
            .await,
        1
    );
}

#[tokio::test]
async fn places_and_product_text_are_corrected_with_the_apis_rules() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("dyer", "seller").await;
    let product = app.product(&seller, "Ajrak shawl").await;
    let mut b = admin(&app).await;
    let csrf = b.csrf().await;
    let provinces = app
        .db
        .ids("SELECT id FROM provinces ORDER BY id LIMIT 2")
        .await;
    let (p1, p2) = (provinces[0], provinces[1]);
    let taken = hidden_name(&b.get(&format!("/admin/provinces/{p2}/edit/")).await.text);
    let dup = b
        .post(
            &format!("/admin/provinces/{p1}/edit/"),
            &[("name", &taken), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert!(dup.text.contains("province with this name already exists."));
    let blank = b
        .post(
            &format!("/admin/provinces/{p1}/edit/"),
            &[("name", "  "), ("csrf_token", &csrf)],
        )
        .await;
    assert!(blank.text.contains("This field may not be blank."));
    let ok = b
        .post(
            &format!("/admin/provinces/{p1}/edit/"),
            &[
                ("name", "Gilgit-Baltistan (renamed)"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.db
            .count(&format!(
                "provinces WHERE id = {p1} AND name = 'Gilgit-Baltistan (renamed)'"
            ))
            .await,
        1
    );

    let city = app
        .db
        .ids(&format!(
            "SELECT id FROM cities WHERE province_id = {p1} LIMIT 1"
        ))
        .await[0];
    let p2s = p2.to_string();
    let moved = b
        .post(
            &format!("/admin/cities/{city}/edit/"),
            &[
                ("name", "New Town"),
                ("province_id", &p2s),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    assert_eq!(
        app.db
            .count(&format!(
                "cities WHERE id = {city} AND province_id = {p2} AND name = 'New Town'"
            ))
            .await,
        1
    );

    let path = format!("/admin/products/{product}/edit/");
    let long = "x".repeat(300);
    let bad = b
        .post(
            &path,
            &[("name", &long), ("description", "d"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let good = b
        .post(
            &path,
            &[
                ("name", "Ajrak shawl, indigo"),
                ("description", "Block-printed in Bhit Shah"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.text);
    assert_eq!(
        app.db
            .count(&format!(
                "products WHERE id = {product} AND name = 'Ajrak shawl, indigo'"
            ))
            .await,
        1
    );
    assert_eq!(
        app.db
            .count("audit_log WHERE action = 'edit' AND outcome = 'done'")
            .await,
        3
    );
    assert_eq!(
        app.db
            .count("audit_log WHERE action = 'edit' AND outcome LIKE 'refused:%'")
            .await,
        3
    );
}

#[tokio::test]
async fn admin_api_changes_are_in_the_audit_log_too() {
    let app = spawn_app().await;
    let (_, user) = app.register("nadia").await;
    let admin = app.admin_token().await;
    let r = app
        .post(
            &format!("/api/admin/users/{user}/block/"),
            Some(&admin),
            serde_json::json!({"reason": "spam"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            "/api/admin/users/999999/unblock/",
            Some(&admin),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.db
            .count(&format!(
                "audit_log WHERE source = 'api' AND entity = 'users' AND entity_id = {user} AND action = 'block' \
                 AND outcome = 'done' AND after->>'is_blocked' = 'true'"
            ))
            .await,
        1
    );
    assert_eq!(
        app.db
            .count(
                "audit_log WHERE source = 'api' AND entity_id = 999999 AND outcome LIKE 'refused:%'"
            )
            .await,
        1
    );
    // A buyer's refused attempt is no operator's change.
    let (buyer, _) = app.register("mallory").await;
    app.post(
        &format!("/api/admin/users/{user}/unblock/"),
        Some(&buyer),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(app.db.count("audit_log").await, 2);
}
