//! Payments adapter: the offline dev gateway (sessions served by the app, signed events to the
//! app's own webhook), Stripe webhook signatures and event parsing. The async-stripe client for
//! real Stripe arrives with the Stripe issue.

pub mod dev;
pub mod event;
pub mod signature;

pub use dev::DevGateway;
