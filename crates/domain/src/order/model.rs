//! Orders: kinds, the status state machine, order numbers, and what each viewer may see.

use chrono::{DateTime, Utc};

use crate::account::address::Address;
use crate::ids::{AuctionId, ListingId, OrderId, OrderItemId, ProductId, UserId};
use crate::money::Money;
use crate::order::commission::SellerShare;
use crate::page::Sort;
use crate::store::StoreError;
use crate::validation::FieldErrors;

/// How an order came about; each kind has its number prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderType {
    /// A direct purchase of one fixed-price listing.
    FixedPrice,
    /// An auction win.
    Auction,
    /// A whole cart, possibly from several sellers.
    Cart,
}

impl OrderType {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::FixedPrice, Self::Auction, Self::Cart];

    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FixedPrice => "fixed_price",
            Self::Auction => "auction",
            Self::Cart => "cart",
        }
    }

    /// Parses a stored value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The order number prefix (the original's).
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::FixedPrice => "FXD",
            Self::Auction => "AUC",
            Self::Cart => "CART",
        }
    }
}

/// `{prefix}-{12 upper-case hex}` from 48 bits of entropy.
pub fn order_number(kind: OrderType, entropy: u64) -> String {
    format!("{}-{:012X}", kind.prefix(), entropy & 0xFFFF_FFFF_FFFF)
}

/// Where an order is; transitions go through [`OrderStatus::can_become`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Waiting for the buyer to pay.
    PendingPayment,
    /// The payment failed or its session expired; the units went back on sale.
    PaymentFailed,
    /// Paid; sellers ship.
    Paid,
    /// Every item shipped.
    Shipped,
    /// The buyer confirmed delivery.
    Delivered,
    /// Cancelled before payment.
    Cancelled,
    /// Part of the payment was refunded.
    PartiallyRefunded,
    /// All of the payment was refunded.
    Refunded,
}

impl OrderStatus {
    /// Every status.
    pub const ALL: [Self; 8] = [
        Self::PendingPayment,
        Self::PaymentFailed,
        Self::Paid,
        Self::Shipped,
        Self::Delivered,
        Self::Cancelled,
        Self::PartiallyRefunded,
        Self::Refunded,
    ];

    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::PaymentFailed => "payment_failed",
            Self::Paid => "paid",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
        }
    }

    /// Parses a stored value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether moving from `self` to `next` is allowed.
    pub const fn can_become(self, next: Self) -> bool {
        use OrderStatus::{
            Cancelled, Delivered, Paid, PartiallyRefunded, PaymentFailed, PendingPayment, Refunded,
            Shipped,
        };
        matches!(
            (self, next),
            (PendingPayment, Paid | PaymentFailed | Cancelled)
                // A payment that succeeds after a failure notice (a retried card) still counts.
                | (PaymentFailed, Paid)
                | (Paid, Shipped)
                | (Shipped, Delivered)
                | (
                    Paid | Shipped | Delivered | PartiallyRefunded,
                    PartiallyRefunded | Refunded
                )
        )
    }

    /// `next` if the move is legal, else the 409 error.
    pub fn transition(self, next: Self) -> Result<Self, OrderError> {
        if self.can_become(next) {
            Ok(next)
        } else {
            Err(OrderError::Illegal(format!(
                "An order that is {} cannot become {}",
                self.as_str(),
                next.as_str()
            )))
        }
    }

    /// The buyer paid it at some point (refunds may since have given some or all back): its
    /// money, less what was refunded, is revenue.
    pub const fn took_payment(self) -> bool {
        self.is_earning() || matches!(self, Self::Refunded)
    }

    /// Paid and not (wholly) refunded: counts as a sale.
    pub const fn is_earning(self) -> bool {
        matches!(
            self,
            Self::Paid | Self::Shipped | Self::Delivered | Self::PartiallyRefunded
        )
    }
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    /// Id.
    pub id: OrderItemId,
    /// The product.
    pub product: ProductId,
    /// Its name when ordered.
    pub product_name: String,
    /// Stored path of its primary (else first) image.
    pub product_image: Option<String>,
    /// The listing it was bought from (gone if the listing was deleted).
    pub listing: Option<ListingId>,
    /// The seller.
    pub seller: UserId,
    /// The seller's username.
    pub seller_username: String,
    /// Units.
    pub quantity: i32,
    /// Price paid per unit (discount applied).
    pub unit_price: Money,
    /// `quantity × unit_price`.
    pub subtotal: Money,
    /// Shipped by its seller.
    pub is_shipped: bool,
    /// When.
    pub shipped_at: Option<DateTime<Utc>>,
    /// Carrier tracking number, if the seller gave one.
    pub tracking_number: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// An order with everything any viewer may be shown; [`Order::seen_by`] picks the viewer's part.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Id.
    pub id: OrderId,
    /// `FXD-…`, `AUC-…` or `CART-…`.
    pub number: String,
    /// The buyer.
    pub buyer: UserId,
    /// The buyer's username.
    pub buyer_username: String,
    /// Kind.
    pub order_type: OrderType,
    /// The seller (single-seller orders).
    pub seller: Option<UserId>,
    /// The seller's username (single-seller orders).
    pub seller_username: Option<String>,
    /// The product (single-seller orders).
    pub product: Option<ProductId>,
    /// Its name.
    pub product_name: Option<String>,
    /// The auction (auction orders).
    pub auction: Option<AuctionId>,
    /// Units (1 for cart orders).
    pub quantity: i32,
    /// Unit price (single-seller orders).
    pub unit_price: Option<Money>,
    /// What the buyer pays.
    pub total: Money,
    /// The platform's commission.
    pub platform_fee: Money,
    /// What the sellers receive in all.
    pub seller_amount: Money,
    /// Where it goes.
    pub shipping_address: Option<Address>,
    /// Status.
    pub status: OrderStatus,
    /// Where the buyer pays.
    pub payment_url: String,
    /// The payment session (`cs_…`) until paid, then the payment intent (`pi_…`).
    pub payment_reference: String,
    /// Pay before this.
    pub payment_deadline: Option<DateTime<Utc>>,
    /// Lines (every kind has at least one).
    pub items: Vec<OrderItem>,
    /// Per-seller money.
    pub shares: Vec<SellerShare>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// All shipped.
    pub shipped_at: Option<DateTime<Utc>>,
    /// Delivered.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The part of an order one viewer sees.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSight<'a> {
    /// The order.
    pub order: &'a Order,
    /// The viewer is the buyer (or an admin).
    pub full: bool,
    /// The lines shown.
    pub items: Vec<&'a OrderItem>,
    /// Total shown: the order's, or a seller's own subtotal.
    pub total: Money,
    /// Fee shown.
    pub platform_fee: Money,
    /// Seller amount shown (`None` when the viewer has no share to see).
    pub seller_amount: Option<Money>,
    /// Cart orders seen by a seller: all of their items shipped.
    pub my_items_shipped: Option<bool>,
}

