//! `orders/`: the caller's orders as buyer or seller; shipping, delivery, cancellation.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::ids::OrderId;
use madeinpk_domain::order::model::{OrderQuery, OrderRole, OrderSort, OrderStatus};
use madeinpk_domain::order::refund::RefundRequest;
use madeinpk_domain::order::service::MAX_TRACKING_LEN;
use madeinpk_domain::page::parse_ordering;
use madeinpk_domain::validation::msg;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::order::wire::OrderDto;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::Media;
use crate::wire::{MoneyInput, Page, PageParams};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/orders/", "GET, HEAD").route(web::get().to(list)))
        .service(resource("/orders/{id}/", "GET, HEAD").route(web::get().to(get)))
        .service(resource("/orders/{id}/mark_shipped/", "POST").route(web::post().to(mark_shipped)))
        .service(
            resource("/orders/{id}/mark_delivered/", "POST").route(web::post().to(mark_delivered)),
        )
        .service(resource("/orders/{id}/cancel/", "POST").route(web::post().to(cancel)))
        .service(resource("/orders/{id}/refund/", "POST").route(web::post().to(refund)));
}

const ORDERING: &[(&str, OrderSort)] = &[
    ("created_at", OrderSort::CreatedAt),
    ("status", OrderSort::Status),
];

fn role(q: &QueryMap) -> OrderRole {
    match q.get("role") {
        Some("buyer") => OrderRole::Buyer,
        Some("seller") => OrderRole::Seller,
        _ => OrderRole::Any,
    }
}

fn order_id(raw: &str) -> Result<OrderId, ApiError> {
    path_id(raw).map(OrderId)
}

/// An order status.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum OrderStatusParam {
    PendingPayment,
    PaymentFailed,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
    PartiallyRefunded,
    Refunded,
}

/// `POST orders/{id}/mark_shipped/` (documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct MarkShippedBody {
    /// At most 100 characters; `""` means none.
    #[schema(nullable = false, max_length = 100)]
    tracking_number: Option<String>,
}

/// `mark_shipped` (documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ShippedDto {
    /// `Order marked as shipped` or `Your items marked as shipped`.
    message: String,
    /// Cart orders only: every seller has shipped.
    #[schema(nullable = false)]
    all_items_shipped: Option<bool>,
}

/// One order line to refund.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RefundItemBody {
    /// An OrderItem id.
    item: i64,
    /// Units, 1 by default.
    #[schema(nullable = false, minimum = 1)]
    quantity: Option<i64>,
}

/// `POST orders/{id}/refund/` (documentation): `items` or `amount` (not both), neither for
/// the whole order.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RefundBody {
    /// The lines to refund; null means none given.
    items: Option<Vec<RefundItemBody>>,
    /// An amount to refund.
    #[schema(nullable = false)]
    amount: Option<MoneyInput>,
    /// Put the units back on sale (false by default).
    #[schema(nullable = false)]
    restock: Option<bool>,
    /// At most 500 characters.
    #[schema(nullable = false, max_length = 500)]
    reason: Option<String>,
}

/// A seller's part of a refund.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RefundShareDto {
    seller_id: i64,
    amount: String,
    platform_fee: String,
    /// Taken back from the seller's payout.
    reversal: String,
}

/// A refunded line.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RefundLineDto {
    item: i64,
    quantity: i32,
}

/// The refund record.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RefundDto {
    id: i64,
    order: i64,
    amount: String,
    restock: bool,
    sellers: Vec<RefundShareDto>,
    items: Vec<RefundLineDto>,
}

/// `refund` (documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RefundedDto {
    refund: RefundDto,
    order: OrderDto,
}

/// The caller's orders (`role=buyer|seller` narrows), newest first; `status` filter, `ordering`
/// by `created_at`, `status`.
#[utoipa::path(get, path = "/api/orders/", tag = "orders",
    params(PageParams, ("role" = Option<String>, Query, description = "`buyer` or `seller` narrows; anything else means both"),
           ("status" = inline(Option<OrderStatusParam>), Query), ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `created_at`, `status`")),
    responses((status = 200, body = Page<OrderDto>), (status = 404, description = "Invalid page"), (status = 400, description = "Bad filter"), (status = 401, description = "Not signed in")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let query = OrderQuery {
        viewer: Some(auth.user.id),
        role: role(&q),
        status: q.choice("status", OrderStatus::parse)?,
        ordering: parse_ordering(q.get("ordering"), ORDERING),
    };
    let page = paginate(&req, &q, |p| {
        let (state, query, user, media) = (
            state.clone(),
            query.clone(),
            auth.user.clone(),
            media.clone(),
        );
        async move {
            Ok(state
                .orders
                .list(&user, query, p)
                .await?
                .map(|o| OrderDto::new(&o, user.id, user.is_admin(), &media)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One of the caller's orders; a seller sees only their lines and amounts.
#[utoipa::path(get, path = "/api/orders/{id}/", tag = "orders",
    params(("role" = Option<String>, Query, description = "`buyer` or `seller` narrows; anything else means both")),
    responses((status = 200, body = OrderDto), (status = 404, description = "Not the caller's order")))]
pub async fn get(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    id: web::Path<String>,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let order = state
        .orders
        .get(&auth.user, order_id(&id)?, role(&q))
        .await?;
    Ok(HttpResponse::Ok().json(OrderDto::new(
        &order,
        auth.user.id,
        auth.user.is_admin(),
        &media,
    )))
}

/// The seller marks their lines shipped (optional `tracking_number`).
#[utoipa::path(post, path = "/api/orders/{id}/mark_shipped/", tag = "orders", request_body = Option<MarkShippedBody>,
    params(("role" = Option<String>, Query, description = "`buyer` or `seller` narrows; anything else means both")),
    responses((status = 200, body = ShippedDto), (status = 404, description = "Not the caller's order"), (status = 400, description = "Not paid, or already shipped"), (status = 403, description = "No items of the caller")))]
pub async fn mark_shipped(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
    q: QueryMap,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = order_id(&id)?;
    let mut f = body.read();
    let tracking = f
        .string("tracking_number", Need::Optional)
        .filter(|t| !t.is_empty());
    if tracking
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_TRACKING_LEN)
    {
        f.error("tracking_number", msg::max_length(MAX_TRACKING_LEN));
    }
    f.finish()?;
    let (message, order) = state
        .orders
        .mark_shipped(&auth.user, id, role(&q), tracking)
        .await?;
    let body = if order.order_type == madeinpk_domain::order::model::OrderType::Cart {
        json!({ "message": message, "all_items_shipped": order.all_items_shipped() })
    } else {
        json!({ "message": message })
    };
    Ok(HttpResponse::Ok().json(body))
}

/// The buyer confirms delivery of a shipped order.
#[utoipa::path(post, path = "/api/orders/{id}/mark_delivered/", tag = "orders",
    responses((status = 200, body = OrderDto), (status = 403, description = "Not the buyer"), (status = 409, description = "Not shipped")))]
