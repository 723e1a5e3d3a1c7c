//! `admin/dashboard/`: the admin dashboard's figures. Admins only.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::routes::resource;
use crate::state::AppState;
use utoipa::ToSchema;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/admin/dashboard/", "GET, HEAD").route(web::get().to(dashboard)));
}

/// Money as the admin tools render it: a decimal string with 2 places.
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