impl Order {
    /// True when the viewer sells at least one line.
    pub fn sells(&self, user: UserId) -> bool {
        self.items.iter().any(|i| i.seller == user)
    }

    /// Every line shipped.
    pub fn all_items_shipped(&self) -> bool {
        self.items.iter().all(|i| i.is_shipped)
    }

    /// What `viewer` may see: the buyer (and admins) everything; a seller only their lines and
    /// their own amounts, never the other sellers' (the original leaked the whole order).
    pub fn seen_by(&self, viewer: UserId, is_admin: bool) -> OrderSight<'_> {
        if viewer == self.buyer || is_admin || !self.sells(viewer) {
            return OrderSight {
                order: self,
                full: true,
                items: self.items.iter().collect(),
                total: self.total,
                platform_fee: self.platform_fee,
                seller_amount: (self.order_type != OrderType::Cart || is_admin)
                    .then_some(self.seller_amount),
                my_items_shipped: None,
            };
        }
        let share = self.shares.iter().find(|s| s.seller == viewer);
        let items: Vec<&OrderItem> = self.items.iter().filter(|i| i.seller == viewer).collect();
        OrderSight {
            order: self,
            full: false,
            my_items_shipped: (self.order_type == OrderType::Cart)
                .then(|| items.iter().all(|i| i.is_shipped)),
            items,
            total: share.map_or(self.total, |s| s.subtotal),
            platform_fee: share.map_or(self.platform_fee, |s| s.fee),
            seller_amount: Some(share.map_or(self.seller_amount, |s| s.seller_amount)),
        }
    }
}

/// Whose orders a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderRole {
    /// Bought by the viewer.
    Buyer,
    /// Containing the viewer's items.
    Seller,
    /// Either.
    #[default]
    Any,
}

/// Orderings of the order list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSort {
    /// By creation.
    CreatedAt,
    /// By status.
    Status,
}

/// Order list filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// The viewer.
    pub viewer: Option<UserId>,
    /// Whose orders.
    pub role: OrderRole,
    /// Exact status.
    pub status: Option<OrderStatus>,
    /// Ordering (default newest first).
    pub ordering: Vec<Sort<OrderSort>>,
}

