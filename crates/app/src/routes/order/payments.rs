//! Payment pages, the provider webhook, and the dev gateway's own checkout page.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::clock::Clock;
use madeinpk_domain::ids::OrderId;
use madeinpk_domain::order::model::{Order, OrderRole, OrderStatus};
use madeinpk_domain::order::payment_service::EventOutcome;
use madeinpk_domain::order::webhook_service::{Delivery, Handled, Webhooks};
use madeinpk_stripe::{dev, event, signature};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::query::QueryMap;
use crate::routes::order::wire::OrderDto;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::Media;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/payments/success/", "GET, HEAD").route(web::get().to(success)))
        .service(resource("/payments/cancel/", "GET, HEAD").route(web::get().to(cancel)))
        .service(resource("/stripe/webhook/", "POST").route(web::post().to(webhook)))
        .service(
            resource("/payments/dev/checkout/{session}/", "GET, HEAD")
                .route(web::get().to(dev_checkout)),
        )
        .service(
            resource("/payments/dev/checkout/{session}/pay/", "POST")
                .route(web::post().to(dev_pay)),
        )
        .service(
            resource("/payments/dev/checkout/{session}/fail/", "POST")
                .route(web::post().to(dev_fail)),
        );
}

fn order_param(q: &QueryMap) -> Option<OrderId> {
    q.get("order_id")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|id| *id > 0)
        .map(OrderId)
}

fn redirect(to: String) -> HttpResponse {
    HttpResponse::Found().insert_header((LOCATION, to)).finish()
}

/// The cancel page: the order and its link for the caller's own order.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct PaymentCancelledDto {
    /// `Payment cancelled`.
    message: String,
    /// The caller's order, when `order_id` names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    order: Option<OrderDto>,
    /// Its payment link, with `order`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    payment_url: Option<String>,
}

impl PaymentCancelledDto {
    /// The message alone (no order of the caller's named).
    fn message_only() -> Self {
        Self {
            message: "Payment cancelled".to_owned(),
            order: None,
            payment_url: None,
        }
    }
}

/// `{"status": "success"}`: the event was accepted.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct WebhookAcceptedDto {
    status: String,
}

/// Stripe's browser redirect after paying: always 302 to the front end's success page, with the
/// `order_id` of an existing order (the contract); with `STRICT_VISIBILITY`, with any
/// well-formed one, so the page does not tell which ids are orders. The webhook, not this page,
/// records the payment.
#[utoipa::path(get, path = "/api/payments/success/", tag = "payments",
    params(("order_id" = Option<i64>, Query), ("session_id" = Option<String>, Query)),
    responses((status = 302, description = "To the front end: `order-success?order_id={id}` for an existing order (any positive integer id with `STRICT_VISIBILITY`), else `order-success`")))]
pub async fn success(state: web::Data<AppState>, q: QueryMap) -> HttpResponse {
    let base = format!("{}/order-success", state.config.http.frontend_url);
    // Strictly, anyone may call this page, so it must not tell which ids are orders: the
    // redirect then depends on the parameter alone (the front end reads the order with its
    // own token).
    match order_param(&q) {
        Some(id) if state.config.catalog.strict_visibility || state.orders_exists(id).await => {
            redirect(format!("{base}?order_id={id}"))
        }
        _ => redirect(base),
    }
}

/// The cancel page: the caller's order and its payment link, so they can try again.
#[utoipa::path(get, path = "/api/payments/cancel/", tag = "payments",
    params(("order_id" = Option<i64>, Query, description = "The caller's order")),
    responses((status = 200, body = PaymentCancelledDto), (status = 401, description = "Not signed in")))]
pub async fn cancel(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    if let Some(id) = order_param(&q)
        && let Ok(order) = state.orders.get(&auth.user, id, OrderRole::Buyer).await
    {
        return Ok(HttpResponse::Ok().json(PaymentCancelledDto {
            order: Some(OrderDto::new(
                &order,
                auth.user.id,
                auth.user.is_admin(),
                &media,
            )),
            payment_url: Some(order.payment_url),
            ..PaymentCancelledDto::message_only()
        }));
    }
    Ok(HttpResponse::Ok().json(PaymentCancelledDto::message_only()))
}

/// Verifies and applies one provider event (also the dev gateway's way in).
pub async fn receive(
    state: &AppState,
    signature_header: Option<&str>,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let invalid = || ApiError::Refused(StatusCode::BAD_REQUEST, "Invalid signature".into());
    let header = signature_header.ok_or_else(invalid)?;
    let secrets = std::iter::once(state.webhook_secret.as_str())
        .chain(state.connect_webhook_secret.as_deref())
        .collect::<Vec<_>>();
    signature::verify_any(
        &secrets,
        header,
        body,
        state.clock.now().timestamp(),
        signature::TOLERANCE_SECS,
    )
    .map_err(|_| invalid())?;
    let (id, event) = event::parse(body)
        .map_err(|_| ApiError::Refused(StatusCode::BAD_REQUEST, "Invalid payload".into()))?;
    let webhooks = Webhooks {
        payments: &state.payments,
        refunds: &state.refunds,
        payouts: &state.payouts,
        connect: &state.connect,
    };
    // A storage failure answers 503, so the provider delivers the event again later.
    match webhooks.deliver(id.clone(), event).await? {
        Delivery::RetryLater => {
            return Err(ApiError::Refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "The payment is not recorded yet".into(),
            ));
        }
        Delivery::Accepted(Handled::Payment(EventOutcome::NeedsRefund(order))) => {
            tracing::warn!(event = %id, %order, "payment for an order whose units are gone: refund it");
        }
        Delivery::Accepted(handled) => tracing::info!(event = %id, ?handled, "provider event"),
    }
    Ok(HttpResponse::Ok().json(WebhookAcceptedDto {
        status: "success".to_owned(),
    }))
}

