//! The admin dashboard's figures (community §12), computed from what the orders, payouts and
//! feedback record, and the alerts they raise.

use chrono::NaiveDate;

use crate::money::Money;

/// A product among the best sellers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BestSelling {
    /// The product.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Units sold and kept (refunded units do not count), every kind of order.
    pub total_sold: i64,
    /// Its seller.
    pub seller_username: String,
}

/// A seller among the top earners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopSeller {
    /// The seller.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Their share of what buyers paid and kept, cart orders included (community D23).
    pub total_revenue: Money,
}

/// A seller among the best rated (5 feedbacks or more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopRated {
    /// Username.
    pub username: String,
    /// Shop name.
    pub brand_name: String,
    /// Cached mean rating in hundredths.
    pub average_rating_centi: i32,
    /// Feedbacks.
    pub total_feedbacks: i32,
}

/// One of the latest orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentOrder {
    /// Number.
    pub number: String,
    /// Buyer's username.
    pub buyer: String,
    /// The seller of a single-seller order.
    pub seller: Option<String>,
    /// Kind.
    pub order_type: String,
    /// Total.
    pub total: Money,
    /// Status.
    pub status: String,
    /// Placed.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Everything the dashboard shows. "This month" is the last 30 days; revenue counts paid,
/// shipped and delivered orders (and refunded ones less what was refunded).
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// Users.
    pub total_users: i64,
    /// Buyers (`buyer` or `both`).
    pub total_buyers: i64,
    /// Sellers (`seller` or `both`).
    pub total_sellers: i64,
    /// Joined in the last 30 days.
    pub new_users_this_month: i64,
    /// Blocked now.
    pub blocked_users: i64,
    /// Products.
    pub total_products: i64,
    /// Active auctions.
    pub active_auction_listings: i64,
    /// Active fixed-price listings.
    pub active_fixed_price_listings: i64,
    /// Products added in the last 30 days.
    pub products_this_month: i64,
    /// Orders.
    pub total_orders: i64,
    /// Waiting for payment.
    pub pending_orders: i64,
    /// Shipped or delivered.
    pub completed_orders: i64,
    /// Placed in the last 30 days.
    pub orders_this_month: i64,
    /// Paid, not shipped yet.
    pub awaiting_shipment: i64,
    /// What buyers paid and kept.
    pub total_revenue: Money,
    /// The commission earned (less what refunds gave back).
    pub platform_fees: Money,
    /// Revenue of orders paid in the last 30 days.
    pub revenue_this_month: Money,
    /// Mean paid order total, half up to the paisa.
    pub avg_order_value: Money,
    /// Verified seller profiles.
    pub verified_sellers: i64,
    /// Seller profiles.
    pub total_seller_profiles: i64,
    /// Feedbacks.
    pub total_feedbacks: i64,
    /// Σ seller ratings.
    pub seller_rating_sum: i64,
    /// Σ platform ratings.
    pub platform_rating_sum: i64,
    /// Payouts made.
    pub total_transfers: i64,
    /// What they paid sellers.
    pub total_transferred_amount: Money,
    /// Payouts waiting (pending or being sent).
    pub pending_transfers: i64,
    /// Payouts failed.
    pub failed_transfers: i64,
    /// `(status, count)`, most first.
    pub orders_by_status: Vec<(String, i64)>,
    /// `(order_type, count)`.
    pub order_type_distribution: Vec<(String, i64)>,
    /// `(condition, count)` of products.
    pub condition_distribution: Vec<(String, i64)>,
    /// `(category, products)`, top 10.
    pub top_categories: Vec<(String, i64)>,
    /// Revenue per day, the last 30 days in the configured zone.
    pub revenue_trend: Vec<(NaiveDate, Money)>,
    /// Orders per day, the last 30 days.
    pub orders_trend: Vec<(NaiveDate, i64)>,
    /// Sign-ups per calendar month, the last 12 (`"Mon YYYY"`, oldest first).
    pub registrations: Vec<(String, i64)>,
    /// Top 10 products by units sold.
    pub best_selling: Vec<BestSelling>,
    /// Top 10 sellers by revenue.
    pub top_sellers: Vec<TopSeller>,
    /// Top 10 sellers by rating.
    pub top_rated: Vec<TopRated>,
    /// The 10 newest orders.
    pub recent_orders: Vec<RecentOrder>,
}

