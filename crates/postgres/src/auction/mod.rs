//! Auctions: their rows, placing bids (the bid queue and the atomic bid statement), withdrawing a blocked bidder's bids, and ending auctions.

pub mod auction_ending;
pub mod auctions;
pub mod bid_queue;
pub mod bid_statement;
pub mod bid_withdrawal;
pub mod bidding;
pub mod events;
