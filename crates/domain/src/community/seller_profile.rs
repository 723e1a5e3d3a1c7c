//! Seller profile management: the owner edits, admins see all and verify.

use crate::ids::{AddressId, SellerProfileId, UserId};
use crate::page::Sort;
use crate::validation::{FieldErrors, check_max_len, is_valid_url, msg};

/// Changes to a seller profile (`None` = unchanged).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SellerProfileChanges {
    /// Shop name.
    pub brand_name: Option<String>,
    /// About.
    pub biography: Option<String>,
    /// `Some(None)` unlinks the business address.
    pub business_address_id: Option<Option<AddressId>>,
    /// Phone.
    pub business_phone: Option<String>,
    /// Website URL or empty.
    pub website: Option<String>,
    /// Links object.
    pub social_media_links: Option<serde_json::Value>,
    /// Admins only.
    pub is_verified: Option<bool>,
}

impl SellerProfileChanges {
    /// Field rules.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(b) = &self.brand_name {
            check_max_len(
                &mut errors,
                "brand_name",
                b,
                crate::account::rules::BRAND_MAX,
            );
        }
        if let Some(p) = &self.business_phone {
            check_max_len(
                &mut errors,
                "business_phone",
                p,
                crate::account::rules::PHONE_MAX,
            );
        }
        if let Some(w) = &self.website {
            if !w.is_empty() && !is_valid_url(w) {
                errors.add("website", msg::URL);
            }
            check_max_len(&mut errors, "website", w, 200);
        }
        errors.into_result()
    }
}

/// Sortable seller-profile fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SellerProfileSort {
    /// Id.
    Id,
    /// Brand.
    BrandName,
    /// Creation time.
    CreatedAt,
    /// Verified flag.
    IsVerified,
    /// Rating.
    AverageRating,
}

/// `?ordering=` names for seller profiles.
pub const SELLER_PROFILE_ORDERING: &[(&str, SellerProfileSort)] = &[
    ("id", SellerProfileSort::Id),
    ("brand_name", SellerProfileSort::BrandName),
    ("created_at", SellerProfileSort::CreatedAt),
    ("is_verified", SellerProfileSort::IsVerified),
    ("average_rating", SellerProfileSort::AverageRating),
];

/// A seller-profile list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SellerProfileQuery {
    /// Only this owner's (everyone but admins).
    pub owner: Option<UserId>,
    /// Sort keys; id ascending breaks ties.
    pub ordering: Vec<Sort<SellerProfileSort>>,
}

/// Who owns a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileOwner {
    /// The profile.
    pub id: SellerProfileId,
    /// Its owner.
    pub user: UserId,
}
