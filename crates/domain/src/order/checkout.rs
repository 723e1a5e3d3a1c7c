//! Placing an order: the stock it takes, the pure pricing plan run under the stock locks, and
//! the records payment leaves behind.

use chrono::{DateTime, Utc};

use crate::catalog::listing::{Discount, ListingStatus};
use crate::ids::{AddressId, ListingId, OrderId, ProductId, UserId};
use crate::money::Money;
use crate::order::cart::effective_price;
use crate::order::commission::{Split, split};
use crate::order::model::{OrderError, OrderType, order_number};
use crate::rate::BasisPoints;
use crate::validation::FieldErrors;

/// What is being bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSource {
    /// The buyer's whole cart.
    Cart,
    /// Units of one listing, bought directly.
    Listing {
        /// The listing.
        listing: ListingId,
        /// Units.
        quantity: i32,
    },
}

/// A request to place an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    /// The buyer.
    pub buyer: UserId,
    /// What is bought.
    pub source: OrderSource,
    /// Where it goes (already checked to be the buyer's).
    pub shipping_address: AddressId,
    /// `Idempotency-Key` header: a retry with the same key returns the first order.
    pub idempotency_key: Option<String>,
    /// The plan bounds the buyer's unpaid orders per listing, so the store must count them
    /// (with the bound off, the count is not read at all).
    pub count_unpaid: bool,
}

/// A listing's locked stock row, with the units this order would take from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLine {
    /// The listing.
    pub listing: ListingId,
    /// Its product.
    pub product: ProductId,
    /// The product's name.
    pub product_name: String,
    /// The seller.
    pub seller: UserId,
    /// Units wanted.
    pub quantity: i32,
    /// Units the buyer's cart line holds (0 for direct purchases and lapsed holds).
    pub held: i32,
    /// Listing status.
    pub status: ListingStatus,
    /// Units left to sell.
    pub listing_quantity: i32,
    /// Units held in all carts.
    pub listing_reserved: i32,
    /// Base price.
    pub price: Money,
    /// Discount.
    pub discount: Discount,
    /// The buyer's open unpaid fixed-price and cart orders that hold this listing (counted in
    /// the placing transaction, under the buyer's checkout lock).
    pub unpaid_orders: i64,
}

impl StockLine {
    /// Units this order may take: nobody's plus its own hold.
    pub fn available(&self) -> i32 {
        self.listing_quantity - self.listing_reserved + self.held
    }
}

/// One priced line of a planned order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    /// Stock it takes.
    pub stock: StockLine,
    /// Price per unit.
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub subtotal: Money,
}

/// An order ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDraft {
    /// Kind.
    pub order_type: OrderType,
    /// Number.
    pub number: String,
    /// Lines, by listing id.
    pub lines: Vec<DraftLine>,
    /// Money.
    pub split: Split,
    /// Pay before this; the units return after it.
    pub payment_deadline: DateTime<Utc>,
    /// The buyer's notification about it.
    pub outbox: crate::outbox::Outbox,
}

/// Prices the locked stock (run by the adapter inside the placing transaction); the `u64` is
/// fresh entropy for the order number.
pub type OrderPlanner =
    Box<dyn FnOnce(Vec<StockLine>, u64) -> Result<OrderDraft, OrderError> + Send>;

/// What placing returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// A new order.
    Created(OrderId),
    /// The order an earlier request with the same idempotency key made.
    Replayed(OrderId),
}

/// Whether a status change gives the order's units back to the listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockRelease {
    /// Leave stock alone.
    Keep,
    /// Return every unit (failure, expiry, cancellation before payment).
    Return,
    /// Return the units and put the lines back into the buyer's cart (the payment provider
    /// failed before the buyer could pay).
    ReturnToCart,
}

/// A status change of one order, applied atomically with its stock and outbox effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The order.
    pub order: OrderId,
    /// Only from one of these statuses.
    pub from: Vec<crate::order::model::OrderStatus>,
    /// To this one.
    pub to: crate::order::model::OrderStatus,
    /// What happens to its units.
    pub release: StockRelease,
    /// The provider event causing it (applied once).
    pub event: Option<String>,
    /// When.
    pub now: DateTime<Utc>,
    /// For an auction win left unpaid: record a payment violation in the same transaction
    /// (once per order), cancel the auction, and block the winner at this many violations.
    pub violation: Option<i32>,
}

