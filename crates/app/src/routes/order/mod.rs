//! Orders and money: the cart, checkout, orders, the Stripe webhook and checkout pages, Stripe Connect onboarding, and admins' payout tools.

pub mod cart;
pub mod connect;
pub mod orders;
pub mod payments;
pub mod payouts;
pub mod wire;
