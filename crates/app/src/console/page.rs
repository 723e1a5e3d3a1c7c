//! Rendering console pages: the templates, the layout's shared context, security headers and
//! the HTML error page.

use std::sync::LazyLock;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use madeinpk_domain::console::entity::GROUPS;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use crate::console::session::{NoOperator, Operator, tokens_match};

/// What console pages may load and do: only our own files, no inline script or style.
pub const CONSOLE_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("templates/base.html")),
        ("login.html", include_str!("templates/login.html")),
        ("two_factor.html", include_str!("templates/two_factor.html")),
        ("dashboard.html", include_str!("templates/dashboard.html")),
        ("list.html", include_str!("templates/list.html")),
        ("detail.html", include_str!("templates/detail.html")),
        ("form.html", include_str!("templates/form.html")),
        ("confirm.html", include_str!("templates/confirm.html")),
        ("error.html", include_str!("templates/error.html")),
    ] {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("console template {name}: {e}"));
    }
    env
});

/// A flash message.
#[derive(Serialize, Clone)]
pub struct Message {
    /// `success`, `error` or `info`.
    pub level: &'static str,
    /// The text.
    pub text: String,
}

impl Message {
    /// A success message.
    pub fn success(text: impl Into<String>) -> Self {
        Self {
            level: "success",
            text: text.into(),
        }
    }

    /// A refusal or error.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            level: "error",
            text: text.into(),
        }
    }
}

/// A breadcrumb.
#[derive(Serialize)]
pub struct Crumb {
    /// Its text.
    pub label: String,
    /// Its link (none for the current page).
    pub href: Option<String>,
}

#[derive(Serialize)]
struct NavEntity {
    slug: &'static str,
    title: String,
    href: String,
}

#[derive(Serialize)]
struct NavGroup {
    title: &'static str,
    entities: Vec<NavEntity>,
}

fn nav() -> Vec<NavGroup> {
    GROUPS
        .iter()
        .map(|(title, entities)| NavGroup {
            title,
            entities: entities
                .iter()
                .map(|e| NavEntity {
                    slug: e.slug(),
                    title: capitalised(e.plural()),
                    href: format!("/admin/{}/", e.slug()),
                })
                .collect(),
        })
        .collect()
}

/// "order items" → "Order items".
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Adds the console's headers to a response.
pub fn secured(mut res: HttpResponse) -> HttpResponse {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(CONSOLE_POLICY),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    h.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    secured(
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
    )
}

/// Renders `template` with `ctx`, adding the layout's context for `operator`.
pub fn render(
    template: &str,
    operator: Option<&Operator>,
    active: &str,
    messages: Vec<Message>,
    breadcrumbs: Vec<Crumb>,
    ctx: Value,
) -> HttpResponse {
    render_status(
        StatusCode::OK,
        template,
        operator,
        active,
        messages,
        breadcrumbs,
        ctx,
    )
}

/// As `render`, with a status.
pub fn render_status(
    status: StatusCode,
    template: &str,
    operator: Option<&Operator>,
    active: &str,
    messages: Vec<Message>,
    breadcrumbs: Vec<Crumb>,
    ctx: Value,
) -> HttpResponse {
    let base = context! {
        operator => operator.map(|o| o.user.username.clone()),
        csrf_token => operator.map(|o| o.session.csrf_token.clone()),
        nav => nav(),
        active => active,
        messages => messages,
        breadcrumbs => breadcrumbs,
    };
    let ctx = context! { ..ctx, ..base };
    match TEMPLATES.get_template(template).and_then(|t| t.render(ctx)) {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(error = %e, template, "console template failed");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!doctype html><title>Error</title><p>The page could not be drawn.</p>".into(),
            )
        }
    }
}

/// The HTML error page.
pub fn error_page(operator: Option<&Operator>, status: StatusCode, message: &str) -> HttpResponse {
    render_status(
        status,
        "error.html",
        operator,
        "",
        Vec::new(),
        Vec::new(),
        context! {
            title => status.canonical_reason().unwrap_or("Error"),
            status => status.as_u16(),
            message => message,
            home_href => "/admin/",
        },
    )
}

/// A redirect (303, so a form's POST becomes a GET).
pub fn see_other(location: &str) -> HttpResponse {
    secured(
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish(),
    )
}

/// Unknown console paths.
pub async fn not_found(_req: HttpRequest) -> HttpResponse {
    error_page(None, StatusCode::NOT_FOUND, "There is no such page.")
}

/// A failure the operator cannot fix: logged, shown as a 500 page.
pub fn failure(operator: Option<&Operator>, e: &dyn std::fmt::Display) -> HttpResponse {
    let id = hex::encode(rand::random::<[u8; 8]>());
    tracing::error!(error = %e, error_id = %id, "console request failed");
    error_page(
        operator,
        StatusCode::INTERNAL_SERVER_ERROR,
        &format!("Something went wrong on our side (error {id})."),
    )
}

/// A store outage or bug, as the console shows it.
pub fn store_failure(
    operator: Option<&Operator>,
    e: &madeinpk_domain::store::StoreError,
) -> HttpResponse {
    if let madeinpk_domain::store::StoreError::Unavailable(_) = e {
        return error_page(
            operator,
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is unavailable; try again shortly.",
        );
    }
    failure(operator, e)
}

impl ResponseError for NoOperator {
    fn status_code(&self) -> StatusCode {
        StatusCode::SEE_OTHER
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            NoOperator::SignIn(next) => {
                let target = format!(
                    "/admin/login/?next={}",
                    serde_urlencoded::to_string([("", next.as_str())])
                        .unwrap_or_default()
                        .trim_start_matches('=')
                );
                see_other(&target)
            }
            NoOperator::Failed(e) => store_failure(None, e),
        }
    }
}

/// Refuses a form whose `csrf_token` is not the session's: `Err` holds the 403 page.
pub fn check_csrf(operator: &Operator, form: &[(String, String)]) -> Result<(), HttpResponse> {
    let given = form
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map_or("", |(_, v)| v.as_str());
    if tokens_match(given, &operator.session.csrf_token) {
        Ok(())
    } else {
        Err(csrf_refused(Some(operator)))
    }
}

/// The 403 page of a form without a valid CSRF token.
pub fn csrf_refused(operator: Option<&Operator>) -> HttpResponse {
    error_page(
        operator,
        StatusCode::FORBIDDEN,
        "This form has expired or did not come from this site. Go back, reload the page and try again.",
    )
}
