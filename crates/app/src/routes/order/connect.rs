//! `stripe/connect/…`: a seller's payout account (Stripe Connect Express, or the dev gateway's
//! with an onboarding page served here).

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::{HttpResponse, web};
use madeinpk_domain::clock::Clock;
use madeinpk_domain::order::payment::PayoutAccount;
use madeinpk_stripe::{dev, signature};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{ActiveUser, CurrentUser};
use crate::error::ApiError;
use crate::routes::resource;
use crate::state::AppState;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/stripe/connect/create_account/", "POST").route(web::post().to(create_account)),
    )
    .service(
        resource("/stripe/connect/account_status/", "GET, HEAD")
            .route(web::get().to(account_status)),
    )
    .service(
        resource("/stripe/connect/refresh_onboarding/", "POST")
            .route(web::post().to(refresh_onboarding)),
    )
    .service(resource("/stripe/connect/login_link/", "POST").route(web::post().to(login_link)))
    .service(
        resource("/stripe/connect/return_page/", "GET, HEAD").route(web::get().to(return_page)),
    )
    .service(
        resource("/stripe/connect/refresh_page/", "GET, HEAD").route(web::get().to(refresh_page)),
    )
    .service(
        resource("/stripe/connect/dev/onboard/{account}/{key}/", "GET, HEAD")
            .route(web::get().to(dev_onboarding)),
    )
    .service(
        resource(
            "/stripe/connect/dev/onboard/{account}/{key}/complete/",
            "POST",
        )
        .route(web::post().to(dev_complete)),
    )
    .service(
        resource(
            "/stripe/connect/dev/dashboard/{account}/{key}/",
            "GET, HEAD",
        )
        .route(web::get().to(dev_dashboard)),
    );
}

/// `create_account`'s answer.
#[derive(Serialize, ToSchema)]
struct AccountCreatedDto {
    /// `Stripe Connect account created`.
    message: String,
    account_id: String,
    onboarding_url: String,
}

impl AccountCreatedDto {
    fn new(account_id: String, onboarding_url: String) -> Self {
        Self {
            message: "Stripe Connect account created".into(),
            account_id,
            onboarding_url,
        }
    }
}

/// `account_status`'s answer.
#[derive(Serialize, ToSchema)]
#[allow(clippy::struct_excessive_bools)] // the provider's flags, as sent
struct AccountStatusDto {
    charges_enabled: bool,
    payouts_enabled: bool,
    details_submitted: bool,
    /// The provider's `requirements` object, verbatim.
    #[schema(required = true)]
    requirements: serde_json::Value,
    /// Always true here (no account is a 404).
    has_account: bool,
}

impl From<&PayoutAccount> for AccountStatusDto {
    fn from(a: &PayoutAccount) -> Self {
        Self {
            charges_enabled: a.charges_enabled,
            payouts_enabled: a.payouts_enabled,
            details_submitted: a.details_submitted,
            requirements: a.requirements.clone(),
            has_account: true,
        }
    }
}

/// `{onboarding_url}`.
#[derive(Serialize, ToSchema)]
struct OnboardingLinkDto {
    onboarding_url: String,
}

/// `{url}`.
#[derive(Serialize, ToSchema)]
struct LoginLinkDto {
    url: String,
}

/// The static onboarding pages.
#[derive(Serialize, ToSchema)]
struct SetupPageDto {
    message: String,
    /// `success` or `pending`.
    status: String,
}

impl SetupPageDto {
    fn new(message: &str, status: &str) -> Self {
        Self {
            message: message.into(),
            status: status.into(),
        }
    }
}

/// Opens the seller's payout account and answers its onboarding link.
#[utoipa::path(post, path = "/api/stripe/connect/create_account/", tag = "payments",
    responses((status = 201, body = AccountCreatedDto), (status = 400, description = "Already has one"),
              (status = 403, description = "Not a seller"), (status = 502, description = "Provider failed")))]
pub async fn create_account(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
) -> Result<HttpResponse, ApiError> {
    let (account, link) = state.connect.create_account(&auth.user).await?;
    Ok(HttpResponse::Created().json(AccountCreatedDto::new(account, link)))
}

/// The caller's payout account: onboarding and readiness.
#[utoipa::path(get, path = "/api/stripe/connect/account_status/", tag = "payments",
    responses((status = 200, body = AccountStatusDto), (status = 404, description = "No account: `{has_account: false, message}`")))]
pub async fn account_status(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let a = state.connect.status(&auth.user).await?;
    Ok(HttpResponse::Ok().json(AccountStatusDto::from(&a)))
}

/// A fresh onboarding link.
#[utoipa::path(post, path = "/api/stripe/connect/refresh_onboarding/", tag = "payments",
    responses((status = 200, body = OnboardingLinkDto), (status = 404, description = "No account"), (status = 502, description = "Provider failed")))]
