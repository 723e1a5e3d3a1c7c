//! Community: conversations, complaints, seller feedback, product reviews, wishlists and seller profiles.

pub mod complaint;
pub mod complaint_service;
pub mod conversation;
pub mod conversation_service;
pub mod feedback;
pub mod feedback_service;
pub mod ports;
pub mod review;
pub mod review_service;
pub mod seller_profile;
pub mod seller_profile_service;
pub mod wishlist;
pub mod wishlist_service;
