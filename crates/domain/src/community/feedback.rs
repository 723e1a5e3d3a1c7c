//! Seller feedback on auction orders: one per order, by its buyer, once the order shipped. Each
//! write refreshes the seller profile's cached rating (hundredths, rounded half up).

use chrono::{DateTime, Utc};

use crate::account::user::User;
use crate::ids::{FeedbackId, OrderId, UserId};
use crate::order::model::{OrderStatus, OrderType};
use crate::page::Sort;
use crate::store::StoreError;
use crate::validation::{FieldErrors, msg};

/// A feedback as it is read back (the wire shape has no `seller` key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// Id.
    pub id: FeedbackId,
    /// The auction order it is about (one feedback per order).
    pub order: OrderId,
    /// That order's number.
    pub order_number: String,
    /// Author: the order's buyer.
    pub buyer: UserId,
    /// Author's username.
    pub buyer_username: String,
    /// The order's seller, whose rating it counts towards.
    pub seller: UserId,
    /// 1–5.
    pub seller_rating: i16,
    /// About the seller.
    pub seller_comment: String,
    /// 1–5.
    pub platform_rating: i16,
    /// About the platform.
    pub platform_comment: String,
    /// 1–5.
    pub communication_rating: i16,
    /// The item matched its description.
    pub product_as_described: bool,
    /// 1–5.
    pub shipping_speed_rating: i16,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Feedback {
    /// Its buyer and admins may change or delete it; anyone else is answered as if it were unknown.
    pub fn may_change(&self, actor: &User) -> bool {
        self.buyer == actor.id || actor.is_admin()
    }

    /// Its buyer, the seller it rates and admins see all of it.
    pub fn seen_whole_by(&self, viewer: &User) -> bool {
        self.buyer == viewer.id || self.seller == viewer.id || viewer.is_admin()
    }

    /// The feedback as `viewer` may read it. The order number is as private as the order
    /// (its parties and admins only), and the comment to the platform is addressed to the
    /// platform, not to other shoppers: anyone else gets both blank, keeping the shape. The
    /// ratings and the comment on the seller stay public, as they always were.
    pub fn as_seen_by(mut self, viewer: &User) -> Self {
        if !self.seen_whole_by(viewer) {
            self.order_number.clear();
            self.platform_comment.clear();
        }
        self
    }
}

/// Why a feedback operation was refused; the texts are the contract's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    /// Unknown feedback, or one the caller may not change (404).
    #[error("No Feedback matches the given query.")]
    NotFound,
    /// `order_id` missing or unreadable, or no such order of the caller's (400).
    #[error("Order not found or you are not the buyer")]
    OrderNotFound,
    /// The order is not an auction win (400).
    #[error(
        "Seller feedback is only available for auction purchases. For fixed-price products, please leave a product review instead."
    )]
    NotAuction,
    /// The order has not shipped yet (400).
    #[error("Order must be shipped before feedback")]
    NotShipped,
    /// The order already has its feedback (400).
    #[error("Feedback already submitted")]
    AlreadySubmitted,
    /// `seller_stats` without a `seller_id` (400).
    #[error("seller_id required")]
    SellerIdRequired,
    /// Field rules failed (400 `{field: [msg]}`).
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FieldErrors> for FeedbackError {
    fn from(e: FieldErrors) -> Self {
        Self::Validation(e)
    }
}

/// Lowest rating.
pub const RATING_MIN: i64 = 1;
/// Highest rating.
pub const RATING_MAX: i64 = 5;

/// Feedback fields as received (`None` = not sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackInput {
    /// `order_id` (create only; an unreadable value counts as absent).
    pub order: Option<OrderId>,
    /// 1–5.
    pub seller_rating: Option<i64>,
    /// Free text, may be blank.
    pub seller_comment: Option<String>,
    /// 1–5.
    pub platform_rating: Option<i64>,
    /// Free text, may be blank.
    pub platform_comment: Option<String>,
    /// 1–5.
    pub communication_rating: Option<i64>,
    /// Defaults to true on create.
    pub product_as_described: Option<bool>,
    /// 1–5.
    pub shipping_speed_rating: Option<i64>,
    /// Values that could not be read (wrong types); reported with the field rules, which come
    /// after the order checks.
    pub unreadable: FieldErrors,
}

/// Validated changes to a feedback (`None` = keep).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackChanges {
    /// 1–5.
    pub seller_rating: Option<i16>,
    /// Free text.
    pub seller_comment: Option<String>,
    /// 1–5.
    pub platform_rating: Option<i16>,
    /// Free text.
    pub platform_comment: Option<String>,
    /// 1–5.
    pub communication_rating: Option<i16>,
    /// The item matched its description.
    pub product_as_described: Option<bool>,
    /// 1–5.
    pub shipping_speed_rating: Option<i16>,
}

