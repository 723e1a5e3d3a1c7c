//! `seller/…`: a seller's statistics, earnings, payout history and product performance.

use actix_web::{HttpResponse, web};
use madeinpk_domain::money::Money;
use madeinpk_domain::order::payment::TransferStatus;
use madeinpk_domain::reporting::analytics::{
    Bucket, Earnings, PayoutRecord, ProductPerformance, Statistics,
};
use madeinpk_domain::validation::FieldErrors;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::query::QueryMap;
use crate::routes::resource;
use crate::state::AppState;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/seller/statistics/", "GET, HEAD").route(web::get().to(statistics)))
        .service(resource("/seller/earnings/", "GET, HEAD").route(web::get().to(earnings)))
        .service(resource("/seller/transactions/", "GET, HEAD").route(web::get().to(transactions)))
        .service(
            resource("/seller/product-performance/", "GET, HEAD")
                .route(web::get().to(product_performance)),
        );
}

/// A seller's sales figures; money as 2-place decimal strings.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct StatisticsDto {
    total_sales: i64,
    total_orders: i64,
    pending_orders: i64,
    total_revenue: String,
    current_month_earnings: String,
    total_products: i64,
    active_auctions: i64,
}

impl From<&Statistics> for StatisticsDto {
    fn from(s: &Statistics) -> Self {
        Self {
            total_sales: s.total_sales,
            total_orders: s.total_orders,
            pending_orders: s.pending_orders,
            total_revenue: s.total_revenue.to_string(),
            current_month_earnings: s.current_month_earnings.to_string(),
            total_products: s.total_products,
            active_auctions: s.active_auctions,
        }
    }
}

/// One bucket of earnings.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct MonthBucketDto {
    /// `Dec 2025`.
    month: String,
    amount: String,
    /// `amount` as a number, for charts.
    earnings: f64,
}

impl From<&Bucket> for MonthBucketDto {
    fn from(b: &Bucket) -> Self {
        Self {
            month: b.label.clone(),
            amount: b.amount.to_string(),
            earnings: float(b.amount),
        }
    }
}

/// One named bucket of earnings (week, quarter, year).
#[derive(serde::Serialize, utoipa::ToSchema)]
struct NamedBucketDto {
    name: String,
    amount: String,
    /// `amount` as a number, for charts.
    earnings: f64,
}

impl From<&Bucket> for NamedBucketDto {
    fn from(b: &Bucket) -> Self {
        Self {
            name: b.label.clone(),
            amount: b.amount.to_string(),
            earnings: float(b.amount),
        }
    }
}

/// A product by revenue.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ProductEarningsDto {
    id: i64,
    name: String,
    total_orders: i64,
    total_quantity_sold: i64,
    total_revenue: String,
    average_order_value: String,
}

impl From<&ProductPerformance> for ProductEarningsDto {
    fn from(p: &ProductPerformance) -> Self {
        Self {
            id: p.id.get(),
            name: p.name.clone(),
            total_orders: p.total_orders,
            total_quantity_sold: p.total_quantity_sold,
            total_revenue: p.total_revenue.to_string(),
            average_order_value: p.average_order_value.to_string(),
        }
    }
}

/// A seller's earnings.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct EarningsDto {
    current_month: String,
    last_month: String,
    total_earnings: String,
    pending_payouts: String,
    failed_payouts: String,
    earnings_by_month: Vec<MonthBucketDto>,
    earnings_by_week: Vec<NamedBucketDto>,
    earnings_by_quarter: Vec<NamedBucketDto>,
    earnings_by_year: Vec<NamedBucketDto>,
    product_performance: Vec<ProductEarningsDto>,
}

impl From<&Earnings> for EarningsDto {
    fn from(e: &Earnings) -> Self {
        Self {
            current_month: e.current_month.to_string(),
            last_month: e.last_month.to_string(),
            total_earnings: e.total.to_string(),
            pending_payouts: e.pending_payouts.to_string(),
            failed_payouts: e.failed_payouts.to_string(),
            earnings_by_month: e.by_month.iter().map(MonthBucketDto::from).collect(),
            earnings_by_week: e.by_week.iter().map(NamedBucketDto::from).collect(),
            earnings_by_quarter: e.by_quarter.iter().map(NamedBucketDto::from).collect(),
            earnings_by_year: e.by_year.iter().map(NamedBucketDto::from).collect(),
            product_performance: e.products.iter().map(ProductEarningsDto::from).collect(),
        }
    }
}

/// One payout.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct TransactionDto {
    /// The provider's transfer id, else `TXN-{order number}`.
    id: String,
    description: String,
    /// `Nov 25, 2025`.
    date: String,
    /// `+1,234.50`.
    amount: String,
    /// `Completed`, `Pending`, `Failed` or `Reversed`.
    status: String,
    status_color: String,
    order_id: i64,
    transfer_id: i64,
}

