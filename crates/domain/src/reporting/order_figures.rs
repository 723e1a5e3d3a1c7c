//! The dashboard's order figures, folded from one pass over the orders grouped by status and
//! type: which statuses are pending, completed or awaiting shipment, and what revenue is (what
//! buyers paid, less what refunds gave back).

use crate::money::Money;
use crate::order::model::OrderStatus;

/// "This month" on the dashboard: the last 30 days.
pub const RECENT_DAYS: i64 = 30;

/// The orders of one status and type, summed by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderGroup {
    /// Stored status.
    pub status: String,
    /// Stored order type.
    pub order_type: String,
    /// How many.
    pub orders: i64,
    /// Σ totals.
    pub total: Money,
    /// Σ platform fees.
    pub fee: Money,
    /// How many were placed in the last [`RECENT_DAYS`] days.
    pub placed_recently: i64,
    /// Σ totals of those paid in the last [`RECENT_DAYS`] days.
    pub paid_recently: Money,
}

/// What refunds gave back of the orders of one status, by whether they were paid in the last
/// [`RECENT_DAYS`] days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundGroup {
    /// Stored status of the refunded orders.
    pub status: String,
    /// Whether those orders were paid in the last [`RECENT_DAYS`] days.
    pub paid_recently: bool,
    /// Σ refunded to buyers.
    pub refunded: Money,
    /// Σ commission given back.
    pub fee_refunded: Money,
}

/// Every order figure of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFigures {
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
    /// The commission earned, less what refunds gave back.
    pub platform_fees: Money,
    /// Revenue of orders paid in the last 30 days.
    pub revenue_this_month: Money,
    /// Mean total of the orders that took payment, half up to the paisa.
    pub avg_order_value: Money,
    /// `(status, count)`, most first, then by name.
    pub orders_by_status: Vec<(String, i64)>,
    /// `(order_type, count)`, most first, then by name.
    pub order_type_distribution: Vec<(String, i64)>,
}

/// The statuses whose orders took payment, as stored (what revenue and best sellers count).
pub fn paying_statuses() -> Vec<&'static str> {
    OrderStatus::ALL
        .into_iter()
        .filter(|s| s.took_payment())
        .map(OrderStatus::as_str)
        .collect()
}

fn took_payment(status: &str) -> bool {
    OrderStatus::parse(status).is_some_and(OrderStatus::took_payment)
}

fn is(status: &str, wanted: &[OrderStatus]) -> bool {
    OrderStatus::parse(status).is_some_and(|s| wanted.contains(&s))
}

