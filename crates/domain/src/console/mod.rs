//! The operator console: what each entity's pages show, bulk actions and their reports,
//! sessions, and the audit log. The web pages themselves are an adapter (`madeinpk-app`).

pub mod access_service;
pub mod action;
pub mod audit;
mod choices;
pub mod column;
pub mod columns;
pub mod entity;
pub mod ports;
pub mod query;
pub mod record;
pub mod session;
pub mod upkeep_service;