impl TransactionDto {
    /// The payout as the history shows it, its date in `zone`.
    fn new(p: &PayoutRecord, zone: chrono_tz::Tz) -> Self {
        let (status, color) = match p.status {
            TransferStatus::Succeeded => ("Completed", "bg-emerald-100 text-emerald-700"),
            TransferStatus::Pending | TransferStatus::Processing => {
                ("Pending", "bg-amber-100 text-amber-700")
            }
            TransferStatus::Failed => ("Failed", "bg-red-100 text-red-700"),
            TransferStatus::Reversed => ("Reversed", "bg-gray-100 text-gray-700"),
        };
        let what = match p.products.as_slice() {
            [] => "Product".to_owned(),
            [one] => one.clone(),
            many => format!("{} items", many.len()),
        };
        Self {
            id: if p.provider_id.is_empty() {
                format!("TXN-{}", p.order_number)
            } else {
                p.provider_id.clone()
            },
            description: format!("Order {} - {what}", p.order_number),
            date: p
                .completed_at
                .unwrap_or(p.created_at)
                .with_timezone(&zone)
                .format("%b %d, %Y")
                .to_string(),
            amount: signed_amount(p.amount),
            status: status.to_owned(),
            status_color: color.to_owned(),
            order_id: p.order.get(),
            transfer_id: p.id.get(),
        }
    }
}

/// `{transactions, total, limit, offset}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct TransactionsDto {
    transactions: Vec<TransactionDto>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// A best-selling product.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ProductSalesDto {
    id: i64,
    name: String,
    sales: i64,
    revenue: String,
}

impl From<&ProductPerformance> for ProductSalesDto {
    fn from(p: &ProductPerformance) -> Self {
        Self {
            id: p.id.get(),
            name: p.name.clone(),
            sales: p.total_orders,
            revenue: p.total_revenue.to_string(),
        }
    }
}

/// `{products}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ProductPerformanceDto {
    products: Vec<ProductSalesDto>,
}

/// Money as a float, for the charts (`earnings` beside the exact `amount` string).
#[allow(clippy::cast_precision_loss)] // display only; `amount` carries the exact value
fn float(m: Money) -> f64 {
    m.minor() as f64 / 100.0
}

/// A count or position as a JSON integer (they never exceed `i64::MAX`).
fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `+1,234.50`: signed, with thousands separators and two decimals.
fn signed_amount(m: Money) -> String {
    let text = m.to_string();
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let digits: Vec<char> = whole.trim_start_matches('-').chars().collect();
    let mut grouped = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(*c);
    }
    let sign = if m.is_negative() { '-' } else { '+' };
    format!("{sign}{grouped}.{cents}")
}

/// Sales counts and revenue (sellers only).
#[utoipa::path(get, path = "/api/seller/statistics/", tag = "seller",
    responses((status = 200, body = StatisticsDto), (status = 403, description = "Not a seller")))]
pub async fn statistics(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let s = state
        .analytics
        .statistics(&auth.user, &state.config.time_zone)
        .await?;
    Ok(HttpResponse::Ok().json(StatisticsDto::from(&s)))
}

/// Earnings by calendar month, week, quarter and year; payouts owed; products by revenue.
#[utoipa::path(get, path = "/api/seller/earnings/", tag = "seller",
    responses((status = 200, body = EarningsDto), (status = 403, description = "Not a seller")))]
pub async fn earnings(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let e = state
        .analytics
        .earnings(&auth.user, &state.config.time_zone)
        .await?;
    Ok(HttpResponse::Ok().json(EarningsDto::from(&e)))
}

fn paging(q: &QueryMap, name: &str, default: i64, max: i64) -> Result<usize, ApiError> {
    let value = match q.get(name).map(str::trim) {
        None | Some("") => default,
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| FieldErrors::single(name, "A valid integer is required."))?,
    };
    if value < 0 {
        return Err(
            FieldErrors::single(name, "Ensure this value is greater than or equal to 0.").into(),
        );
    }
    Ok(usize::try_from(value.min(max)).unwrap_or(0))
}

/// The seller's payouts, newest first (`limit`, default 50, at most 500; `offset`).
#[utoipa::path(get, path = "/api/seller/transactions/", tag = "seller",
    params(("limit" = Option<i64>, Query, minimum = 0, description = "50 by default, at most 500"), ("offset" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, body = TransactionsDto), (status = 400, description = "Bad paging"), (status = 403, description = "Not a seller")))]
pub async fn transactions(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let limit = paging(&q, "limit", 50, 500)?;
    let offset = paging(&q, "offset", 0, i64::MAX)?;
    let (page, total) = state
        .analytics
        .transactions(&auth.user, limit, offset)
        .await?;
    let zone = state.config.time_zone;
    Ok(HttpResponse::Ok().json(TransactionsDto {
        transactions: page.iter().map(|p| TransactionDto::new(p, zone)).collect(),
        total: int(total),
        limit: int(limit),
        offset: int(offset),
    }))
}

/// The ten best-selling products across every paid status.
#[utoipa::path(get, path = "/api/seller/product-performance/", tag = "seller",
    responses((status = 200, body = ProductPerformanceDto), (status = 403, description = "Not a seller")))]
pub async fn product_performance(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let products = state.analytics.product_performance(&auth.user).await?;
    Ok(HttpResponse::Ok().json(ProductPerformanceDto {
        products: products.iter().map(ProductSalesDto::from).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_signed_grouped_and_exact() {
        assert_eq!(signed_amount(Money::pkr(123_450)), "+1,234.50");
        assert_eq!(signed_amount(Money::pkr(98)), "+0.98");
        assert_eq!(signed_amount(Money::pkr(12_345_678_900)), "+123,456,789.00");
        assert_eq!(signed_amount(Money::pkr(-100_000)), "-1,000.00");
    }
}
