//! Orders and money: carts, stock holds, placing orders, payments, seller transfers, refunds and payout accounts.

pub mod carts;
pub mod orders;
pub mod payout_accounts;
pub mod refunds;
pub mod reservations;
pub mod transfers;
