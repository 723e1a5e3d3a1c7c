//! MadeInPK domain: pure marketplace rules, the ports adapters implement, and use-case services.
//!
//! Nothing here performs I/O; services are generic over the traits in [`ports`].

pub mod account;
pub mod address;
pub mod analytics;
pub mod auction;
pub mod auction_end;
pub mod bid;
pub mod cart;
pub mod checkout;
pub mod clock;
pub mod commission;
pub mod complaint;
pub mod conversation;
pub mod dashboard;
pub mod email;
pub mod feedback;
#[cfg(test)]
pub mod fixtures;
pub mod ids;
pub mod job;
pub mod listing;
pub mod moderation;
pub mod money;
pub mod notification;
pub mod order;
pub mod outbox;
pub mod page;
pub mod payment;
pub mod ports;
pub mod product;
pub mod proxy;
pub mod rate;
pub mod reference;
pub mod refund;
pub mod review;
pub mod seller_profile;
pub mod services;
pub mod settlement;
pub mod store;
pub mod user;
pub mod validation;
pub mod violation;
pub mod wishlist;
