//! Wishlists: products a user saved, once each, with a note.

use chrono::{DateTime, Utc};

use crate::catalog::product::ListingType;
use crate::ids::{CategoryId, ProductId, UserId, WishlistItemId};
use crate::money::Money;

/// What a saved product costs now, by how it is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WishlistPrice {
    /// A fixed-price listing's list price.
    Fixed(Money),
    /// An auction's current and starting price.
    Auction {
        /// Current price.
        current: Money,
        /// Starting price.
        starting: Money,
    },
}

/// A wishlist entry with the product facts its read shape shows.
#[derive(Debug, Clone, PartialEq)]
pub struct WishlistItem {
    /// Id.
    pub id: WishlistItemId,
    /// Owner.
    pub user: UserId,
    /// Product.
    pub product: ProductId,
    /// Product name.
    pub product_name: String,
    /// Primary (else first) image path.
    pub product_image: Option<String>,
    /// Seller's username.
    pub seller_username: String,
    /// Seller.
    pub seller_id: UserId,
    /// Price, if listed.
    pub price: Option<WishlistPrice>,
    /// Category.
    pub category: Option<(CategoryId, String)>,
    /// `In Stock`, `Out of Stock`, `Sold` or `Not Listed`.
    pub stock_status: &'static str,
    /// How it is sold.
    pub listing_type: Option<ListingType>,
    /// The user's note.
    pub notes: String,
    /// Saved at.
    pub created_at: DateTime<Utc>,
}

/// Why a wishlist write was refused.
pub const ALREADY_SAVED: &str = "Product is already in your wishlist";

/// The stock label of a fixed-price listing.
pub fn listing_stock(active: bool, quantity: i32) -> &'static str {
    if active && quantity > 0 {
        "In Stock"
    } else {
        "Out of Stock"
    }
}

/// The stock label of an auction.
pub fn auction_stock(open: bool, completed: bool) -> &'static str {
    if open {
        "In Stock"
    } else if completed {
        "Sold"
    } else {
        "Out of Stock"
    }
}
