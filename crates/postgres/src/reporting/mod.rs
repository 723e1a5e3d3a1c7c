//! Reporting: the admin dashboard's and seller analytics' reads.

pub mod analytics;
pub mod dashboard;
mod dashboard_sql;
