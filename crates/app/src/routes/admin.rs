//! `admin/`: operator tools the old Django admin pages provided. Admins only.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::ids::JobId;
use madeinpk_domain::job::model::JobStatus;

use super::resource;
use crate::auth::{ActiveUser, CurrentUser};
use crate::dto::{JobDto, MessageDto, Page, PageParams};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::state::AppState;
use utoipa::ToSchema;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/admin/jobs/", "GET, HEAD").route(web::get().to(jobs)))
        .service(resource("/admin/jobs/{id}/retry/", "POST").route(web::post().to(retry)))
        .service(
            resource("/admin/orders-needing-transfers/", "GET, HEAD")
                .route(web::get().to(orders_needing_transfers)),
        )
        .service(
            resource("/admin/trigger-transfers/", "POST").route(web::post().to(trigger_transfers)),
        )
        .service(resource("/admin/users/{id}/block/", "POST").route(web::post().to(block)))
        .service(resource("/admin/users/{id}/unblock/", "POST").route(web::post().to(unblock)))
        .service(
            resource("/admin/users/{id}/reset_violations/", "POST")
                .route(web::post().to(reset_violations)),
        )
        .service(
            resource("/admin/payment-violations/", "GET, HEAD").route(web::get().to(violations)),
        )
        .service(resource("/admin/dashboard/", "GET, HEAD").route(web::get().to(dashboard)));
}

/// Money in the dashboard and the payout tools: a decimal string with 2 places.
type MoneyText = String;

/// `{status, count}` (documentation of the dashboard's JSON).
#[derive(ToSchema)]
#[allow(dead_code)]
struct StatusCount {
    status: String,
    count: i64,
}

/// `{order_type, count}`.
#[derive(ToSchema)]
#[allow(dead_code)]
struct OrderTypeCount {
    order_type: String,
    count: i64,
}

/// `{condition, count}`.
#[derive(ToSchema)]
#[allow(dead_code)]
struct ConditionCount {
    condition: String,
    count: i64,
}

/// `{name, product_count}`.
#[derive(ToSchema)]
#[allow(dead_code)]
struct CategoryCount {
    name: String,
    product_count: i64,
}

/// One day of revenue.
#[derive(ToSchema)]
#[allow(dead_code)]
struct RevenueDay {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    date: String,
    revenue: MoneyText,
}

/// One day of orders.
#[derive(ToSchema)]
#[allow(dead_code)]
struct OrdersDay {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    date: String,
    orders: i64,
}

/// `{seller_rating, platform_rating}`.
#[derive(ToSchema)]
#[allow(dead_code)]
struct RatingComparison {
    seller_rating: f64,
    platform_rating: f64,
}

/// A dashboard alert.
#[derive(ToSchema)]
#[allow(dead_code)]
struct Alert {
    /// `warning`, `danger` or `info`.
    r#type: String,
    message: String,
}

/// One month of registrations.
#[derive(ToSchema)]
#[allow(dead_code)]
struct RegistrationMonth {
    /// `Mon YYYY`.
    month: String,
    users: i64,
}

/// A best-selling product.
#[derive(ToSchema)]
#[allow(dead_code)]
struct BestSellingRow {
    id: i64,
    name: String,
    total_sold: i64,
    #[schema(rename = "seller__username")]
    seller_username: String,
}

/// A top seller by revenue.
#[derive(ToSchema)]
#[allow(dead_code)]
struct TopSellerRow {
    id: i64,
    username: String,
    email: String,
    total_revenue: MoneyText,
}

/// A top-rated seller.
#[derive(ToSchema)]
#[allow(dead_code)]
struct TopRatedRow {
    #[schema(rename = "user__username")]
    user_username: String,
    brand_name: String,
    /// `"4.50"`.
    average_rating: String,
    total_feedbacks: i32,
}

/// A recent order.
#[derive(ToSchema)]
#[allow(dead_code)]
struct RecentOrderRow {
    order_number: String,
    /// The buyer's username.
    buyer: String,
    /// The seller's username, or `-` for cart orders.
    seller: String,
    order_type: String,
    /// `Rs 1500.00`.
    total: String,
    status: String,
    created_at: String,
}