/// `(name, count)` summed per name, most first, ties by name.
fn tally<'a>(pairs: impl Iterator<Item = (&'a str, i64)>) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for (name, n) in pairs {
        match out.iter_mut().find(|(k, _)| k == name) {
            Some((_, total)) => *total += n,
            None => out.push((name.to_owned(), n)),
        }
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// `sum / n` in paisa, half up (sums of totals are never negative).
fn mean(sum: i64, n: i64) -> i64 {
    if n == 0 { 0 } else { (2 * sum + n) / (2 * n) }
}

/// Folds the groups into the dashboard's order figures.
pub fn order_figures(groups: &[OrderGroup], refunds: &[RefundGroup]) -> OrderFigures {
    let count = |wanted: &[OrderStatus]| -> i64 {
        groups
            .iter()
            .filter(|g| is(&g.status, wanted))
            .map(|g| g.orders)
            .sum()
    };
    let paid: Vec<&OrderGroup> = groups.iter().filter(|g| took_payment(&g.status)).collect();
    let back: Vec<&RefundGroup> = refunds.iter().filter(|r| took_payment(&r.status)).collect();
    let paid_sum = |f: fn(&OrderGroup) -> Money| paid.iter().map(|g| f(g).minor()).sum::<i64>();
    let back_sum = |f: fn(&RefundGroup) -> Money, recent_only: bool| {
        back.iter()
            .filter(|r| !recent_only || r.paid_recently)
            .map(|r| f(r).minor())
            .sum::<i64>()
    };
    let paid_orders: i64 = paid.iter().map(|g| g.orders).sum();
    let paid_total = paid_sum(|g| g.total);
    OrderFigures {
        total_orders: groups.iter().map(|g| g.orders).sum(),
        pending_orders: count(&[OrderStatus::PendingPayment]),
        completed_orders: count(&[OrderStatus::Shipped, OrderStatus::Delivered]),
        orders_this_month: groups.iter().map(|g| g.placed_recently).sum(),
        awaiting_shipment: count(&[OrderStatus::Paid]),
        total_revenue: Money::pkr(paid_total - back_sum(|r| r.refunded, false)),
        platform_fees: Money::pkr(paid_sum(|g| g.fee) - back_sum(|r| r.fee_refunded, false)),
        revenue_this_month: Money::pkr(
            paid_sum(|g| g.paid_recently) - back_sum(|r| r.refunded, true),
        ),
        avg_order_value: Money::pkr(mean(paid_total, paid_orders)),
        orders_by_status: tally(groups.iter().map(|g| (g.status.as_str(), g.orders))),
        order_type_distribution: tally(groups.iter().map(|g| (g.order_type.as_str(), g.orders))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(status: &str, kind: &str, orders: i64, total: i64) -> OrderGroup {
        OrderGroup {
            status: status.into(),
            order_type: kind.into(),
            orders,
            total: Money::pkr(total),
            fee: Money::pkr(total / 50),
            placed_recently: 1,
            paid_recently: Money::pkr(100),
        }
    }

    #[test]
    fn revenue_counts_what_paying_orders_kept() {
        let groups = [
            group("paid", "cart", 2, 10_000),
            group("delivered", "fixed_price", 1, 5_001),
            group("refunded", "fixed_price", 1, 2_000),
            group("pending_payment", "cart", 3, 9_000),
            group("cancelled", "auction", 1, 700),
        ];
        let refunds = [
            RefundGroup {
                status: "refunded".into(),
                paid_recently: true,
                refunded: Money::pkr(2_000),
                fee_refunded: Money::pkr(40),
            },
            // Refunds of an order no longer paying (none exist, but they never count).
            RefundGroup {
                status: "cancelled".into(),
                paid_recently: false,
                refunded: Money::pkr(7),
                fee_refunded: Money::pkr(0),
            },
        ];
        let f = order_figures(&groups, &refunds);
        assert_eq!(f.total_orders, 8);
        assert_eq!(f.pending_orders, 3);
        assert_eq!(f.completed_orders, 1);
        assert_eq!(f.awaiting_shipment, 2);
        assert_eq!(f.orders_this_month, 5);
        assert_eq!(f.total_revenue, Money::pkr(15_001));
        // 2% of each paying group (200 + 100 + 40) less the 40 given back.
        assert_eq!(f.platform_fees, Money::pkr(300));
        assert_eq!(f.revenue_this_month, Money::pkr(300 - 2_000));
        // 17,001 paisa over 4 orders = 4,250.25 → 4,250.
        assert_eq!(f.avg_order_value, Money::pkr(4_250));
        assert_eq!(
            f.orders_by_status,
            [
                ("pending_payment".to_owned(), 3),
                ("paid".to_owned(), 2),
                ("cancelled".to_owned(), 1),
                ("delivered".to_owned(), 1),
                ("refunded".to_owned(), 1),
            ]
        );
        assert_eq!(
            f.order_type_distribution,
            [
                ("cart".to_owned(), 5),
                ("fixed_price".to_owned(), 2),
                ("auction".to_owned(), 1)
            ]
        );
    }

    #[test]
    fn the_mean_rounds_half_up_and_nothing_is_zero() {
        assert_eq!(mean(0, 0), 0);
        assert_eq!(mean(5, 2), 3);
        assert_eq!(mean(4, 3), 1);
        let f = order_figures(&[], &[]);
        assert_eq!(f.total_revenue, Money::pkr(0));
        assert!(f.orders_by_status.is_empty());
    }

    #[test]
    fn paying_statuses_are_those_that_took_payment() {
        assert_eq!(
            paying_statuses(),
            [
                "paid",
                "shipped",
                "delivered",
                "partially_refunded",
                "refunded"
            ]
        );
    }
}
