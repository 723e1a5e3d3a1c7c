//! HTTP routes, grouped by feature as the domain is; one module per endpoint family. Handlers
//! parse, call one service, render.

pub mod account;
pub mod auction;
pub mod catalog;
pub mod community;
pub mod health;
pub mod job;
pub mod notification;
pub mod order;
pub mod reporting;

use actix_web::http::StatusCode;
use actix_web::http::header::ALLOW;
use actix_web::{HttpRequest, HttpResponse, Resource, web};

use crate::error::{ApiError, DetailBody};

/// A resource whose unknown methods get the contract's 405 with an `Allow` header.
pub fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move |req: HttpRequest| async move {
        HttpResponse::build(StatusCode::METHOD_NOT_ALLOWED)
            .insert_header((ALLOW, allow))
            .json(DetailBody {
                detail: format!("Method \"{}\" not allowed.", req.method()),
            })
    }))
}

/// Unknown paths: 404 `{"detail": "Not found."}`.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// Mounts every API route under `/api`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    account::accounts::configure(cfg);
    account::sessions::configure(cfg);
    account::two_factor::configure(cfg);
    account::verification::configure(cfg);
    job::jobs::configure(cfg);
    order::payouts::configure(cfg);
    account::moderation::configure(cfg);
    reporting::dashboard::configure(cfg);
    catalog::locations::configure(cfg);
    catalog::categories::configure(cfg);
    account::addresses::configure(cfg);
    catalog::products::configure(cfg);
    catalog::listings::configure(cfg);
    auction::auctions::configure(cfg);
    community::seller_profiles::configure(cfg);
    community::wishlist::configure(cfg);
    community::reviews::configure(cfg);
    community::feedbacks::configure(cfg);
    notification::notifications::configure(cfg);
    community::conversations::configure(cfg);
    community::complaints::configure(cfg);
    order::cart::configure(cfg);
    order::orders::configure(cfg);
    order::payments::configure(cfg);
    reporting::seller::configure(cfg);
    order::connect::configure(cfg);
}
