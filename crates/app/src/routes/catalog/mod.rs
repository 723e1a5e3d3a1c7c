//! The catalogue: products and their images, fixed-price listings, categories and locations.

pub mod categories;
pub mod listings;
pub mod locations;
pub mod product_params;
pub mod products;
pub mod wire;
