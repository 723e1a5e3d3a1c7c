//! PostgreSQL adapter: diesel-async repositories implementing the domain ports, embedded
//! migrations, the job queue, reference-data seeding and the per-test database harness.

pub mod addresses;
pub mod analytics;
pub mod auctions;
pub mod bid_queue;
pub mod bid_withdrawal;
pub mod bidding;
pub mod carts;
pub mod catalog_changes;
pub mod complaints;
pub mod conversations;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod error;
pub mod feedbacks;
pub mod install;
pub mod job_queue;
pub mod listings;
pub mod migrate;
pub mod moderation;
pub mod money;
pub mod notifications;
pub mod orders;
pub mod outbox;
pub mod payout_accounts;
pub mod products;
pub mod rate_limit;
pub mod reference;
pub mod refunds;
pub mod reservations;
pub mod reviews;
pub mod schema;
pub mod seed;
pub mod seller_profiles;
pub mod testing;
pub mod tokens;
pub mod transfers;
pub mod users;
pub mod wishlist;

pub use db::{Db, DbError};
