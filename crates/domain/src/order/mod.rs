//! Orders and money: the cart, checkout and stock holds, payments, the commission split, seller payouts, refunds, and unpaid auction wins.

pub mod cart;
pub mod cart_service;
pub mod checkout;
pub mod checkout_service;
pub mod commission;
pub mod connect_service;
pub mod model;
pub mod payment;
pub mod payment_service;
pub mod payout_service;
pub mod ports;
pub mod refund;
pub mod refund_service;
pub mod reservation_service;
pub mod service;
pub mod settlement;
pub mod violation;
pub mod webhook_service;
