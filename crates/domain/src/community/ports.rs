//! Ports of the community feature: what its services need from the outside world.
//!
//! Methods return `impl Future + Send` so services stay generic and tests can wire mocks.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::account::user::SellerProfile;
use crate::community::review::{Review, ReviewEligibility, ReviewInput, ReviewQuery};
use crate::community::seller_profile::{SellerProfileChanges, SellerProfileQuery};
use crate::community::wishlist::WishlistItem;
use crate::ids::{OrderId, ProductId, ReviewId, SellerProfileId, UserId, WishlistItemId};
use crate::page::{Page, PageRequest};
use crate::store::StoreError;

/// Buyer–seller conversations; every read and write is scoped to a participant.
#[cfg_attr(test, mockall::automock)]
pub trait ConversationRepository: Send + Sync {
    /// Sets a message's read flag (an operator's correction); `None` when there is no such
    /// message, else whether it changed.
    fn set_message_read(
        &self,
        id: crate::ids::MessageId,
        read: bool,
    ) -> impl Future<Output = Result<Option<bool>, StoreError>> + Send;
    /// Opens a conversation; field errors for unknown users or products, a product the seller
    /// does not sell, or a duplicate (buyer, seller, product).
    fn create_conversation(
        &self,
        new: crate::community::conversation::NewConversation,
        now: DateTime<Utc>,
    ) -> impl Future<
        Output = Result<
            Result<crate::ids::ConversationId, crate::validation::FieldErrors>,
            StoreError,
        >,
    > + Send;
    /// One page of `viewer`'s conversations (latest activity first unless `ordering` says).
    fn conversations(
        &self,
        viewer: UserId,
        ordering: Vec<crate::page::Sort<crate::community::conversation::ConversationSort>>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::community::conversation::Conversation>, StoreError>>
    + Send;
    /// One of `viewer`'s conversations.
    fn conversation(
        &self,
        viewer: UserId,
        id: crate::ids::ConversationId,
    ) -> impl Future<
        Output = Result<Option<crate::community::conversation::Conversation>, StoreError>,
    > + Send;
    /// Deletes one of `viewer`'s conversations with its messages; false when not theirs.
    fn delete_conversation(
        &self,
        viewer: UserId,
        id: crate::ids::ConversationId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The messages, oldest first, after marking the other participant's read; `None` when
    /// `viewer` is not a participant.
    fn read_messages(
        &self,
        viewer: UserId,
        id: crate::ids::ConversationId,
    ) -> impl Future<
        Output = Result<Option<Vec<crate::community::conversation::Message>>, StoreError>,
    > + Send;
    /// Adds `sender`'s message, moves the conversation's `updated_at` and writes the outbox,
    /// all at once; `None` when `sender` is not a participant (or it was deleted meanwhile).
    fn send_message(
        &self,
        sender: UserId,
        id: crate::ids::ConversationId,
        content: String,
        now: DateTime<Utc>,
        outbox: crate::outbox::Outbox,
    ) -> impl Future<Output = Result<Option<crate::community::conversation::Message>, StoreError>> + Send;
}

/// The notices of a filed complaint, given it and the admins' ids.
pub type FiledOutbox = Box<
    dyn FnOnce(&crate::community::complaint::Complaint, &[UserId]) -> crate::outbox::Outbox + Send,
>;

/// The notices of a complaint's status change, given it and the complainant's email.
pub type MovedOutbox =
    Box<dyn FnOnce(&crate::community::complaint::Complaint, &str) -> crate::outbox::Outbox + Send>;

/// Complaints. Writes lock the complaint and write their notices in the same transaction.
#[cfg_attr(test, mockall::automock)]
pub trait ComplaintRepository: Send + Sync {
    /// Files a complaint (category, subject and description set); field errors for an order
    /// that is not the user's or a seller who is not one.
    fn create_complaint(
        &self,
        user: UserId,
        input: crate::community::complaint::ComplaintInput,
        now: DateTime<Utc>,
        outbox: FiledOutbox,
    ) -> impl Future<
        Output = Result<
            Result<crate::community::complaint::Complaint, crate::validation::FieldErrors>,
            StoreError,
        >,
    > + Send;
    /// One page of complaints.
    fn complaints(
        &self,
        query: crate::community::complaint::ComplaintQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::community::complaint::Complaint>, StoreError>> + Send;
    /// One complaint.
    fn complaint(
        &self,
        id: crate::ids::ComplaintId,
    ) -> impl Future<Output = Result<Option<crate::community::complaint::Complaint>, StoreError>> + Send;
    /// The complainant changes their complaint while it is not final.
    fn update_complaint(
        &self,
        user: UserId,
        id: crate::ids::ComplaintId,
        input: crate::community::complaint::ComplaintInput,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<crate::community::complaint::Changed, StoreError>> + Send;
    /// The complainant withdraws their complaint while it is not final.
    fn delete_complaint(
        &self,
        user: UserId,
        id: crate::ids::ComplaintId,
    ) -> impl Future<Output = Result<crate::community::complaint::Changed, StoreError>> + Send;
    /// An admin moves a complaint (and may set its notes) if the workflow allows it.
    fn move_complaint(
        &self,
        id: crate::ids::ComplaintId,
        to: crate::community::complaint::ComplaintStatus,
        notes: Option<String>,
        now: DateTime<Utc>,
        outbox: MovedOutbox,
    ) -> impl Future<Output = Result<crate::community::complaint::Moved, StoreError>> + Send;
}

/// Seller profiles beyond their creation (which belongs to accounts).
#[cfg_attr(test, mockall::automock)]
pub trait SellerProfileRepository: Send + Sync {
    /// One page of profiles.
    fn list_profiles(
        &self,
        query: SellerProfileQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<SellerProfile>, StoreError>> + Send;
    /// One profile.
    fn profile(
        &self,
        id: SellerProfileId,
    ) -> impl Future<Output = Result<Option<SellerProfile>, StoreError>> + Send;
    /// Applies changes.
    fn update_profile(
        &self,
        id: SellerProfileId,
        changes: SellerProfileChanges,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes a profile; false when unknown.
    fn delete_profile(
        &self,
        id: SellerProfileId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Wishlists; every method is scoped to the owner.
#[cfg_attr(test, mockall::automock)]
pub trait WishlistRepository: Send + Sync {
    /// One page of the owner's entries (`newest_first` unless ordered by `created_at` ascending).
    fn list_wishlist(
        &self,
        owner: UserId,
        newest_first: bool,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<WishlistItem>, StoreError>> + Send;
    /// Which of `products` the owner saved.
    fn saved_among(
        &self,
        owner: UserId,
        products: Vec<ProductId>,
    ) -> impl Future<Output = Result<Vec<ProductId>, StoreError>> + Send;
    /// One of the owner's entries.
    fn wishlist_item(
        &self,
        owner: UserId,
        id: WishlistItemId,
    ) -> impl Future<Output = Result<Option<WishlistItem>, StoreError>> + Send;
    /// Saves a product; `None` when it is already saved.
    fn add_to_wishlist(
        &self,
        owner: UserId,
        product: ProductId,
        notes: String,
    ) -> impl Future<Output = Result<Option<WishlistItemId>, StoreError>> + Send;
    /// Changes an entry; `Ok(false)` when the product is already saved in another entry.
    fn update_wishlist_item(
        &self,
        owner: UserId,
        id: WishlistItemId,
        product: Option<ProductId>,
        notes: Option<String>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Removes an entry; false when it is not the owner's.
    fn remove_from_wishlist(
        &self,
        owner: UserId,
        id: WishlistItemId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Product reviews.
#[cfg_attr(test, mockall::automock)]
pub trait ReviewRepository: Send + Sync {
    /// Marks a review a verified purchase from `order`; false when it already was.
    fn set_review_verified(
        &self,
        id: ReviewId,
        order: Option<i64>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// One page of reviews.
    fn list_reviews(
        &self,
        query: ReviewQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Review>, StoreError>> + Send;
    /// One review.
    fn review(
        &self,
        id: ReviewId,
    ) -> impl Future<Output = Result<Option<Review>, StoreError>> + Send;
    /// What the can-review decision needs for this caller and product.
    fn eligibility(
        &self,
        buyer: UserId,
        product: ProductId,
    ) -> impl Future<Output = Result<ReviewEligibility, StoreError>> + Send;
    /// Stores a review; `None` when the buyer already reviewed the product.
    fn create_review(
        &self,
        buyer: UserId,
        input: ReviewInput,
        verified: bool,
    ) -> impl Future<Output = Result<Option<ReviewId>, StoreError>> + Send;
    /// Changes a review's rating, title or comment.
    fn update_review(
        &self,
        id: ReviewId,
        input: ReviewInput,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes a review; false when unknown.
    fn delete_review(&self, id: ReviewId) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Seller feedback on auction orders. Every write refreshes the seller profile's cached rating
/// (`average_rating`, `total_feedbacks`) in the same transaction.
#[cfg_attr(test, mockall::automock)]
pub trait FeedbackRepository: Send + Sync {
    /// Recomputes a seller profile's cached rating from its feedback; false when unknown.
    fn refresh_profile_rating(
        &self,
        id: crate::ids::SellerProfileId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// One page of feedback.
    fn list_feedbacks(
        &self,
        query: crate::community::feedback::FeedbackQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::community::feedback::Feedback>, StoreError>> + Send;
    /// One feedback.
    fn feedback(
        &self,
        id: crate::ids::FeedbackId,
    ) -> impl Future<Output = Result<Option<crate::community::feedback::Feedback>, StoreError>> + Send;
    /// The buyer's order as the create rules need it; `None` when unknown or not the buyer's.
    fn feedback_order(
        &self,
        buyer: UserId,
        order: OrderId,
    ) -> impl Future<Output = Result<Option<crate::community::feedback::FeedbackOrder>, StoreError>> + Send;
    /// Stores a feedback and refreshes the seller's rating, atomically; `None` when the order
    /// already has one (a concurrent request won).
    fn create_feedback(
        &self,
        new: crate::community::feedback::NewFeedback,
    ) -> impl Future<Output = Result<Option<crate::ids::FeedbackId>, StoreError>> + Send;
    /// Changes ratings or comments and refreshes the seller's rating, atomically; false when
    /// unknown.
    fn update_feedback(
        &self,
        id: crate::ids::FeedbackId,
        changes: crate::community::feedback::FeedbackChanges,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Deletes a feedback and refreshes the seller's rating, atomically; false when unknown.
    fn delete_feedback(
        &self,
        id: crate::ids::FeedbackId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Integer totals over a seller's feedback.
    fn seller_stats(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<crate::community::feedback::SellerStats, StoreError>> + Send;
}
