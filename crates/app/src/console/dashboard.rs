//! The dashboard at `/admin/`: figures, charts, tables and alerts over `?range=7|30|90|365`,
//! the charts as SVG (`/admin/charts/<name>.svg`) and everything as CSV.

use std::fmt::Write as _;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use madeinpk_domain::reporting::dashboard::{Dashboard, Range};
use minijinja::context;
use serde_json::{Value, json};

use crate::console::cells::{grouped, humanised, local_time};
use crate::console::charts::{Series, Shape, svg};
use crate::console::lists::{flash, query_pairs};
use crate::console::page::{self, Crumb, render};
use crate::console::session::{Operator, field};
use crate::state::AppState;

fn range_of(req: &HttpRequest) -> Range {
    field(&query_pairs(req), "range")
        .parse::<i64>()
        .ok()
        .and_then(Range::of_days)
        .unwrap_or_default()
}

fn rupees(m: madeinpk_domain::money::Money) -> String {
    format!("Rs {}", grouped(&m.to_decimal_string()))
}

/// Money as a chart value (drawing only; sums stay exact elsewhere).
#[allow(clippy::cast_precision_loss)]
fn plotted(m: madeinpk_domain::money::Money) -> f64 {
    m.minor() as f64 / 100.0
}

#[allow(clippy::cast_precision_loss)]
fn count(n: i64) -> f64 {
    n as f64
}

/// The charts: `(name, title, shape, decimals, points)`.
/// One chart: `(name, title, shape, decimals, points)`.
type Chart = (&'static str, &'static str, Shape, usize, Vec<(String, f64)>);

fn charts(d: &Dashboard) -> Vec<Chart> {
    let pairs = |v: &[(String, i64)]| -> Vec<(String, f64)> {
        v.iter().map(|(l, n)| (humanised(l), count(*n))).collect()
    };
    vec![
        (
            "revenue",
            "Revenue per day (Rs)",
            Shape::Line,
            0,
            d.revenue_trend
                .iter()
                .map(|(day, m)| (day.format("%d %b").to_string(), plotted(*m)))
                .collect(),
        ),
        (
            "orders",
            "Orders per day",
            Shape::Line,
            0,
            d.orders_trend
                .iter()
                .map(|(day, n)| (day.format("%d %b").to_string(), count(*n)))
                .collect(),
        ),
        (
            "status",
            "Orders by status",
            Shape::Bars,
            0,
            pairs(&d.orders_by_status),
        ),
        (
            "types",
            "Order types",
            Shape::Bars,
            0,
            pairs(&d.order_type_distribution),
        ),
        (
            "categories",
            "Top categories (products)",
            Shape::Bars,
            0,
            pairs(&d.top_categories),
        ),
        (
            "conditions",
            "Product condition",
            Shape::Bars,
            0,
            pairs(&d.condition_distribution),
        ),
        (
            "registrations",
            "Registrations per month",
            Shape::Bars,
            0,
            d.registrations
                .iter()
                .map(|(m, n)| (m.clone(), count(*n)))
                .collect(),
        ),
        (
            "ratings",
            "Average rating: seller vs platform",
            Shape::Bars,
            2,
            vec![
                ("Seller".into(), d.avg_seller_rating()),
                ("Platform".into(), d.avg_platform_rating()),
            ],
        ),
    ]
}

async fn figures(
    state: &AppState,
    operator: &Operator,
    range: Range,
) -> Result<Dashboard, HttpResponse> {
    state
        .dashboard
        .figures_over(&operator.user, range)
        .await
        .map_err(|e| page::failure(Some(operator), &e))
}

fn fig(label: &str, value: impl ToString) -> Value {
    json!({"label": label, "value": value.to_string()})
}

