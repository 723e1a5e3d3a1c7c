//! Products and their images: what a seller makes, before it is listed or auctioned.

use chrono::{DateTime, Utc};

use crate::ids::{CategoryId, ProductId, ProductImageId, UserId};
use crate::store::StoreError;
use crate::validation::{FieldErrors, check_max_len, msg};

/// A product's condition; stored values are the wire values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// Never used.
    New,
    /// Used, as new.
    LikeNew,
    /// Used, good.
    Good,
    /// Used, fair.
    Fair,
}

impl Condition {
    /// Every condition.
    pub const ALL: [Self; 4] = [Self::New, Self::LikeNew, Self::Good, Self::Fair];

    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::LikeNew => "like_new",
            Self::Good => "good",
            Self::Fair => "fair",
        }
    }

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How a product is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingType {
    /// A fixed-price listing.
    FixedPrice,
    /// An auction.
    Auction,
}

impl ListingType {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FixedPrice => "fixed_price",
            Self::Auction => "auction",
        }
    }
}

/// A stored product image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductImage {
    /// Id.
    pub id: ProductImageId,
    /// Path under the media root.
    pub path: String,
    /// The image shown first; exactly one when any exist.
    pub is_primary: bool,
    /// Position.
    pub order: i32,
}

/// The seller summary embedded in a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerSummary {
    /// Shop name.
    pub brand_name: String,
    /// About.
    pub biography: String,
    /// Verified by admins.
    pub is_verified: bool,
    /// Mean rating in hundredths.
    pub average_rating_centi: i32,
    /// Feedbacks the rating is the mean of.
    pub total_feedbacks: i32,
}

/// A product with everything its read shape shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductView {
    /// Id.
    pub id: ProductId,
    /// Seller.
    pub seller: UserId,
    /// Seller's username.
    pub seller_username: String,
    /// Seller's email (the live-auction status shows it, as the original).
    pub seller_email: String,
    /// Category.
    pub category: Option<CategoryId>,
    /// Category name.
    pub category_name: Option<String>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Condition.
    pub condition: Condition,
    /// Images by order.
    pub images: Vec<ProductImage>,
    /// How it is sold, if listed.
    pub listing_type: Option<ListingType>,
    /// Mean review rating (fixed-price products with reviews).
    pub average_rating: Option<f64>,
    /// Number of reviews.
    pub total_reviews: i64,
    /// The seller's profile summary.
    pub seller_profile: Option<SellerSummary>,
    /// Province of the seller's default (else any) address.
    pub region: Option<(i64, String)>,
    /// In the viewer's wishlist.
    pub is_in_wishlist: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

/// Why a catalogue operation was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogError {
    /// Unknown (or invisible) object; carries the model name for the message.
    #[error("No {0} matches the given query.")]
    NotFound(&'static str),
    /// Field rules failed.
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// The request breaks a catalogue rule.
    #[error("{0}")]
    Rejected(String),
    /// The caller may not do this to the object.
    #[error("{0}")]
    Forbidden(String),
    /// The product has no such image.
    #[error("Image not found")]
    ImageNotFound,
    /// Only a review's author may change it.
    #[error("{0}")]
    NotAuthor(String),
    /// Only sellers may do this.
    #[error("{0}")]
    NotASeller(String),
    /// The seller already has a profile.
    #[error("Seller profile already exists")]
    ProfileExists,
    /// Orders still reference it.
    #[error("{0}")]
    InUse(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FieldErrors> for CatalogError {
    fn from(e: FieldErrors) -> Self {
        Self::Validation(e)
    }
}

impl CatalogError {
    /// The request breaks a catalogue rule.
    pub fn bad(msg: impl Into<String>) -> Self {
        Self::Rejected(msg.into())
    }

    /// The caller may not do this.
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::Forbidden(msg.into())
    }
}

/// Longest product name.
pub const NAME_MAX: usize = 255;

/// Product fields of a create (all required but category) or update (`None` = unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductInput {
    /// Category (`Some(None)` clears it).
    pub category: Option<Option<CategoryId>>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Condition as sent.
    pub condition: Option<String>,
}