/// The admin dashboard's figures (documentation of the handler's JSON).
#[derive(ToSchema)]
#[allow(dead_code)]
struct DashboardDto {
    total_users: i64,
    total_buyers: i64,
    total_sellers: i64,
    new_users_this_month: i64,
    blocked_users: i64,
    total_products: i64,
    active_auction_listings: i64,
    active_fixed_price_listings: i64,
    total_active_listings: i64,
    products_this_month: i64,
    total_orders: i64,
    pending_orders: i64,
    completed_orders: i64,
    orders_this_month: i64,
    total_revenue: MoneyText,
    platform_fees: MoneyText,
    revenue_this_month: MoneyText,
    avg_order_value: MoneyText,
    verified_sellers: i64,
    total_seller_profiles: i64,
    avg_seller_rating: f64,
    avg_platform_rating: f64,
    total_feedbacks: i64,
    total_transfers: i64,
    total_transferred_amount: MoneyText,
    pending_transfers: i64,
    failed_transfers: i64,
    orders_by_status: Vec<StatusCount>,
    order_type_distribution: Vec<OrderTypeCount>,
    condition_distribution: Vec<ConditionCount>,
    top_categories: Vec<CategoryCount>,
    /// The last 30 days.
    revenue_trend: Vec<RevenueDay>,
    /// The last 30 days.
    orders_trend: Vec<OrdersDay>,
    rating_comparison: RatingComparison,
    alerts: Vec<Alert>,
    /// The last 12 months.
    user_registration_trend: Vec<RegistrationMonth>,
    best_selling_products: Vec<BestSellingRow>,
    top_sellers: Vec<TopSellerRow>,
    top_rated_sellers: Vec<TopRatedRow>,
    recent_orders: Vec<RecentOrderRow>,
}

/// An account after a moderation step (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
struct ModeratedDto {
    id: i64,
    username: String,
    is_blocked: bool,
    failed_payment_count: i32,
}

/// `POST admin/users/{id}/block/` (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
struct BlockBody {
    /// Given in the email to the user; `""` by default.
    #[schema(nullable = false)]
    reason: Option<String>,
}

/// A payment violation (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
struct ViolationDto {
    id: i64,
    user: i64,
    user_username: String,
    auction: Option<i64>,
    order: i64,
    order_number: String,
    violation_date: String,
    #[schema(required = true)]
    payment_deadline: Option<String>,
    notes: String,
}

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

fn counted(list: &[(String, i64)], key: &str) -> Vec<serde_json::Value> {
    list.iter()
        .map(|(name, n)| serde_json::json!({ key: name, "count": n }))
        .collect()
}

/// The dashboard's figures (community §12 as JSON): users, products, orders, revenue and
/// commission (less refunds), sellers, ratings, payouts, distributions, 30-day trends, alerts.
#[utoipa::path(get, path = "/api/admin/dashboard/", tag = "admin",
    responses((status = 200, body = DashboardDto), (status = 403, description = "Not an admin")))]
