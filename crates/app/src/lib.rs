//! MadeInPK HTTP application: actix-web handlers, DTOs, configuration, authentication, wiring,
//! the job worker and the `madeinpk` command line.

pub mod auth;
pub mod body;
pub mod cached_pages;
pub mod catalog_version;
pub mod cli;
pub mod client;
pub mod config;
pub mod console;
pub mod cutover_media;
pub mod error;
pub mod headers;
pub mod metrics;
pub mod one_time_codes;
pub mod openapi;
pub mod page_cache;
pub mod password;
pub mod query;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod time;
pub mod uploads;
pub mod wire;
pub mod worker;