/// Why an order request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// Unknown or not the caller's.
    #[error("No Order matches the given query.")]
    NotFound,
    /// Unknown listing (direct purchase).
    #[error("No FixedPriceListing matches the given query.")]
    ListingNotFound,
    /// Field rules failed.
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// The request breaks an order rule.
    #[error("{0}")]
    Rejected(String),
    /// The caller may not do this to the order.
    #[error("{0}")]
    Forbidden(String),
    /// The caller's account is blocked: it cannot buy.
    #[error("Your account is blocked")]
    Blocked,
    /// No such order (the payout tools' wording).
    #[error("Order not found")]
    OrderMissing,
    /// The order has no payment on record.
    #[error("No payment record found for this order")]
    PaymentMissing,
    /// The state machine forbids it (409).
    #[error("{0}")]
    Illegal(String),
    /// The payment provider failed; nothing was kept.
    #[error("Payment creation failed: {0}")]
    Gateway(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FieldErrors> for OrderError {
    fn from(e: FieldErrors) -> Self {
        Self::Validation(e)
    }
}

impl OrderError {
    /// The request breaks an order rule.
    pub fn bad(msg: impl Into<String>) -> Self {
        Self::Rejected(msg.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn numbers_have_the_prefix_and_twelve_hex_digits() {
        assert_eq!(order_number(OrderType::Cart, 0xAB), "CART-0000000000AB");
        assert_eq!(
            order_number(OrderType::FixedPrice, u64::MAX),
            "FXD-FFFFFFFFFFFF"
        );
        assert_eq!(order_number(OrderType::Auction, 1).len(), 16);
    }

    #[test]
    fn the_state_machine_allows_only_forward_moves() {
        let legal = [
            (PendingPayment, Paid),
            (PendingPayment, PaymentFailed),
            (PendingPayment, Cancelled),
            (PaymentFailed, Paid),
            (Paid, Shipped),
            (Shipped, Delivered),
            (Paid, Refunded),
            (Shipped, PartiallyRefunded),
            (PartiallyRefunded, Refunded),
        ];
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                assert_eq!(
                    from.can_become(to),
                    legal.contains(&(from, to))
                        || (matches!(from, Paid | Shipped | Delivered | PartiallyRefunded)
                            && matches!(to, PartiallyRefunded | Refunded)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        // Nothing moves an order backwards or out of a final state.
        for to in OrderStatus::ALL {
            assert!(!Refunded.can_become(to));
            assert!(!Cancelled.can_become(to));
            assert!(!Paid.can_become(PendingPayment));
        }
        assert!(!Shipped.can_become(Paid));
        assert!(!Delivered.can_become(Shipped));
    }

    #[test]
    fn an_illegal_move_is_a_409_error_naming_both_states() {
        let e = Delivered.transition(Paid).unwrap_err();
        assert_eq!(
            e,
            OrderError::Illegal("An order that is delivered cannot become paid".into())
        );
        assert_eq!(Paid.transition(Shipped), Ok(Shipped));
    }

    #[test]
    fn a_seller_sees_only_their_lines_and_money() {
        use crate::money::Money;
        use crate::order::commission::SellerShare;
        let mut o = crate::fixtures::order(1, 10, 20);
        let mut other = o.items[0].clone();
        other.seller = UserId(30);
        other.product_name = "Shawl".into();
        other.subtotal = Money::pkr(5_000);
        o.items.push(other);
        o.shares.push(SellerShare {
            seller: UserId(30),
            subtotal: Money::pkr(5_000),
            fee: Money::pkr(100),
            seller_amount: Money::pkr(4_900),
        });
        o.total = Money::pkr(15_000);
        let buyer = o.seen_by(UserId(10), false);
        assert!(buyer.full);
        assert_eq!(buyer.items.len(), 2);
        assert_eq!(buyer.total, Money::pkr(15_000));
        assert_eq!(
            buyer.seller_amount, None,
            "a cart order's buyer has no seller amount"
        );
        assert_eq!(buyer.my_items_shipped, None);
        let seller = o.seen_by(UserId(30), false);
        assert!(!seller.full);
        assert_eq!(seller.items.len(), 1);
        assert_eq!(seller.items[0].product_name, "Shawl");
        assert_eq!(seller.total, Money::pkr(5_000));
        assert_eq!(seller.platform_fee, Money::pkr(100));
        assert_eq!(seller.seller_amount, Some(Money::pkr(4_900)));
        assert_eq!(seller.my_items_shipped, Some(false));
        let admin = o.seen_by(UserId(99), true);
        assert!(admin.full && admin.seller_amount.is_some());
    }

    #[test]
    fn statuses_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        for t in OrderType::ALL {
            assert_eq!(OrderType::parse(t.as_str()), Some(t));
        }
    }
}
