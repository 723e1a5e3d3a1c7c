//! Auctions: terms and lifecycle, bid acceptance, proxy bidding, and how an auction ends.

pub mod bid;
pub mod bidding_service;
pub mod ending;
pub mod model;
pub mod ports;
pub mod proxy;
pub mod service;
