//! Fixed-price listings: price, stock, status, and a discount window with an exact effective price.

use chrono::{DateTime, Utc};

use crate::account::user::User;
use crate::catalog::product::ProductView;
use crate::ids::ListingId;
use crate::money::{MAX_MINOR, Money, MoneyError};
use crate::rate::BasisPoints;
use crate::validation::{FieldErrors, NON_FIELD};

/// A listing's status; stored values are the wire values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListingStatus {
    /// On sale.
    Active,
    /// Hidden by the seller.
    Inactive,
    /// No units left.
    OutOfStock,
}

impl ListingStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Active, Self::Inactive, Self::OutOfStock];

    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::OutOfStock => "out_of_stock",
        }
    }

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A discount: a percentage in hundredths of a percent (basis points), valid in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Discount {
    /// Percentage in basis points (1250 = 12.50%); 1..=9999.
    pub percentage_bps: Option<u32>,
    /// Window start.
    pub start: Option<DateTime<Utc>>,
    /// Window end.
    pub end: Option<DateTime<Utc>>,
}

impl Discount {
    /// All three fields set and `start ≤ now ≤ end`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        matches!((self.percentage_bps, self.start, self.end), (Some(_), Some(s), Some(e)) if s <= now && now <= e)
    }

    /// True when any of the three fields is set.
    pub fn any_set(&self) -> bool {
        self.percentage_bps.is_some() || self.start.is_some() || self.end.is_some()
    }

    /// The percentage as the contract renders it, e.g. `"12.50"`.
    pub fn percentage_text(&self) -> Option<String> {
        self.percentage_bps
            .map(|b| Money::pkr(i64::from(b)).to_string())
    }
}

/// A listing with its product.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// Id.
    pub id: ListingId,
    /// The product.
    pub product: ProductView,
    /// List price.
    pub price: Money,
    /// Units not yet committed to an order.
    pub quantity: i32,
    /// Units held in carts.
    pub reserved_quantity: i32,
    /// Status.
    pub status: ListingStatus,
    /// Featured by an admin.
    pub featured: bool,
    /// Discount.
    pub discount: Discount,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

/// `price × (1 − pct/100)`, rounded half-up to the paisa.
pub fn discounted(price: Money, percentage_bps: u32) -> Result<Money, MoneyError> {
    let keep = BasisPoints::new(BasisPoints::WHOLE.saturating_sub(percentage_bps))
        .ok_or(MoneyError::Overflow)?;
    // Never below one paisa: a free item cannot be paid for.
    Ok(keep
        .apply(price)?
        .max(Money::from_minor(1, price.currency())))
}

impl Listing {
    /// The price a buyer pays now.
    pub fn current_price(&self, now: DateTime<Utc>) -> Money {
        match self.discount.percentage_bps {
            Some(bps) if self.discount.is_active(now) => {
                discounted(self.price, bps).unwrap_or(self.price)
            }
            _ => self.price,
        }
    }

    /// Units another buyer can still add to a cart.
    pub fn available_quantity(&self) -> i32 {
        (self.quantity - self.reserved_quantity).max(0)
    }
}

/// Whose inactive listings a reader sees. A seller deactivates a listing to withdraw it from
/// sale, so it stays theirs (and admins'); to anyone else it is as if it did not exist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InactiveListings {
    /// Every one, to anyone (the contract's default; `STRICT_VISIBILITY` off).
    #[default]
    Public,
    /// None (anonymous readers).
    Hidden,
    /// Only this seller's own.
    Seller(crate::ids::UserId),
    /// Every one (admins).
    All,
}

impl InactiveListings {
    /// What `viewer` (`None`: anonymous) may see.
    pub fn for_viewer(viewer: Option<&User>) -> Self {
        match viewer {
            Some(u) if u.is_admin() => Self::All,
            Some(u) => Self::Seller(u.id),
            None => Self::Hidden,
        }
    }

