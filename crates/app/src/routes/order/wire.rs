//! Cart and order response shapes, in the contract's key order, plus what the rewrite adds
//! (holds, per-seller groups and breakdown).

use chrono::{DateTime, Utc};
use madeinpk_domain::order::cart::{Cart, CartLine};
use madeinpk_domain::order::model::{Order, OrderItem, OrderType};
use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::account::wire::AddressDto;
use crate::routes::catalog::wire::ProductDto;
use crate::time::{render, render_opt};
use crate::wire::Media;

/// A cart line.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartItemDto {
    id: i64,
    listing_id: i64,
    product: ProductDto,
    quantity: i32,
    /// The effective (discounted) price now.
    unit_price: String,
    subtotal: String,
    is_available: bool,
    /// The most this line can hold: free units plus its own hold.
    available_quantity: i32,
    seller_id: i64,
    seller_username: String,
    seller_brand_name: Option<String>,
    /// When the line's hold lapses (null once released).
    reserved_until: Option<String>,
    /// The hold lapsed: checkout re-takes the units if they are still there.
    reservation_expired: bool,
    added_at: String,
    updated_at: String,
}

impl CartItemDto {
    /// Renders a line as of `now`.
    pub fn new(l: &CartLine, media: &Media, now: DateTime<Utc>) -> Self {
        let lapsed = l.hold_lapsed(now);
        Self {
            id: l.id.get(),
            listing_id: l.listing.get(),
            product: ProductDto::new(&l.product, media),
            quantity: l.quantity,
            unit_price: l.unit_price(now).to_string(),
            subtotal: l.subtotal(now).to_string(),
            is_available: l.is_available(),
            available_quantity: l.available_quantity(),
            seller_id: l.seller().get(),
            seller_username: l.product.seller_username.clone(),
            seller_brand_name: l.seller_brand_name.clone(),
            reserved_until: if lapsed {
                None
            } else {
                render_opt(l.held_until)
            },
            reservation_expired: lapsed,
            added_at: render(l.added_at),
            updated_at: render(l.updated_at),
        }
    }
}

/// `{id, username}` of a seller in the cart.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartSellerDto {
    id: i64,
    username: String,
}

/// One seller's part of the cart.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerGroupDto {
    seller_id: i64,
    seller_username: String,
    seller_brand_name: Option<String>,
    items: Vec<i64>,
    total_items: i64,
    subtotal: String,
}

/// The Cart object.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartDto {
    id: i64,
    items: Vec<CartItemDto>,
    total_items: i64,
    total_price: String,
    sellers: Vec<CartSellerDto>,
    seller_groups: Vec<SellerGroupDto>,
    /// The earliest time a hold lapses.
    reserved_until: Option<String>,
    created_at: String,
    updated_at: String,
}

impl CartDto {
    /// Renders a cart as of `now`.
    pub fn new(c: &Cart, media: &Media, now: DateTime<Utc>) -> Self {
        let groups = c.groups(now);
        Self {
            id: c.id,
            items: c
                .lines
                .iter()
                .map(|l| CartItemDto::new(l, media, now))
                .collect(),
            total_items: c.total_items(),
            total_price: c.total_price(now).to_string(),
            sellers: groups
                .iter()
                .map(|g| CartSellerDto {
                    id: g.seller.get(),
                    username: g.username.clone(),
                })
                .collect(),
            seller_groups: groups
                .into_iter()
                .map(|g| SellerGroupDto {
                    seller_id: g.seller.get(),
                    seller_username: g.username,
                    seller_brand_name: g.brand_name,
                    items: g.items.iter().map(|i| i.get()).collect(),
                    total_items: g.total_items,
                    subtotal: g.subtotal.to_string(),
                })
                .collect(),
            reserved_until: render_opt(c.holds_until().filter(|t| *t > now)),
            created_at: render(c.created_at),
            updated_at: render(c.updated_at),
        }
    }
}

/// An order line.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderItemDto {
    id: i64,
    product: i64,
    product_name: String,
    product_image: Option<String>,
    seller_id: i64,
    seller_username: String,
    quantity: i32,
    unit_price: String,
    subtotal: String,
    is_shipped: bool,
    shipped_at: Option<String>,
    tracking_number: Option<String>,
    created_at: String,
}

