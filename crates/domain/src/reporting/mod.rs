//! Reporting: the admin dashboard and seller analytics.

pub mod analytics;
pub mod analytics_service;
pub mod dashboard;
pub mod dashboard_service;
pub mod order_figures;
pub mod ports;