    /// Whether `listing` is visible under this rule (every listing that is not inactive is).
    pub fn shows(self, listing: &Listing) -> bool {
        listing.status != ListingStatus::Inactive
            || match self {
                Self::Public | Self::All => true,
                Self::Hidden => false,
                Self::Seller(seller) => listing.product.seller == seller,
            }
    }
}

/// Checks a price: at least 0.01 and at most 99,999,999.99.
pub fn check_price(errors: &mut FieldErrors, field: &str, price: Money) {
    if price.minor() < 1 {
        errors.add(field, "Ensure this value is greater than or equal to 0.01.");
    } else if price.minor() > MAX_MINOR {
        errors.add(
            field,
            "Ensure that there are no more than 10 digits in total.",
        );
    }
}

/// Checks a discount percentage in basis points: 0.01 to 99.99.
pub fn check_percentage(errors: &mut FieldErrors, bps: i64) {
    if bps < 1 {
        errors.add(
            "discount_percentage",
            "Ensure this value is greater than or equal to 0.01.",
        );
    } else if bps > 9999 {
        errors.add(
            "discount_percentage",
            "Ensure this value is less than or equal to 99.99.",
        );
    }
}

/// Checks a quantity: at least 1.
pub fn check_quantity(errors: &mut FieldErrors, quantity: i64) {
    if quantity < 1 {
        errors.add(
            "quantity",
            "Ensure this value is greater than or equal to 1.",
        );
    } else if quantity > i64::from(i32::MAX) {
        errors.add(
            "quantity",
            format!("Ensure this value is less than or equal to {}.", i32::MAX),
        );
    }
}

/// The object-level discount rules of a create (contract §5, in order).
pub fn check_new_discount(d: &Discount, now: DateTime<Utc>) -> Result<(), FieldErrors> {
    if !d.any_set() {
        return Ok(());
    }
    let (Some(_), Some(start), Some(end)) = (d.percentage_bps, d.start, d.end) else {
        return Err(FieldErrors::non_field(
            "If setting a discount, you must provide discount_percentage, discount_start_date, and discount_end_date",
        ));
    };
    if end <= start {
        return Err(FieldErrors::non_field(
            "Discount end date must be after start date",
        ));
    }
    // A minute of skew for clocks and slow clients.
    if start < now - chrono::Duration::minutes(1) {
        return Err(FieldErrors::non_field(
            "Discount start date cannot be in the past",
        ));
    }
    Ok(())
}

