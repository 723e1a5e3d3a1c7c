//! Test fixtures shared by the services' unit tests.

use chrono::{TimeZone, Utc};

use crate::ids::UserId;
use crate::user::{Role, User};

/// A user with the given id and role, not blocked.
pub fn user(id: i64, role: Role) -> User {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    User {
        id: UserId(id),
        username: format!("u{id}"),
        email: format!("u{id}@example.pk"),
        first_name: String::new(),
        last_name: String::new(),
        phone_number: String::new(),
        profile_picture: None,
        role,
        is_blocked: false,
        failed_payment_count: 0,
        stripe_account_id: None,
        created_at: t,
        updated_at: t,
    }
}

/// A product view with the given id and seller.
pub fn product_view(id: i64, seller: i64) -> crate::product::ProductView {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    crate::product::ProductView {
        id: crate::ids::ProductId(id),
        seller: UserId(seller),
        seller_username: format!("u{seller}"),
        category: None,
        category_name: None,
        name: format!("Product {id}"),
        description: String::new(),
        condition: crate::product::Condition::New,
        images: Vec::new(),
        listing_type: Some(crate::product::ListingType::FixedPrice),
        average_rating: None,
        total_reviews: 0,
        seller_profile: None,
        region: None,
        is_in_wishlist: false,
        created_at: t,
        updated_at: t,
    }
}