pub async fn mark_delivered(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let order = state
        .orders
        .mark_delivered(&auth.user, order_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(OrderDto::new(
        &order,
        auth.user.id,
        auth.user.is_admin(),
        &media,
    )))
}

/// The buyer cancels an unpaid order; its units go back on sale.
#[utoipa::path(post, path = "/api/orders/{id}/cancel/", tag = "orders",
    responses((status = 200, body = OrderDto), (status = 403, description = "Not the buyer"), (status = 409, description = "Already paid or closed")))]
pub async fn cancel(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let order = state.orders.cancel(&auth.user, order_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(OrderDto::new(
        &order,
        auth.user.id,
        auth.user.is_admin(),
        &media,
    )))
}

/// The refund request body: `items` (`[{"item": id, "quantity": n}]`) or `amount`, neither for the
/// whole order; optional `restock` and `reason`.
fn refund_request(body: &Body) -> Result<(RefundRequest, bool, String), ApiError> {
    let mut f = body.read();
    let amount = f.money("amount", Need::Optional);
    let restock = f.bool("restock", Need::Optional).unwrap_or(false);
    let reason = f.string("reason", Need::Optional).unwrap_or_default();
    if reason.chars().count() > 500 {
        f.error("reason", msg::max_length(500));
    }
    let items = match body.fields.get("items") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Array(list)) => {
            let mut parsed = Vec::new();
            for entry in list {
                let item = entry.get("item").and_then(serde_json::Value::as_i64);
                let quantity = entry
                    .get("quantity")
                    .map_or(Some(1), serde_json::Value::as_i64)
                    .and_then(|q| i32::try_from(q).ok());
                match (item, quantity) {
                    (Some(item), Some(quantity)) => {
                        parsed.push((madeinpk_domain::ids::OrderItemId(item), quantity));
                    }
                    _ => {
                        f.error(
                            "items",
                            "Each entry needs an integer \"item\" and \"quantity\".",
                        );
                    }
                }
            }
            Some(parsed)
        }
        Some(_) => {
            f.error("items", "Expected a list of items.");
            None
        }
    };
    f.finish()?;
    let request = match (items, amount) {
        (Some(_), Some(_)) => {
            return Err(madeinpk_domain::validation::FieldErrors::non_field(
                "Give either items or an amount, not both.",
            )
            .into());
        }
        (Some(items), None) => RefundRequest::Items(items),
        (None, Some(amount)) => RefundRequest::Amount(amount),
        (None, None) => RefundRequest::Full,
    };
    Ok((request, restock, reason))
}

/// Refunds (part of) a paid order: an admin for any order, a seller for their own lines. The
/// buyer is refunded and each affected seller's payout reversed by their part less the fee.
#[utoipa::path(post, path = "/api/orders/{id}/refund/", tag = "orders", request_body = Option<RefundBody>,
    responses((status = 201, body = RefundedDto, description = "Refund recorded; carried out by the payment provider shortly"),
              (status = 400, description = "Bad items or amount, or more than is left"), (status = 403, description = "The buyer"),
              (status = 404, description = "Not the caller's order"), (status = 409, description = "Not paid, or nothing left")))]
pub async fn refund(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = order_id(&id)?;
    let (request, restock, reason) = refund_request(&body)?;
    let (record, order) = state
        .refunds
        .refund(&auth.user, id, request, restock, reason)
        .await?;
    let plan = &record.plan;
    Ok(HttpResponse::Created().json(json!({
        "refund": {
            "id": record.id.get(),
            "order": order.id.get(),
            "amount": plan.amount.to_string(),
            "restock": restock,
            "sellers": plan.sellers.iter().map(|s| json!({
                "seller_id": s.seller.get(),
                "amount": s.amount.to_string(),
                "platform_fee": s.fee.to_string(),
                "reversal": s.reversal.to_string(),
            })).collect::<Vec<_>>(),
            "items": plan.items.iter().map(|(item, quantity)| json!({
                "item": item.get(), "quantity": quantity,
            })).collect::<Vec<_>>(),
        },
        "order": OrderDto::new(&order, auth.user.id, auth.user.is_admin(), &media),
    })))
}
