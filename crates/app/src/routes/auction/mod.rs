//! Auctions: the REST endpoints and the live auction socket.

pub mod auctions;
pub mod bodies;
pub mod live;
pub mod socket_messages;
pub mod wire;