pub async fn refresh_onboarding(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    match state.connect.refresh_onboarding(&auth.user).await {
        Ok(link) => Ok(HttpResponse::Ok().json(OnboardingLinkDto {
            onboarding_url: link,
        })),
        Err(madeinpk_domain::order::connect_service::ConnectError::NoAccount) => Err(
            ApiError::Refused(StatusCode::NOT_FOUND, "No Stripe account found".into()),
        ),
        Err(e) => Err(e.into()),
    }
}

/// A one-time link to the seller's payout dashboard (Stripe Express), once onboarded.
#[utoipa::path(post, path = "/api/stripe/connect/login_link/", tag = "payments",
    responses((status = 200, body = LoginLinkDto), (status = 400, description = "Onboarding not finished"),
              (status = 404, description = "No account"), (status = 502, description = "Provider failed")))]
pub async fn login_link(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let url = state.connect.login_link(&auth.user).await?;
    Ok(HttpResponse::Ok().json(LoginLinkDto { url }))
}

/// Static page after onboarding.
#[utoipa::path(get, path = "/api/stripe/connect/return_page/", tag = "payments", responses((status = 200, body = SetupPageDto), (status = 401, description = "Not signed in")))]
pub async fn return_page(CurrentUser(_caller): CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(SetupPageDto::new(
        "Stripe account setup completed",
        "success",
    ))
}

/// Static page when onboarding must be resumed.
#[utoipa::path(get, path = "/api/stripe/connect/refresh_page/", tag = "payments", responses((status = 200, body = SetupPageDto), (status = 401, description = "Not signed in")))]
pub async fn refresh_page(CurrentUser(_caller): CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(SetupPageDto::new(
        "Please complete your Stripe account setup",
        "pending",
    ))
}

/// The account of a dev page, if the link is one the gateway made for it: the pages act on
/// someone's payout account, so a link must be unguessable (an id alone is not enough).
fn dev_account(state: &AppState, path: (String, String)) -> Result<String, ApiError> {
    let (account, key) = path;
    // Only the dev gateway's accounts have a page here, and only while it is in use.
    let dev = state.dev_gateway.as_ref().ok_or_else(ApiError::not_found)?;
    let real = account
        .strip_prefix("acct_dev_")
        .is_some_and(|id| id.parse::<i64>().is_ok());
    if real && dev.checks(&account, &key) {
        Ok(account)
    } else {
        Err(ApiError::not_found())
    }
}

/// The dev gateway's onboarding page (stands in for Stripe's hosted onboarding).
#[utoipa::path(get, path = "/api/stripe/connect/dev/onboard/{account}/{key}/", tag = "payments",
    responses((status = 200, description = "HTML page", content_type = "text/html"), (status = 404, description = "Not a link the dev gateway made")))]
pub async fn dev_onboarding(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let account = dev_account(&state, path.into_inner())?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(format!(
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MadeInPK test onboarding</title></head>
<body><h1>Test payout account {account}</h1><p>No real account is opened: this is the offline payment gateway.</p>
<form method="post" action="complete/"><button id="complete" type="submit">Complete onboarding</button></form></body></html>"#
        )))
}

/// Completes dev onboarding: a signed `account.updated` through the webhook, then back to the
/// front end's settings page, as Stripe would.
#[utoipa::path(post, path = "/api/stripe/connect/dev/onboard/{account}/{key}/complete/", tag = "payments",
    responses((status = 303, description = "To the front end's seller settings"), (status = 404, description = "Not a link the dev gateway made")))]
pub async fn dev_complete(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let account = dev_account(&state, path.into_inner())?;
    let now = state.clock.now().timestamp();
    let body = dev::onboarded_event(&account, now);
    let header = signature::sign(&state.webhook_secret, now, &body);
    crate::routes::order::payments::receive(&state, Some(&header), &body).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            LOCATION,
            format!(
                "{}/seller/settings?stripe_setup=success",
                state.config.http.frontend_url
            ),
        ))
        .finish())
}

/// The dev gateway's payout dashboard (stands in for Stripe's Express dashboard).
#[utoipa::path(get, path = "/api/stripe/connect/dev/dashboard/{account}/{key}/", tag = "payments",
    responses((status = 200, description = "HTML page", content_type = "text/html"), (status = 404, description = "Not a link the dev gateway made")))]
pub async fn dev_dashboard(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let account = dev_account(&state, path.into_inner())?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(format!(
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MadeInPK test payout dashboard</title></head>
<body><h1>Test payout account {account}</h1><p>This is the offline payment gateway: payouts to this account are recorded, no money moves.</p></body></html>"#
        )))
}
