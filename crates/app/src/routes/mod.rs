//! HTTP routes: one module per endpoint family; handlers parse, call one service, render.

pub mod accounts;
pub mod addresses;
pub mod admin;
pub mod auctions;
pub mod cart;
pub mod categories;
pub mod complaints;
pub mod connect;
pub mod conversations;
pub mod feedbacks;
pub mod health;
pub mod listings;
pub mod locations;
pub mod notifications;
pub mod orders;
pub mod payments;
pub mod products;
pub mod reviews;
pub mod seller;
pub mod seller_profiles;
pub mod wishlist;

use actix_web::http::StatusCode;
use actix_web::http::header::ALLOW;
use actix_web::{HttpRequest, HttpResponse, Resource, web};
use serde_json::json;

use crate::error::ApiError;

/// A resource whose unknown methods get the contract's 405 with an `Allow` header.
pub fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move |req: HttpRequest| async move {
        HttpResponse::build(StatusCode::METHOD_NOT_ALLOWED)
            .insert_header((ALLOW, allow))
            .json(json!({ "detail": format!("Method \"{}\" not allowed.", req.method()) }))
    }))
}

/// Unknown paths: 404 `{"detail": "Not found."}`.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// Mounts every API route under `/api`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    accounts::configure(cfg);
    admin::configure(cfg);
    locations::configure(cfg);
    categories::configure(cfg);
    addresses::configure(cfg);
    products::configure(cfg);
    listings::configure(cfg);
    auctions::configure(cfg);
    seller_profiles::configure(cfg);
    wishlist::configure(cfg);
    reviews::configure(cfg);
    feedbacks::configure(cfg);
    notifications::configure(cfg);
    conversations::configure(cfg);
    complaints::configure(cfg);
    cart::configure(cfg);
    orders::configure(cfg);
    payments::configure(cfg);
    seller::configure(cfg);
    connect::configure(cfg);
}
