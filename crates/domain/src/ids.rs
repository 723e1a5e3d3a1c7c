//! Typed ids so a user id is never passed where an address id is meant.

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw database id.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

typed_id!(
    /// A user.
    UserId,
    /// A seller profile.
    SellerProfileId,
    /// A province.
    ProvinceId,
    /// A city.
    CityId,
    /// A postal address.
    AddressId,
    /// A product category.
    CategoryId,
    /// An in-app notification.
    NotificationId,
    /// A queued job.
    JobId,
    /// An API token.
    TokenId,
    /// A product.
    ProductId,
    /// A product image.
    ProductImageId,
    /// A fixed-price listing.
    ListingId,
    /// An auction.
    AuctionId,
    /// A bid.
    BidId,
    /// A wishlist entry.
    WishlistItemId,
    /// A product review.
    ReviewId,
    /// A shopping cart line.
    CartItemId,
    /// An order.
    OrderId,
    /// A line of an order.
    OrderItemId,
    /// A payout to a seller for one order.
    TransferId,
    /// A refund of (part of) an order.
    RefundId,
    /// A seller feedback on an auction order.
    FeedbackId,
    /// A buyer–seller conversation.
    ConversationId,
    /// A message in a conversation.
    MessageId,
    /// A complaint.
    ComplaintId,
);
