//! `admin/orders-needing-transfers/`, `admin/trigger-transfers/`: admins' tools for seller payouts.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
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

/// A seller payout record (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
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

/// A seller of an order awaiting payout.
#[derive(ToSchema)]
#[allow(dead_code)]
struct AwaitingSellerDto {
    id: i64,
    username: String,
    /// The seller's payout account is ready.
    has_stripe: bool,
}

/// A paid order with a payout not yet made (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
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

/// `{count, orders}` (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
struct AwaitingOrdersDto {
    count: i64,
    orders: Vec<AwaitingOrderDto>,
}

/// `POST admin/trigger-transfers/` (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
struct TriggerTransfersBody {
    /// The paid order whose payouts to queue again.
    order_id: i64,
}

/// Payouts queued again.
#[derive(ToSchema)]
#[allow(dead_code)]
struct TransfersQueued {
    /// `Transfers triggered successfully`.
    message: String,
    transfers: Vec<TransferDto>,
}

/// Every payout of the order is already made.
#[derive(ToSchema)]
#[allow(dead_code)]
struct TransfersExist {
    /// `Transfers already exist for this order`.
    warning: String,
    transfers: Vec<TransferDto>,
}

/// What `trigger-transfers` answers (documentation).
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum TriggerTransfersDto {
    Queued(TransfersQueued),
    AlreadyPaid(TransfersExist),
}

/// `2026-11-25T02:52:52.281707Z`: these function views render raw UTC datetimes.
fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn transfer_json(t: &madeinpk_domain::order::payment::TransferView) -> serde_json::Value {
    serde_json::json!({
        "id": t.id.get(),
        "seller": t.seller.get(),
        "seller_username": t.seller_username,
        "amount": t.amount.to_string(),
        "platform_fee": t.platform_fee.to_string(),
        "stripe_transfer_id": t.provider_id,
        "status": t.status.as_str(),
        "created_at": crate::time::render(t.created_at),
        "completed_at": crate::time::render_opt(t.completed_at),
    })
}

/// Paid orders with a seller payout not yet made (admins).
#[utoipa::path(get, path = "/api/admin/orders-needing-transfers/", tag = "admin",
    responses((status = 200, body = AwaitingOrdersDto), (status = 403, description = "Not an admin")))]
pub async fn orders_needing_transfers(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let orders = state.payouts.awaiting(&auth.user).await?;
    let list: Vec<serde_json::Value> = orders
        .iter()
        .map(|o| {
            serde_json::json!({
                "order_id": o.order_id.get(),
                "order_number": o.order_number,
                "order_type": o.order_type.as_str(),
                "status": o.status.as_str(),
                "total_amount": o.total.to_string(),
                "created_at": utc(o.created_at),
                "paid_at": o.paid_at.map(utc),
                "sellers": o.sellers.iter().map(|(id, name, ready)| serde_json::json!({
                    "id": id.get(), "username": name, "has_stripe": ready,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "count": list.len(), "orders": list })))
}

/// Queues an order's missing, pending or failed payouts again (admins); safe to repeat.
#[utoipa::path(post, path = "/api/admin/trigger-transfers/", tag = "admin", request_body = TriggerTransfersBody,
    responses((status = 200, body = TriggerTransfersDto, description = "Queued, or already paid"), (status = 400, description = "No order id, or not paid"),
              (status = 403, description = "Not an admin"), (status = 404, description = "No such order or payment")))]
pub async fn trigger_transfers(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    body: crate::body::Body,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.read();
    let order = f.int("order_id", crate::body::Need::Optional);
    // The contract answers a missing or bad id with one {"error"} text, after the admin check.
    let order = if f.finish().is_ok() { order } else { None };
    let done = state
        .payouts
        .trigger(&auth.user, order.map(madeinpk_domain::ids::OrderId))
        .await?;
    Ok(HttpResponse::Ok().json(match done {
        madeinpk_domain::order::payout_service::Requeued::Queued(list) => serde_json::json!({
            "message": "Transfers triggered successfully",
            "transfers": list.iter().map(transfer_json).collect::<Vec<_>>(),
        }),
        madeinpk_domain::order::payout_service::Requeued::AlreadyPaid(list) => serde_json::json!({
            "warning": "Transfers already exist for this order",
            "transfers": list.iter().map(transfer_json).collect::<Vec<_>>(),
        }),
    }))
}
