//! The shopping cart: lines with their stock holds, per-seller groups and totals.

use chrono::{DateTime, Utc};

use crate::catalog::listing::{Discount, ListingStatus, discounted};
use crate::catalog::product::ProductView;
use crate::ids::{CartItemId, ListingId, UserId};
use crate::money::{Currency, Money};
use crate::store::StoreError;
use crate::validation::FieldErrors;

/// One line of a cart, with its listing's stock figures.
#[derive(Debug, Clone, PartialEq)]
pub struct CartLine {
    /// Id.
    pub id: CartItemId,
    /// The listing.
    pub listing: ListingId,
    /// Its product.
    pub product: ProductView,
    /// Units wanted.
    pub quantity: i32,
    /// Units this line holds (its reservation); 0 once the hold lapsed and was released.
    pub held: i32,
    /// When the hold lapses.
    pub held_until: Option<DateTime<Utc>>,
    /// The listing's status.
    pub listing_status: ListingStatus,
    /// The listing's units left to sell.
    pub listing_quantity: i32,
    /// The listing's units held in all carts (this line's included).
    pub listing_reserved: i32,
    /// The listing's base price.
    pub price: Money,
    /// The listing's discount.
    pub discount: Discount,
    /// The seller's brand name (a non-empty profile brand), if any.
    pub seller_brand_name: Option<String>,
    /// Added.
    pub added_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

impl CartLine {
    /// The seller.
    pub fn seller(&self) -> UserId {
        self.product.seller
    }

    /// The price per unit now (discount applied, exact to the paisa).
    pub fn unit_price(&self, now: DateTime<Utc>) -> Money {
        effective_price(self.price, &self.discount, now)
    }

    /// `unit_price × quantity`.
    pub fn subtotal(&self, now: DateTime<Utc>) -> Money {
        self.unit_price(now)
            .checked_mul(i64::from(self.quantity))
            .unwrap_or(self.price)
    }

    /// The most this line could hold: units nobody holds plus its own hold.
    pub fn available_quantity(&self) -> i32 {
        (self.listing_quantity - self.listing_reserved + self.held).max(0)
    }

    /// On sale and enough units for the line.
    pub fn is_available(&self) -> bool {
        self.listing_status == ListingStatus::Active && self.available_quantity() >= self.quantity
    }

    /// The hold no longer covers the line (released, or past its time).
    pub fn hold_lapsed(&self, now: DateTime<Utc>) -> bool {
        self.held < self.quantity || self.held_until.is_none_or(|t| t <= now)
    }
}

/// A listing's price at `now`: discounted while its discount window is open.
pub fn effective_price(price: Money, discount: &Discount, now: DateTime<Utc>) -> Money {
    match discount.percentage_bps {
        Some(bps) if discount.is_active(now) => discounted(price, bps).unwrap_or(price),
        _ => price,
    }
}

/// A user's cart.
#[derive(Debug, Clone, PartialEq)]
pub struct Cart {
    /// Id.
    pub id: i64,
    /// Lines, newest first.
    pub lines: Vec<CartLine>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

/// One seller's lines in a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerGroup {
    /// The seller.
    pub seller: UserId,
    /// Username.
    pub username: String,
    /// Brand name, if any.
    pub brand_name: Option<String>,
    /// The lines' ids.
    pub items: Vec<CartItemId>,
    /// Units.
    pub total_items: i64,
    /// Σ line subtotals.
    pub subtotal: Money,
}

impl Cart {
    /// Σ quantities.
    pub fn total_items(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.quantity)).sum()
    }

    /// Σ subtotals at `now`.
    pub fn total_price(&self, now: DateTime<Utc>) -> Money {
        Money::sum(Currency::Pkr, self.lines.iter().map(|l| l.subtotal(now)))
            .unwrap_or(Money::zero(Currency::Pkr))
    }

    /// Lines grouped by seller, in order of each seller's first line.
    pub fn groups(&self, now: DateTime<Utc>) -> Vec<SellerGroup> {
        let mut groups: Vec<SellerGroup> = Vec::new();
        for line in &self.lines {
            let at = if let Some(at) = groups.iter().position(|g| g.seller == line.seller()) {
                at
            } else {
                groups.push(SellerGroup {
                    seller: line.seller(),
                    username: line.product.seller_username.clone(),
                    brand_name: line.seller_brand_name.clone(),
                    items: Vec::new(),
                    total_items: 0,
                    subtotal: Money::zero(Currency::Pkr),
                });
                groups.len() - 1
            };
            let g = &mut groups[at];
            g.items.push(line.id);
            g.total_items += i64::from(line.quantity);
            g.subtotal = g
                .subtotal
                .checked_add(line.subtotal(now))
                .unwrap_or(g.subtotal);
        }
        groups
    }

    /// The earliest time a hold of this cart lapses.
    pub fn holds_until(&self) -> Option<DateTime<Utc>> {
        self.lines
            .iter()
            .filter(|l| l.held > 0)
            .filter_map(|l| l.held_until)
            .min()
    }
}