impl ProductInput {
    /// Field rules; `full` requires name, description and condition.
    pub fn check(&self, full: bool) -> Result<Option<Condition>, FieldErrors> {
        let mut errors = FieldErrors::new();
        for (field, value) in [("name", &self.name), ("description", &self.description)] {
            match value {
                Some(v) if v.trim().is_empty() => errors.add(field, msg::BLANK),
                None if full => errors.add(field, msg::REQUIRED),
                Some(_) | None => {}
            }
        }
        if let Some(n) = &self.name {
            check_max_len(&mut errors, "name", n, NAME_MAX);
        }
        let condition = match &self.condition {
            Some(c) => Condition::parse(c).or_else(|| {
                errors.add("condition", msg::invalid_choice(c));
                None
            }),
            None if full => {
                errors.add("condition", msg::REQUIRED);
                None
            }
            None => None,
        };
        errors.into_result().map(|()| condition)
    }
}

/// A validated product to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    /// Seller.
    pub seller: UserId,
    /// Category.
    pub category: Option<CategoryId>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Condition.
    pub condition: Condition,
    /// Stored image paths in upload order (the first is primary).
    pub images: Vec<String>,
}

/// Changes to a product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductChanges {
    /// Category.
    pub category: Option<Option<CategoryId>>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Condition.
    pub condition: Option<Condition>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_needs_name_description_condition() {
        let e = ProductInput::default().check(true).unwrap_err();
        for f in ["name", "description", "condition"] {
            assert_eq!(e.get(f).unwrap(), ["This field is required."], "{f}");
        }
        let ok = ProductInput {
            name: Some("Ajrak".into()),
            description: Some("d".into()),
            condition: Some("like_new".into()),
            category: None,
        };
        assert_eq!(ok.check(true).unwrap(), Some(Condition::LikeNew));
    }

    #[test]
    fn bad_condition_and_long_name() {
        let i = ProductInput {
            name: Some("x".repeat(256)),
            condition: Some("mint".into()),
            ..Default::default()
        };
        let e = i.check(false).unwrap_err();
        assert_eq!(
            e.get("condition").unwrap(),
            ["\"mint\" is not a valid choice."]
        );
        assert_eq!(
            e.get("name").unwrap(),
            ["Ensure this field has no more than 255 characters."]
        );
        assert!(ProductInput::default().check(false).unwrap().is_none());
    }
}

/// Sortable product fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductSort {
    /// Creation time.
    CreatedAt,
    /// Name.
    Name,
}

/// `?ordering=` names for products.
pub const PRODUCT_ORDERING: &[(&str, ProductSort)] = &[
    ("created_at", ProductSort::CreatedAt),
    ("name", ProductSort::Name),
];

/// Splits `?search=` into terms (spaces and commas); every term must match some field.
pub fn search_terms(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("")
        .split([' ', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Filters of a product list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductQuery {
    /// Only this seller's.
    pub seller: Option<UserId>,
    /// Only this category (not its subcategories).
    pub category: Option<CategoryId>,
    /// Only this condition.
    pub condition: Option<Condition>,
    /// Sellers whose business or default address is in this province.
    pub province: Option<i64>,
    /// Terms that must each match the name or description.
    pub search: Vec<String>,
    /// Sort keys; id ascending breaks ties.
    pub ordering: Vec<crate::page::Sort<ProductSort>>,
}

/// What a product delete did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductRemoval {
    /// Gone; these stored images can be removed.
    Deleted(Vec<String>),
    /// Unknown.
    NotFound,
    /// Orders reference it; nothing changed.
    InUse,
    /// Its auction has bids; nothing changed.
    HasBids,
}

/// What an image delete did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRemoval {
    /// Gone; the stored file can be removed.
    Deleted(String),
    /// Not an image of this product.
    NotFound,
    /// It is the last image.
    LastImage,
}

/// Who owns a product and how it is sold (for permission checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductOwnership {
    /// Seller.
    pub seller: UserId,
    /// How it is sold.
    pub listing_type: Option<ListingType>,
}

/// An image that passed the content check, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUpload {
    /// File extension matching the content.
    pub extension: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The `image` part of an upload request, judged by the handler and checked after ownership
/// (so a stranger learns nothing from a bad file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageFile {
    /// No file sent.
    Missing,
    /// Not a supported image.
    Invalid,
    /// A valid image.
    Valid(ImageUpload),
}
