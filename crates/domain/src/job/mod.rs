//! Background jobs: payloads, the retry rule, the runner, and the operators' view of the queue.

pub mod admin_service;
pub mod model;
pub mod ports;
pub mod runner;
