//! MadeInPK domain: pure marketplace rules, the ports adapters implement, and use-case services.
//!
//! Nothing here performs I/O. Each feature is a folder holding its model, its rules, its
//! services and the ports those services need (`<feature>/ports.rs`); services are generic over
//! those traits. The modules at the root are the shared kernel every feature uses.

pub mod account;
pub mod auction;
pub mod catalog;
pub mod community;
pub mod console;
pub mod cutover;
pub mod job;
pub mod notification;
pub mod order;
pub mod reporting;

pub mod clock;
#[cfg(test)]
pub mod fixtures;
pub mod ids;
pub mod money;
pub mod outbox;
pub mod page;
pub mod rate;
pub mod store;
pub mod validation;