/// The object-level discount rules of an update: all three set, or all three cleared.
pub fn check_updated_discount(d: &Discount) -> Result<(), FieldErrors> {
    match (d.percentage_bps, d.start, d.end) {
        (Some(_), Some(start), Some(end)) if end <= start => Err(FieldErrors::non_field(
            "Discount end date must be after start date",
        )),
        (None, None, None) | (Some(_), Some(_), Some(_)) => Ok(()),
        _ => Err(FieldErrors::single(
            NON_FIELD,
            "If setting a discount, you must provide all discount fields: discount_percentage, discount_start_date, and discount_end_date",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, 0, 0).unwrap()
    }

    #[test]
    fn effective_price_rounds_half_up_to_the_paisa() {
        // 350.00 at 16.67% off = 291.655 → 291.66 (the original showed "291.66375"-style raw values).
        assert_eq!(
            discounted(Money::pkr(35_000), 1667).unwrap(),
            Money::pkr(29_166)
        );
        assert_eq!(
            discounted(Money::pkr(100_000), 1000).unwrap(),
            Money::pkr(90_000)
        );
        assert_eq!(
            discounted(Money::pkr(1), 5000).unwrap(),
            Money::pkr(1),
            "0.005 rounds up"
        );
        assert_eq!(
            discounted(Money::pkr(1), 9999).unwrap(),
            Money::pkr(1),
            "floored at one paisa"
        );
    }

    #[test]
    fn discount_window() {
        let d = Discount {
            percentage_bps: Some(1000),
            start: Some(t(1)),
            end: Some(t(3)),
        };
        assert!(d.is_active(t(2)) && d.is_active(t(1)) && d.is_active(t(3)));
        assert!(!d.is_active(t(4)));
        assert!(!Discount { end: None, ..d }.is_active(t(2)));
        assert_eq!(d.percentage_text().as_deref(), Some("10.00"));
    }

    #[test]
    fn create_rules_in_order() {
        let now = t(2);
        assert!(check_new_discount(&Discount::default(), now).is_ok());
        let partial = Discount {
            percentage_bps: Some(500),
            ..Discount::default()
        };
        assert!(
            check_new_discount(&partial, now)
                .unwrap_err()
                .get(NON_FIELD)
                .unwrap()[0]
                .starts_with("If setting a discount")
        );
        let backwards = Discount {
            percentage_bps: Some(500),
            start: Some(t(5)),
            end: Some(t(4)),
        };
        assert_eq!(
            check_new_discount(&backwards, now)
                .unwrap_err()
                .get(NON_FIELD)
                .unwrap(),
            ["Discount end date must be after start date"]
        );
        let past = Discount {
            percentage_bps: Some(500),
            start: Some(t(0)),
            end: Some(t(4)),
        };
        assert_eq!(
            check_new_discount(&past, now)
                .unwrap_err()
                .get(NON_FIELD)
                .unwrap(),
            ["Discount start date cannot be in the past"]
        );
    }

    #[test]
    fn update_rules_allow_clearing_and_past_starts() {
        assert!(check_updated_discount(&Discount::default()).is_ok());
        assert!(
            check_updated_discount(&Discount {
                percentage_bps: Some(1),
                start: Some(t(0)),
                end: Some(t(1))
            })
            .is_ok()
        );
        assert!(
            check_updated_discount(&Discount {
                percentage_bps: Some(1),
                start: None,
                end: Some(t(1))
            })
            .is_err()
        );
    }

    #[test]
    fn inactive_listings_are_seen_by_their_seller_and_admins_only() {
        use crate::account::user::Role;
        use crate::fixtures::{product_view, user};
        let listing = |seller: i64, status: ListingStatus| Listing {
            id: ListingId(1),
            product: product_view(1, seller),
            price: Money::pkr(10_000),
            quantity: 1,
            reserved_quantity: 0,
            status,
            featured: false,
            discount: Discount::default(),
            created_at: t(1),
            updated_at: t(1),
        };
        let admin = InactiveListings::for_viewer(Some(&user(9, Role::Admin)));
        let seller = InactiveListings::for_viewer(Some(&user(2, Role::Seller)));
        let other = InactiveListings::for_viewer(Some(&user(3, Role::Both)));
        let anonymous = InactiveListings::for_viewer(None);
        assert_eq!(
            (admin, seller, other, anonymous),
            (
                InactiveListings::All,
                InactiveListings::Seller(crate::ids::UserId(2)),
                InactiveListings::Seller(crate::ids::UserId(3)),
                InactiveListings::Hidden
            )
        );
        let withdrawn = listing(2, ListingStatus::Inactive);
        assert!(admin.shows(&withdrawn) && seller.shows(&withdrawn));
        assert!(!other.shows(&withdrawn) && !anonymous.shows(&withdrawn));
        for status in [ListingStatus::Active, ListingStatus::OutOfStock] {
            let on_sale = listing(2, status);
            for rule in [admin, seller, other, anonymous] {
                assert!(rule.shows(&on_sale), "{rule:?}");
            }
        }
        assert_eq!(
            ListingQuery::default().inactive,
            InactiveListings::Public,
            "the contract lists every status unless the setting hides them"
        );
    }
}

/// Sortable listing fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingSort {
    /// List price.
    Price,
    /// Creation time.
    CreatedAt,
}

/// `?ordering=` names for listings.
pub const LISTING_ORDERING: &[(&str, ListingSort)] = &[
    ("price", ListingSort::Price),
    ("created_at", ListingSort::CreatedAt),
];

