//! Notifications: in-app notices and the emails that go with them.

pub mod email;
pub mod model;
pub mod ports;
pub mod service;
