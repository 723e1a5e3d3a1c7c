//! Ports of the reporting feature: what its services need from the outside world.
//!
//! Methods return `impl Future + Send` so services stay generic and tests can wire mocks.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::ids::UserId;
use crate::store::StoreError;

/// The admin dashboard's figures.
#[cfg_attr(test, mockall::automock)]
pub trait DashboardRepository: Send + Sync {
    /// Every figure at `now`, days counted in the time zone named `zone`; the daily series
    /// cover the last `days` days.
    fn dashboard(
        &self,
        now: DateTime<Utc>,
        zone: String,
        days: i64,
    ) -> impl Future<Output = Result<crate::reporting::dashboard::Dashboard, StoreError>> + Send;
}

/// What seller analytics read.
#[cfg_attr(test, mockall::automock)]
pub trait AnalyticsRepository: Send + Sync {
    /// Every order with the seller's lines, with the seller's share.
    fn seller_sales(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<Vec<crate::reporting::analytics::SellerSale>, StoreError>> + Send;
    /// The seller's payouts.
    fn seller_payouts(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<Vec<crate::reporting::analytics::PayoutRecord>, StoreError>> + Send;
    /// The seller's product and active-auction counts.
    fn catalog_counts(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<crate::reporting::analytics::CatalogCounts, StoreError>> + Send;
}
