//! Seller analytics: sales counts, earnings by calendar period (in the configured time zone),
//! payouts and product performance, all computed from the seller's share of each order.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::ids::{OrderId, ProductId, TransferId};
use crate::money::{Currency, Money};
use crate::order::commission::allocate;
use crate::order::model::OrderStatus;
use crate::order::payment::TransferStatus;

/// One of the seller's lines in an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    /// The product.
    pub product: ProductId,
    /// Its name.
    pub product_name: String,
    /// Units.
    pub quantity: i32,
    /// What the buyer paid for the line.
    pub subtotal: Money,
    /// Shipped by the seller.
    pub shipped: bool,
}

/// An order containing the seller's lines, with the seller's money in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerSale {
    /// The order.
    pub order: OrderId,
    /// Its status.
    pub status: OrderStatus,
    /// Paid at.
    pub paid_at: Option<DateTime<Utc>>,
    /// What the seller receives from it.
    pub seller_amount: Money,
    /// The seller's lines.
    pub lines: Vec<SaleLine>,
}

impl SellerSale {
    /// Counts as earnings (paid and not wholly refunded).
    pub fn earns(&self) -> bool {
        self.status.is_earning()
    }

    /// The seller's amount split across their lines in proportion to the lines' subtotals.
    pub fn line_shares(&self) -> Vec<Money> {
        let weights: Vec<Money> = self.lines.iter().map(|l| l.subtotal).collect();
        allocate(self.seller_amount, &weights)
    }
}

/// A payout, as the seller's transaction history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRecord {
    /// Id.
    pub id: TransferId,
    /// The order.
    pub order: OrderId,
    /// Its number.
    pub order_number: String,
    /// The provider's transfer id ("" until paid out).
    pub provider_id: String,
    /// What the seller receives.
    pub amount: Money,
    /// Status.
    pub status: TransferStatus,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Paid out.
    pub completed_at: Option<DateTime<Utc>>,
    /// Names of the seller's products in the order.
    pub products: Vec<String>,
}

/// Counts that do not come from orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatalogCounts {
    /// Products owned.
    pub products: i64,
    /// Auctions with status active.
    pub active_auctions: i64,
}

/// `seller/statistics/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statistics {
    /// Orders shipped or delivered.
    pub total_sales: i64,
    /// Every order with the seller's lines.
    pub total_orders: i64,
    /// Paid orders with the seller's lines still unshipped.
    pub pending_orders: i64,
    /// Σ seller amount over earning orders.
    pub total_revenue: Money,
    /// The same, paid since the start of this calendar month.
    pub current_month_earnings: Money,
    /// Products owned.
    pub total_products: i64,
    /// Active auctions.
    pub active_auctions: i64,
}

/// An earnings bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// Its label ("Nov 2026", "Week 4", "Oct", "2026").
    pub label: String,
    /// Earnings in it.
    pub amount: Money,
}

/// One product's sales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPerformance {
    /// Product.
    pub id: ProductId,
    /// Name.
    pub name: String,
    /// Orders containing it.
    pub total_orders: i64,
    /// Units sold.
    pub total_quantity_sold: i64,
    /// The seller's share from it.
    pub total_revenue: Money,
    /// `total_revenue / total_orders`, rounded half-up.
    pub average_order_value: Money,
}

/// `seller/earnings/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earnings {
    /// This calendar month.
    pub current_month: Money,
    /// Last calendar month.
    pub last_month: Money,
    /// Everything earned.
    pub total: Money,
    /// Payouts not made yet.
    pub pending_payouts: Money,
    /// Payouts that failed for good (an admin must retry them).
    pub failed_payouts: Money,
    /// 12 calendar months, oldest first.
    pub by_month: Vec<Bucket>,
    /// 4 seven-day windows, "Week 4" ending now.
    pub by_week: Vec<Bucket>,
    /// 4 calendar quarters, oldest first.
    pub by_quarter: Vec<Bucket>,
    /// 5 calendar years, oldest first.
    pub by_year: Vec<Bucket>,
    /// Products by revenue, highest first.
    pub products: Vec<ProductPerformance>,
}

fn zero() -> Money {
    Money::zero(Currency::Pkr)
}

fn sum(values: impl IntoIterator<Item = Money>) -> Money {
    Money::sum(Currency::Pkr, values).unwrap_or_else(|_| zero())
}

/// The first instant of a local calendar day, in UTC.
fn local_start<Tz: TimeZone>(tz: &Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// The first day of the month `back` months before the month of `date`.
fn month_start(date: NaiveDate, back: i32) -> NaiveDate {
    let index = date.year() * 12 + i32::try_from(date.month0()).unwrap_or(0) - back;
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12));
    NaiveDate::from_ymd_opt(year, u32::try_from(month0).unwrap_or(0) + 1, 1).unwrap_or(date)
}