fn cards(d: &Dashboard) -> Vec<Value> {
    vec![
        json!({"title": "Users", "figures": [fig("Total", d.total_users), fig("Buyers", d.total_buyers), fig("Sellers", d.total_sellers), fig("New this month", d.new_users_this_month), fig("Blocked", d.blocked_users)]}),
        json!({"title": "Products", "figures": [fig("Total", d.total_products), fig("Active listings", d.active_auction_listings + d.active_fixed_price_listings), fig("Auctions", d.active_auction_listings), fig("Fixed price", d.active_fixed_price_listings), fig("New this month", d.products_this_month)]}),
        json!({"title": "Orders", "figures": [fig("Total", d.total_orders), fig("Pending payment", d.pending_orders), fig("Completed", d.completed_orders), fig("This month", d.orders_this_month)]}),
        json!({"title": "Money", "figures": [fig("Revenue", rupees(d.total_revenue)), fig("Platform fees", rupees(d.platform_fees)), fig("Revenue this month", rupees(d.revenue_this_month)), fig("Average order", rupees(d.avg_order_value))]}),
        json!({"title": "Sellers", "figures": [fig("Verified", format!("{} of {}", d.verified_sellers, d.total_seller_profiles))]}),
        json!({"title": "Ratings", "figures": [fig("Seller", format!("{:.2}", d.avg_seller_rating())), fig("Platform", format!("{:.2}", d.avg_platform_rating())), fig("Feedbacks", d.total_feedbacks)]}),
        json!({"title": "Transfers", "figures": [fig("Made", d.total_transfers), fig("Transferred", rupees(d.total_transferred_amount)), fig("Pending", d.pending_transfers), fig("Failed", d.failed_transfers)]}),
    ]
}

fn col(label: &str, align: &str) -> Value {
    json!({"label": label, "align": align})
}

fn td(text: impl ToString, align: &str, href: Option<String>) -> Value {
    json!({"text": text.to_string(), "align": align, "href": href})
}

fn tables(d: &Dashboard, tz: chrono_tz::Tz) -> Vec<Value> {
    vec![
        json!({"title": "Best-selling products", "headers": [col("Product", "left"), col("Seller", "left"), col("Units sold", "right")],
            "rows": d.best_selling.iter().map(|b| vec![td(&b.name, "left", Some(format!("/admin/products/{}/", b.id))), td(&b.seller_username, "left", None), td(b.total_sold, "right", None)]).collect::<Vec<_>>()}),
        json!({"title": "Top sellers by revenue", "headers": [col("Seller", "left"), col("Email", "left"), col("Revenue", "right")],
            "rows": d.top_sellers.iter().map(|s| vec![td(&s.username, "left", Some(format!("/admin/users/{}/", s.id))), td(&s.email, "left", None), td(rupees(s.total_revenue), "right", None)]).collect::<Vec<_>>()}),
        json!({"title": "Top-rated sellers (5 reviews or more)", "headers": [col("Seller", "left"), col("Brand", "left"), col("Rating", "right"), col("Feedbacks", "right")],
            "rows": d.top_rated.iter().map(|s| vec![td(&s.username, "left", None), td(&s.brand_name, "left", None), td(format!("{:.2}", f64::from(s.average_rating_centi) / 100.0), "right", None), td(s.total_feedbacks, "right", None)]).collect::<Vec<_>>()}),
        json!({"title": "Recent orders", "headers": [col("Number", "left"), col("Buyer", "left"), col("Type", "left"), col("Total", "right"), col("Status", "left"), col("Placed", "left")],
            "rows": d.recent_orders.iter().map(|o| vec![td(&o.number, "left", Some(format!("/admin/orders/?q={}", o.number))), td(&o.buyer, "left", None), td(humanised(&o.order_type), "left", None), td(rupees(o.total), "right", None), td(humanised(&o.status), "left", None), td(local_time(&o.created_at.to_rfc3339(), tz), "left", None)]).collect::<Vec<_>>()}),
    ]
}

fn alerts(d: &Dashboard) -> Vec<Value> {
    d.alerts()
        .into_iter()
        .map(|(level, text)| {
            let href = if text.contains("pending payment") {
                Some("/admin/orders/?status=pending_payment")
            } else if text.contains("blocked") {
                Some("/admin/users/?blocked=yes")
            } else if text.contains("awaiting shipment") {
                Some("/admin/orders/?status=paid")
            } else if text.contains("failed") {
                Some("/admin/transfers/?status=failed")
            } else if text.contains("transfers pending") {
                Some("/admin/transfers/?status=pending")
            } else {
                None
            };
            json!({"level": level, "text": text, "href": href})
        })
        .collect()
}

