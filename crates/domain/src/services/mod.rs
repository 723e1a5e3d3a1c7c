//! Use-case services, generic over the ports.

pub mod accounts;
pub mod addresses;
pub mod analytics;
pub mod auctions;
pub mod bidding;
pub mod cart;
pub mod checkout;
pub mod complaints;
pub mod connect;
pub mod conversations;
pub mod feedbacks;
pub mod job_runner;
pub mod listings;
pub mod moderation;
pub mod notifications;
pub mod operations;
pub mod orders;
pub mod payments;
pub mod payouts;
pub mod products;
pub mod reference;
pub mod refunds;
pub mod reservations;
pub mod reviews;
pub mod seller_profiles;
pub mod wishlist;
