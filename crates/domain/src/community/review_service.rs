//! Product review use cases: read for everyone; write once, after receiving the product.

use crate::account::user::User;
use crate::catalog::product::CatalogError;
use crate::community::ports::ReviewRepository;
use crate::community::review::{Review, ReviewInput, ReviewQuery};
use crate::ids::{ProductId, ReviewId};
use crate::page::{Page, PageRequest};
use crate::validation::{FieldErrors, msg};

/// The answer of `can-review`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanReview {
    /// The caller may review now.
    pub can_review: bool,
    /// Why (the contract's exact texts).
    pub reason: String,
    /// The caller already reviewed it.
    pub has_reviewed: bool,
    /// False when the product does not exist (answered with 404).
    pub product_found: bool,
}

/// The review use cases.
pub struct Reviews<R> {
    reviews: R,
}

impl<R: ReviewRepository> Reviews<R> {
    /// Wires the service.
    pub fn new(reviews: R) -> Self {
        Self { reviews }
    }

    /// One page of reviews.
    pub async fn list(
        &self,
        query: ReviewQuery,
        page: PageRequest,
    ) -> Result<Page<Review>, CatalogError> {
        Ok(self.reviews.list_reviews(query, page).await?)
    }

    /// One review.
    pub async fn get(&self, id: ReviewId) -> Result<Review, CatalogError> {
        self.reviews
            .review(id)
            .await?
            .ok_or(CatalogError::NotFound("ProductReview"))
    }

    /// Whether the caller may review the product, and why not.
    pub async fn can_review(
        &self,
        actor: Option<&User>,
        product: ProductId,
    ) -> Result<CanReview, CatalogError> {
        let Some(actor) = actor else {
            return Ok(CanReview {
                can_review: false,
                reason: "You must be logged in to review products".into(),
                has_reviewed: false,
                product_found: true,
            });
        };
        let e = self.reviews.eligibility(actor.id, product).await?;
        if !e.product_exists {
            return Ok(CanReview {
                can_review: false,
                reason: "Product not found".into(),
                has_reviewed: false,
                product_found: false,
            });
        }
        let (can_review, has_reviewed, reason) = e.decide();
        Ok(CanReview {
            can_review,
            reason,
            has_reviewed,
            product_found: true,
        })
    }

    /// Writes the caller's review of a fixed-price product they received.
    pub async fn create(&self, actor: &User, input: ReviewInput) -> Result<Review, CatalogError> {
        input.check(true)?;
        let product = input.product.unwrap_or(ProductId(0));
        let e = self.reviews.eligibility(actor.id, product).await?;
        let product_problem = if !e.product_exists {
            Some(msg::invalid_pk(product))
        } else if e.is_auction {
            Some("Auction products cannot be reviewed".to_owned())
        } else if !e.is_fixed_price {
            Some("Product must have a fixed-price listing".to_owned())
        } else if e.is_own {
            Some("You cannot review your own product".to_owned())
        } else {
            None
        };
        if let Some(problem) = product_problem {
            return Err(FieldErrors::single("product", problem).into());
        }
        if e.has_reviewed {
            return Err(FieldErrors::non_field("You have already reviewed this product").into());
        }
        let mut input = input;
        match input.order.flatten() {
            // A named order must be one of the caller's orders for this product.
            Some(order) if !e.order_ids.contains(&order) => {
                return Err(FieldErrors::single("order", msg::invalid_pk(order)).into());
            }
            Some(_) => {}
            None => input.order = Some(e.received_order()),
        }
        if !e.received() {
            return Err(FieldErrors::non_field(
                "You can only review products you have purchased and received.",
            )
            .into());
        }
        // Every review now comes from a received order, so each is a verified purchase.
        let id = self
            .reviews
            .create_review(actor.id, input, true)
            .await?
            .ok_or_else(|| FieldErrors::non_field("You have already reviewed this product"))?;
        self.get(id).await
    }

    /// Changes the author's rating, title or comment (the product and order stay).
    pub async fn update(
        &self,
        actor: &User,
        id: ReviewId,
        mut input: ReviewInput,
        full: bool,
    ) -> Result<Review, CatalogError> {
        let review = self.get(id).await?;
        if review.buyer != actor.id {
            return Err(CatalogError::NotAuthor(
                "You can only update your own reviews".into(),
            ));
        }
        input.product = Some(review.product);
        input.check(full)?;
        input.order = None;
        self.reviews.update_review(id, input).await?;
        self.get(id).await
    }

    /// Deletes a review (its author or an admin).
    pub async fn delete(&self, actor: &User, id: ReviewId) -> Result<(), CatalogError> {
        let review = self.get(id).await?;
        if review.buyer != actor.id && !actor.is_admin() {
            return Err(CatalogError::NotAuthor(
                "You can only delete your own reviews".into(),
            ));
        }
        if self.reviews.delete_review(id).await? {
            Ok(())
        } else {
            Err(CatalogError::NotFound("ProductReview"))
        }
    }
}