/// `GET /admin/`.
pub async fn page(
    req: HttpRequest,
    operator: Operator,
    state: web::Data<AppState>,
) -> HttpResponse {
    let range = range_of(&req);
    let d = match figures(&state, &operator, range).await {
        Ok(d) => d,
        Err(res) => return res,
    };
    let days = range.days();
    let charts: Vec<Value> = charts(&d)
        .into_iter()
        .map(|(name, title, shape, decimals, points)| {
            // Drawn here from the same figures as the page (one read for all of it), inlined
            // as a data URL; `/admin/charts/<name>.svg` serves each on its own too.
            let src = match svg(title, &Series { points: &points, shape, decimals }) {
                Ok(svg) => format!("data:image/svg+xml;base64,{}", BASE64.encode(svg)),
                Err(e) => {
                    tracing::error!(error = %e, chart = name, "chart could not be drawn");
                    format!("/admin/charts/{name}.svg?range={days}")
                }
            };
            json!({
                "key": name,
                "title": title,
                "src": src,
                "href": format!("/admin/charts/{name}.svg?range={days}"),
                "alt": format!("{title}: {}", points.iter().take(12).map(|(l, v)| format!("{l} {v:.decimals$}")).collect::<Vec<_>>().join(", ")),
                "table": {"headers": ["", "Value"], "rows": points.iter().map(|(l, v)| vec![l.clone(), format!("{v:.decimals$}")]).collect::<Vec<_>>()},
            })
        })
        .collect();
    let ranges: Vec<Value> = Range::CHOICES
        .iter()
        .map(|n| json!({"days": n, "label": format!("{n} days"), "href": format!("/admin/?range={n}"), "selected": *n == days}))
        .collect();
    render(
        "dashboard.html",
        Some(&operator),
        "dashboard",
        flash(&req),
        vec![Crumb {
            label: "Home".into(),
            href: None,
        }],
        context! {
            title => "Dashboard",
            range => days,
            ranges => ranges,
            cards => cards(&d),
            alerts => alerts(&d),
            charts => charts,
            tables => tables(&d, state.config.time_zone),
            csv_href => format!("/admin/dashboard.csv?range={days}"),
        },
    )
}

/// `GET /admin/charts/<name>.svg?range=`.
pub async fn chart(
    req: HttpRequest,
    operator: Operator,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> HttpResponse {
    let d = match figures(&state, &operator, range_of(&req)).await {
        Ok(d) => d,
        Err(res) => return res,
    };
    let Some((_, title, shape, decimals, points)) =
        charts(&d).into_iter().find(|(n, ..)| *n == name.as_str())
    else {
        return page::error_page(
            Some(&operator),
            StatusCode::NOT_FOUND,
            "There is no such chart.",
        );
    };
    match svg(
        title,
        &Series {
            points: &points,
            shape,
            decimals,
        },
    ) {
        Ok(body) => page::secured(
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
                .body(body),
        ),
        Err(e) => page::failure(Some(&operator), &e),
    }
}

/// `GET /admin/dashboard.csv?range=`: every chart's numbers and every table.
pub async fn csv(req: HttpRequest, operator: Operator, state: web::Data<AppState>) -> HttpResponse {
    let d = match figures(&state, &operator, range_of(&req)).await {
        Ok(d) => d,
        Err(res) => return res,
    };
    let mut out = String::from("section,label,value\r\n");
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    for card in cards(&d) {
        for f in card["figures"].as_array().into_iter().flatten() {
            let _ = write!(
                out,
                "{},{},{}\r\n",
                quote(card["title"].as_str().unwrap_or_default()),
                quote(f["label"].as_str().unwrap_or_default()),
                quote(f["value"].as_str().unwrap_or_default())
            );
        }
    }
    for (_, title, _, decimals, points) in charts(&d) {
        for (label, v) in points {
            let _ = write!(out, "{},{},{v:.decimals$}\r\n", quote(title), quote(&label));
        }
    }
    page::secured(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"dashboard.csv\"",
            ))
            .body(out),
    )
}
