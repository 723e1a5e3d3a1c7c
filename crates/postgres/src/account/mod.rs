//! Accounts: users, sign-in tokens, login and registration throttles, addresses, and admins blocking accounts.

pub mod addresses;
pub mod moderation;
pub mod rate_limit;
pub mod resets;
pub mod revocation;
pub mod tokens;
pub mod two_factor;
pub mod users;
pub mod verifications;