/// Pricing settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanSettings {
    /// Platform commission.
    pub commission: BasisPoints,
    /// How long the buyer has to pay.
    pub payment_window: chrono::Duration,
    /// Open unpaid orders a buyer may hold per listing before another is refused (0: no
    /// limit), so one buyer cannot keep every unit tied up in orders they never pay.
    pub max_unpaid_per_listing: u32,
}

/// Builds the order from locked stock: refuses what is not on sale or not in stock, prices each
/// line at `now` and splits the commission per seller.
pub fn plan(
    kind: OrderType,
    lines: Vec<StockLine>,
    now: DateTime<Utc>,
    entropy: u64,
    settings: PlanSettings,
) -> Result<OrderDraft, OrderError> {
    if lines.is_empty() {
        return Err(FieldErrors::non_field("Cart is empty").into());
    }
    let short: Vec<&str> = lines
        .iter()
        .filter(|l| l.status != ListingStatus::Active || l.available() < l.quantity)
        .map(|l| l.product_name.as_str())
        .collect();
    if !short.is_empty() {
        return Err(match kind {
            OrderType::Cart => FieldErrors::non_field(format!(
                "The following items are no longer available: {}",
                short.join(", ")
            ))
            .into(),
            _ if lines.iter().any(|l| l.status != ListingStatus::Active) => {
                OrderError::bad("Listing is not active")
            }
            _ => OrderError::bad("Not enough quantity available"),
        });
    }
    if let Some(line) = over_unpaid_limit(&lines, settings.max_unpaid_per_listing) {
        return Err(OrderError::bad(format!(
            "You already have {} unpaid orders for {}; pay or cancel one first",
            line.unpaid_orders, line.product_name
        )));
    }
    let mut priced = Vec::with_capacity(lines.len());
    for stock in lines {
        let unit_price = effective_price(stock.price, &stock.discount, now);
        let subtotal = unit_price
            .checked_mul(i64::from(stock.quantity))
            .map_err(|_| FieldErrors::non_field("The order total is too large"))?;
        priced.push(DraftLine {
            stock,
            unit_price,
            subtotal,
        });
    }
    priced.sort_by_key(|l| l.stock.listing);
    let split = split(
        priced.iter().map(|l| (l.stock.seller, l.subtotal)),
        settings.commission,
    )
    .map_err(|_| FieldErrors::non_field("The order total is too large"))?;
    if split.total.minor() > MAX_ORDER_TOTAL {
        return Err(FieldErrors::non_field("The order total is too large").into());
    }
    Ok(OrderDraft {
        order_type: kind,
        number: order_number(kind, entropy),
        lines: priced,
        split,
        payment_deadline: now + settings.payment_window,
        outbox: crate::outbox::Outbox::new(),
    })
}

/// The first line whose listing the buyer already holds `limit` unpaid orders for (0: none).
fn over_unpaid_limit(lines: &[StockLine], limit: u32) -> Option<&StockLine> {
    if limit == 0 {
        return None;
    }
    lines.iter().find(|l| l.unpaid_orders >= i64::from(limit))
}

/// Refuses an order whose total is not the one the buyer said they expect (`expected_total`):
/// prices changed since they looked, and the contract would otherwise charge the new total
/// silently.
pub fn check_expected_total(expected: Option<Money>, total: Money) -> Result<(), OrderError> {
    match expected {
        Some(expected) if expected != total => Err(FieldErrors::non_field(format!(
            "Prices changed: the total is now {total}, not {expected}. Review your cart and check out again."
        ))
        .into()),
        _ => Ok(()),
    }
}

/// The largest total a `NUMERIC(12,2)` column holds, in paisa.
pub const MAX_ORDER_TOTAL: i64 = 999_999_999_999;

/// Someone taking part in an order, with what emails need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Id.
    pub id: UserId,
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
}

/// A cart whose hold is about to lapse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringCart {
    /// Cart id.
    pub cart: i64,
    /// Its owner.
    pub owner: Party,
    /// When the earliest hold lapses.
    pub until: DateTime<Utc>,
    /// Names of the held products.
    pub products: Vec<String>,
}

/// A payment as the provider reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReceipt {
    /// The provider event that reported it (recorded once).
    pub event: Option<String>,
    /// Payment intent id.
    pub payment_intent: Option<String>,
    /// Charge id.
    pub charge: Option<String>,
    /// Amount charged.
    pub amount: Money,
}

