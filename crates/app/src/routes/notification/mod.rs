//! In-app notifications.

pub mod notifications;
