//! Ports of the auction feature: what its services need from the outside world.
//!
//! Methods return `impl Future + Send` so services stay generic and tests can wire mocks.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::auction::model::{
    Auction, AuctionQuery, AuctionRemoval, AuctionState, AuctionTerms, Bid,
};
use crate::catalog::product::NewProduct;
use crate::ids::{AuctionId, ProductId, UserId};
use crate::outbox::Outbox;
use crate::page::{Page, PageRequest};
use crate::store::StoreError;

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
    /// Cancels an active auction that has no bids; false when it has bids or is not active.
    fn cancel_auction(
        &self,
        id: AuctionId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
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

/// Builds the outbid notice once the outbid bidder and the new bid are known.
pub type OutbidOutbox = Box<dyn FnOnce(&crate::auction::bid::Outbid) -> Outbox + Send>;

/// Decides an ending auction's outcome from its locked state (run inside the adapter's
/// transaction); the `u64` is fresh entropy for the order number.
pub type EndPlanner = Box<
    dyn FnOnce(&crate::auction::ending::EndFacts, u64) -> crate::auction::ending::EndPlan + Send,
>;

/// Bids and auction endings: the writes that must be atomic with their effects.
#[cfg_attr(test, mockall::automock)]
pub trait BiddingRepository: Send + Sync {
    /// Places a bid in one atomic step that enforces the rules on the auction as it is at that
    /// moment (status, window, seller, minimum), publishes it to every app instance and queues
    /// the outbid notice. `None`: the auction refused it.
    fn place_bid(
        &self,
        bid: crate::auction::bid::NewBid,
    ) -> impl Future<Output = Result<Option<crate::auction::bid::PlacedBid>, StoreError>> + Send;
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
    ) -> impl Future<Output = Result<Option<crate::auction::proxy::Contest>, StoreError>> + Send;
    /// What a bid is checked against.
    fn bid_snapshot(
        &self,
        auction: crate::ids::AuctionId,
    ) -> impl Future<Output = Result<Option<crate::auction::bid::BidSnapshot>, StoreError>> + Send;
    /// Tells the bidder `bid` outbid, once (the bid is marked when its notice is written),
    /// at the price it is now and unless they lead again; outbids of the same bidder queued
    /// while this notice waited are told by it.
    fn notify_outbid(
        &self,
        bid: crate::ids::BidId,
        outbox: OutbidOutbox,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Moves an active auction's end to `now` (an operator ends it early); false when it is not
    /// active or already over.
    fn cut_short(
        &self,
        auction: crate::ids::AuctionId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Ends an auction whose time is up: under its lock, `plan` picks the outcome, which is
    /// stored (status, winner, the auction order, outbox, and a published end) at once.
    fn end_auction(
        &self,
        auction: crate::ids::AuctionId,
        now: DateTime<Utc>,
        plan: EndPlanner,
    ) -> impl Future<Output = Result<crate::auction::ending::Ended, StoreError>> + Send;
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
