//! Community: conversations, complaints, seller feedback, product reviews, wishlists and seller profiles.

pub mod complaints;
pub mod conversations;
pub mod feedbacks;
pub mod reviews;
pub mod seller_profiles;
pub mod wire;
pub mod wishlist;