fn earned_between(sales: &[SellerSale], from: DateTime<Utc>, to: DateTime<Utc>) -> Money {
    sum(sales
        .iter()
        .filter(|s| s.earns() && s.paid_at.is_some_and(|t| t >= from && t < to))
        .map(|s| s.seller_amount))
}

/// `seller/statistics/` as of `now` in `tz`.
pub fn statistics<Tz: TimeZone>(
    sales: &[SellerSale],
    counts: CatalogCounts,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Statistics {
    let today = now.with_timezone(tz).date_naive();
    let month = local_start(tz, month_start(today, 0));
    let count = |f: &dyn Fn(&SellerSale) -> bool| {
        i64::try_from(sales.iter().filter(|s| f(s)).count()).unwrap_or(i64::MAX)
    };
    Statistics {
        total_sales: count(&|s| matches!(s.status, OrderStatus::Shipped | OrderStatus::Delivered)),
        total_orders: count(&|_| true),
        pending_orders: count(&|s| {
            s.status == OrderStatus::Paid && s.lines.iter().any(|l| !l.shipped)
        }),
        total_revenue: sum(sales.iter().filter(|s| s.earns()).map(|s| s.seller_amount)),
        current_month_earnings: earned_between(sales, month, now + Duration::seconds(1)),
        total_products: counts.products,
        active_auctions: counts.active_auctions,
    }
}

/// Per-product sales over earning orders, by revenue (highest first).
pub fn product_performance(sales: &[SellerSale]) -> Vec<ProductPerformance> {
    let mut out: Vec<ProductPerformance> = Vec::new();
    for sale in sales.iter().filter(|s| s.earns()) {
        for (line, share) in sale.lines.iter().zip(sale.line_shares()) {
            let at = if let Some(at) = out.iter().position(|p| p.id == line.product) {
                at
            } else {
                out.push(ProductPerformance {
                    id: line.product,
                    name: line.product_name.clone(),
                    total_orders: 0,
                    total_quantity_sold: 0,
                    total_revenue: zero(),
                    average_order_value: zero(),
                });
                out.len() - 1
            };
            let p = &mut out[at];
            p.total_orders += 1;
            p.total_quantity_sold += i64::from(line.quantity);
            p.total_revenue = p
                .total_revenue
                .checked_add(share)
                .unwrap_or(p.total_revenue);
        }
    }
    for p in &mut out {
        let orders = p.total_orders.max(1);
        let minor = p.total_revenue.minor();
        // Round half up (revenue is never negative).
        p.average_order_value = Money::pkr((minor * 2 + orders) / (orders * 2));
    }
    out.sort_by(|a, b| {
        b.total_revenue
            .minor()
            .cmp(&a.total_revenue.minor())
            .then(a.id.cmp(&b.id))
    });
    out
}

/// `seller/earnings/` as of `now` in `tz`.
pub fn earnings<Tz: TimeZone>(
    sales: &[SellerSale],
    payouts: &[PayoutRecord],
    now: DateTime<Utc>,
    tz: &Tz,
) -> Earnings {
    let today = now.with_timezone(tz).date_naive();
    let end = now + Duration::seconds(1);
    let month_from = |back: i32| local_start(tz, month_start(today, back));
    let by_month = (0..12)
        .rev()
        .map(|back| {
            let from = month_start(today, back);
            let to = if back == 0 { end } else { month_from(back - 1) };
            Bucket {
                label: from.format("%b %Y").to_string(),
                amount: earned_between(sales, local_start(tz, from), to),
            }
        })
        .collect();
    let by_week = (0..4)
        .map(|i| {
            let to = end - Duration::days(7 * (3 - i));
            Bucket {
                label: format!("Week {}", i + 1),
                amount: earned_between(sales, to - Duration::days(7), to),
            }
        })
        .collect();
    let quarter_back = i32::try_from(today.month0() % 3).unwrap_or(0);
    let by_quarter = (0..4)
        .rev()
        .map(|q| {
            let back = quarter_back + 3 * q;
            let from = month_start(today, back);
            let to = if q == 0 { end } else { month_from(back - 3) };
            Bucket {
                label: from.format("%b").to_string(),
                amount: earned_between(sales, local_start(tz, from), to),
            }
        })
        .collect();
    let by_year = (0..5)
        .rev()
        .map(|back| {
            let year = today.year() - back;
            let start = |y| local_start(tz, NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(today));
            let to = if back == 0 { end } else { start(year + 1) };
            Bucket {
                label: year.to_string(),
                amount: earned_between(sales, start(year), to),
            }
        })
        .collect();
    let payouts_in = |status: &[TransferStatus]| {
        sum(payouts
            .iter()
            .filter(|p| status.contains(&p.status))
            .map(|p| p.amount))
    };
    Earnings {
        current_month: earned_between(sales, month_from(0), end),
        last_month: earned_between(sales, month_from(1), month_from(0)),
        total: sum(sales.iter().filter(|s| s.earns()).map(|s| s.seller_amount)),
        pending_payouts: payouts_in(&[TransferStatus::Pending, TransferStatus::Processing]),
        failed_payouts: payouts_in(&[TransferStatus::Failed]),
        by_month,
        by_week,
        by_quarter,
        by_year,
        products: product_performance(sales),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(
        order: i64,
        status: OrderStatus,
        paid: &str,
        amount: i64,
        lines: &[(i64, i64)],
    ) -> SellerSale {
        SellerSale {
            order: OrderId(order),
            status,
            paid_at: Some(paid.parse().unwrap()),
            seller_amount: Money::pkr(amount),
            lines: lines
                .iter()
                .map(|&(product, subtotal)| SaleLine {
                    product: ProductId(product),
                    product_name: format!("P{product}"),
                    quantity: 1,
                    subtotal: Money::pkr(subtotal),
                    shipped: false,
                })
                .collect(),
        }
    }

    fn karachi() -> chrono::FixedOffset {
        chrono::FixedOffset::east_opt(5 * 3600).unwrap()
    }

    #[test]
    fn months_are_calendar_months_in_the_local_zone() {
        // 31 March, 20:00 in Karachi; a sale late on 29 Feb local time counts for February,
        // and one at 00:30 on 1 March local time (19:30 UTC on 29 Feb) for March.
        let now: DateTime<Utc> = "2024-03-31T15:00:00Z".parse().unwrap();
        let sales = [
            sale(
                1,
                OrderStatus::Paid,
                "2024-02-29T18:00:00Z",
                100,
                &[(1, 100)],
            ),
            sale(
                2,
                OrderStatus::Shipped,
                "2024-02-29T19:30:00Z",
                250,
                &[(1, 250)],
            ),
            sale(
                3,
                OrderStatus::PaymentFailed,
                "2024-03-05T10:00:00Z",
                999,
                &[(2, 999)],
            ),
        ];
        let e = earnings(&sales, &[], now, &karachi());
        assert_eq!(e.by_month.len(), 12);
        assert_eq!(e.by_month[11].label, "Mar 2024");
        assert_eq!(e.by_month[10].label, "Feb 2024");
        assert_eq!(e.by_month[0].label, "Apr 2023");
        assert_eq!(e.by_month[11].amount, Money::pkr(250));
        assert_eq!(e.by_month[10].amount, Money::pkr(100));
        assert_eq!(e.current_month, Money::pkr(250));
        assert_eq!(e.last_month, Money::pkr(100));
        assert_eq!(e.total, Money::pkr(350));
        assert_eq!(
            e.by_quarter
                .iter()
                .map(|b| b.label.as_str())
                .collect::<Vec<_>>(),
            ["Apr", "Jul", "Oct", "Jan"]
        );
        assert_eq!(e.by_quarter[3].amount, Money::pkr(350));
        assert_eq!(e.by_year.last().unwrap().label, "2024");
        assert_eq!(e.by_year.last().unwrap().amount, Money::pkr(350));
        assert_eq!(e.by_week.last().unwrap().label, "Week 4");
        let s = statistics(
            &sales,
            CatalogCounts {
                products: 4,
                active_auctions: 1,
            },
            now,
            &karachi(),
        );
        assert_eq!((s.total_orders, s.total_sales, s.pending_orders), (3, 1, 1));
        assert_eq!(s.total_revenue, Money::pkr(350));
        assert_eq!(s.current_month_earnings, Money::pkr(250));
        assert_eq!(s.total_products, 4);
    }

    #[test]
    fn product_revenue_splits_the_sellers_share_exactly() {
        // 98.00 shared by lines of 50.00 and 50.00 from one order, plus a single sale.
        let sales = [
            sale(
                1,
                OrderStatus::Paid,
                "2026-01-01T00:00:00Z",
                9_801,
                &[(1, 5_000), (2, 5_001)],
            ),
            sale(
                2,
                OrderStatus::Delivered,
                "2026-01-02T00:00:00Z",
                980,
                &[(1, 1_000)],
            ),
        ];
        let p = product_performance(&sales);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].id, ProductId(1));
        assert_eq!(p[0].total_orders, 2);
        assert_eq!(p[0].total_revenue, Money::pkr(4_900 + 980));
        assert_eq!(p[0].average_order_value, Money::pkr(2_940));
        assert_eq!(p[1].total_revenue, Money::pkr(4_901));
        let total: i64 = p.iter().map(|x| x.total_revenue.minor()).sum();
        assert_eq!(total, 9_801 + 980);
    }
}
