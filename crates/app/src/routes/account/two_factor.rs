//! Two-factor sign-in over the API (additions to the contract): enrol, confirm, disable, status,
//! and the code step of a login.

use actix_web::{HttpResponse, web};
use madeinpk_domain::account::two_factor::SignIn;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::body::Body;
use crate::error::ApiError;
use crate::routes::account::wire::{SessionDto, UserDto};
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{Media, MessageDto};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/auth/2fa/", "GET, HEAD").route(web::get().to(two_factor_status)))
        .service(resource("/auth/2fa/setup/", "POST").route(web::post().to(two_factor_setup)))
        .service(resource("/auth/2fa/confirm/", "POST").route(web::post().to(two_factor_confirm)))
        .service(resource("/auth/2fa/disable/", "POST").route(web::post().to(two_factor_disable)))
        .service(resource("/auth/login/2fa/", "POST").route(web::post().to(login_code)));
}

/// A text field of the body; a number (a code sent as one) counts as its digits.
fn text(body: &Body, name: &str) -> String {
    match body.fields.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Whether two-factor sign-in is on.
#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorStatusDto {
    /// Sign-in asks for a code.
    enabled: bool,
    /// Unused recovery codes.
    recovery_codes_left: i64,
}

/// The caller's two-factor status.
#[utoipa::path(get, path = "/api/auth/2fa/", tag = "auth",
    responses((status = 200, body = TwoFactorStatusDto), (status = 401, description = "Not signed in")))]
pub async fn two_factor_status(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let factor = state.two_factor.status(&auth.user).await?;
    let enabled = factor.as_ref().is_some_and(|f| f.enabled);
    Ok(HttpResponse::Ok().json(TwoFactorStatusDto {
        enabled,
        recovery_codes_left: factor
            .filter(|f| f.enabled)
            .map_or(0, |f| f.recovery_codes_left),
    }))
}

/// A new secret for an authenticator app.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentDto {
    /// The secret, base32.
    secret: String,
    /// The `otpauth://totp/…` URI (what a QR code holds).
    otpauth_uri: String,
}

/// Begins enrolment: a secret to add to an authenticator app; nothing changes until a code
/// from it is confirmed.
#[utoipa::path(post, path = "/api/auth/2fa/setup/", tag = "auth",
    responses((status = 200, body = EnrolmentDto), (status = 400, description = "Already on"),
              (status = 401, description = "Not signed in")))]
pub async fn two_factor_setup(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let enrolment = state.two_factor.setup(&auth.user).await?;
    Ok(HttpResponse::Ok().json(EnrolmentDto {
        secret: enrolment.secret,
        otpauth_uri: enrolment.otpauth_uri,
    }))
}

/// A code from the authenticator app (or, where said, a recovery code).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The schema of what the handlers read from the body.
pub struct CodeBody {
    /// 6 digits, or a recovery code `xxxxx-xxxxx`.
    code: String,
}

/// The recovery codes, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesDto {
    /// Ten single-use codes, each signs in once without the app.
    recovery_codes: Vec<String>,
}

/// Confirms enrolment with the app's current code: sign-in asks for a code from now on.
#[utoipa::path(post, path = "/api/auth/2fa/confirm/", tag = "auth", request_body = CodeBody,
    responses((status = 200, body = RecoveryCodesDto), (status = 400, description = "Wrong code or no setup"),
              (status = 401, description = "Not signed in"), (status = 429, description = "Too many codes")))]
pub async fn two_factor_confirm(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let recovery_codes = state
        .two_factor
        .confirm(&auth.user, &text(&body, "code"))
        .await?;
    Ok(HttpResponse::Ok().json(RecoveryCodesDto { recovery_codes }))
}

/// Turns two-factor sign-in off with a code (admins must keep it).
#[utoipa::path(post, path = "/api/auth/2fa/disable/", tag = "auth", request_body = CodeBody,
    responses((status = 200, body = MessageDto), (status = 400, description = "Wrong code, not on, or an admin"),
              (status = 401, description = "Not signed in"), (status = 429, description = "Too many codes")))]
pub async fn two_factor_disable(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    state
        .two_factor
        .disable(&auth.user, &text(&body, "code"))
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Two-factor sign-in is off",
    }))
}

/// The answer to a right password of an account with two-factor sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeRequiredDto {
    /// Always true.
    two_factor_required: bool,
    /// Send it back with the code to `POST /api/auth/login/2fa/` (5 minutes, 5 tries).
    challenge: String,
}

/// The login answer: the session, or a code to ask for.
pub fn login_reply(
    sign_in: SignIn<madeinpk_domain::account::service::Session>,
    media: &Media,
) -> HttpResponse {
    match sign_in {
        SignIn::Done(session) => HttpResponse::Ok().json(SessionDto {
            user: UserDto::new(&session.user, media),
            token: session.token,
        }),
        SignIn::CodeRequired { challenge } => HttpResponse::Ok().json(CodeRequiredDto {
            two_factor_required: true,
            challenge,
        }),
    }
}

/// A login's code step.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The schema of what `login_code` reads from its body.
pub struct LoginCodeBody {
    /// From the login's answer.
    challenge: String,
    /// 6 digits from the app, or a recovery code.
    code: String,
}

/// The code step of a login: the usual login body with a token.
#[utoipa::path(post, path = "/api/auth/login/2fa/", tag = "auth", request_body = LoginCodeBody,
    responses((status = 200, body = SessionDto), (status = 400, description = "Wrong code or expired challenge"),
              (status = 429, description = "Too many codes")))]
pub async fn login_code(
    state: web::Data<AppState>,
    body: Body,
    media: Media,
) -> Result<HttpResponse, ApiError> {
    let session = state
        .two_factor
        .finish_sign_in(&text(&body, "challenge"), &text(&body, "code"))
        .await?;
    Ok(login_reply(SignIn::Done(session), &media))
}
