//! Wire types of accounts: users, sessions, profiles, addresses and seller profiles, field for
//! field and in the contract's key order.

use madeinpk_domain::account::address::Address;
use madeinpk_domain::account::service::ProfileView;
use madeinpk_domain::account::user::{SellerProfile, User};
use serde::Serialize;
use utoipa::ToSchema;

use crate::time::render;
use crate::wire::Media;

/// The fields User and UserProfile share, in their order.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserIdentityDto {
    id: i64,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    phone_number: String,
    profile_picture: Option<String>,
    profile_picture_url: Option<String>,
    role: &'static str,
}

impl UserIdentityDto {
    fn new(u: &User, media: &Media) -> Self {
        Self {
            id: u.id.get(),
            username: u.username.clone(),
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            phone_number: u.phone_number.clone(),
            profile_picture: u.profile_picture.as_deref().map(|p| media.relative(p)),
            profile_picture_url: u.profile_picture.as_deref().map(|p| media.absolute(p)),
            role: u.role.as_str(),
        }
    }
}

/// The User object (register, login, become-seller).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    #[serde(flatten)]
    identity: UserIdentityDto,
    is_blocked: bool,
    failed_payment_count: i32,
    created_at: String,
}

impl UserDto {
    /// Renders a user.
    pub fn new(u: &User, media: &Media) -> Self {
        Self {
            identity: UserIdentityDto::new(u, media),
            is_blocked: u.is_blocked,
            failed_payment_count: u.failed_payment_count,
            created_at: render(u.created_at),
        }
    }
}

/// `{"user": User, "token": key}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    /// The user.
    pub user: UserDto,
    /// The token key, shown once.
    pub token: String,
}

/// The Address object.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressDto {
    id: i64,
    street_address: String,
    city: i64,
    city_name: String,
    province_name: String,
    postal_code: String,
    is_default: bool,
    created_at: String,
}

impl From<&Address> for AddressDto {
    fn from(a: &Address) -> Self {
        Self {
            id: a.id.get(),
            street_address: a.street_address.clone(),
            city: a.city_id.get(),
            city_name: a.city_name.clone(),
            province_name: a.province_name.clone(),
            postal_code: a.postal_code.clone(),
            is_default: a.is_default,
            created_at: render(a.created_at),
        }
    }
}

/// The SellerProfile object.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerProfileDto {
    id: i64,
    user: i64,
    user_username: String,
    user_email: String,
    brand_name: String,
    biography: String,
    business_address: String,
    business_address_detail: Option<AddressDto>,
    business_address_id: Option<i64>,
    province_name: Option<String>,
    business_phone: String,
    website: String,
    /// Any JSON (`{}` by default), as the owner sent it.
    social_media_links: serde_json::Value,
    is_verified: bool,
    average_rating: String,
    total_feedbacks: i32,
    created_at: String,
    updated_at: String,
}

impl From<&SellerProfile> for SellerProfileDto {
    fn from(p: &SellerProfile) -> Self {
        Self {
            id: p.id.get(),
            user: p.user_id.get(),
            user_username: p.user_username.clone(),
            user_email: p.user_email.clone(),
            brand_name: p.brand_name.clone(),
            biography: p.biography.clone(),
            business_address: p.business_address_line(),
            business_address_detail: p.business_address.as_ref().map(AddressDto::from),
            business_address_id: p
                .business_address_id()
                .map(madeinpk_domain::ids::AddressId::get),
            province_name: p.province_name.clone(),
            business_phone: p.business_phone.clone(),
            website: p.website.clone(),
            social_media_links: p.social_media_links.clone(),
            is_verified: p.is_verified,
            average_rating: p.average_rating_text(),
            total_feedbacks: p.total_feedbacks,
            created_at: render(p.created_at),
            updated_at: render(p.updated_at),
        }
    }
}

/// The UserProfile object (`auth/profile/`).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserProfileDto {
    #[serde(flatten)]
    identity: UserIdentityDto,
    created_at: String,
    total_sales: i64,
    total_purchases: i64,
    average_seller_rating: Option<f64>,
    seller_profile: Option<SellerProfileDto>,
    /// Whether the email is verified; only with `PROFILE_SHOWS_EMAIL_VERIFIED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
}

impl UserProfileDto {
    /// Renders the profile page; `email_verified` when the setting shows it.
    pub fn new(v: &ProfileView, media: &Media, email_verified: Option<bool>) -> Self {
        Self {
            identity: UserIdentityDto::new(&v.user, media),
            created_at: render(v.user.created_at),
            total_sales: v.stats.total_sales,
            total_purchases: v.stats.total_purchases,
            average_seller_rating: v.stats.average_seller_rating,
            seller_profile: v.seller_profile.as_ref().map(SellerProfileDto::from),
            email_verified,
        }
    }
}