/// The provider webhook: `Stripe-Signature` over the raw body; each event applied once.
#[utoipa::path(post, path = "/api/stripe/webhook/", tag = "payments",
    request_body(content = String, content_type = "application/json", description = "The raw Stripe event"),
    params(("Stripe-Signature" = String, Header, description = "t=…,v1=…")),
    responses((status = 200, body = WebhookAcceptedDto), (status = 400, description = "Invalid signature or payload"), (status = 503, description = "Retry later")))]
pub async fn webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let header = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    receive(&state, header, &body).await
}

async fn dev_order(state: &AppState, session: &str) -> Result<Order, ApiError> {
    // Only the offline gateway's sessions have pages here, and only while it is in use.
    if !state.dev_payments || !session.starts_with("cs_dev_") {
        return Err(ApiError::not_found());
    }
    // A paid order's reference is its payment intent; its page still answers (closed).
    let id = match state.db_order_by_reference(session).await? {
        Some(id) => id,
        None => state
            .db_order_by_reference(&dev::payment_intent(session))
            .await?
            .ok_or_else(ApiError::not_found)?,
    };
    state.order(id).await?.ok_or_else(ApiError::not_found)
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(body)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The dev gateway's checkout page (stands in for Stripe Checkout without an account).
#[utoipa::path(get, path = "/api/payments/dev/checkout/{session}/", tag = "payments",
    responses((status = 200, description = "HTML checkout page", content_type = "text/html"), (status = 404, description = "Unknown session")))]
pub async fn dev_checkout(
    state: web::Data<AppState>,
    session: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let order = dev_order(&state, &session).await?;
    let open = order.status == OrderStatus::PendingPayment;
    let mut lines = String::new();
    for i in &order.items {
        use std::fmt::Write as _;
        let _ = write!(
            lines,
            "<tr><td>{}</td><td>{}</td><td>Rs. {}</td></tr>",
            escape(&i.product_name),
            i.quantity,
            i.subtotal
        );
    }
    let actions = if open {
        format!(
            r#"<form method="post" action="pay/"><button id="pay" type="submit">Pay Rs. {total}</button></form>
<form method="post" action="fail/"><button id="fail" type="submit">Simulate a declined card</button></form>"#,
            total = order.total
        )
    } else {
        format!(
            "<p id=\"closed\">This checkout is closed (order {}).</p>",
            order.status.as_str()
        )
    };
    Ok(html(
        StatusCode::OK,
        format!(
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MadeInPK test checkout</title></head>
<body><h1>Test checkout — order {number}</h1><p>No real money moves: this is the offline payment gateway.</p>
<table><tr><th>Item</th><th>Qty</th><th>Subtotal</th></tr>{lines}</table><p>Total: <strong id="total">Rs. {total}</strong></p>{actions}</body></html>"#,
            number = escape(&order.number),
            total = order.total,
        ),
    ))
}

async fn dev_complete(
    state: &AppState,
    session: &str,
    paid: bool,
) -> Result<HttpResponse, ApiError> {
    let order = dev_order(state, session).await?;
    let now = state.clock.now();
    if order.status != OrderStatus::PendingPayment {
        return Ok(html(
            StatusCode::GONE,
            format!(
                "<!doctype html><p id=\"closed\">This checkout is closed (order {}).</p>",
                order.status.as_str()
            ),
        ));
    }
    if order.payment_deadline.is_some_and(|d| d <= now) {
        return Ok(html(
            StatusCode::GONE,
            "<!doctype html><p id=\"closed\">This checkout session has expired.</p>".into(),
        ));
    }
    let body = if paid {
        dev::completed_event(
            session,
            order.id.get(),
            order.total.minor(),
            now.timestamp(),
        )
    } else {
        dev::failed_event(session, order.id.get(), now.timestamp())
    };
    let header = signature::sign(&state.webhook_secret, now.timestamp(), &body);
    // Through the webhook's own entry point: verification, parsing and handling as for Stripe.
    receive(state, Some(&header), &body).await?;
    let to = if paid {
        format!(
            "{}/api/payments/success/?order_id={}&session_id={session}",
            state.config.http.public_base_url, order.id
        )
    } else {
        format!("{}/checkout?cancelled=true", state.config.http.frontend_url)
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, to))
        .finish())
}

/// Pays a dev session: delivers a signed `checkout.session.completed` to the webhook.
#[utoipa::path(post, path = "/api/payments/dev/checkout/{session}/pay/", tag = "payments",
    responses((status = 303, description = "To the success page"), (status = 404, description = "Unknown session"), (status = 410, description = "Session closed")))]
pub async fn dev_pay(
    state: web::Data<AppState>,
    session: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    dev_complete(&state, &session, true).await
}

/// Declines a dev session's card: delivers a signed `payment_intent.payment_failed`.
#[utoipa::path(post, path = "/api/payments/dev/checkout/{session}/fail/", tag = "payments",
    responses((status = 303, description = "To the front end's checkout"), (status = 404, description = "Unknown session"), (status = 410, description = "Session closed")))]
pub async fn dev_fail(
    state: web::Data<AppState>,
    session: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    dev_complete(&state, &session, false).await
}
