//! Product reviews: one per buyer and fixed-price product, only after the product was received.

use chrono::{DateTime, Utc};

use crate::ids::{ProductId, ReviewId, UserId};
use crate::page::Sort;
use crate::validation::{FieldErrors, check_max_len, msg};

/// A review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Id.
    pub id: ReviewId,
    /// Product.
    pub product: ProductId,
    /// Product name.
    pub product_name: String,
    /// Author.
    pub buyer: UserId,
    /// Author's username.
    pub buyer_username: String,
    /// The order it was bought in.
    pub order: Option<i64>,
    /// 1–5.
    pub rating: i16,
    /// Title.
    pub title: String,
    /// Text.
    pub comment: String,
    /// Backed by a received order of the author.
    pub is_verified_purchase: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

/// Review fields as received (`None` = not sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewInput {
    /// Product.
    pub product: Option<ProductId>,
    /// 1–5.
    pub rating: Option<i64>,
    /// Title, at most 200 characters.
    pub title: Option<String>,
    /// Text.
    pub comment: Option<String>,
    /// The order it was bought in.
    pub order: Option<Option<i64>>,
}

impl ReviewInput {
    /// Field rules; `full` requires product, rating, title and comment.
    pub fn check(&self, full: bool) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if full && self.product.is_none() {
            errors.add("product", msg::REQUIRED);
        }
        match self.rating {
            Some(r) if r < 1 => {
                errors.add("rating", "Ensure this value is greater than or equal to 1.");
            }
            Some(r) if r > 5 => {
                errors.add("rating", "Ensure this value is less than or equal to 5.");
            }
            None if full => errors.add("rating", msg::REQUIRED),
            _ => {}
        }
        for (field, value) in [("title", &self.title), ("comment", &self.comment)] {
            match value {
                Some(v) if v.trim().is_empty() => errors.add(field, msg::BLANK),
                None if full => errors.add(field, msg::REQUIRED),
                _ => {}
            }
        }
        if let Some(t) = &self.title {
            check_max_len(&mut errors, "title", t, 200);
        }
        errors.into_result()
    }
}

/// What the can-review decision needs to know about the caller and the product.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // independent facts the decision table reads
pub struct ReviewEligibility {
    /// The product exists.
    pub product_exists: bool,
    /// It is sold by auction.
    pub is_auction: bool,
    /// It has a fixed-price listing.
    pub is_fixed_price: bool,
    /// The caller sells it.
    pub is_own: bool,
    /// The caller already reviewed it.
    pub has_reviewed: bool,
    /// Statuses of the caller's orders for it, newest first.
    pub order_statuses: Vec<String>,
    /// Ids of those orders, in the same order.
    pub order_ids: Vec<i64>,
}

impl ReviewEligibility {
    /// True when one of the caller's orders for it was shipped or delivered.
    pub fn received(&self) -> bool {
        self.order_statuses
            .iter()
            .any(|s| s == "shipped" || s == "delivered")
    }

    /// The newest of the caller's orders for it that was shipped or delivered.
    pub fn received_order(&self) -> Option<i64> {
        self.order_statuses
            .iter()
            .zip(&self.order_ids)
            .find(|(s, _)| *s == "shipped" || *s == "delivered")
            .map(|(_, id)| *id)
    }

    /// The contract's decision: `(can_review, has_reviewed, reason)`, first match wins.
    pub fn decide(&self) -> (bool, bool, String) {
        if self.is_auction {
            return (false, false, "Auction products cannot be reviewed".into());
        }
        if self.is_own {
            return (false, false, "You cannot review your own product".into());
        }
        if self.has_reviewed {
            return (false, true, "You have already reviewed this product".into());
        }
        if !self.received() {
            let detail = if self.order_statuses.is_empty() {
                "You have not purchased this product.".to_owned()
            } else {
                format!(
                    "Your orders for this product have status: {}",
                    self.order_statuses.join(", ")
                )
            };
            return (
                false,
                false,
                format!("You can only review products you have purchased and received. {detail}"),
            );
        }
        (true, false, "You can review this product".into())
    }
}

/// Sortable review fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewSort {
    /// Creation time.
    CreatedAt,
    /// Rating.
    Rating,
}

/// `?ordering=` names for reviews.
pub const REVIEW_ORDERING: &[(&str, ReviewSort)] = &[
    ("created_at", ReviewSort::CreatedAt),
    ("rating", ReviewSort::Rating),
];

/// A review list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewQuery {
    /// Only this product's.
    pub product: Option<ProductId>,
    /// Only this rating.
    pub rating: Option<i64>,
    /// Only verified purchases.
    pub verified_only: bool,
    /// Sort keys (newest first when empty).
    pub ordering: Vec<Sort<ReviewSort>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ReviewEligibility {
        ReviewEligibility {
            product_exists: true,
            is_auction: false,
            is_fixed_price: true,
            is_own: false,
            has_reviewed: false,
            order_statuses: vec![],
            order_ids: vec![],
        }
    }

    #[test]
    fn decisions_in_order() {
        assert_eq!(
            ReviewEligibility {
                is_auction: true,
                is_own: true,
                ..base()
            }
            .decide()
            .2,
            "Auction products cannot be reviewed"
        );
        assert_eq!(
            ReviewEligibility {
                is_own: true,
                has_reviewed: true,
                ..base()
            }
            .decide()
            .2,
            "You cannot review your own product"
        );
        assert_eq!(
            ReviewEligibility {
                has_reviewed: true,
                ..base()
            }
            .decide(),
            (false, true, "You have already reviewed this product".into())
        );
        assert_eq!(
            base().decide().2,
            "You can only review products you have purchased and received. You have not purchased this product."
        );
        let pending = ReviewEligibility {
            order_statuses: vec!["paid".into(), "cancelled".into()],
            ..base()
        };
        assert!(
            pending
                .decide()
                .2
                .ends_with("Your orders for this product have status: paid, cancelled")
        );
        let received = ReviewEligibility {
            order_statuses: vec!["paid".into(), "delivered".into(), "shipped".into()],
            order_ids: vec![9, 7, 5],
            ..base()
        };
        assert!(received.decide().0);
        assert_eq!(received.received_order(), Some(7));
        assert_eq!(pending.received_order(), None);
    }

    #[test]
    fn field_rules() {
        let e = ReviewInput::default().check(true).unwrap_err();
        for f in ["product", "rating", "title", "comment"] {
            assert!(e.has(f), "{f}");
        }
        let e = ReviewInput {
            rating: Some(6),
            title: Some(" ".into()),
            ..Default::default()
        }
        .check(false)
        .unwrap_err();
        assert_eq!(
            e.get("rating").unwrap(),
            ["Ensure this value is less than or equal to 5."]
        );
        assert_eq!(e.get("title").unwrap(), ["This field may not be blank."]);
    }
}
