//! `admin/dashboard/`: the admin dashboard's figures. Admins only.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::routes::resource;
use crate::state::AppState;
use madeinpk_domain::account::user::rating_text;
use madeinpk_domain::money::Money;
use madeinpk_domain::reporting::dashboard::Dashboard;
use serde::Serialize;
use utoipa::ToSchema;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/admin/dashboard/", "GET, HEAD").route(web::get().to(dashboard)));
}

/// Money as the admin tools render it: a decimal string with 2 places.
type MoneyText = String;

fn money(m: Money) -> MoneyText {
    m.to_decimal_string()
}

/// `{status, count}`.
#[derive(Serialize, ToSchema)]
struct StatusCount {
    status: String,
    count: i64,
}

/// `{order_type, count}`.
#[derive(Serialize, ToSchema)]
struct OrderTypeCount {
    order_type: String,
    count: i64,
}

/// `{condition, count}`.
#[derive(Serialize, ToSchema)]
struct ConditionCount {
    condition: String,
    count: i64,
}

/// `{name, product_count}`.
#[derive(Serialize, ToSchema)]
struct CategoryCount {
    name: String,
    product_count: i64,
}

/// One day of revenue.
#[derive(Serialize, ToSchema)]
struct RevenueDay {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    date: String,
    revenue: MoneyText,
}

/// One day of orders.
#[derive(Serialize, ToSchema)]
struct OrdersDay {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    date: String,
    orders: i64,
}

/// `{seller_rating, platform_rating}`.
#[derive(Serialize, ToSchema)]
struct RatingComparison {
    seller_rating: f64,
    platform_rating: f64,
}

/// A dashboard alert.
#[derive(Serialize, ToSchema)]
struct Alert {
    /// `warning`, `danger` or `info`.
    r#type: &'static str,
    message: String,
}

/// One month of registrations.
#[derive(Serialize, ToSchema)]
struct RegistrationMonth {
    /// `Mon YYYY`.
    month: String,
    users: i64,
}

/// A best-selling product.
#[derive(Serialize, ToSchema)]
struct BestSellingRow {
    id: i64,
    name: String,
    total_sold: i64,
    #[serde(rename = "seller__username")]
    #[schema(rename = "seller__username")]
    seller_username: String,
}

/// A top seller by revenue.
#[derive(Serialize, ToSchema)]
struct TopSellerRow {
    id: i64,
    username: String,
    email: String,
    total_revenue: MoneyText,
}

/// A top-rated seller.
#[derive(Serialize, ToSchema)]
struct TopRatedRow {
    #[serde(rename = "user__username")]
    #[schema(rename = "user__username")]
    user_username: String,
    brand_name: String,
    /// `"4.50"`.
    average_rating: String,
    total_feedbacks: i32,
}

/// A recent order.
#[derive(Serialize, ToSchema)]
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

/// The admin dashboard's figures, in the contract's key order.
#[derive(Serialize, ToSchema)]
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

impl From<&Dashboard> for DashboardDto {
    fn from(d: &Dashboard) -> Self {
        Self {
            total_users: d.total_users,
            total_buyers: d.total_buyers,
            total_sellers: d.total_sellers,
            new_users_this_month: d.new_users_this_month,
            blocked_users: d.blocked_users,
            total_products: d.total_products,
            active_auction_listings: d.active_auction_listings,
            active_fixed_price_listings: d.active_fixed_price_listings,
            total_active_listings: d.active_auction_listings + d.active_fixed_price_listings,
            products_this_month: d.products_this_month,
            total_orders: d.total_orders,
            pending_orders: d.pending_orders,
            completed_orders: d.completed_orders,
            orders_this_month: d.orders_this_month,
            total_revenue: money(d.total_revenue),
            platform_fees: money(d.platform_fees),
            revenue_this_month: money(d.revenue_this_month),
            avg_order_value: money(d.avg_order_value),
            verified_sellers: d.verified_sellers,
            total_seller_profiles: d.total_seller_profiles,
            avg_seller_rating: d.avg_seller_rating(),
            avg_platform_rating: d.avg_platform_rating(),
            total_feedbacks: d.total_feedbacks,
            total_transfers: d.total_transfers,
            total_transferred_amount: money(d.total_transferred_amount),
            pending_transfers: d.pending_transfers,
            failed_transfers: d.failed_transfers,
            orders_by_status: (d.orders_by_status.iter())
                .map(|(status, count)| StatusCount {
                    status: status.clone(),
                    count: *count,
                })
                .collect(),
            order_type_distribution: (d.order_type_distribution.iter())
                .map(|(kind, count)| OrderTypeCount {
                    order_type: kind.clone(),
                    count: *count,
                })
                .collect(),
            condition_distribution: (d.condition_distribution.iter())
                .map(|(condition, count)| ConditionCount {
                    condition: condition.clone(),
                    count: *count,
                })
                .collect(),
            top_categories: (d.top_categories.iter())
                .map(|(name, n)| CategoryCount {
                    name: name.clone(),
                    product_count: *n,
                })
                .collect(),
            revenue_trend: (d.revenue_trend.iter())
                .map(|(day, m)| RevenueDay {
                    date: day.to_string(),
                    revenue: money(*m),
                })
                .collect(),
            orders_trend: (d.orders_trend.iter())
                .map(|(day, n)| OrdersDay {
                    date: day.to_string(),
                    orders: *n,
                })
                .collect(),
            rating_comparison: RatingComparison {
                seller_rating: d.avg_seller_rating(),
                platform_rating: d.avg_platform_rating(),
            },
            alerts: (d.alerts().into_iter())
                .map(|(kind, message)| Alert {
                    r#type: kind,
                    message,
                })
                .collect(),
            user_registration_trend: (d.registrations.iter())
                .map(|(month, n)| RegistrationMonth {
                    month: month.clone(),
                    users: *n,
                })
                .collect(),
            best_selling_products: (d.best_selling.iter())
                .map(|b| BestSellingRow {
                    id: b.id,
                    name: b.name.clone(),
                    total_sold: b.total_sold,
                    seller_username: b.seller_username.clone(),
                })
                .collect(),
            top_sellers: (d.top_sellers.iter())
                .map(|s| TopSellerRow {
                    id: s.id,
                    username: s.username.clone(),
                    email: s.email.clone(),
                    total_revenue: money(s.total_revenue),
                })
                .collect(),
            top_rated_sellers: (d.top_rated.iter())
                .map(|r| TopRatedRow {
                    user_username: r.username.clone(),
                    brand_name: r.brand_name.clone(),
                    average_rating: rating_text(r.average_rating_centi),
                    total_feedbacks: r.total_feedbacks,
                })
                .collect(),
            recent_orders: (d.recent_orders.iter())
                .map(|o| RecentOrderRow {
                    order_number: o.number.clone(),
                    buyer: o.buyer.clone(),
                    seller: o.seller.clone().unwrap_or_else(|| "-".into()),
                    order_type: o.order_type.clone(),
                    total: format!("Rs {}", money(o.total)),
                    status: o.status.clone(),
                    created_at: crate::time::render(o.created_at),
                })
                .collect(),
        }
    }
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
    Ok(HttpResponse::Ok().json(DashboardDto::from(&d)))
}