/// A feedback ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    /// The auction order.
    pub order: OrderId,
    /// Its buyer (the caller).
    pub buyer: UserId,
    /// Its seller.
    pub seller: UserId,
    /// 1–5.
    pub seller_rating: i16,
    /// Free text.
    pub seller_comment: String,
    /// 1–5.
    pub platform_rating: i16,
    /// Free text.
    pub platform_comment: String,
    /// 1–5.
    pub communication_rating: i16,
    /// The item matched its description.
    pub product_as_described: bool,
    /// 1–5.
    pub shipping_speed_rating: i16,
}

/// Checks one rating: required when `required`, within 1–5; records DRF's messages. A field
/// that already failed to read keeps that one message.
fn rating(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<i64>,
    required: bool,
) -> Option<i16> {
    if errors.has(field) {
        return None;
    }
    match value {
        Some(v) if v < RATING_MIN => {
            errors.add(field, "Ensure this value is greater than or equal to 1.");
            None
        }
        Some(v) if v > RATING_MAX => {
            errors.add(field, "Ensure this value is less than or equal to 5.");
            None
        }
        // Within 1–5, so it always fits.
        Some(v) => i16::try_from(v).ok(),
        None => {
            if required {
                errors.add(field, msg::REQUIRED);
            }
            None
        }
    }
}

impl FeedbackInput {
    /// Field rules; `full` (create, PUT) requires the four ratings. Comments may be blank.
    pub fn changes(self, full: bool) -> Result<FeedbackChanges, FieldErrors> {
        let mut errors = self.unreadable;
        let changes = FeedbackChanges {
            seller_rating: rating(&mut errors, "seller_rating", self.seller_rating, full),
            seller_comment: self.seller_comment,
            platform_rating: rating(&mut errors, "platform_rating", self.platform_rating, full),
            platform_comment: self.platform_comment,
            communication_rating: rating(
                &mut errors,
                "communication_rating",
                self.communication_rating,
                full,
            ),
            product_as_described: self.product_as_described,
            shipping_speed_rating: rating(
                &mut errors,
                "shipping_speed_rating",
                self.shipping_speed_rating,
                full,
            ),
        };
        errors.into_result()?;
        Ok(changes)
    }

    /// The feedback to store for `order`: field rules with every rating required, then the
    /// defaults (empty comments, described as true).
    pub fn into_new(
        self,
        order: OrderId,
        buyer: UserId,
        seller: UserId,
    ) -> Result<NewFeedback, FieldErrors> {
        let c = self.changes(true)?;
        // A full check already reported every missing rating; this only unwraps them.
        let need = |v: Option<i16>, field: &str| {
            v.ok_or_else(|| FieldErrors::single(field, msg::REQUIRED))
        };
        Ok(NewFeedback {
            order,
            buyer,
            seller,
            seller_rating: need(c.seller_rating, "seller_rating")?,
            seller_comment: c.seller_comment.unwrap_or_default(),
            platform_rating: need(c.platform_rating, "platform_rating")?,
            platform_comment: c.platform_comment.unwrap_or_default(),
            communication_rating: need(c.communication_rating, "communication_rating")?,
            product_as_described: c.product_as_described.unwrap_or(true),
            shipping_speed_rating: need(c.shipping_speed_rating, "shipping_speed_rating")?,
        })
    }
}

/// One of the caller's orders as the create rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackOrder {
    /// Kind of order.
    pub order_type: OrderType,
    /// Where it stands.
    pub status: OrderStatus,
    /// Its seller (single-seller orders).
    pub seller: Option<UserId>,
    /// It already has its feedback.
    pub has_feedback: bool,
}

impl FeedbackOrder {
    /// The contract's refusal, first match wins: not an auction, not shipped, already given.
    pub fn refusal(&self) -> Option<FeedbackError> {
        if self.order_type != OrderType::Auction {
            return Some(FeedbackError::NotAuction);
        }
        if !matches!(self.status, OrderStatus::Shipped | OrderStatus::Delivered) {
            return Some(FeedbackError::NotShipped);
        }
        if self.has_feedback {
            return Some(FeedbackError::AlreadySubmitted);
        }
        None
    }
}

/// Sortable feedback fields (every field of the read shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackSort {
    /// Id.
    Id,
    /// Order id.
    Order,
    /// Order number.
    OrderNumber,
    /// Buyer id.
    Buyer,
    /// Buyer's username.
    BuyerUsername,
    /// Seller rating.
    SellerRating,
    /// Seller comment.
    SellerComment,
    /// Platform rating.
    PlatformRating,
    /// Platform comment.
    PlatformComment,
    /// Communication rating.
    CommunicationRating,
    /// Product as described.
    ProductAsDescribed,
    /// Shipping speed rating.
    ShippingSpeedRating,
    /// Creation time.
    CreatedAt,
}