pub async fn dashboard(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let d = state.dashboard.figures(&auth.user).await?;
    let money = |m: madeinpk_domain::money::Money| m.to_decimal_string();
    let mut body = serde_json::json!({
        "total_users": d.total_users,
        "total_buyers": d.total_buyers,
        "total_sellers": d.total_sellers,
        "new_users_this_month": d.new_users_this_month,
        "blocked_users": d.blocked_users,
        "total_products": d.total_products,
        "active_auction_listings": d.active_auction_listings,
        "active_fixed_price_listings": d.active_fixed_price_listings,
        "total_active_listings": d.active_auction_listings + d.active_fixed_price_listings,
        "products_this_month": d.products_this_month,
        "total_orders": d.total_orders,
        "pending_orders": d.pending_orders,
        "completed_orders": d.completed_orders,
        "orders_this_month": d.orders_this_month,
        "total_revenue": money(d.total_revenue),
        "platform_fees": money(d.platform_fees),
        "revenue_this_month": money(d.revenue_this_month),
        "avg_order_value": money(d.avg_order_value),
        "verified_sellers": d.verified_sellers,
        "total_seller_profiles": d.total_seller_profiles,
        "avg_seller_rating": d.avg_seller_rating(),
        "avg_platform_rating": d.avg_platform_rating(),
        "total_feedbacks": d.total_feedbacks,
        "total_transfers": d.total_transfers,
        "total_transferred_amount": money(d.total_transferred_amount),
        "pending_transfers": d.pending_transfers,
        "failed_transfers": d.failed_transfers,
        "orders_by_status": counted(&d.orders_by_status, "status"),
        "order_type_distribution": counted(&d.order_type_distribution, "order_type"),
        "condition_distribution": counted(&d.condition_distribution, "condition"),
        "top_categories": d.top_categories.iter()
            .map(|(name, n)| serde_json::json!({"name": name, "product_count": n}))
            .collect::<Vec<_>>(),
        "revenue_trend": d.revenue_trend.iter()
            .map(|(day, m)| serde_json::json!({"date": day.to_string(), "revenue": money(*m)}))
            .collect::<Vec<_>>(),
        "orders_trend": d.orders_trend.iter()
            .map(|(day, n)| serde_json::json!({"date": day.to_string(), "orders": n}))
            .collect::<Vec<_>>(),
        "rating_comparison": {
            "seller_rating": d.avg_seller_rating(),
            "platform_rating": d.avg_platform_rating(),
        },
        "alerts": d.alerts().iter()
            .map(|(kind, message)| serde_json::json!({"type": kind, "message": message}))
            .collect::<Vec<_>>(),
    });
    tables(&mut body, &d);
    Ok(HttpResponse::Ok().json(body))
}

/// The dashboard's tables and the registration trend.
fn tables(body: &mut serde_json::Value, d: &madeinpk_domain::reporting::dashboard::Dashboard) {
    let money = |m: madeinpk_domain::money::Money| m.to_decimal_string();
    body["user_registration_trend"] = d
        .registrations
        .iter()
        .map(|(month, n)| serde_json::json!({"month": month, "users": n}))
        .collect();
    body["best_selling_products"] = d
        .best_selling
        .iter()
        .map(|b| {
            serde_json::json!({"id": b.id, "name": b.name, "total_sold": b.total_sold,
                "seller__username": b.seller_username})
        })
        .collect();
    body["top_sellers"] = d
        .top_sellers
        .iter()
        .map(|s| {
            serde_json::json!({"id": s.id, "username": s.username, "email": s.email,
                "total_revenue": money(s.total_revenue)})
        })
        .collect();
    body["top_rated_sellers"] = d
        .top_rated
        .iter()
        .map(|r| {
            serde_json::json!({"user__username": r.username, "brand_name": r.brand_name,
                "average_rating": madeinpk_domain::account::user::rating_text(r.average_rating_centi),
                "total_feedbacks": r.total_feedbacks})
        })
        .collect();
    body["recent_orders"] = d
        .recent_orders
        .iter()
        .map(|o| {
            serde_json::json!({"order_number": o.number, "buyer": o.buyer,
                "seller": o.seller.clone().unwrap_or_else(|| "-".into()),
                "order_type": o.order_type, "total": format!("Rs {}", money(o.total)),
                "status": o.status, "created_at": crate::time::render(o.created_at)})
        })
        .collect();
}

fn moderated_json(m: &madeinpk_domain::account::moderation::Moderated) -> serde_json::Value {
    serde_json::json!({
        "id": m.user.get(),
        "username": m.username,
        "is_blocked": m.is_blocked,
        "failed_payment_count": m.failed_payment_count,
    })
}

async fn moderate(
    state: &AppState,
    admin: &madeinpk_domain::account::user::User,
    id: &str,
    step: madeinpk_domain::account::moderation::Moderation,
) -> Result<HttpResponse, ApiError> {
    let user = madeinpk_domain::ids::UserId(path_id(id)?);
    let m = state.moderation.apply(admin, user, step).await?;
    Ok(HttpResponse::Ok().json(moderated_json(&m)))
}