/// Filters of a listing list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingQuery {
    /// Product filters (seller, category, province, search); ordering is ignored there.
    pub product: crate::catalog::product::ProductQuery,
    /// Only this status.
    pub status: Option<ListingStatus>,
    /// Only this seller's (`my_listings`).
    pub mine: Option<crate::ids::UserId>,
    /// Base price at least.
    pub min_price: Option<Money>,
    /// Base price at most.
    pub max_price: Option<Money>,
    /// Featured or not.
    pub featured: Option<bool>,
    /// Sort keys; id ascending breaks ties.
    pub ordering: Vec<crate::page::Sort<ListingSort>>,
    /// Whose inactive listings may appear (the service sets it from the reader).
    pub inactive: InactiveListings,
}

/// Fields of a listing create or update as received (`None` = not sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingInput {
    /// The product to list (create only).
    pub product_id: Option<crate::ids::ProductId>,
    /// List price.
    pub price: Option<Money>,
    /// Units.
    pub quantity: Option<i64>,
    /// Status (updates).
    pub status: Option<ListingStatus>,
    /// Featured (admins only; ignored from sellers).
    pub featured: Option<bool>,
    /// `Some(None)` clears.
    pub discount_percentage: Option<Option<u32>>,
    /// `Some(None)` clears.
    pub discount_start_date: Option<Option<DateTime<Utc>>>,
    /// `Some(None)` clears.
    pub discount_end_date: Option<Option<DateTime<Utc>>>,
}

impl ListingInput {
    /// True when any discount field was sent.
    pub fn touches_discount(&self) -> bool {
        self.discount_percentage.is_some()
            || self.discount_start_date.is_some()
            || self.discount_end_date.is_some()
    }

    /// The discount after applying the sent fields over `stored`.
    pub fn merged_discount(&self, stored: Discount) -> Discount {
        Discount {
            percentage_bps: self.discount_percentage.unwrap_or(stored.percentage_bps),
            start: self.discount_start_date.unwrap_or(stored.start),
            end: self.discount_end_date.unwrap_or(stored.end),
        }
    }

    /// Field-level rules; `full` requires price and quantity.
    pub fn check_fields(&self, full: bool) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        match self.price {
            Some(p) => check_price(&mut errors, "price", p),
            None if full => errors.add("price", crate::validation::msg::REQUIRED),
            None => {}
        }
        match self.quantity {
            Some(q) => check_quantity(&mut errors, q),
            None if full => errors.add("quantity", crate::validation::msg::REQUIRED),
            None => {}
        }
        if let Some(Some(bps)) = self.discount_percentage {
            check_percentage(&mut errors, i64::from(bps));
        }
        errors.into_result()
    }
}

/// What the permission checks need to know about a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListingState {
    /// Seller.
    pub seller: crate::ids::UserId,
    /// Status.
    pub status: ListingStatus,
    /// Units left to sell.
    pub quantity: i32,
    /// Units held in carts.
    pub reserved_quantity: i32,
    /// Discount.
    pub discount: Discount,
}

/// A validated listing to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListing {
    /// Product.
    pub product: crate::ids::ProductId,
    /// Price.
    pub price: Money,
    /// Units.
    pub quantity: i32,
    /// Featured.
    pub featured: bool,
    /// Discount.
    pub discount: Discount,
}

/// Validated changes to a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingChanges {
    /// Price.
    pub price: Option<Money>,
    /// Units.
    pub quantity: Option<i32>,
    /// Status.
    pub status: Option<ListingStatus>,
    /// Featured.
    pub featured: Option<bool>,
    /// The whole discount when it changed.
    pub discount: Option<Discount>,
}

/// The next status a seller's toggle gives, or the refusal.
pub fn toggled(status: ListingStatus) -> Result<ListingStatus, &'static str> {
    match status {
        ListingStatus::Active => Ok(ListingStatus::Inactive),
        ListingStatus::Inactive => Ok(ListingStatus::Active),
        ListingStatus::OutOfStock => {
            Err("Cannot activate out-of-stock listing. Please update the stock first.")
        }
    }
}
