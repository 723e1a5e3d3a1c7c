//! Ports: what the domain needs from the outside world. Adapters implement them.
//!
//! Methods return `impl Future + Send` so services stay generic and tests can wire mocks.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::account::{
    NewUserRecord, ProfileChanges, SellerApplication, UniqueField, UserWriteError,
};
use crate::address::{Address, AddressInput, AddressQuery, Removal};
use crate::auction::{Auction, AuctionQuery, AuctionRemoval, AuctionState, AuctionTerms, Bid};
use crate::cart::{Cart, HoldOutcome};
use crate::checkout::{OrderPlanner, Party, PlaceOrder, Placed, StatusChange};
use crate::email::{Email, MailError};
use crate::ids::{
    AddressId, AuctionId, CartItemId, CategoryId, CityId, JobId, ListingId, NotificationId,
    OrderId, ProductId, ProductImageId, ProvinceId, ReviewId, SellerProfileId, UserId,
    WishlistItemId,
};
use crate::job::{JobStatus, JobSummary, NewJob};
use crate::listing::{Listing, ListingChanges, ListingQuery, ListingState, NewListing};
use crate::order::{Order, OrderQuery};
use crate::outbox::Outbox;
use crate::page::{Page, PageRequest, Sort};
use crate::payment::{DueTransfer, PaymentError, PaymentSession, SessionRequest, TransferRequest};
use crate::product::{
    ImageRemoval, ImageUpload, NewProduct, ProductChanges, ProductImage, ProductOwnership,
    ProductQuery, ProductRemoval, ProductView,
};
use crate::reference::{Category, CategoryInput, City, CityQuery, Province, ProvinceSort};
use crate::review::{Review, ReviewEligibility, ReviewInput, ReviewQuery};
use crate::seller_profile::{SellerProfileChanges, SellerProfileQuery};
use crate::store::StoreError;
use crate::user::{ProfileStats, SellerProfile, User};
use crate::wishlist::WishlistItem;

/// Builds the outbox of a new user once its id is known.
pub type UserOutbox = Box<dyn FnOnce(&User) -> Outbox + Send>;

