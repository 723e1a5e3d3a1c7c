//! Reporting: seller analytics and the admin dashboard.

pub mod dashboard;
pub mod seller;
