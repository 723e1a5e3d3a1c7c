//! Payments adapter: the Stripe gateway (async-stripe), the offline dev gateway (sessions served
//! by the app, signed events to the app's own webhook), webhook signatures and event parsing.

pub mod client;
pub mod dev;
pub mod event;
pub mod gateway;
pub mod signature;

pub use client::{StripeGateway, StripeSettings};
pub use dev::DevGateway;
pub use gateway::Gateway;
