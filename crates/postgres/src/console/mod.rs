//! The operator console's adapters: read models, sessions, the audit log.

mod audit;
mod lists;
mod sessions;
mod source;
mod sources;
mod sources_catalogue;
mod sources_community;
mod sources_money;
mod sources_people;
