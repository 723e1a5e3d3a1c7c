//! The served OpenAPI document, snapshotted: any change to an operation, a schema or an error
//! response shows in review as a diff of `snapshots/openapi_snapshot__served_document.snap`
//! (accept a deliberate change with `cargo insta review`, or `INSTA_UPDATE=always`).

mod common;

use common::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn the_served_openapi_document_is_the_reviewed_one() {
    let app = spawn_app().await;
    let r = app.get("/api/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("served_document", r.body);
}
