//! Orders and money: carts, stock holds, placing orders, payments, seller transfers, refunds and payout accounts.

pub mod carts;
pub mod order_rows;
pub mod order_status;
pub mod orders;
pub mod payment_record;
pub mod payout_accounts;
pub mod placing;
pub mod refunds;
pub mod reservations;
pub mod stock;
pub mod transfers;
