//! The catalogue: products and images, fixed-price listings, reference data, and the catalogue version the page cache checks.

pub mod changes;
pub mod listings;
pub mod products;
pub mod reference;
