//! The console's session cookie, the `Operator` extractor and CSRF checks.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use madeinpk_domain::account::user::User;
use madeinpk_domain::console::session::ConsoleSession;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::state::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "madeinpk_console";
/// The pre-sign-in CSRF cookie (the login form's token is checked against it).
pub const LOGIN_COOKIE: &str = "madeinpk_console_login";

/// A signed-in admin and their session.
pub struct Operator {
    /// The admin.
    pub user: User,
    /// Their session.
    pub session: ConsoleSession,
}

/// 32 random bytes, hex.
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// What the sessions table stores of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn secure(state: &AppState) -> bool {
    state.config.http.public_base_url.starts_with("https://")
}

/// A console cookie: `HttpOnly`, `SameSite=Strict`, path `/admin/`, `Secure` on https.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/admin/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(state))
        .finish()
}

/// The cookie that removes `name`.
pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new());
    c.make_removal();
    c
}

/// True when `given` equals `expected` (compared in constant time; empty never matches).
pub fn tokens_match(given: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// Why there is no operator: go sign in, or the store failed.
#[derive(Debug)]
pub enum NoOperator {
    /// Not signed in (or the session ended).
    SignIn(String),
    /// The session could not be read.
    Failed(madeinpk_domain::store::StoreError),
}

impl std::fmt::Display for NoOperator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not signed in to the console")
    }
}

impl FromRequest for Operator {
    type Error = NoOperator;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let next = match req.query_string() {
                "" => req.path().to_owned(),
                q => format!("{}?{q}", req.path()),
            };
            let next = if req.method() == actix_web::http::Method::GET {
                next
            } else {
                "/admin/".to_owned()
            };
            let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
                return Err(NoOperator::SignIn(next));
            };
            let Some(state) = req.app_data::<web::Data<AppState>>() else {
                return Err(NoOperator::SignIn(next));
            };
            match state.console.resume(token_hash(&token)).await {
                Ok(Some((session, user))) => Ok(Operator { user, session }),
                Ok(None) => Err(NoOperator::SignIn(next)),
                Err(e) => Err(NoOperator::Failed(e)),
            }
        })
    }
}

/// A form body's fields (repeated keys kept, in order); a malformed body has none.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// The first value of `key`.
pub fn field<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}
