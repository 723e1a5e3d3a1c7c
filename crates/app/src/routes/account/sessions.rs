//! The caller's sessions (API tokens): list, end one, sign out everywhere, change the password;
//! and resetting a forgotten password. Additions to the contract; every signed-in account may
//! use them, blocked ones too (securing an account is not a marketplace action).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use madeinpk_domain::account::recovery_service::PasswordReset;
use madeinpk_domain::account::session_service::PasswordChange;
use madeinpk_domain::account::token_session::TokenSession;
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
    cfg.service(resource("/auth/sessions/", "GET, HEAD").route(web::get().to(sessions)))
        .service(resource("/auth/sessions/{id}/", "DELETE").route(web::delete().to(end_session)))
        .service(resource("/auth/logout-all/", "POST").route(web::post().to(logout_all)))
        .service(resource("/auth/change-password/", "POST").route(web::post().to(change_password)))
        .service(resource("/auth/password-reset/", "POST").route(web::post().to(password_reset)))
        .service(
            resource("/auth/password-reset/confirm/", "POST")
                .route(web::post().to(password_reset_confirm)),
        );
}

/// A text field of the body, `""` when missing or not text.
fn text(body: &Body, key: &str) -> String {
    body.fields
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One signed-in client of the caller's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfoDto {
    /// The session's id (to end it); never the token.
    id: i64,
    /// When it signed in.
    created_at: DateTime<Utc>,
    /// When it was last used (to the minute).
    last_used_at: DateTime<Utc>,
    /// The client that signed in (its User-Agent), "" when unknown.
    client: String,
    /// This is the session asking.
    current: bool,
}

impl From<TokenSession> for SessionInfoDto {
    fn from(s: TokenSession) -> Self {
        Self {
            id: s.id,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            client: s.client,
            current: s.current,
        }
    }
}

/// The caller's sessions, newest first.
#[utoipa::path(get, path = "/api/auth/sessions/", tag = "auth",
    responses((status = 200, body = [SessionInfoDto]), (status = 401, description = "Not signed in")))]
pub async fn sessions(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let list: Vec<SessionInfoDto> = state
        .accounts
        .sessions(&auth.user, &auth.token)
        .await?
        .into_iter()
        .map(SessionInfoDto::from)
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Ends one of the caller's sessions at once (the current one too, if named).
#[utoipa::path(delete, path = "/api/auth/sessions/{id}/", tag = "auth",
    params(("id" = i64, Path, description = "The session's id")),
    responses((status = 204, description = "Ended"), (status = 404, description = "Not one of the caller's sessions")))]
pub async fn end_session(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    state.accounts.end_session(&auth.user, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Signs the caller out everywhere: every session, this one included, and the console.
#[utoipa::path(post, path = "/api/auth/logout-all/", tag = "auth",
    responses((status = 200, body = MessageDto), (status = 401, description = "Not signed in")))]
pub async fn logout_all(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    state.accounts.logout_all(&auth.user).await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Logged out of every session",
    }))
}

/// A password change.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The schema of what `change_password` reads from its body.
pub struct ChangePasswordBody {
    /// The password now.
    old_password: String,
    /// The password wanted (the registration's rules).
    new_password: String,
    /// The password wanted, again.
    new_password_confirm: String,
}

/// Changes the caller's password; every other session is signed out, this one kept, and the
/// user is emailed.
#[utoipa::path(post, path = "/api/auth/change-password/", tag = "auth", request_body = ChangePasswordBody,
    responses((status = 200, body = MessageDto), (status = 400, description = "Field errors"),
              (status = 401, description = "Not signed in"), (status = 429, description = "Too many attempts")))]
pub async fn change_password(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let change = PasswordChange {
        old_password: text(&body, "old_password"),
        new_password: text(&body, "new_password"),
        new_password_confirm: text(&body, "new_password_confirm"),
    };
    state
        .accounts
        .change_password(&auth.user, &auth.token, change)
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Password changed",
    }))
}

/// A password reset request.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The schema of what `password_reset` reads from its body.
pub struct PasswordResetBody {
    /// The account's email address.
    email: String,
}

/// Emails a reset link (valid 30 minutes, single use) to the account using this address, if
/// any; the answer is the same either way. Throttled per client address and per address.
#[utoipa::path(post, path = "/api/auth/password-reset/", tag = "auth", request_body = PasswordResetBody,
    responses((status = 200, body = MessageDto), (status = 429, description = "Too many requests")))]
pub async fn password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let ip = crate::client::ip(&req, state.config.http.trust_proxy_headers);
    state.recovery.request(&text(&body, "email"), &ip).await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "If an account uses this address, a link to reset its password is on its way.",
    }))
}

/// A new password chosen with a reset link.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The schema of what `password_reset_confirm` reads from its body.
pub struct PasswordResetConfirmBody {
    /// The token from the link.
    token: String,
    /// The new password (the registration's rules).
    password: String,
    /// The new password, again.
    password_confirm: String,
}

/// Sets a new password with a reset link's token; every session of the account is signed out.
#[utoipa::path(post, path = "/api/auth/password-reset/confirm/", tag = "auth", request_body = PasswordResetConfirmBody,
    responses((status = 200, body = MessageDto), (status = 400, description = "Field errors, or the link is invalid or expired")))]
pub async fn password_reset_confirm(
    state: web::Data<AppState>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    state
        .recovery
        .confirm(PasswordReset {
            token: text(&body, "token"),
            password: text(&body, "password"),
            password_confirm: text(&body, "password_confirm"),
        })
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Password has been reset",
    }))
}
