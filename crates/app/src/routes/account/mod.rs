//! Accounts: registration, sign-in, profiles, becoming a seller, the address book, and admins' moderation of accounts.

pub mod accounts;
pub mod addresses;
pub mod moderation;
pub mod profile_bodies;
pub mod sessions;
pub mod two_factor;
pub mod verification;
pub mod wire;
