//! `admin/orders-needing-transfers/`, `admin/trigger-transfers/`: admins' tools for seller payouts.

use actix_web::{HttpResponse, web};

use madeinpk_domain::ids::OrderId;
use madeinpk_domain::order::payment::{OrderAwaitingPayout, TransferView};
use madeinpk_domain::order::payout_service::Requeued;

use crate::auth::CurrentUser;
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::routes::resource;
use crate::state::AppState;
use utoipa::ToSchema;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/admin/orders-needing-transfers/", "GET, HEAD")
            .route(web::get().to(orders_needing_transfers)),
    )
    .service(
        resource("/admin/trigger-transfers/", "POST").route(web::post().to(trigger_transfers)),
    );
}

/// Money as the admin tools render it: a decimal string with 2 places.
type MoneyText = String;

/// A seller payout record.
#[derive(serde::Serialize, ToSchema)]
struct TransferDto {
    id: i64,
    seller: i64,
    seller_username: String,
    amount: MoneyText,
    platform_fee: MoneyText,
    /// The provider's id, `""` when none.
    stripe_transfer_id: String,
    /// `pending`, `processing`, `succeeded`, `failed` or `reversed`.
    status: String,
    created_at: String,
    #[schema(required = true)]
    completed_at: Option<String>,
}

impl From<&TransferView> for TransferDto {
    fn from(t: &TransferView) -> Self {
        Self {
            id: t.id.get(),
            seller: t.seller.get(),
            seller_username: t.seller_username.clone(),
            amount: t.amount.to_string(),
            platform_fee: t.platform_fee.to_string(),
            stripe_transfer_id: t.provider_id.clone(),
            status: t.status.as_str().to_owned(),
            created_at: crate::time::render(t.created_at),
            completed_at: crate::time::render_opt(t.completed_at),
        }
    }
}

/// A seller of an order awaiting payout.
#[derive(serde::Serialize, ToSchema)]
struct AwaitingSellerDto {
    id: i64,
    username: String,
    /// The seller's payout account is ready.
    has_stripe: bool,
}

/// A paid order with a payout not yet made.
#[derive(serde::Serialize, ToSchema)]
struct AwaitingOrderDto {
    order_id: i64,
    order_number: String,
    order_type: String,
    status: String,
    total_amount: MoneyText,
    /// UTC, `Z` suffix.
    created_at: String,
    /// UTC, `Z` suffix.
    #[schema(required = true)]
    paid_at: Option<String>,
    sellers: Vec<AwaitingSellerDto>,
}

impl From<&OrderAwaitingPayout> for AwaitingOrderDto {
    fn from(o: &OrderAwaitingPayout) -> Self {
        Self {
            order_id: o.order_id.get(),
            order_number: o.order_number.clone(),
            order_type: o.order_type.as_str().to_owned(),
            status: o.status.as_str().to_owned(),
            total_amount: o.total.to_string(),
            created_at: utc(o.created_at),
            paid_at: o.paid_at.map(utc),
            sellers: o
                .sellers
                .iter()
                .map(|(id, name, ready)| AwaitingSellerDto {
                    id: id.get(),
                    username: name.clone(),
                    has_stripe: *ready,
                })
                .collect(),
        }
    }
}

/// `{count, orders}`.
#[derive(serde::Serialize, ToSchema)]
struct AwaitingOrdersDto {
    count: i64,
    orders: Vec<AwaitingOrderDto>,
}

/// `POST admin/trigger-transfers/`.
#[derive(ToSchema)]
struct TriggerTransfersBody {
    /// The paid order whose payouts to queue again.
    order_id: i64,
}

impl TriggerTransfersBody {
    /// Reads the body; `None` when the id is missing or bad. The contract answers that with one
    /// `{"error"}` text after the admin check, so it is the payout service's to report.
    fn parse(body: &Body) -> Option<Self> {
        let mut f = body.read();
        let order = f.int("order_id", Need::Optional);
        let order = if f.finish().is_ok() { order } else { None };
        order.map(|order_id| Self { order_id })
    }
}

/// Payouts queued again.
#[derive(serde::Serialize, ToSchema)]
struct TransfersQueued {
    /// `Transfers triggered successfully`.
    message: String,
    transfers: Vec<TransferDto>,
}

/// Every payout of the order is already made.
#[derive(serde::Serialize, ToSchema)]
struct TransfersExist {
    /// `Transfers already exist for this order`.
    warning: String,
    transfers: Vec<TransferDto>,
}

/// What `trigger-transfers` answers.
#[derive(serde::Serialize, ToSchema)]
#[serde(untagged)]
enum TriggerTransfersDto {
    Queued(TransfersQueued),
    AlreadyPaid(TransfersExist),
}

impl From<&Requeued> for TriggerTransfersDto {
    fn from(done: &Requeued) -> Self {
        match done {
            Requeued::Queued(list) => Self::Queued(TransfersQueued {
                message: "Transfers triggered successfully".to_owned(),
                transfers: list.iter().map(TransferDto::from).collect(),
            }),
            Requeued::AlreadyPaid(list) => Self::AlreadyPaid(TransfersExist {
                warning: "Transfers already exist for this order".to_owned(),
                transfers: list.iter().map(TransferDto::from).collect(),
            }),
        }
    }
}

/// `2026-11-25T02:52:52.281707Z`: these function views render raw UTC datetimes.
fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Paid orders with a seller payout not yet made (admins).
#[utoipa::path(get, path = "/api/admin/orders-needing-transfers/", tag = "admin",
    responses((status = 200, body = AwaitingOrdersDto), (status = 403, description = "Not an admin")))]
pub async fn orders_needing_transfers(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let orders = state.payouts.awaiting(&auth.user).await?;
    Ok(HttpResponse::Ok().json(AwaitingOrdersDto {
        count: i64::try_from(orders.len()).unwrap_or(i64::MAX),
        orders: orders.iter().map(AwaitingOrderDto::from).collect(),
    }))
}

/// Queues an order's missing, pending or failed payouts again (admins); safe to repeat.
#[utoipa::path(post, path = "/api/admin/trigger-transfers/", tag = "admin", request_body = TriggerTransfersBody,
    responses((status = 200, body = TriggerTransfersDto, description = "Queued, or already paid"), (status = 400, description = "No order id, or not paid"),
              (status = 403, description = "Not an admin"), (status = 404, description = "No such order or payment")))]
pub async fn trigger_transfers(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let order = TriggerTransfersBody::parse(&body).map(|b| OrderId(b.order_id));
    let done = crate::console::audit::audited(
        &state,
        &auth.user,
        madeinpk_domain::console::entity::Entity::Orders,
        order.map(OrderId::get),
        "trigger_transfers",
        state.payouts.trigger(&auth.user, order),
    )
    .await?;
    Ok(HttpResponse::Ok().json(TriggerTransfersDto::from(&done)))
}
