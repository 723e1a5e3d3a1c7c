//! `admin/`: operator tools the old Django admin pages provided. Admins only.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::ids::JobId;
use madeinpk_domain::job::JobStatus;

use super::resource;
use crate::auth::{ActiveUser, CurrentUser};
use crate::dto::{JobDto, MessageDto};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::state::AppState;

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

fn counted(list: &[(String, i64)], key: &str) -> Vec<serde_json::Value> {
    list.iter()
        .map(|(name, n)| serde_json::json!({ key: name, "count": n }))
        .collect()
}

/// The dashboard's figures (community §12 as JSON): users, products, orders, revenue and
/// commission (less refunds), sellers, ratings, payouts, distributions, 30-day trends, alerts.
#[utoipa::path(get, path = "/api/admin/dashboard/", tag = "admin",
    responses((status = 200, description = "Figures"), (status = 403, description = "Not an admin")))]
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
fn tables(body: &mut serde_json::Value, d: &madeinpk_domain::dashboard::Dashboard) {
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
                "average_rating": madeinpk_domain::user::rating_text(r.average_rating_centi),
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

fn moderated_json(m: &madeinpk_domain::moderation::Moderated) -> serde_json::Value {
    serde_json::json!({
        "id": m.user.get(),
        "username": m.username,
        "is_blocked": m.is_blocked,
        "failed_payment_count": m.failed_payment_count,
    })
}

async fn moderate(
    state: &AppState,
    admin: &madeinpk_domain::user::User,
    id: &str,
    step: madeinpk_domain::moderation::Moderation,
) -> Result<HttpResponse, ApiError> {
    let user = madeinpk_domain::ids::UserId(path_id(id)?);
    let m = state.moderation.apply(admin, user, step).await?;
    Ok(HttpResponse::Ok().json(moderated_json(&m)))
}

/// Blocks an account (`reason` optional, given in the email): it can still read, but not
/// buy, bid, sell or message. Admin accounts cannot be blocked.
#[utoipa::path(post, path = "/api/admin/users/{id}/block/", tag = "admin",
    responses((status = 200, description = "The account"), (status = 400, description = "An admin account"), (status = 403, description = "Not an admin"), (status = 404, description = "No such user")))]
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
        madeinpk_domain::moderation::Moderation::Block { reason },
    )
    .await
}

/// Unblocks an account.
#[utoipa::path(post, path = "/api/admin/users/{id}/unblock/", tag = "admin",
    responses((status = 200, description = "The account"), (status = 403, description = "Not an admin"), (status = 404, description = "No such user")))]
pub async fn unblock(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    moderate(
        &state,
        &auth.user,
        &id,
        madeinpk_domain::moderation::Moderation::Unblock,
    )
    .await
}

/// Sets an account's unpaid-auction count back to 0 (violations stay on record).
#[utoipa::path(post, path = "/api/admin/users/{id}/reset_violations/", tag = "admin",
    responses((status = 200, description = "The account"), (status = 403, description = "Not an admin"), (status = 404, description = "No such user")))]
pub async fn reset_violations(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    moderate(
        &state,
        &auth.user,
        &id,
        madeinpk_domain::moderation::Moderation::ResetViolations,
    )
    .await
}

/// Payment violations, newest first (`?user=` for one user's).
#[utoipa::path(get, path = "/api/admin/payment-violations/", tag = "admin",
    params(("page" = Option<u32>, Query), ("user" = Option<i64>, Query)),
    responses((status = 200, description = "Paginated violations"), (status = 400, description = "Bad filter"), (status = 403, description = "Not an admin")))]
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

fn transfer_json(t: &madeinpk_domain::payment::TransferView) -> serde_json::Value {
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
    responses((status = 200, description = "Orders"), (status = 403, description = "Not an admin")))]
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
#[utoipa::path(post, path = "/api/admin/trigger-transfers/", tag = "admin",
    responses((status = 200, description = "Queued, or already paid"), (status = 400, description = "No order id, or not paid"),
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
        madeinpk_domain::services::payouts::Requeued::Queued(list) => serde_json::json!({
            "message": "Transfers triggered successfully",
            "transfers": list.iter().map(transfer_json).collect::<Vec<_>>(),
        }),
        madeinpk_domain::services::payouts::Requeued::AlreadyPaid(list) => serde_json::json!({
            "warning": "Transfers already exist for this order",
            "transfers": list.iter().map(transfer_json).collect::<Vec<_>>(),
        }),
    }))
}

/// Jobs by status (`?status=queued|running|done|dead`, dead by default), newest first.
#[utoipa::path(get, path = "/api/admin/jobs/", tag = "admin",
    params(("status" = Option<String>, Query, description = "queued, running, done or dead (default)"), ("page" = Option<u32>, Query)),
    responses((status = 200, description = "Paginated jobs"), (status = 403, description = "Not an admin")))]
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