impl FeedbackSort {
    /// A field not everyone sees; sorting by it would let a reader infer it row by row.
    pub fn is_private(self) -> bool {
        matches!(self, Self::OrderNumber | Self::PlatformComment)
    }
}

/// `?ordering=` names for feedback.
pub const FEEDBACK_ORDERING: &[(&str, FeedbackSort)] = &[
    ("id", FeedbackSort::Id),
    ("order", FeedbackSort::Order),
    ("order_number", FeedbackSort::OrderNumber),
    ("buyer", FeedbackSort::Buyer),
    ("buyer_username", FeedbackSort::BuyerUsername),
    ("seller_rating", FeedbackSort::SellerRating),
    ("seller_comment", FeedbackSort::SellerComment),
    ("platform_rating", FeedbackSort::PlatformRating),
    ("platform_comment", FeedbackSort::PlatformComment),
    ("communication_rating", FeedbackSort::CommunicationRating),
    ("product_as_described", FeedbackSort::ProductAsDescribed),
    ("shipping_speed_rating", FeedbackSort::ShippingSpeedRating),
    ("created_at", FeedbackSort::CreatedAt),
];

/// A feedback list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackQuery {
    /// Only feedback about this seller.
    pub seller: Option<UserId>,
    /// Sort keys (newest first when empty).
    pub ordering: Vec<Sort<FeedbackSort>>,
}

impl FeedbackQuery {
    /// The query `viewer` may run: only admins see every row whole, so only they sort by the
    /// private fields; for anyone else those keys are ignored, like unknown ones.
    pub fn for_viewer(mut self, viewer: &User) -> Self {
        if !viewer.is_admin() {
            self.ordering.retain(|s| !s.field.is_private());
        }
        self
    }
}

/// Integer totals over a seller's feedback; every average is derived from them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SellerStats {
    /// Number of feedbacks.
    pub total: i64,
    /// Σ seller_rating.
    pub seller_rating_sum: i64,
    /// Σ communication_rating.
    pub communication_sum: i64,
    /// Σ shipping_speed_rating.
    pub shipping_speed_sum: i64,
    /// Feedbacks with product_as_described.
    pub described: i64,
}

/// The seller profile's cached rating.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SellerRating {
    /// Mean seller rating in hundredths, rounded half up (0 without feedback).
    pub average_centi: i32,
    /// Number of feedbacks.
    pub total: i32,
}

/// `sum / count` in hundredths, rounded half up, in integers (0 when `count` is not positive).
pub fn average_centi(sum: i64, count: i64) -> i32 {
    if count <= 0 {
        return 0;
    }
    // floor((100·sum + count/2) / count), doubled to stay in integers.
    let (sum, count) = (i128::from(sum), i128::from(count));
    let centi = (sum * 200 + count).div_euclid(count * 2);
    i32::try_from(centi).unwrap_or(if centi < 0 { i32::MIN } else { i32::MAX })
}

/// `n` as a float without an `as` cast; exact for |n| < 2^53, which any count or sum of
/// ratings is.
fn exact_f64(n: i64) -> f64 {
    // An arithmetic shift of an i64 by 32 always fits an i32, and the low half a u32.
    let high = i32::try_from(n >> 32).unwrap_or_default();
    let low = u32::try_from(n & 0xFFFF_FFFF).unwrap_or_default();
    f64::from(high) * 4_294_967_296.0 + f64::from(low)
}

/// `num / den` as the JSON number the contract shows (unrounded), 0 when `den` is 0.
fn ratio(num: i64, den: i64) -> f64 {
    if den == 0 {
        0.0
    } else {
        exact_f64(num) / exact_f64(den)
    }
}

impl SellerStats {
    /// What the seller profile caches: the mean seller rating to 2 places, and the count.
    pub fn profile_rating(&self) -> SellerRating {
        SellerRating {
            average_centi: average_centi(self.seller_rating_sum, self.total),
            total: i32::try_from(self.total).unwrap_or(i32::MAX),
        }
    }

    /// True when the seller has no feedback yet.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Mean seller rating, unrounded (for display only).
    pub fn average_seller_rating(&self) -> f64 {
        ratio(self.seller_rating_sum, self.total)
    }

    /// Mean communication rating, unrounded (for display only).
    pub fn average_communication(&self) -> f64 {
        ratio(self.communication_sum, self.total)
    }

    /// Mean shipping speed rating, unrounded (for display only).
    pub fn average_shipping(&self) -> f64 {
        ratio(self.shipping_speed_sum, self.total)
    }

    /// Share of feedbacks saying the item was as described, in percent (unrounded).
    pub fn product_as_described_percent(&self) -> f64 {
        ratio(self.described.saturating_mul(100), self.total)
    }
}

#[cfg(test)]
mod tests;