impl OrderItemDto {
    fn new(i: &OrderItem, media: &Media) -> Self {
        Self {
            id: i.id.get(),
            product: i.product.get(),
            product_name: i.product_name.clone(),
            product_image: i.product_image.as_deref().map(|p| media.absolute(p)),
            seller_id: i.seller.get(),
            seller_username: i.seller_username.clone(),
            quantity: i.quantity,
            unit_price: i.unit_price.to_string(),
            subtotal: i.subtotal.to_string(),
            is_shipped: i.is_shipped,
            shipped_at: render_opt(i.shipped_at),
            tracking_number: i.tracking_number.clone(),
            created_at: render(i.created_at),
        }
    }
}

/// One seller's money in an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerShareDto {
    seller_id: i64,
    subtotal: String,
    platform_fee: String,
    seller_amount: String,
}

/// The Order object, as the viewer may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDto {
    id: i64,
    order_number: String,
    buyer: i64,
    buyer_username: String,
    seller: Option<i64>,
    /// Omitted for cart orders, as in the contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    seller_username: Option<String>,
    product: Option<i64>,
    product_name: Option<String>,
    order_type: &'static str,
    quantity: i32,
    unit_price: Option<String>,
    total_amount: String,
    platform_fee: String,
    seller_amount: Option<String>,
    shipping_address: Option<i64>,
    shipping_address_detail: Option<AddressDto>,
    status: &'static str,
    payment_url: String,
    payment_deadline: Option<String>,
    items: Vec<OrderItemDto>,
    /// Per-seller money (a seller sees only their own).
    seller_breakdown: Vec<SellerShareDto>,
    is_multi_seller: bool,
    my_items_shipped: Option<bool>,
    all_items_shipped: Option<bool>,
    stripe_payment_intent_id: String,
    created_at: String,
    paid_at: Option<String>,
    shipped_at: Option<String>,
    delivered_at: Option<String>,
}

impl OrderDto {
    /// Renders an order for `viewer`: the buyer (and admins) see everything, a seller only their
    /// lines and their own amounts.
    pub fn new(
        o: &Order,
        viewer: madeinpk_domain::ids::UserId,
        is_admin: bool,
        media: &Media,
    ) -> Self {
        let sight = o.seen_by(viewer, is_admin);
        let cart = o.order_type == OrderType::Cart;
        Self {
            id: o.id.get(),
            order_number: o.number.clone(),
            buyer: o.buyer.get(),
            buyer_username: o.buyer_username.clone(),
            seller: o.seller.map(madeinpk_domain::ids::UserId::get),
            seller_username: o.seller_username.clone(),
            product: o.product.map(madeinpk_domain::ids::ProductId::get),
            product_name: o.product_name.clone(),
            order_type: o.order_type.as_str(),
            quantity: o.quantity,
            unit_price: o.unit_price.map(|p| p.to_string()),
            total_amount: sight.total.to_string(),
            platform_fee: sight.platform_fee.to_string(),
            seller_amount: sight.seller_amount.map(|m| m.to_string()),
            shipping_address: o.shipping_address.as_ref().map(|a| a.id.get()),
            shipping_address_detail: o.shipping_address.as_ref().map(AddressDto::from),
            status: o.status.as_str(),
            payment_url: if sight.full {
                o.payment_url.clone()
            } else {
                String::new()
            },
            payment_deadline: render_opt(o.payment_deadline),
            items: if cart {
                sight
                    .items
                    .iter()
                    .map(|i| OrderItemDto::new(i, media))
                    .collect()
            } else {
                Vec::new()
            },
            seller_breakdown: o
                .shares
                .iter()
                .filter(|s| sight.full || s.seller == viewer)
                .map(|s| SellerShareDto {
                    seller_id: s.seller.get(),
                    subtotal: s.subtotal.to_string(),
                    platform_fee: s.fee.to_string(),
                    seller_amount: s.seller_amount.to_string(),
                })
                .collect(),
            is_multi_seller: cart,
            my_items_shipped: sight.my_items_shipped,
            all_items_shipped: cart.then(|| o.all_items_shipped()),
            // Sellers never see the buyer's payment reference (the original leaked it).
            stripe_payment_intent_id: if sight.full {
                o.payment_reference.clone()
            } else {
                String::new()
            },
            created_at: render(o.created_at),
            paid_at: render_opt(o.paid_at),
            shipped_at: render_opt(o.shipped_at),
            delivered_at: render_opt(o.delivered_at),
        }
    }
}