/// The outcome of trying to hold units for a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldOutcome {
    /// Held; the line's id.
    Held(CartItemId),
    /// Not enough units: what the line could have at most.
    Short {
        /// Units available to this line.
        available: i32,
        /// The line already existed (the contract answers this case with `{"error"}`).
        existing: bool,
    },
    /// The listing is gone or no longer on sale.
    Unavailable,
}

/// `Only {n} items available in stock`.
pub fn only_available(n: i32) -> String {
    format!("Only {n} items available in stock")
}

/// Why a cart request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    /// The line is not in the caller's cart.
    #[error("Cart item not found")]
    ItemNotFound,
    /// Field rules failed.
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// The request breaks a cart rule (not enough stock, an inactive listing, ...).
    #[error("{0}")]
    Rejected(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FieldErrors> for CartError {
    fn from(e: FieldErrors) -> Self {
        Self::Validation(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::product_view;
    use chrono::Duration;

    fn line(id: i64, seller: i64, price: i64, qty: i32) -> CartLine {
        let now = Utc::now();
        CartLine {
            id: CartItemId(id),
            listing: ListingId(id),
            product: product_view(id, seller),
            quantity: qty,
            held: qty,
            held_until: Some(now + Duration::minutes(15)),
            listing_status: ListingStatus::Active,
            listing_quantity: 10,
            listing_reserved: qty,
            price: Money::pkr(price),
            discount: Discount::default(),
            seller_brand_name: None,
            added_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn groups_and_totals_follow_the_lines() {
        let now = Utc::now();
        let cart = Cart {
            id: 1,
            lines: vec![line(1, 7, 1000, 2), line(2, 8, 250, 1), line(3, 7, 99, 3)],
            created_at: now,
            updated_at: now,
        };
        assert_eq!(cart.total_items(), 6);
        assert_eq!(cart.total_price(now), Money::pkr(2000 + 250 + 297));
        let g = cart.groups(now);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].seller, UserId(7));
        assert_eq!(g[0].items, vec![CartItemId(1), CartItemId(3)]);
        assert_eq!(g[0].subtotal, Money::pkr(2297));
        assert_eq!(g[0].total_items, 5);
        assert_eq!(g[1].subtotal, Money::pkr(250));
    }

    #[test]
    fn a_discount_applies_only_inside_its_window() {
        let now = Utc::now();
        let mut l = line(1, 7, 29_166, 3);
        l.discount = Discount {
            percentage_bps: Some(1250),
            start: Some(now - Duration::hours(1)),
            end: Some(now + Duration::hours(1)),
        };
        // 291.66 × 0.875 = 255.2025 → 255.20; the subtotal is derived from the rounded unit.
        assert_eq!(l.unit_price(now), Money::pkr(25_520));
        assert_eq!(l.subtotal(now), Money::pkr(76_560));
        assert_eq!(l.unit_price(now + Duration::hours(2)), Money::pkr(29_166));
    }

    #[test]
    fn availability_counts_the_lines_own_hold() {
        let now = Utc::now();
        let mut l = line(1, 7, 100, 3);
        l.listing_quantity = 5;
        l.listing_reserved = 5; // this line's 3 and someone else's 2
        assert_eq!(l.available_quantity(), 3);
        assert!(l.is_available());
        assert!(!l.hold_lapsed(now));
        l.held = 0;
        l.listing_reserved = 2;
        assert!(l.hold_lapsed(now));
        assert_eq!(l.available_quantity(), 3);
        l.listing_status = ListingStatus::Inactive;
        assert!(!l.is_available());
        let mut late = line(2, 7, 100, 1);
        late.held_until = Some(now - Duration::seconds(1));
        assert!(late.hold_lapsed(now));
    }
}
