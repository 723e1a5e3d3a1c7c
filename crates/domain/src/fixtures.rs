//! Test fixtures shared by the services' unit tests.

use chrono::{TimeZone, Utc};

use crate::account::user::{Role, User};
use crate::ids::UserId;

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
pub fn product_view(id: i64, seller: i64) -> crate::catalog::product::ProductView {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    crate::catalog::product::ProductView {
        id: crate::ids::ProductId(id),
        seller: UserId(seller),
        seller_username: format!("u{seller}"),
        seller_email: format!("u{seller}@example.pk"),
        category: None,
        category_name: None,
        name: format!("Product {id}"),
        description: String::new(),
        condition: crate::catalog::product::Condition::New,
        images: Vec::new(),
        listing_type: Some(crate::catalog::product::ListingType::FixedPrice),
        average_rating: None,
        total_reviews: 0,
        seller_profile: None,
        region: None,
        is_in_wishlist: false,
        created_at: t,
        updated_at: t,
    }
}

/// A pending cart order of `buyer` with one line of `seller`'s.
pub fn order(id: i64, buyer: i64, seller: i64) -> crate::order::model::Order {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let m = crate::money::Money::pkr;
    crate::order::model::Order {
        id: crate::ids::OrderId(id),
        number: "CART-000000000001".into(),
        buyer: UserId(buyer),
        buyer_username: format!("u{buyer}"),
        order_type: crate::order::model::OrderType::Cart,
        seller: None,
        seller_username: None,
        product: None,
        product_name: None,
        auction: None,
        quantity: 1,
        unit_price: None,
        total: m(10_000),
        platform_fee: m(200),
        seller_amount: m(9_800),
        shipping_address: None,
        status: crate::order::model::OrderStatus::PendingPayment,
        payment_url: String::new(),
        payment_reference: String::new(),
        payment_deadline: Some(t),
        items: vec![crate::order::model::OrderItem {
            id: crate::ids::OrderItemId(1),
            product: crate::ids::ProductId(1),
            product_name: "Vase".into(),
            product_image: None,
            listing: Some(crate::ids::ListingId(1)),
            seller: UserId(seller),
            seller_username: format!("u{seller}"),
            quantity: 1,
            unit_price: m(10_000),
            subtotal: m(10_000),
            is_shipped: false,
            shipped_at: None,
            tracking_number: None,
            created_at: t,
        }],
        shares: vec![crate::order::commission::SellerShare {
            seller: UserId(seller),
            subtotal: m(10_000),
            fee: m(200),
            seller_amount: m(9_800),
        }],
        created_at: t,
        paid_at: None,
        shipped_at: None,
        delivered_at: None,
    }
}
