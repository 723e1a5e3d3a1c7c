//! Accounts: registration, sign-in policy and two-factor sign-in, profiles, addresses, becoming a
//! seller, and admins blocking accounts.

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
pub mod two_factor;
pub mod two_factor_service;
pub mod user;
pub mod verification_service;
