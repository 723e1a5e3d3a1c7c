//! `orders/`: the caller's orders as buyer or seller; shipping, delivery, cancellation.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::ids::{OrderId, OrderItemId};
use madeinpk_domain::money::Money;
use madeinpk_domain::order::model::{
    Order, OrderQuery, OrderRole, OrderSort, OrderStatus, OrderType,
};
use madeinpk_domain::order::refund::{RefundRecord, RefundRequest, SellerRefund};
use madeinpk_domain::order::service::MAX_TRACKING_LEN;
use madeinpk_domain::page::parse_ordering;
use madeinpk_domain::validation::msg;
use serde::Serialize;
use utoipa::ToSchema;

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
#[derive(Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
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

impl OrderStatusParam {
    /// `?status=`: none when absent or empty; an unknown value is a 400 naming the parameter.
    fn parse(q: &QueryMap) -> Result<Option<Self>, ApiError> {
        q.choice("status", |v| OrderStatus::parse(v).map(Self::from))
    }
}

impl From<OrderStatus> for OrderStatusParam {
    fn from(s: OrderStatus) -> Self {
        match s {
            OrderStatus::PendingPayment => Self::PendingPayment,
            OrderStatus::PaymentFailed => Self::PaymentFailed,
            OrderStatus::Paid => Self::Paid,
            OrderStatus::Shipped => Self::Shipped,
            OrderStatus::Delivered => Self::Delivered,
            OrderStatus::Cancelled => Self::Cancelled,
            OrderStatus::PartiallyRefunded => Self::PartiallyRefunded,
            OrderStatus::Refunded => Self::Refunded,
        }
    }
}

impl From<OrderStatusParam> for OrderStatus {
    fn from(s: OrderStatusParam) -> Self {
        match s {
            OrderStatusParam::PendingPayment => Self::PendingPayment,
            OrderStatusParam::PaymentFailed => Self::PaymentFailed,
            OrderStatusParam::Paid => Self::Paid,
            OrderStatusParam::Shipped => Self::Shipped,
            OrderStatusParam::Delivered => Self::Delivered,
            OrderStatusParam::Cancelled => Self::Cancelled,
            OrderStatusParam::PartiallyRefunded => Self::PartiallyRefunded,
            OrderStatusParam::Refunded => Self::Refunded,
        }
    }
}

/// The body of `POST orders/{id}/mark_shipped/`.
#[derive(ToSchema)]
struct MarkShippedBody {
    /// At most 100 characters; `""` means none.
    #[schema(nullable = false, max_length = 100)]
    tracking_number: Option<String>,
}

impl MarkShippedBody {
    /// Reads the body: an optional `tracking_number` (blank is none).
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let tracking_number = f
            .string("tracking_number", Need::Optional)
            .filter(|t| !t.is_empty());
        if tracking_number
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TRACKING_LEN)
        {
            f.error("tracking_number", msg::max_length(MAX_TRACKING_LEN));
        }
        f.finish()?;
        Ok(Self { tracking_number })
    }
}

/// `mark_shipped`'s answer.
#[derive(Serialize, ToSchema)]
struct ShippedDto {
    /// `Order marked as shipped` or `Your items marked as shipped`.
    message: String,
    /// Cart orders only: every seller has shipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    all_items_shipped: Option<bool>,
}

impl ShippedDto {
    fn new(message: String, order: &Order) -> Self {
        Self {
            message,
            all_items_shipped: (order.order_type == OrderType::Cart)
                .then(|| order.all_items_shipped()),
        }
    }
}

/// One order line to refund.
#[derive(ToSchema)]
struct RefundItemBody {
    /// An OrderItem id.
    item: i64,
    /// Units, 1 by default.
    #[schema(value_type = Option<i64>, nullable = false, minimum = 1)]
    quantity: i32,
}

impl RefundItemBody {
    /// Reads one entry of `items`; `None` when it lacks an integer `item` or `quantity`.
    fn parse(entry: &serde_json::Value) -> Option<Self> {
        let item = entry.get("item").and_then(serde_json::Value::as_i64);
        let quantity = entry
            .get("quantity")
            .map_or(Some(1), serde_json::Value::as_i64)
            .and_then(|q| i32::try_from(q).ok());
        Some(Self {
            item: item?,
            quantity: quantity?,
        })
    }
}

