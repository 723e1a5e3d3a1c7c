//! Confirming an account's email address (additions to the contract): the link's target,
//! sending it again, and the address's status.

use actix_web::{HttpResponse, web};
use madeinpk_domain::account::verification_service::Resent;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::body::Body;
use crate::error::ApiError;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::MessageDto;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/auth/verify-email/", "GET, POST, HEAD")
            .route(web::get().to(status))
            .route(web::post().to(verify)),
    )
    .service(resource("/auth/verify-email/resend/", "POST").route(web::post().to(resend)));
}

/// Whether the caller's email is verified.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailStatusDto {
    /// The account's email.
    email: String,
    /// It is the address its owner confirmed.
    email_verified: bool,
}

/// The caller's email and whether it is verified.
#[utoipa::path(get, path = "/api/auth/verify-email/", tag = "auth",
    responses((status = 200, body = EmailStatusDto), (status = 401, description = "Not signed in")))]
pub async fn status(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let email_verified = state.verification.is_verified(&auth.user).await?;
    Ok(HttpResponse::Ok().json(EmailStatusDto {
        email: auth.user.email,
        email_verified,
    }))
}

/// A verification link's token.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The schema of what `verify` reads from its body.
pub struct VerifyEmailBody {
    /// The token from the link.
    token: String,
}

/// Spends a verification link: the address it was sent to is verified, if the account still
/// uses it. No sign-in needed (the link may be opened anywhere).
#[utoipa::path(post, path = "/api/auth/verify-email/", tag = "auth", request_body = VerifyEmailBody,
    responses((status = 200, body = MessageDto), (status = 400, description = "Invalid, used or expired link")))]
pub async fn verify(state: web::Data<AppState>, body: Body) -> Result<HttpResponse, ApiError> {
    let token = body
        .fields
        .get("token")
        .and_then(Value::as_str)
        .unwrap_or_default();
    state.verification.verify(token).await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Email verified",
    }))
}

/// Sends the caller a new verification link (3 an hour), unless the address is verified.
#[utoipa::path(post, path = "/api/auth/verify-email/resend/", tag = "auth",
    responses((status = 200, body = MessageDto), (status = 401, description = "Not signed in"),
              (status = 429, description = "Too many requests")))]
pub async fn resend(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let message = match state.verification.resend(&auth.user).await? {
        Resent::Sent => "Verification email sent",
        Resent::AlreadyVerified => "Email already verified",
    };
    Ok(HttpResponse::Ok().json(MessageDto { message }))
}
