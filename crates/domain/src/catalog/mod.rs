//! The catalogue: products and their images, fixed-price listings, provinces, cities and categories.

pub mod listing;
pub mod listing_service;
pub mod ports;
pub mod product;
pub mod product_service;
pub mod reference;
pub mod reference_service;
