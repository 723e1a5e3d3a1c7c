//! Accounts: registration, sign-in policy, profiles, addresses, becoming a seller, and admins blocking accounts.

pub mod address;
pub mod address_service;
pub mod moderation;
pub mod moderation_service;
pub mod ports;
pub mod recovery_service;
pub mod rules;
pub mod service;
pub mod session_service;
pub mod token_session;
pub mod user;
pub mod verification_service;
