//! Token authentication: a middleware resolves `Authorization: Token <key>` once per request
//! (an unknown token is 401 on every endpoint, public ones included), and extractors give
//! handlers the caller.

use std::future::{Ready, ready};

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use madeinpk_domain::account::user::User;

use crate::error::ApiError;
use crate::state::AppState;

/// The caller, authenticated by a token.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The user.
    pub user: User,
    /// The key the request carried (logout revokes exactly this one).
    pub token: String,
}

enum Credentials {
    None,
    Token(String),
    Malformed(&'static str),
}

fn credentials(headers: &HeaderMap) -> Credentials {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Credentials::None;
    };
    let Ok(text) = value.to_str() else {
        return Credentials::Malformed(
            "Invalid token header. Token string should not contain invalid characters.",
        );
    };
    let mut parts = text.split_whitespace();
    // Other schemes (Bearer, Basic) are ignored: the caller is anonymous, as in the original.
    if !parts
        .next()
        .is_some_and(|s| s.eq_ignore_ascii_case("token"))
    {
        return Credentials::None;
    }
    match (parts.next(), parts.next()) {
        (None, _) => Credentials::Malformed("Invalid token header. No credentials provided."),
        (Some(_), Some(_)) => {
            Credentials::Malformed("Invalid token header. Token string should not contain spaces.")
        }
        (Some(key), None) => Credentials::Token(key.to_owned()),
    }
}

/// Middleware: attaches [`Authenticated`] to the request or answers 401.
pub async fn resolve_token(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The provider's webhook authenticates by signature alone; stray credentials are ignored.
    if req.path() == "/api/stripe/webhook/" {
        return next.call(req).await;
    }
    match credentials(req.headers()) {
        Credentials::None => {}
        Credentials::Malformed(message) => {
            return Ok(
                req.error_response(ApiError::Detail(StatusCode::UNAUTHORIZED, message.into()))
            );
        }
        Credentials::Token(key) => {
            let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
                return Ok(req.error_response(ApiError::Unavailable("state missing".into())));
            };
            match state.accounts.authenticate(&key).await {
                Ok(Some(user)) => {
                    req.extensions_mut()
                        .insert(Authenticated { user, token: key });
                }
                Ok(None) => {
                    return Ok(req.error_response(ApiError::Detail(
                        StatusCode::UNAUTHORIZED,
                        "Invalid token.".into(),
                    )));
                }
                Err(e) => return Ok(req.error_response(ApiError::from(e))),
            }
        }
    }
    next.call(req).await
}

/// The user a request's token names, if it carries a valid one (for middleware that runs before
/// [`resolve_token`]; anything else is left for `resolve_token` to answer).
pub async fn token_user(state: &AppState, headers: &HeaderMap) -> Option<User> {
    match credentials(headers) {
        Credentials::Token(key) => state.accounts.authenticate(&key).await.ok().flatten(),
        _ => None,
    }
}

fn authenticated(req: &HttpRequest) -> Option<Authenticated> {
    req.extensions().get::<Authenticated>().cloned()
}

/// Any authenticated caller, blocked or not (reads, logout).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Authenticated);

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(
            authenticated(req)
                .map(Self)
                .ok_or(ApiError::NotAuthenticated),
        )
    }
}

/// An authenticated caller who is not blocked (every write but logout).
#[derive(Debug, Clone)]
pub struct ActiveUser(pub Authenticated);

impl FromRequest for ActiveUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(match authenticated(req) {
            None => Err(ApiError::NotAuthenticated),
            Some(a) if a.user.is_blocked => Err(ApiError::blocked()),
            Some(a) => Ok(Self(a)),
        })
    }
}

/// The caller if authenticated (public reads that vary by viewer).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Authenticated>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(Self(authenticated(req))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn parse(v: &str) -> Credentials {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        credentials(&h)
    }

    #[test]
    fn header_forms() {
        assert!(matches!(parse("Token abc"), Credentials::Token(k) if k == "abc"));
        assert!(matches!(parse("token abc"), Credentials::Token(k) if k == "abc"));
        assert!(matches!(parse("Bearer abc"), Credentials::None));
        assert!(matches!(parse("Token"), Credentials::Malformed(_)));
        assert!(matches!(parse("Token a b"), Credentials::Malformed(_)));
        assert!(matches!(credentials(&HeaderMap::new()), Credentials::None));
    }
}
