//! Signing in to and out of the console.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::account::rules::AccountError;
use madeinpk_domain::console::access_service::admits;
use minijinja::context;

use crate::console::page::{self, render_status};
use crate::console::second_factor;
use crate::console::session::{
    LOGIN_COOKIE, Operator, SESSION_COOKIE, cookie, field, form_pairs, random_token, removal,
    tokens_match,
};
use crate::state::AppState;

/// Where to go after signing in: a console path only (never another site).
pub(crate) fn safe_next(next: &str) -> String {
    if next.starts_with("/admin/") && !next.starts_with("/admin/login/") && !next.contains("//") {
        next.to_owned()
    } else {
        "/admin/".to_owned()
    }
}

pub(crate) fn login_page(
    state: &AppState,
    status: StatusCode,
    error: Option<&str>,
    email: &str,
    next: &str,
) -> HttpResponse {
    let csrf = random_token();
    let mut res = render_status(
        status,
        "login.html",
        None,
        "",
        Vec::new(),
        Vec::new(),
        context! {
            title => "Sign in",
            csrf_token => csrf.clone(),
            error => error,
            email => email,
            next => next,
        },
    );
    let _ = res.add_cookie(&cookie(state, LOGIN_COOKIE, csrf));
    res
}

/// The form's CSRF token against the pre-sign-in cookie (before any session exists).
pub(crate) fn check_login_csrf(
    req: &HttpRequest,
    form: &[(String, String)],
) -> Result<(), HttpResponse> {
    let expected = req
        .cookie(LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if tokens_match(field(form, "csrf_token"), &expected) {
        Ok(())
    } else {
        Err(page::csrf_refused(None))
    }
}

/// The sign-in page saying how long to wait (429 with `Retry-After`); `what` is what was
/// counted ("attempts", "codes").
pub(crate) fn throttled_page(
    state: &AppState,
    what: &str,
    retry_after_secs: u64,
    email: &str,
    next: &str,
) -> HttpResponse {
    let mut res = login_page(
        state,
        StatusCode::TOO_MANY_REQUESTS,
        Some(&format!(
            "Too many {what}. Try again in {retry_after_secs} seconds."
        )),
        email,
        next,
    );
    if let Ok(v) = retry_after_secs.to_string().parse() {
        res.headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, v);
    }
    res
}

/// `GET /admin/login/`.
pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let next = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| field(&q, "next").to_owned())
        .unwrap_or_default();
    login_page(&state, StatusCode::OK, None, "", &safe_next(&next))
}

/// `POST /admin/login/`: `email`, `password`, `csrf_token`, `next`; a right password of an
/// admin leads to the code step.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let form = form_pairs(&body);
    if let Err(refused) = check_login_csrf(&req, &form) {
        return refused;
    }
    let (email, password) = (field(&form, "email"), field(&form, "password"));
    let next = safe_next(field(&form, "next"));
    let ip = crate::client::ip(&req, state.config.http.trust_proxy_headers);
    let user = match state.accounts.check_credentials(email, password, &ip).await {
        Ok(user) => user,
        Err(AccountError::Throttled { retry_after_secs }) => {
            return throttled_page(&state, "attempts", retry_after_secs, email, &next);
        }
        Err(AccountError::InvalidCredentials | AccountError::Blocked) => {
            return login_page(
                &state,
                StatusCode::UNAUTHORIZED,
                Some("Please enter the correct email and password of an admin account."),
                email,
                &next,
            );
        }
        Err(e) => return page::failure(None, &e),
    };
    // Admins only, before any second factor is asked for or set up.
    if admits(&user).is_err() {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            Some("This account cannot use the administration site."),
            email,
            &next,
        );
    }
    second_factor::ask(&state, &req, &user, &next).await
}

/// `POST /admin/logout/`.
pub async fn logout(
    operator: Operator,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let form = form_pairs(&body);
    if let Err(refused) = page::check_csrf(&operator, &form) {
        return refused;
    }
    if let Err(e) = state.console.close(&operator.session).await {
        return page::store_failure(Some(&operator), &e);
    }
    let mut res = page::see_other("/admin/login/");
    let _ = res.add_cookie(&removal(&state, SESSION_COOKIE));
    res
}
