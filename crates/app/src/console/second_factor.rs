//! The console's second sign-in step: a code from the admin's authenticator app, or, at an
//! admin's first sign-in, enrolment (admins must have two-factor sign-in).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::account::rules::AccountError;
use madeinpk_domain::account::two_factor::Enrolment;
use madeinpk_domain::account::two_factor_service::ConsoleGate;
use madeinpk_domain::account::user::User;
use madeinpk_domain::console::access_service::{AccessError, SignInFrom};
use minijinja::context;

use crate::console::login::{check_login_csrf, login_page, safe_next, throttled_page};
use crate::console::page::{self, render_status};
use crate::console::session::{
    LOGIN_COOKIE, SESSION_COOKIE, cookie, field, form_pairs, random_token, removal, token_hash,
};
use crate::state::AppState;

/// What the code page shows.
struct CodePage<'a> {
    challenge: &'a str,
    next: &'a str,
    enrolment: Option<Enrolment>,
    error: Option<&'a str>,
}

fn code_page(state: &AppState, status: StatusCode, p: CodePage<'_>) -> HttpResponse {
    let csrf = random_token();
    let (secret, uri) = p
        .enrolment
        .map_or((None, None), |e| (Some(e.secret), Some(e.otpauth_uri)));
    let title = if secret.is_some() {
        "Set up two-factor sign-in"
    } else {
        "Two-factor sign-in"
    };
    let mut res = render_status(
        status,
        "two_factor.html",
        None,
        "",
        Vec::new(),
        Vec::new(),
        context! {
            title => title,
            csrf_token => csrf.clone(),
            challenge => p.challenge,
            next => p.next,
            secret => secret,
            otpauth_uri => uri,
            error => p.error,
        },
    );
    let _ = res.add_cookie(&cookie(state, LOGIN_COOKIE, csrf));
    res
}

/// After a right password: the code page (or enrolment) for an admin.
pub async fn ask(state: &AppState, req: &HttpRequest, user: &User, next: &str) -> HttpResponse {
    match state
        .two_factor
        .console_gate(user, crate::client::agent(req))
        .await
    {
        Ok(ConsoleGate::Code { challenge }) => code_page(
            state,
            StatusCode::OK,
            CodePage {
                challenge: &challenge,
                next,
                enrolment: None,
                error: None,
            },
        ),
        Ok(ConsoleGate::Enrol {
            challenge,
            enrolment,
        }) => code_page(
            state,
            StatusCode::OK,
            CodePage {
                challenge: &challenge,
                next,
                enrolment: Some(enrolment),
                error: None,
            },
        ),
        Err(e) => page::failure(None, &e),
    }
}

/// `POST /admin/login/code/`: `challenge`, `code`, `csrf_token`, `next`.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let form = form_pairs(&body);
    if let Err(refused) = check_login_csrf(&req, &form) {
        return refused;
    }
    let (challenge, code) = (field(&form, "challenge"), field(&form, "code"));
    let next = safe_next(field(&form, "next"));
    let passed = match state.two_factor.console_pass(challenge, code).await {
        Ok(passed) => passed,
        Err(AccountError::Validation(errors)) if errors.get("challenge").is_some() => {
            return login_page(
                &state,
                StatusCode::BAD_REQUEST,
                Some("This sign-in has expired. Please sign in again."),
                "",
                &next,
            );
        }
        Err(AccountError::Validation(errors)) => {
            let message = errors
                .get("code")
                .and_then(|m| m.first())
                .cloned()
                .unwrap_or_else(|| "Invalid or expired code.".to_owned());
            let enrolment = state
                .two_factor
                .console_enrolment(challenge)
                .await
                .unwrap_or(None);
            return code_page(
                &state,
                StatusCode::BAD_REQUEST,
                CodePage {
                    challenge,
                    next: &next,
                    enrolment,
                    error: Some(&message),
                },
            );
        }
        Err(AccountError::Throttled { retry_after_secs }) => {
            return throttled_page(&state, "codes", retry_after_secs, "", &next);
        }
        Err(e) => return page::failure(None, &e),
    };
    let token = random_token();
    match state
        .console
        .open(
            &passed.user,
            token_hash(&token),
            random_token(),
            SignInFrom {
                ip: crate::client::ip(&req, state.config.http.trust_proxy_headers),
                client: crate::client::agent(&req).to_owned(),
            },
        )
        .await
    {
        Ok(()) => {}
        Err(AccessError::NotAdmin) => {
            return login_page(
                &state,
                StatusCode::FORBIDDEN,
                Some("This account cannot use the administration site."),
                "",
                &next,
            );
        }
        Err(AccessError::Store(e)) => return page::store_failure(None, &e),
    }
    // Right after enrolment the recovery codes are shown, once, before going on.
    let mut res = match passed.recovery_codes {
        Some(codes) => render_status(
            StatusCode::OK,
            "two_factor.html",
            None,
            "",
            Vec::new(),
            Vec::new(),
            context! {
                title => "Recovery codes",
                recovery_codes => codes,
                next => next,
            },
        ),
        None => page::see_other(&next),
    };
    let _ = res.add_cookie(&cookie(&state, SESSION_COOKIE, token));
    let _ = res.add_cookie(&removal(&state, LOGIN_COOKIE));
    res
}