/// The period the dashboard's daily series cover: 7, 30 (the default), 90 or 365 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range(i64);

impl Range {
    /// The periods offered, in days.
    pub const CHOICES: [i64; 4] = [7, 30, 90, 365];

    /// The range of `days` days, if offered.
    pub fn of_days(days: i64) -> Option<Range> {
        Self::CHOICES.contains(&days).then_some(Range(days))
    }

    /// Its length in days.
    pub fn days(self) -> i64 {
        self.0
    }
}

impl Default for Range {
    fn default() -> Self {
        Range(30)
    }
}

/// Ratings below this raise an alert.
const LOW_PLATFORM_RATING: f64 = 3.5;

fn mean(sum: i64, n: i64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    // Sums of 1–5 ratings are far below 2^52.
    #[allow(clippy::cast_precision_loss)]
    let v = sum as f64 / n as f64;
    v
}

impl Dashboard {
    /// Mean seller rating over all feedback (0 without any).
    pub fn avg_seller_rating(&self) -> f64 {
        mean(self.seller_rating_sum, self.total_feedbacks)
    }

    /// Mean platform rating over all feedback (0 without any).
    pub fn avg_platform_rating(&self) -> f64 {
        mean(self.platform_rating_sum, self.total_feedbacks)
    }

    /// The alerts, `(kind, message)`, each only when its count is above 0.
    pub fn alerts(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.pending_orders > 0 {
            out.push((
                "warning",
                format!("{} orders pending payment", self.pending_orders),
            ));
        }
        if self.blocked_users > 0 {
            out.push((
                "danger",
                format!("{} users are currently blocked", self.blocked_users),
            ));
        }
        let platform = self.avg_platform_rating();
        if self.total_feedbacks > 0 && platform < LOW_PLATFORM_RATING {
            out.push((
                "danger",
                format!("Platform rating is low: {platform:.2}/5.00"),
            ));
        }
        if self.awaiting_shipment > 0 {
            out.push((
                "info",
                format!("{} paid orders awaiting shipment", self.awaiting_shipment),
            ));
        }
        if self.failed_transfers > 0 {
            out.push((
                "danger",
                format!(
                    "{} seller transfers failed - requires attention!",
                    self.failed_transfers
                ),
            ));
        }
        if self.pending_transfers > 0 {
            out.push((
                "warning",
                format!("{} seller transfers pending", self.pending_transfers),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet() -> Dashboard {
        let zero = Money::pkr(0);
        Dashboard {
            total_users: 0,
            total_buyers: 0,
            total_sellers: 0,
            new_users_this_month: 0,
            blocked_users: 0,
            total_products: 0,
            active_auction_listings: 0,
            active_fixed_price_listings: 0,
            products_this_month: 0,
            total_orders: 0,
            pending_orders: 0,
            completed_orders: 0,
            orders_this_month: 0,
            awaiting_shipment: 0,
            total_revenue: zero,
            platform_fees: zero,
            revenue_this_month: zero,
            avg_order_value: zero,
            verified_sellers: 0,
            total_seller_profiles: 0,
            total_feedbacks: 0,
            seller_rating_sum: 0,
            platform_rating_sum: 0,
            total_transfers: 0,
            total_transferred_amount: zero,
            pending_transfers: 0,
            failed_transfers: 0,
            orders_by_status: vec![],
            order_type_distribution: vec![],
            condition_distribution: vec![],
            top_categories: vec![],
            revenue_trend: vec![],
            orders_trend: vec![],
            registrations: vec![],
            best_selling: vec![],
            top_sellers: vec![],
            top_rated: vec![],
            recent_orders: vec![],
        }
    }

    #[test]
    fn alerts_appear_only_when_their_count_is_above_zero() {
        assert!(quiet().alerts().is_empty());
        let mut d = quiet();
        d.pending_orders = 2;
        d.failed_transfers = 1;
        d.total_feedbacks = 2;
        d.platform_rating_sum = 5;
        assert_eq!(
            d.alerts(),
            [
                ("warning", "2 orders pending payment".to_owned()),
                ("danger", "Platform rating is low: 2.50/5.00".to_owned()),
                (
                    "danger",
                    "1 seller transfers failed - requires attention!".to_owned()
                ),
            ]
        );
        assert!((d.avg_platform_rating() - 2.5).abs() < f64::EPSILON);
        assert!(quiet().avg_seller_rating().abs() < f64::EPSILON);
    }
}