/// The body of `POST orders/{id}/refund/`: `items` or `amount` (not both), neither for the
/// whole order.
#[derive(ToSchema)]
struct RefundBody {
    /// The lines to refund; null means none given.
    items: Option<Vec<RefundItemBody>>,
    /// An amount to refund.
    #[schema(value_type = Option<MoneyInput>, nullable = false)]
    amount: Option<Money>,
    /// Put the units back on sale (false by default).
    #[schema(nullable = false)]
    restock: Option<bool>,
    /// At most 500 characters.
    #[schema(nullable = false, max_length = 500)]
    reason: Option<String>,
}

impl RefundBody {
    /// Reads the body: `items` (`[{"item": id, "quantity": n}]`), `amount`, `restock` and
    /// `reason`, all optional.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let amount = f.money("amount", Need::Optional);
        let restock = f.bool("restock", Need::Optional);
        let reason = f.string("reason", Need::Optional);
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            f.error("reason", msg::max_length(500));
        }
        let items = match body.fields.get("items") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Array(list)) => {
                let mut parsed = Vec::new();
                for entry in list {
                    match RefundItemBody::parse(entry) {
                        Some(item) => parsed.push(item),
                        None => {
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
        Ok(Self {
            items,
            amount,
            restock,
            reason,
        })
    }

    /// What to refund: the lines or an amount (not both), or the whole order when neither.
    fn request(&self) -> Result<RefundRequest, ApiError> {
        match (&self.items, self.amount) {
            (Some(_), Some(_)) => Err(madeinpk_domain::validation::FieldErrors::non_field(
                "Give either items or an amount, not both.",
            )
            .into()),
            (Some(items), None) => Ok(RefundRequest::Items(
                items
                    .iter()
                    .map(|i| (OrderItemId(i.item), i.quantity))
                    .collect(),
            )),
            (None, Some(amount)) => Ok(RefundRequest::Amount(amount)),
            (None, None) => Ok(RefundRequest::Full),
        }
    }
}

/// A seller's part of a refund.
#[derive(Serialize, ToSchema)]
struct RefundShareDto {
    seller_id: i64,
    amount: String,
    platform_fee: String,
    /// Taken back from the seller's payout.
    reversal: String,
}

impl From<&SellerRefund> for RefundShareDto {
    fn from(s: &SellerRefund) -> Self {
        Self {
            seller_id: s.seller.get(),
            amount: s.amount.to_string(),
            platform_fee: s.fee.to_string(),
            reversal: s.reversal.to_string(),
        }
    }
}

/// A refunded line.
#[derive(Serialize, ToSchema)]
struct RefundLineDto {
    item: i64,
    quantity: i32,
}

/// The refund record.
#[derive(Serialize, ToSchema)]
struct RefundDto {
    id: i64,
    order: i64,
    amount: String,
    restock: bool,
    sellers: Vec<RefundShareDto>,
    items: Vec<RefundLineDto>,
}

impl RefundDto {
    /// Renders the refund `record` of `order`.
    fn new(record: &RefundRecord, order: OrderId, restock: bool) -> Self {
        let plan = &record.plan;
        Self {
            id: record.id.get(),
            order: order.get(),
            amount: plan.amount.to_string(),
            restock,
            sellers: plan.sellers.iter().map(RefundShareDto::from).collect(),
            items: plan
                .items
                .iter()
                .map(|(item, quantity)| RefundLineDto {
                    item: item.get(),
                    quantity: *quantity,
                })
                .collect(),
        }
    }
}

/// `refund`'s answer.
#[derive(Serialize, ToSchema)]
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
        status: OrderStatusParam::parse(&q)?.map(OrderStatus::from),
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
    let body = MarkShippedBody::parse(&body)?;
    let (message, order) = state
        .orders
        .mark_shipped(&auth.user, id, role(&q), body.tracking_number)
        .await?;
    Ok(HttpResponse::Ok().json(ShippedDto::new(message, &order)))
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
    let body = RefundBody::parse(&body)?;
    let request = body.request()?;
    let restock = body.restock.unwrap_or(false);
    let (record, order) = crate::console::audit::audited(
        &state,
        &auth.user,
        madeinpk_domain::console::entity::Entity::Orders,
        Some(id.get()),
        "refund",
        state.refunds.refund(
            &auth.user,
            id,
            request,
            restock,
            body.reason.unwrap_or_default(),
        ),
    )
    .await?;
    Ok(HttpResponse::Created().json(RefundedDto {
        refund: RefundDto::new(&record, order.id, restock),
        order: OrderDto::new(&order, auth.user.id, auth.user.is_admin(), &media),
    }))
}