/// What recording a payment did.
#[derive(Debug, Clone, PartialEq)]
pub enum PaymentRecorded {
    /// The order is now paid.
    Paid(Box<crate::order::model::Order>),
    /// Nothing to do: already paid, or this event was applied before.
    AlreadyApplied,
    /// The order was cancelled and its units sold meanwhile; the payment must be refunded.
    StockGone,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stock(listing: i64, seller: i64, price: i64, qty: i32) -> StockLine {
        StockLine {
            listing: ListingId(listing),
            product: ProductId(listing),
            product_name: format!("P{listing}"),
            seller: UserId(seller),
            quantity: qty,
            held: qty,
            status: ListingStatus::Active,
            listing_quantity: 10,
            listing_reserved: qty,
            price: Money::pkr(price),
            discount: Discount::default(),
            unpaid_orders: 0,
        }
    }

    fn settings() -> PlanSettings {
        PlanSettings {
            commission: BasisPoints::new(200).unwrap(),
            payment_window: chrono::Duration::minutes(30),
            max_unpaid_per_listing: 3,
        }
    }

    #[test]
    fn a_cart_is_priced_per_line_and_split_per_seller() {
        let now = Utc::now();
        let d = plan(
            OrderType::Cart,
            vec![stock(3, 9, 1225, 1), stock(1, 8, 50_000, 2)],
            now,
            0xABC,
            settings(),
        )
        .unwrap();
        assert_eq!(d.number, "CART-000000000ABC");
        assert_eq!(d.lines[0].stock.listing, ListingId(1));
        assert_eq!(d.lines[0].subtotal, Money::pkr(100_000));
        assert_eq!(d.split.total, Money::pkr(101_225));
        assert_eq!(d.split.fee, Money::pkr(2_000 + 25));
        assert_eq!(d.payment_deadline, now + chrono::Duration::minutes(30));
    }

    #[test]
    fn unavailable_lines_are_named() {
        let mut gone = stock(2, 8, 100, 3);
        gone.held = 0;
        gone.listing_quantity = 4;
        gone.listing_reserved = 2;
        let mut off = stock(5, 8, 100, 1);
        off.status = ListingStatus::Inactive;
        let e = plan(
            OrderType::Cart,
            vec![stock(1, 8, 100, 1), gone.clone(), off],
            Utc::now(),
            1,
            settings(),
        )
        .unwrap_err();
        assert_eq!(
            e,
            OrderError::Validation(FieldErrors::non_field(
                "The following items are no longer available: P2, P5"
            ))
        );
        let e = plan(OrderType::FixedPrice, vec![gone], Utc::now(), 1, settings()).unwrap_err();
        assert_eq!(e, OrderError::bad("Not enough quantity available"));
    }

    #[test]
    fn a_buyer_holding_the_limit_of_unpaid_orders_for_a_listing_is_refused() {
        let mut held = stock(2, 8, 100, 1);
        held.unpaid_orders = 3;
        let mut fewer = stock(1, 8, 100, 1);
        fewer.unpaid_orders = 2;
        for kind in [OrderType::Cart, OrderType::FixedPrice] {
            let e = plan(
                kind,
                vec![fewer.clone(), held.clone()],
                Utc::now(),
                1,
                settings(),
            )
            .unwrap_err();
            assert_eq!(
                e,
                OrderError::bad("You already have 3 unpaid orders for P2; pay or cancel one first")
            );
        }
        assert!(
            plan(
                OrderType::Cart,
                vec![fewer.clone()],
                Utc::now(),
                1,
                settings()
            )
            .is_ok()
        );
        let unlimited = PlanSettings {
            max_unpaid_per_listing: 0,
            ..settings()
        };
        assert!(plan(OrderType::Cart, vec![fewer, held], Utc::now(), 1, unlimited).is_ok());
    }

    #[test]
    fn a_stated_total_must_be_the_charged_one() {
        assert!(check_expected_total(None, Money::pkr(100_000)).is_ok());
        assert!(check_expected_total(Some(Money::pkr(100_000)), Money::pkr(100_000)).is_ok());
        assert_eq!(
            check_expected_total(Some(Money::pkr(100_000)), Money::pkr(120_050)).unwrap_err(),
            OrderError::Validation(FieldErrors::non_field(
                "Prices changed: the total is now 1200.50, not 1000.00. Review your cart and check out again."
            ))
        );
    }

    #[test]
    fn an_empty_cart_is_refused() {
        let e = plan(OrderType::Cart, vec![], Utc::now(), 1, settings()).unwrap_err();
        assert_eq!(
            e,
            OrderError::Validation(FieldErrors::non_field("Cart is empty"))
        );
    }
}
