//! Seller analytics use cases: statistics, earnings, payout history, product performance.

use chrono::TimeZone;

use crate::account::user::User;
use crate::clock::Clock;
use crate::order::model::OrderError;
use crate::reporting::analytics::{
    Earnings, PayoutRecord, ProductPerformance, Statistics, earnings, product_performance,
    statistics,
};
use crate::reporting::ports::AnalyticsRepository;

/// `403 {"error": "Only sellers can access this endpoint"}` unless the user sells.
fn ensure_seller(user: &User) -> Result<(), OrderError> {
    if user.can_sell() {
        Ok(())
    } else {
        Err(OrderError::Forbidden(
            "Only sellers can access this endpoint".into(),
        ))
    }
}

/// The analytics use cases.
pub struct SellerAnalytics<A, K> {
    store: A,
    clock: K,
}

impl<A: AnalyticsRepository, K: Clock> SellerAnalytics<A, K> {
    /// Wires the service.
    pub fn new(store: A, clock: K) -> Self {
        Self { store, clock }
    }

    /// Sales counts and revenue.
    pub async fn statistics<Tz: TimeZone>(
        &self,
        seller: &User,
        tz: &Tz,
    ) -> Result<Statistics, OrderError> {
        ensure_seller(seller)?;
        let sales = self.store.seller_sales(seller.id).await?;
        let counts = self.store.catalog_counts(seller.id).await?;
        Ok(statistics(&sales, counts, self.clock.now(), tz))
    }

    /// Earnings by period, payouts owed, product performance.
    pub async fn earnings<Tz: TimeZone>(
        &self,
        seller: &User,
        tz: &Tz,
    ) -> Result<Earnings, OrderError> {
        ensure_seller(seller)?;
        let sales = self.store.seller_sales(seller.id).await?;
        let payouts = self.store.seller_payouts(seller.id).await?;
        Ok(earnings(&sales, &payouts, self.clock.now(), tz))
    }

    /// Payouts, newest first (by completion, else creation): one page and the total.
    pub async fn transactions(
        &self,
        seller: &User,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<PayoutRecord>, usize), OrderError> {
        ensure_seller(seller)?;
        let mut payouts = self.store.seller_payouts(seller.id).await?;
        payouts.sort_by(|a, b| {
            b.completed_at
                .unwrap_or(b.created_at)
                .cmp(&a.completed_at.unwrap_or(a.created_at))
                .then(b.id.cmp(&a.id))
        });
        let total = payouts.len();
        Ok((
            payouts.into_iter().skip(offset).take(limit).collect(),
            total,
        ))
    }

    /// The ten best-selling products (by lines sold) across every paid status.
    pub async fn product_performance(
        &self,
        seller: &User,
    ) -> Result<Vec<ProductPerformance>, OrderError> {
        ensure_seller(seller)?;
        let sales = self.store.seller_sales(seller.id).await?;
        let mut products = product_performance(&sales);
        products.sort_by(|a, b| {
            b.total_orders
                .cmp(&a.total_orders)
                .then(b.total_revenue.minor().cmp(&a.total_revenue.minor()))
        });
        products.truncate(10);
        Ok(products)
    }
}
