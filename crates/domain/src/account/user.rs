//! Users, roles and seller profiles.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::address::Address;
use crate::ids::{AddressId, SellerProfileId, UserId};

/// What a user may do; stored values are the wire values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Buys only.
    Buyer,
    /// Sells only.
    Seller,
    /// Buys and sells.
    Both,
    /// Operator; made only by the CLI.
    Admin,
}

impl Role {
    /// The roles a client may choose at registration (never admin).
    pub const SELF_SERVICE: [Self; 3] = [Self::Buyer, Self::Seller, Self::Both];

    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Seller => "seller",
            Self::Both => "both",
            Self::Admin => "admin",
        }
    }

    /// Parses a stored value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "buyer" => Some(Self::Buyer),
            "seller" => Some(Self::Seller),
            "both" => Some(Self::Both),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    /// Roles a client may choose at registration (never admin).
    pub fn parse_self_service(s: &str) -> Option<Self> {
        Self::parse(s).filter(|r| Self::SELF_SERVICE.contains(r))
    }

    /// "Seller" checks accept `seller` and `both`.
    pub const fn can_sell(self) -> bool {
        matches!(self, Self::Seller | Self::Both)
    }

    /// Operators.
    pub const fn is_admin(self) -> bool {
        matches!(self, Self::Admin)
    }
}

/// A registered account as the rest of the system sees it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Unique public name.
    pub username: String,
    /// Unique login name.
    pub email: String,
    /// Given name, may be empty.
    pub first_name: String,
    /// Family name, may be empty.
    pub last_name: String,
    /// Phone, may be empty.
    pub phone_number: String,
    /// Stored path of the profile picture under the media root.
    pub profile_picture: Option<String>,
    /// Role.
    pub role: Role,
    /// Blocked users can read but not write.
    pub is_blocked: bool,
    /// Unpaid auction orders counted against the user.
    pub failed_payment_count: i32,
    /// Stripe Connect account, once onboarding started.
    pub stripe_account_id: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// True for sellers and dual-role users.
    pub const fn can_sell(&self) -> bool {
        self.role.can_sell()
    }

    /// True for operators.
    pub const fn is_admin(&self) -> bool {
        self.role.is_admin()
    }
}

/// A seller's public storefront data.
#[derive(Debug, Clone, PartialEq)]
pub struct SellerProfile {
    /// Id.
    pub id: SellerProfileId,
    /// Owner.
    pub user_id: UserId,
    /// Owner's username.
    pub user_username: String,
    /// Owner's email.
    pub user_email: String,
    /// Shop name.
    pub brand_name: String,
    /// About the seller.
    pub biography: String,
    /// Legacy free-text business address.
    pub business_address_text: String,
    /// Linked business address.
    pub business_address: Option<Address>,
    /// Province of the business address, else of the default address.
    pub province_name: Option<String>,
    /// Business phone.
    pub business_phone: String,
    /// Website URL or empty.
    pub website: String,
    /// Free-form links object.
    pub social_media_links: serde_json::Value,
    /// Set by admins only.
    pub is_verified: bool,
    /// Mean seller rating in hundredths (0..=500).
    pub average_rating_centi: i32,
    /// Number of feedbacks.
    pub total_feedbacks: i32,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl SellerProfile {
    /// The rating as the contract renders it, e.g. `"4.50"`.
    pub fn average_rating_text(&self) -> String {
        rating_text(self.average_rating_centi)
    }

    /// `"{street}, {city}, {province} {postal}"` if an address is linked, else the legacy text.
    pub fn business_address_line(&self) -> String {
        match &self.business_address {
            Some(a) => format!(
                "{}, {}, {} {}",
                a.street_address, a.city_name, a.province_name, a.postal_code
            ),
            None => self.business_address_text.clone(),
        }
    }

    /// Id of the linked business address.
    pub fn business_address_id(&self) -> Option<AddressId> {
        self.business_address.as_ref().map(|a| a.id)
    }
}

/// Figures shown on the caller's profile.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProfileStats {
    /// Orders sold that shipped or were delivered.
    pub total_sales: i64,
    /// Orders bought that shipped or were delivered.
    pub total_purchases: i64,
    /// Mean seller rating from feedback.
    pub average_seller_rating: Option<f64>,
}

/// A rating in hundredths as the contract renders it, e.g. 450 → `"4.50"`.
pub fn rating_text(centi: i32) -> String {
    let r = centi.max(0);
    format!("{}.{:02}", r / 100, r % 100)
}