/// Accounts and seller profiles.
#[cfg_attr(test, mockall::automock)]
pub trait UserRepository: Send + Sync {
    /// Which of the given unique values already belong to another user.
    fn taken(
        &self,
        username: Option<String>,
        email: Option<String>,
        except: Option<UserId>,
    ) -> impl Future<Output = Result<Vec<UniqueField>, StoreError>> + Send;
    /// Stores a new user and its outbox in one transaction.
    fn create(
        &self,
        user: NewUserRecord,
        outbox: UserOutbox,
    ) -> impl Future<Output = Result<User, UserWriteError>> + Send;
    /// A user by id.
    fn find(&self, id: UserId) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// A user and password hash by email (case-insensitive).
    fn find_credentials(
        &self,
        email: String,
    ) -> impl Future<Output = Result<Option<(User, String)>, StoreError>> + Send;
    /// Applies profile changes.
    fn update_profile(
        &self,
        id: UserId,
        changes: ProfileChanges,
    ) -> impl Future<Output = Result<User, UserWriteError>> + Send;
    /// Sales, purchases and rating figures.
    fn stats(&self, id: UserId) -> impl Future<Output = Result<ProfileStats, StoreError>> + Send;
    /// The user's seller profile.
    fn seller_profile(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Option<SellerProfile>, StoreError>> + Send;
    /// Creates the seller profile, grants selling if `grant_selling`, and writes the outbox,
    /// atomically; `None` when the user already has a profile (a concurrent request won).
    fn create_seller_profile(
        &self,
        user: UserId,
        application: SellerApplication,
        grant_selling: bool,
        outbox: Outbox,
    ) -> impl Future<Output = Result<Option<(User, SellerProfile)>, StoreError>> + Send;
    /// Creates an admin, or promotes the user with that email to admin and resets the password.
    fn upsert_admin(
        &self,
        email: String,
        username: String,
        password_hash: String,
    ) -> impl Future<Output = Result<User, UserWriteError>> + Send;
}

/// API tokens: random keys shown once, stored hashed.
#[cfg_attr(test, mockall::automock)]
pub trait TokenStore: Send + Sync {
    /// Issues a fresh key for the user.
    fn issue(&self, user: UserId) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// The active user owning `key`, if the key exists and was used within `idle`.
    fn authenticate(
        &self,
        key: String,
        now: DateTime<Utc>,
        idle: Duration,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// Revokes one key.
    fn revoke(&self, key: String) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Password hashing (argon2id in the adapter; slow on purpose, so async).
#[cfg_attr(test, mockall::automock)]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password into a PHC string.
    fn hash(&self, password: String) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// True when the password matches the hash.
    fn verify(&self, password: String, hash: String) -> impl Future<Output = bool> + Send;
}

/// Fixed-window counters for throttling.
#[cfg_attr(test, mockall::automock)]
pub trait RateLimiter: Send + Sync {
    /// Counts one hit on `key`; `Some(seconds)` when the limit was already reached in this window.
    fn hit(
        &self,
        key: String,
        limit: u32,
        window: Duration,
    ) -> impl Future<Output = Result<Option<u64>, StoreError>> + Send;
    /// Forgets the key's count.
    fn reset(&self, key: String) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Users' addresses; every method is scoped to the owner.
#[cfg_attr(test, mockall::automock)]
pub trait AddressRepository: Send + Sync {
    /// One page of the owner's addresses.
    fn list(
        &self,
        query: AddressQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Address>, StoreError>> + Send;
    /// One of the owner's addresses.
    fn get(
        &self,
        owner: UserId,
        id: AddressId,
    ) -> impl Future<Output = Result<Option<Address>, StoreError>> + Send;
    /// Creates an address (clearing other defaults when it is the default).
    fn create(
        &self,
        owner: UserId,
        input: AddressInput,
    ) -> impl Future<Output = Result<Address, StoreError>> + Send;
    /// Updates an address; `None` when it is not the owner's.
    fn update(
        &self,
        owner: UserId,
        id: AddressId,
        input: AddressInput,
    ) -> impl Future<Output = Result<Option<Address>, StoreError>> + Send;
    /// Deletes an address unless an order still references it.
    fn delete(
        &self,
        owner: UserId,
        id: AddressId,
    ) -> impl Future<Output = Result<Removal, StoreError>> + Send;
    /// Makes one address the owner's only default; false when it is not the owner's.
    fn set_default(
        &self,
        owner: UserId,
        id: AddressId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Provinces, cities and categories.
#[cfg_attr(test, mockall::automock)]
pub trait ReferenceRepository: Send + Sync {
    /// One page of provinces.
    fn provinces(
        &self,
        ordering: Vec<Sort<ProvinceSort>>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Province>, StoreError>> + Send;
    /// One province.
    fn province(
        &self,
        id: ProvinceId,
    ) -> impl Future<Output = Result<Option<Province>, StoreError>> + Send;
    /// One page of cities.
    fn cities(
        &self,
        query: CityQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<City>, StoreError>> + Send;
    /// One city.
    fn city(&self, id: CityId) -> impl Future<Output = Result<Option<City>, StoreError>> + Send;
    /// Every category (the tree is small and built in memory).
    fn categories(&self) -> impl Future<Output = Result<Vec<Category>, StoreError>> + Send;
    /// True when another category already has this name (case-insensitive).
    fn category_name_taken(
        &self,
        name: String,
        except: Option<CategoryId>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Creates a category.
    fn create_category(
        &self,
        input: CategoryInput,
    ) -> impl Future<Output = Result<Category, StoreError>> + Send;
    /// Updates a category; `None` when it does not exist.
    fn update_category(
        &self,
        id: CategoryId,
        input: CategoryInput,
    ) -> impl Future<Output = Result<Option<Category>, StoreError>> + Send;
    /// Deletes a category (children become roots); false when it does not exist.
    fn delete_category(
        &self,
        id: CategoryId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Enqueues jobs outside any other change (inside one, use an [`Outbox`]).
#[cfg_attr(test, mockall::automock)]
pub trait JobQueue: Send + Sync {
    /// Enqueues a job; `false` when its unique key was already used.
    fn enqueue(&self, job: NewJob) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The operators' view of the job queue.
#[cfg_attr(test, mockall::automock)]
pub trait JobAdmin: Send + Sync {
    /// One page of jobs in a status, newest first.
    fn list_jobs(
        &self,
        status: JobStatus,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<JobSummary>, StoreError>> + Send;
    /// The status of one job.
    fn job_status(
        &self,
        id: JobId,
    ) -> impl Future<Output = Result<Option<JobStatus>, StoreError>> + Send;
    /// Queues a dead job again with fresh attempts; false when it is no longer dead.
    fn retry_dead_job(&self, id: JobId) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Products and their images.
#[cfg_attr(test, mockall::automock)]
pub trait ProductRepository: Send + Sync {
    /// One page of products.
    fn list_products(
        &self,
        query: ProductQuery,
        page: PageRequest,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Page<ProductView>, StoreError>> + Send;
    /// One product.
    fn product(
        &self,
        id: ProductId,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Option<ProductView>, StoreError>> + Send;
    /// Owner and listing type, for permission checks.
    fn product_ownership(
        &self,
        id: ProductId,
    ) -> impl Future<Output = Result<Option<ProductOwnership>, StoreError>> + Send;
    /// True when the category exists.
    fn category_exists(
        &self,
        id: CategoryId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Stores a product and its images.
    fn create_product(
        &self,
        product: NewProduct,
    ) -> impl Future<Output = Result<ProductId, StoreError>> + Send;
    /// Applies changes.
    fn update_product(
        &self,
        id: ProductId,
        changes: ProductChanges,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes a product (with its listing or auction) unless orders reference it.
    fn delete_product(
        &self,
        id: ProductId,
    ) -> impl Future<Output = Result<ProductRemoval, StoreError>> + Send;
    /// Appends an image (primary if it is the first).
    fn add_image(
        &self,
        product: ProductId,
        path: String,
    ) -> impl Future<Output = Result<ProductImage, StoreError>> + Send;
    /// Deletes an image, never the last one; promotes the next primary.
    fn delete_image(
        &self,
        product: ProductId,
        image: ProductImageId,
    ) -> impl Future<Output = Result<ImageRemoval, StoreError>> + Send;
}

/// Where uploaded files live (a local directory now; an object store can replace it).
#[cfg_attr(test, mockall::automock)]
pub trait MediaStorage: Send + Sync {
    /// Stores bytes under `dir` with a fresh name; returns the path to keep.
    fn store(
        &self,
        dir: String,
        upload: ImageUpload,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// Removes a stored file (best effort; missing files are fine).
    fn remove(&self, path: String) -> impl Future<Output = ()> + Send;
}

/// Whether a seller's payout account can receive money (Stripe Connect).
#[cfg_attr(test, mockall::automock)]
pub trait PayoutReadiness: Send + Sync {
    /// True when transfers to this seller can be made.
    fn can_receive_payouts(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Sends rendered emails.
#[cfg_attr(test, mockall::automock)]
pub trait Mailer: Send + Sync {
    /// Renders and sends one email.
    fn send(&self, email: Email) -> impl Future<Output = Result<(), MailError>> + Send;
}

/// Buyer–seller conversations; every read and write is scoped to a participant.
#[cfg_attr(test, mockall::automock)]
pub trait ConversationRepository: Send + Sync {
    /// Opens a conversation; field errors for unknown users or products, a product the seller
    /// does not sell, or a duplicate (buyer, seller, product).
    fn create_conversation(
        &self,
        new: crate::conversation::NewConversation,
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
        ordering: Vec<crate::page::Sort<crate::conversation::ConversationSort>>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::conversation::Conversation>, StoreError>> + Send;
    /// One of `viewer`'s conversations.
    fn conversation(
        &self,
        viewer: UserId,
        id: crate::ids::ConversationId,
    ) -> impl Future<Output = Result<Option<crate::conversation::Conversation>, StoreError>> + Send;
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
    ) -> impl Future<Output = Result<Option<Vec<crate::conversation::Message>>, StoreError>> + Send;
    /// Adds `sender`'s message, moves the conversation's `updated_at` and writes the outbox,
    /// all at once; `None` when `sender` is not a participant (or it was deleted meanwhile).
    fn send_message(
        &self,
        sender: UserId,
        id: crate::ids::ConversationId,
        content: String,
        now: DateTime<Utc>,
        outbox: crate::outbox::Outbox,
    ) -> impl Future<Output = Result<Option<crate::conversation::Message>, StoreError>> + Send;
}

/// The notices of a filed complaint, given it and the admins' ids.
pub type FiledOutbox =
    Box<dyn FnOnce(&crate::complaint::Complaint, &[UserId]) -> crate::outbox::Outbox + Send>;
/// The notices of a complaint's status change, given it and the complainant's email.
pub type MovedOutbox =
    Box<dyn FnOnce(&crate::complaint::Complaint, &str) -> crate::outbox::Outbox + Send>;

/// Complaints. Writes lock the complaint and write their notices in the same transaction.
#[cfg_attr(test, mockall::automock)]
pub trait ComplaintRepository: Send + Sync {
    /// Files a complaint (category, subject and description set); field errors for an order
    /// that is not the user's or a seller who is not one.
    fn create_complaint(
        &self,
        user: UserId,
        input: crate::complaint::ComplaintInput,
        now: DateTime<Utc>,
        outbox: FiledOutbox,
    ) -> impl Future<
        Output = Result<
            Result<crate::complaint::Complaint, crate::validation::FieldErrors>,
            StoreError,
        >,
    > + Send;
    /// One page of complaints.
    fn complaints(
        &self,
        query: crate::complaint::ComplaintQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::complaint::Complaint>, StoreError>> + Send;
    /// One complaint.
    fn complaint(
        &self,
        id: crate::ids::ComplaintId,
    ) -> impl Future<Output = Result<Option<crate::complaint::Complaint>, StoreError>> + Send;
    /// The complainant changes their complaint while it is not final.
    fn update_complaint(
        &self,
        user: UserId,
        id: crate::ids::ComplaintId,
        input: crate::complaint::ComplaintInput,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<crate::complaint::Changed, StoreError>> + Send;
    /// The complainant withdraws their complaint while it is not final.
    fn delete_complaint(
        &self,
        user: UserId,
        id: crate::ids::ComplaintId,
    ) -> impl Future<Output = Result<crate::complaint::Changed, StoreError>> + Send;
    /// An admin moves a complaint (and may set its notes) if the workflow allows it.
    fn move_complaint(
        &self,
        id: crate::ids::ComplaintId,
        to: crate::complaint::ComplaintStatus,
        notes: Option<String>,
        now: DateTime<Utc>,
        outbox: MovedOutbox,
    ) -> impl Future<Output = Result<crate::complaint::Moved, StoreError>> + Send;
}

/// The admin dashboard's figures.
#[cfg_attr(test, mockall::automock)]
pub trait DashboardRepository: Send + Sync {
    /// Every figure at `now`, days counted in the time zone named `zone`.
    fn dashboard(
        &self,
        now: DateTime<Utc>,
        zone: String,
    ) -> impl Future<Output = Result<crate::dashboard::Dashboard, StoreError>> + Send;
}

/// The notices of blocking an account, given the user.
pub type BlockOutbox = Box<dyn FnOnce(&crate::checkout::Party) -> crate::outbox::Outbox + Send>;

/// Admins' moderation of accounts.
#[cfg_attr(test, mockall::automock)]
pub trait ModerationRepository: Send + Sync {
    /// Applies one step to a non-admin account under its lock; blocking a user who was not
    /// blocked writes `outbox` in the same transaction. `Err(Protected)` for admins,
    /// `Err(NotFound)` for no such user.
    fn moderate(
        &self,
        user: UserId,
        step: crate::moderation::Moderation,
        outbox: BlockOutbox,
    ) -> impl Future<
        Output = Result<
            Result<crate::moderation::Moderated, crate::moderation::ModerationError>,
            StoreError,
        >,
    > + Send;
    /// Payment violations, newest first (one user's when given).
    fn violations(
        &self,
        user: Option<UserId>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::moderation::ViolationRecord>, StoreError>> + Send;
}

/// A user's own notifications: reading them and marking them read.
#[cfg_attr(test, mockall::automock)]
pub trait NotificationInbox: Send + Sync {
    /// One page of `user`'s notifications (newest first unless `ordering` says otherwise).
    fn notifications(
        &self,
        user: UserId,
        ordering: Vec<crate::page::Sort<crate::notification::NotificationSort>>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::notification::Notification>, StoreError>> + Send;
    /// One of `user`'s notifications.
    fn notification(
        &self,
        user: UserId,
        id: NotificationId,
    ) -> impl Future<Output = Result<Option<crate::notification::Notification>, StoreError>> + Send;
    /// Marks one of `user`'s notifications read; false when it is not theirs.
    fn mark_read(
        &self,
        user: UserId,
        id: NotificationId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Marks all of `user`'s notifications read; how many were unread.
    fn mark_all_read(&self, user: UserId) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// How many of `user`'s notifications are unread.
    fn unread_count(&self, user: UserId) -> impl Future<Output = Result<i64, StoreError>> + Send;
}

/// Notification bookkeeping the job runner needs.
#[cfg_attr(test, mockall::automock)]
pub trait NotificationRepository: Send + Sync {
    /// Records that the notification's email went out.
    fn mark_emailed(
        &self,
        id: NotificationId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Fixed-price listings.
#[cfg_attr(test, mockall::automock)]
pub trait ListingRepository: Send + Sync {
    /// One page of listings.
    fn list_listings(
        &self,
        query: ListingQuery,
        page: PageRequest,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Page<Listing>, StoreError>> + Send;
    /// One listing.
    fn listing(
        &self,
        id: ListingId,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Option<Listing>, StoreError>> + Send;
    /// Owner, status, stock and discount, for the rules.
    fn listing_state(
        &self,
        id: ListingId,
    ) -> impl Future<Output = Result<Option<ListingState>, StoreError>> + Send;
    /// Creates a listing; `None` when the product already has a listing or auction.
    fn create_listing(
        &self,
        listing: NewListing,
    ) -> impl Future<Output = Result<Option<ListingId>, StoreError>> + Send;
    /// Applies changes; false when the quantity would drop below the units held in carts.
    fn update_listing(
        &self,
        id: ListingId,
        changes: ListingChanges,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Deletes a listing (the product stays and may be listed again); false when unknown.
    fn delete_listing(
        &self,
        id: ListingId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Auctions (listing side; bidding arrives with the live-auction work).
#[cfg_attr(test, mockall::automock)]
pub trait AuctionRepository: Send + Sync {
    /// One page of auctions.
    fn list_auctions(
        &self,
        query: AuctionQuery,
        page: PageRequest,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Page<Auction>, StoreError>> + Send;
    /// One auction.
    fn auction(
        &self,
        id: AuctionId,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Option<Auction>, StoreError>> + Send;
    /// Owner, bids and terms, for the rules.
    fn auction_state(
        &self,
        id: AuctionId,
    ) -> impl Future<Output = Result<Option<AuctionState>, StoreError>> + Send;
    /// Auctions an existing product; `None` when it already has a listing or auction.
    fn create_auction(
        &self,
        product: ProductId,
        terms: AuctionTerms,
    ) -> impl Future<Output = Result<Option<AuctionId>, StoreError>> + Send;
    /// Creates a product and its auction together.
    fn create_auction_with_product(
        &self,
        product: NewProduct,
        terms: AuctionTerms,
    ) -> impl Future<Output = Result<AuctionId, StoreError>> + Send;
    /// Replaces the terms while no bid exists; false once bidding started.
    fn update_auction(
        &self,
        id: AuctionId,
        terms: AuctionTerms,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Deletes an auction without bids (the product stays).
    fn delete_auction(
        &self,
        id: AuctionId,
    ) -> impl Future<Output = Result<AuctionRemoval, StoreError>> + Send;
    /// Every bid, newest first.
    fn bids(&self, id: AuctionId) -> impl Future<Output = Result<Vec<Bid>, StoreError>> + Send;
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
    /// One page of feedback.
    fn list_feedbacks(
        &self,
        query: crate::feedback::FeedbackQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::feedback::Feedback>, StoreError>> + Send;
    /// One feedback.
    fn feedback(
        &self,
        id: crate::ids::FeedbackId,
    ) -> impl Future<Output = Result<Option<crate::feedback::Feedback>, StoreError>> + Send;
    /// The buyer's order as the create rules need it; `None` when unknown or not the buyer's.
    fn feedback_order(
        &self,
        buyer: UserId,
        order: OrderId,
    ) -> impl Future<Output = Result<Option<crate::feedback::FeedbackOrder>, StoreError>> + Send;
    /// Stores a feedback and refreshes the seller's rating, atomically; `None` when the order
    /// already has one (a concurrent request won).
    fn create_feedback(
        &self,
        new: crate::feedback::NewFeedback,
    ) -> impl Future<Output = Result<Option<crate::ids::FeedbackId>, StoreError>> + Send;
    /// Changes ratings or comments and refreshes the seller's rating, atomically; false when
    /// unknown.
    fn update_feedback(
        &self,
        id: crate::ids::FeedbackId,
        changes: crate::feedback::FeedbackChanges,
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
    ) -> impl Future<Output = Result<crate::feedback::SellerStats, StoreError>> + Send;
}

/// Shopping carts and their stock holds. Every change is one transaction that locks the cart.
#[cfg_attr(test, mockall::automock)]
pub trait CartRepository: Send + Sync {
    /// The user's cart (made on demand), products rendered for the user.
    fn cart(&self, user: UserId) -> impl Future<Output = Result<Cart, StoreError>> + Send;
    /// Adds `add` units of a listing to the cart (merging with its line) and holds them until
    /// `until`; other held lines are renewed to `until` too.
    fn hold(
        &self,
        user: UserId,
        listing: ListingId,
        add: i32,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<HoldOutcome, StoreError>> + Send;
    /// Sets a line's quantity, holding or releasing the difference; `None` when the line is not
    /// in the user's cart.
    fn set_quantity(
        &self,
        user: UserId,
        item: CartItemId,
        quantity: i32,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<HoldOutcome>, StoreError>> + Send;
    /// Removes a line and releases its hold; false when it is not in the user's cart.
    fn remove_line(
        &self,
        user: UserId,
        item: CartItemId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Empties the cart, releasing every hold; false when the user has no cart.
    fn clear_cart(&self, user: UserId) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Time-driven stock upkeep: lapsed holds, expiry notices, abandoned carts, unpaid orders.
#[cfg_attr(test, mockall::automock)]
pub trait ReservationRepository: Send + Sync {
    /// Releases holds that lapsed at `now`; the number of lines released.
    fn release_lapsed_holds(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;
    /// Carts whose earliest hold lapses before `by` and whose owner was not yet told about that
    /// hold period, with the owner and the held product names.
    fn carts_expiring(
        &self,
        now: DateTime<Utc>,
        by: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<crate::checkout::ExpiringCart>, StoreError>> + Send;
    /// Records that the notice for the hold lapsing at `until` went out, with its outbox; false
    /// when another worker already did.
    fn record_expiry_notice(
        &self,
        cart: i64,
        until: DateTime<Utc>,
        outbox: Outbox,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Deletes carts untouched since `before` (releasing their holds); how many.
    fn clear_abandoned_carts(
        &self,
        before: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;
    /// Orders still waiting for payment whose deadline passed at `now`.
    fn unpaid_orders_due(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<OrderId>, StoreError>> + Send;
}

/// Builds the outbox of an order once its parties are known.
pub type OrderOutbox = Box<dyn FnOnce(&Order, &Party, &[Party]) -> Outbox + Send>;

/// Orders: placement (stock taken atomically), payment, shipping, reads.
#[cfg_attr(test, mockall::automock)]
pub trait OrderRepository: Send + Sync {
    /// Locks the stock the order needs (listing-id order), lets `plan` price it, then stores the
    /// order, takes the units and empties the cart, in one transaction. With an idempotency key
    /// already used by the buyer, returns that order instead.
    fn place_order(
        &self,
        request: PlaceOrder,
        plan: OrderPlanner,
    ) -> impl Future<Output = Result<Placed, crate::order::OrderError>> + Send;
    /// Stores the payment session of a pending order.
    fn attach_session(
        &self,
        order: OrderId,
        session: PaymentSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One order with its lines, shares and address.
    fn order(&self, id: OrderId) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;
    /// The order paid through a session or payment intent, or the order with that number (a
    /// charge's transfer group).
    fn order_by_payment_reference(
        &self,
        reference: String,
    ) -> impl Future<Output = Result<Option<OrderId>, StoreError>> + Send;
    /// One page of orders.
    fn list_orders(
        &self,
        query: OrderQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Order>, StoreError>> + Send;
    /// Moves an order from one of `change.from` to `change.to`, returning its units as
    /// `change.release` says, recording `change.event` (once), and writing the outbox — all or
    /// nothing. `None` when the order was not in one of `from` (or the event was already applied).
    fn change_status(
        &self,
        change: StatusChange,
        outbox: OrderOutbox,
    ) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;
    /// Records a successful payment: the order becomes paid (taking its units again if they
    /// had been released), a payment row and one pending transfer per seller are stored, and
    /// the outbox is written. `None` when the order was already paid or cannot be (event
    /// recorded either way).
    fn record_payment(
        &self,
        order: OrderId,
        payment: crate::checkout::PaymentReceipt,
        now: DateTime<Utc>,
        outbox: OrderOutbox,
    ) -> impl Future<Output = Result<crate::checkout::PaymentRecorded, StoreError>> + Send;
    /// Marks the seller's unshipped lines shipped; when every line is, the order becomes
    /// shipped. Returns the order after the change, or `None` when nothing was unshipped.
    fn ship_items(
        &self,
        order: OrderId,
        seller: UserId,
        tracking_number: Option<String>,
        now: DateTime<Utc>,
        outbox: OrderOutbox,
    ) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;
}

/// Seller payouts.
#[cfg_attr(test, mockall::automock)]
pub trait TransferRepository: Send + Sync {
    /// The payout of `seller` for `order`.
    fn due_transfer(
        &self,
        order: OrderId,
        seller: UserId,
    ) -> impl Future<Output = Result<Option<DueTransfer>, StoreError>> + Send;
    /// Records a payout as made, with what it paid in the provider's currency.
    fn transfer_succeeded(
        &self,
        order: OrderId,
        seller: UserId,
        transfer_id: String,
        paid: crate::payment::ProviderAmount,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records the provider's cumulative reversed amount of a transfer (it only grows); a
    /// transfer taken back whole becomes `reversed`. False when no payout has that id.
    fn record_reversed(
        &self,
        transfer_id: String,
        amount_reversed: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// An order's payouts.
    fn order_transfers(
        &self,
        order: OrderId,
    ) -> impl Future<Output = Result<Vec<crate::payment::TransferView>, StoreError>> + Send;
    /// Paid orders (paid, shipped, delivered) with a payout not yet made, newest first.
    fn orders_awaiting_payout(
        &self,
    ) -> impl Future<Output = Result<Vec<crate::payment::OrderAwaitingPayout>, StoreError>> + Send;
    /// Under a lock on the order: creates missing payout rows, puts failed ones back to pending,
    /// and queues a payout job for every one not yet made; returns the payouts and how many were
    /// queued.
    fn requeue_transfers(
        &self,
        order: OrderId,
        now: DateTime<Utc>,
    ) -> impl Future<
        Output = Result<
            Result<(Vec<crate::payment::TransferView>, usize), crate::payment::RequeueRefusal>,
            StoreError,
        >,
    > + Send;
    /// Records a failed attempt and leaves the payout `then`: pending after a refusal (nothing
    /// was paid), processing when the outcome is unknown, failed to give up.
    fn transfer_failed(
        &self,
        order: OrderId,
        seller: UserId,
        error: String,
        then: crate::payment::TransferStatus,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Under the payout's lock: marks a pending payout as being sent and returns what refunds
    /// took from it before it was made (it is sent less that); `None` when it is no longer
    /// pending or processing.
    fn begin_transfer(
        &self,
        order: OrderId,
        seller: UserId,
    ) -> impl Future<Output = Result<Option<crate::money::Money>, StoreError>> + Send;
}

/// The payment provider (Stripe, or the offline dev gateway).
#[cfg_attr(test, mockall::automock)]
pub trait PaymentGateway: Send + Sync {
    /// Opens a checkout session for an order (idempotent per order).
    fn create_session(
        &self,
        request: SessionRequest,
    ) -> impl Future<Output = Result<PaymentSession, PaymentError>> + Send;
    /// Pays a seller their share (idempotent per key); the provider's transfer id.
    fn transfer(
        &self,
        request: TransferRequest,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// A payment's charge (the source of its transfers) and what it settled as, read from the
    /// charge when known, else from the payment intent's latest charge.
    fn settlement(
        &self,
        payment_intent: Option<String>,
        charge: Option<String>,
    ) -> impl Future<Output = Result<crate::payment::Settlement, PaymentError>> + Send;
    /// A one-time link to the seller's Express dashboard.
    fn login_link(
        &self,
        account_id: String,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// Opens a payout account for a seller; the provider's account id.
    fn create_account(
        &self,
        request: crate::payment::AccountRequest,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// A link where the seller completes onboarding.
    fn onboarding_link(
        &self,
        account_id: String,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// Refunds (part of) a payment (idempotent per key); the provider's refund id.
    fn refund(
        &self,
        request: crate::payment::RefundCall,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// Takes back (part of) a transfer (idempotent per key); the provider's reversal id.
    fn reverse_transfer(
        &self,
        request: crate::payment::ReversalCall,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
}

/// Builds a refund's outbox once the order, its parties and the recorded refund are known.
pub type RefundOutbox = Box<
    dyn FnOnce(&Order, &Party, &[Party], crate::ids::RefundId, &crate::refund::RefundPlan) -> Outbox
        + Send,
>;

/// Builds the outbid notice once the outbid bidder and the new bid are known.
pub type OutbidOutbox = Box<dyn FnOnce(&crate::bid::Outbid) -> Outbox + Send>;

/// Decides an ending auction's outcome from its locked state (run inside the adapter's
/// transaction); the `u64` is fresh entropy for the order number.
pub type EndPlanner =
    Box<dyn FnOnce(&crate::auction_end::EndFacts, u64) -> crate::auction_end::EndPlan + Send>;

/// Bids and auction endings: the writes that must be atomic with their effects.
#[cfg_attr(test, mockall::automock)]
pub trait BiddingRepository: Send + Sync {
    /// Places a bid in one atomic step that enforces the rules on the auction as it is at that
    /// moment (status, window, seller, minimum), publishes it to every app instance and queues
    /// the outbid notice. `None`: the auction refused it.
    fn place_bid(
        &self,
        bid: crate::bid::NewBid,
    ) -> impl Future<Output = Result<Option<crate::bid::PlacedBid>, StoreError>> + Send;
    /// Records (or replaces) a bidder's standing maximum on an auction.
    fn set_proxy_max(
        &self,
        auction: crate::ids::AuctionId,
        bidder: UserId,
        max: crate::money::Money,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The auction as the proxy rule sees it: price, leader, the leader's maximum and the
    /// highest maximum of anyone else who may still bid. `None` while it has no bids.
    fn proxy_contest(
        &self,
        auction: crate::ids::AuctionId,
    ) -> impl Future<Output = Result<Option<crate::proxy::Contest>, StoreError>> + Send;
    /// What a bid is checked against.
    fn bid_snapshot(
        &self,
        auction: crate::ids::AuctionId,
    ) -> impl Future<Output = Result<Option<crate::bid::BidSnapshot>, StoreError>> + Send;
    /// Tells the bidder `bid` outbid, once (the bid is marked when its notice is written),
    /// at the price it is now and unless they lead again; outbids of the same bidder queued
    /// while this notice waited are told by it.
    fn notify_outbid(
        &self,
        bid: crate::ids::BidId,
        outbox: OutbidOutbox,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Ends an auction whose time is up: under its lock, `plan` picks the outcome, which is
    /// stored (status, winner, the auction order, outbox, and a published end) at once.
    fn end_auction(
        &self,
        auction: crate::ids::AuctionId,
        now: DateTime<Utc>,
        plan: EndPlanner,
    ) -> impl Future<Output = Result<crate::auction_end::Ended, StoreError>> + Send;
    /// Writes notices and jobs once per `once_key`; false when that key was written before.
    fn write_outbox(
        &self,
        outbox: Outbox,
        once_key: String,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// A user's email address.
    fn email_of(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// Active auctions whose end passed at `now` (a backstop for their end jobs).
    fn auctions_due(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<crate::ids::AuctionId>, StoreError>> + Send;
}

/// Sellers' payout accounts.
#[cfg_attr(test, mockall::automock)]
pub trait PayoutAccountRepository: Send + Sync {
    /// The seller's account.
    fn payout_account(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Option<crate::payment::PayoutAccount>, StoreError>> + Send;
    /// Records a new account; false when the seller already has one.
    fn save_payout_account(
        &self,
        user: UserId,
        account_id: String,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Applies a provider report (unless a newer one was applied); when the account can now
    /// receive payouts, the seller's waiting payouts are queued again. The seller, if known.
    fn apply_account_update(
        &self,
        update: crate::payment::AccountUpdate,
    ) -> impl Future<Output = Result<Option<UserId>, StoreError>> + Send;
}

/// Refunds: planned and recorded atomically, then carried out at the provider by a job.
#[cfg_attr(test, mockall::automock)]
pub trait RefundRepository: Send + Sync {
    /// Locks the order, lets `plan` decide from its state, then records the refund (ledgers,
    /// refunded quantities, restock, status, outbox) in one transaction. `None`: no such order.
    fn record_refund(
        &self,
        refund: crate::refund::NewRefund,
        plan: crate::refund::RefundPlanner,
        outbox: RefundOutbox,
    ) -> impl Future<Output = Result<Option<crate::refund::RefundRecord>, crate::order::OrderError>> + Send;
    /// What is left to do for a refund.
    fn refund_work(
        &self,
        refund: crate::ids::RefundId,
    ) -> impl Future<Output = Result<Option<crate::refund::RefundWork>, StoreError>> + Send;
    /// Records the provider's refund.
    fn refund_sent(
        &self,
        refund: crate::ids::RefundId,
        provider_id: String,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records a seller's reversal (or that none was needed).
    fn reversal_sent(
        &self,
        refund: crate::ids::RefundId,
        seller: UserId,
        provider_id: String,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Under the seller's payout lock: a payout not yet sent is made smaller by the seller's
    /// part of this refund instead of being reversed later.
    fn net_reversal(
        &self,
        refund: crate::ids::RefundId,
        seller: UserId,
    ) -> impl Future<Output = Result<crate::refund::Netting, StoreError>> + Send;
}

/// What seller analytics read.
#[cfg_attr(test, mockall::automock)]
pub trait AnalyticsRepository: Send + Sync {
    /// Every order with the seller's lines, with the seller's share.
    fn seller_sales(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<Vec<crate::analytics::SellerSale>, StoreError>> + Send;
    /// The seller's payouts.
    fn seller_payouts(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<Vec<crate::analytics::PayoutRecord>, StoreError>> + Send;
    /// The seller's product and active-auction counts.
    fn catalog_counts(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<crate::analytics::CatalogCounts, StoreError>> + Send;
}
