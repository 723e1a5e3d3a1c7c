//! Wire types of wishlists and product reviews.

use serde::Serialize;
use utoipa::ToSchema;

use crate::time::render;
use crate::wire::Media;

/// A wishlist entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct WishlistDto {
    id: i64,
    product: i64,
    product_name: String,
    product_image: Option<String>,
    /// The seller's username.
    seller: String,
    seller_id: i64,
    /// `{"price"}` for fixed price, `{"current_price", "starting_price"}` for auctions, else null.
    #[schema(value_type = Option<Object>)]
    price: Option<serde_json::Value>,
    /// Category name; omitted without a category.
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    /// Omitted without a category.
    #[serde(skip_serializing_if = "Option::is_none")]
    category_id: Option<i64>,
    stock_status: &'static str,
    listing_type: Option<&'static str>,
    notes: String,
    created_at: String,
}

impl WishlistDto {
    /// Renders an entry.
    pub fn new(w: &madeinpk_domain::community::wishlist::WishlistItem, media: &Media) -> Self {
        use madeinpk_domain::community::wishlist::WishlistPrice;
        Self {
            id: w.id.get(),
            product: w.product.get(),
            product_name: w.product_name.clone(),
            product_image: w.product_image.as_deref().map(|p| media.absolute(p)),
            seller: w.seller_username.clone(),
            seller_id: w.seller_id.get(),
            price: w.price.map(|p| match p {
                WishlistPrice::Fixed(price) => serde_json::json!({ "price": price }),
                WishlistPrice::Auction { current, starting } => {
                    serde_json::json!({ "current_price": current, "starting_price": starting })
                }
            }),
            category: w.category.as_ref().map(|(_, name)| name.clone()),
            category_id: w.category.as_ref().map(|(id, _)| id.get()),
            stock_status: w.stock_status,
            listing_type: w
                .listing_type
                .map(madeinpk_domain::catalog::product::ListingType::as_str),
            notes: w.notes.clone(),
            created_at: render(w.created_at),
        }
    }
}

/// The ProductReview object.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    id: i64,
    product: i64,
    product_name: String,
    buyer: i64,
    buyer_username: String,
    order: Option<i64>,
    rating: i16,
    title: String,
    comment: String,
    is_verified_purchase: bool,
    created_at: String,
    updated_at: String,
}

impl From<&madeinpk_domain::community::review::Review> for ReviewDto {
    fn from(r: &madeinpk_domain::community::review::Review) -> Self {
        Self {
            id: r.id.get(),
            product: r.product.get(),
            product_name: r.product_name.clone(),
            buyer: r.buyer.get(),
            buyer_username: r.buyer_username.clone(),
            order: r.order,
            rating: r.rating,
            title: r.title.clone(),
            comment: r.comment.clone(),
            is_verified_purchase: r.is_verified_purchase,
            created_at: render(r.created_at),
            updated_at: render(r.updated_at),
        }
    }
}
