//! PostgreSQL adapter: diesel-async repositories implementing the domain ports, grouped in the
//! domain's feature folders, plus embedded migrations, reference-data seeding and the per-test
//! database harness.

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

pub mod db;
pub mod demo;
pub mod error;
pub mod install;
pub mod migrate;
pub mod money;
pub mod outbox;
pub mod schema;
pub mod seed;
pub mod testing;

pub use db::{Db, DbError};