/// Blocks an account (`reason` optional, given in the email): it can still read, but not
/// buy, bid, sell or message. Admin accounts cannot be blocked.
#[utoipa::path(post, path = "/api/admin/users/{id}/block/", tag = "admin", request_body = Option<BlockBody>,
    responses((status = 200, body = ModeratedDto), (status = 400, description = "An admin account"), (status = 403, description = "Not an admin"), (status = 404, description = "No such user")))]
pub async fn block(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
    body: crate::body::Body,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.read();
    let reason = f.text_or_empty("reason");
    f.finish()?;
    moderate(
        &state,
        &auth.user,
        &id,
        madeinpk_domain::account::moderation::Moderation::Block { reason },
    )
    .await
}

/// Unblocks an account.
#[utoipa::path(post, path = "/api/admin/users/{id}/unblock/", tag = "admin",
    responses((status = 200, body = ModeratedDto), (status = 403, description = "Not an admin"), (status = 404, description = "No such user")))]
pub async fn unblock(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    moderate(
        &state,
        &auth.user,
        &id,
        madeinpk_domain::account::moderation::Moderation::Unblock,
    )
    .await
}

/// Sets an account's unpaid-auction count back to 0 (violations stay on record).
#[utoipa::path(post, path = "/api/admin/users/{id}/reset_violations/", tag = "admin",
    responses((status = 200, body = ModeratedDto), (status = 403, description = "Not an admin"), (status = 404, description = "No such user")))]
pub async fn reset_violations(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    moderate(
        &state,
        &auth.user,
        &id,
        madeinpk_domain::account::moderation::Moderation::ResetViolations,
    )
    .await
}

/// Payment violations, newest first (`?user=` for one user's).
#[utoipa::path(get, path = "/api/admin/payment-violations/", tag = "admin",
    params(PageParams, ("user" = Option<i64>, Query, description = "Only this user's")),
    responses((status = 200, body = Page<ViolationDto>), (status = 404, description = "Invalid page"), (status = 400, description = "Bad filter"), (status = 403, description = "Not an admin")))]
pub async fn violations(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let user = q.int_filter("user")?.map(madeinpk_domain::ids::UserId);
    let page = paginate(&req, &q, |p| {
        let (state, admin) = (state.clone(), auth.user.clone());
        async move {
            Ok(state
                .moderation
                .violations(&admin, user, p)
                .await?
                .map(|v| {
                    serde_json::json!({
                        "id": v.id,
                        "user": v.user.get(),
                        "user_username": v.username,
                        "auction": v.auction.map(madeinpk_domain::ids::AuctionId::get),
                        "order": v.order.get(),
                        "order_number": v.order_number,
                        "violation_date": crate::time::render(v.violation_date),
                        "payment_deadline": crate::time::render_opt(v.payment_deadline),
                        "notes": v.notes,
                    })
                }))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
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

/// A job status filter.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum JobStatusParam {
    Queued,
    Running,
    Done,
    Dead,
}

/// Jobs by status (`?status=queued|running|done|dead`, dead by default), newest first.
#[utoipa::path(get, path = "/api/admin/jobs/", tag = "admin",
    params(("status" = inline(Option<JobStatusParam>), Query, description = "queued, running, done or dead (default)"), PageParams),
    responses((status = 200, body = Page<JobDto>), (status = 400, description = "Unknown status"), (status = 404, description = "Invalid page"), (status = 403, description = "Not an admin")))]
pub async fn jobs(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let status = q
        .choice("status", JobStatus::parse)?
        .unwrap_or(JobStatus::Dead);
    let page = paginate(&req, &q, |p| {
        let state = state.clone();
        let user = auth.user.clone();
        async move {
            Ok(state
                .operations
                .jobs(&user, status, p)
                .await?
                .map(JobDto::from))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Queues a dead job again with fresh attempts (after the cause was fixed).
#[utoipa::path(post, path = "/api/admin/jobs/{id}/retry/", tag = "admin",
    responses((status = 200, body = MessageDto), (status = 403, description = "Not an admin"), (status = 404, description = "No such job"),
              (status = 409, description = "The job is not dead")))]
pub async fn retry(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .operations
        .retry(&auth.user, JobId(path_id(&id)?))
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Job queued again",
    }))
}
