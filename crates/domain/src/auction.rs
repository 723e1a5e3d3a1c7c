//! Auction listings: one item, a price that only goes up, a time window. Bidding itself lives
//! with the live-auction work; this holds the listing's rules.

use chrono::{DateTime, Utc};

use crate::ids::{AuctionId, BidId, UserId};
use crate::money::Money;
use crate::product::ProductView;
use crate::validation::FieldErrors;

/// An auction's status; stored values are the wire values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuctionStatus {
    /// Accepting bids inside its window.
    Active,
    /// Time is up; a winner may be set.
    Ended,
    /// The winner did not pay.
    Cancelled,
    /// The winner paid.
    Completed,
}

impl AuctionStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Active, Self::Ended, Self::Cancelled, Self::Completed];

    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Ended => "ended",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
        }
    }

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A bid as listings show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bid {
    /// Id.
    pub id: BidId,
    /// Bidder.
    pub bidder: UserId,
    /// Bidder's username.
    pub bidder_username: String,
    /// Amount.
    pub amount: Money,
    /// When.
    pub bid_time: DateTime<Utc>,
    /// The highest bid.
    pub is_winning: bool,
}

/// The winner of an ended auction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Winner {
    /// Id.
    pub id: UserId,
    /// Username.
    pub username: String,
    /// Email (shown to the seller only).
    pub email: String,
}

/// An auction with its product and bids summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Auction {
    /// Id.
    pub id: AuctionId,
    /// The product.
    pub product: ProductView,
    /// Opening price.
    pub starting_price: Money,
    /// The highest accepted bid, or the starting price.
    pub current_price: Money,
    /// Lowest price the seller accepts (hidden from buyers).
    pub reserve_price: Option<Money>,
    /// Window start.
    pub start_time: DateTime<Utc>,
    /// Window end.
    pub end_time: DateTime<Utc>,
    /// Status.
    pub status: AuctionStatus,
    /// Winner, once ended with bids.
    pub winner: Option<Winner>,
    /// Up to 5 newest bids.
    pub latest_bids: Vec<Bid>,
    /// Number of bids.
    pub total_bids: i64,
    /// The winner's winning bid.
    pub winning_bid_amount: Option<Money>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Auction {
    /// Bids are accepted: active and `start ≤ now ≤ end`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.status == AuctionStatus::Active && self.start_time <= now && now <= self.end_time
    }

    /// Seconds left while open (the contract's float), else `None` (rendered as integer 0).
    pub fn time_remaining(&self, now: DateTime<Utc>) -> Option<f64> {
        self.is_open(now).then(|| {
            let micros = (self.end_time - now).num_microseconds().unwrap_or(0);
            // Microseconds of a bounded auction window fit f64 exactly enough for display.
            #[allow(clippy::cast_precision_loss)]
            let secs = micros as f64 / 1_000_000.0;
            secs
        })
    }
}

/// The object-level rule of an auction's window.
pub fn check_window(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<(), FieldErrors> {
    if end <= start {
        return Err(FieldErrors::non_field("End time must be after start time"));
    }
    Ok(())
}

/// Refusal when an auction that is no longer active is edited.
pub const NOT_ACTIVE: &str = "Only active auctions can be changed";

/// Refusal when an auction with bids is edited or deleted.
pub const HAS_BIDS: &str = "Auctions cannot be changed once bidding has started";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn window_rule() {
        let a = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert!(check_window(a, a).is_err());
        assert!(check_window(a, a + chrono::Duration::seconds(1)).is_ok());
    }

    #[test]
    fn masks_usernames() {
        assert_eq!(masked("buyer_api_02"), "b***2");
        assert_eq!(masked("x"), "x***");
        assert_eq!(masked(""), "");
    }

    #[test]
    fn bidders_are_public_by_default_and_masked_only_when_chosen() {
        let (seller, bidder, other) = (UserId(1), UserId(2), UserId(3));
        let public = BidderPrivacy::default();
        assert_eq!(public, BidderPrivacy::Public);
        assert!(public.reveals(None, false, seller, bidder));
        assert!(public.reveals(Some(other), false, seller, bidder));
        assert_eq!(public.broadcast_name("buyer_api_02"), "buyer_api_02");
        let masked = BidderPrivacy::parse("MASKED").unwrap();
        assert!(!masked.reveals(None, false, seller, bidder));
        assert!(!masked.reveals(Some(other), false, seller, bidder));
        assert!(masked.reveals(Some(other), true, seller, bidder));
        assert!(masked.reveals(Some(seller), false, seller, bidder));
        assert!(masked.reveals(Some(bidder), false, seller, bidder));
        assert_eq!(masked.broadcast_name("buyer_api_02"), "b***2");
        assert_eq!(BidderPrivacy::parse("public"), Some(BidderPrivacy::Public));
        assert_eq!(BidderPrivacy::parse("hidden"), None);
    }

    #[test]
    fn terms_rules() {
        let a = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let terms = AuctionTerms {
            starting_price: Money::pkr(0),
            reserve_price: Some(Money::pkr(-1)),
            start_time: a,
            end_time: a,
        };
        let e = terms.check().unwrap_err();
        assert!(e.has("starting_price") && e.has("reserve_price"));
        let terms = AuctionTerms {
            starting_price: Money::pkr(100),
            reserve_price: None,
            start_time: a,
            end_time: a,
        };
        assert_eq!(
            terms.check().unwrap_err().get("non_field_errors").unwrap(),
            ["End time must be after start time"]
        );
    }

    #[test]
    fn statuses_round_trip() {
        for s in AuctionStatus::ALL {
            assert_eq!(AuctionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(AuctionStatus::parse("open"), None);
    }
}

/// Sortable auction fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuctionSort {
    /// End time.
    EndTime,
    /// Current price.
    CurrentPrice,
    /// Creation time.
    CreatedAt,
}

/// `?ordering=` names for auctions.
pub const AUCTION_ORDERING: &[(&str, AuctionSort)] = &[
    ("end_time", AuctionSort::EndTime),
    ("current_price", AuctionSort::CurrentPrice),
    ("created_at", AuctionSort::CreatedAt),
];

/// Filters of an auction list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuctionQuery {
    /// Product filters (seller, category, search).
    pub product: crate::product::ProductQuery,
    /// Only this status.
    pub status: Option<AuctionStatus>,
    /// Only this seller's (`my_auctions`).
    pub mine: Option<UserId>,
    /// Sort keys; id ascending breaks ties.
    pub ordering: Vec<crate::page::Sort<AuctionSort>>,
}

/// Auction fields as received (`None` = not sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuctionInput {
    /// An existing product (legacy mode).
    pub product_id: Option<crate::ids::ProductId>,
    /// Product fields (one-step mode).
    pub product: crate::product::ProductInput,
    /// Opening price.
    pub starting_price: Option<Money>,
    /// Optional reserve price.
    pub reserve_price: Option<Option<Money>>,
    /// Window start.
    pub start_time: Option<DateTime<Utc>>,
    /// Window end.
    pub end_time: Option<DateTime<Utc>>,
}

/// What the permission checks need to know about an auction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuctionState {
    /// Seller.
    pub seller: UserId,
    /// Bids placed.
    pub total_bids: i64,
    /// Opening price.
    pub starting_price: Money,
    /// Window.
    pub start_time: DateTime<Utc>,
    /// Window.
    pub end_time: DateTime<Utc>,
    /// Reserve.
    pub reserve_price: Option<Money>,
    /// Status.
    pub status: AuctionStatus,
}

/// Validated auction terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuctionTerms {
    /// Opening price (also the first current price).
    pub starting_price: Money,
    /// Reserve.
    pub reserve_price: Option<Money>,
    /// Window start.
    pub start_time: DateTime<Utc>,
    /// Window end.
    pub end_time: DateTime<Utc>,
}

impl AuctionTerms {
    /// Field and object rules of the terms.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        crate::listing::check_price(&mut errors, "starting_price", self.starting_price);
        if let Some(r) = self.reserve_price {
            crate::listing::check_price(&mut errors, "reserve_price", r);
            if r < self.starting_price {
                errors.add(
                    "reserve_price",
                    "Reserve price cannot be below the starting price.",
                );
            }
        }
        errors.into_result()?;
        check_window(self.start_time, self.end_time)
    }
}

/// What an auction delete did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuctionRemoval {
    /// Gone.
    Deleted,
    /// Unknown.
    NotFound,
    /// Bids exist; nothing changed.
    HasBids,
}

/// Who sees who placed a bid (`BIDDER_PRIVACY`). The contract shows every viewer each bidder's
/// id and username; masking them is an opt-in product change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BidderPrivacy {
    /// Every viewer sees each bidder's id and username (the contract).
    #[default]
    Public,
    /// eBay-style: the bidder, the seller and admins see who bid; others see `b***2` and no id.
    Masked,
}

impl BidderPrivacy {
    /// Parses a setting value (`public` or `masked`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" | "off" | "none" => Some(Self::Public),
            "masked" => Some(Self::Masked),
            _ => None,
        }
    }

    /// Whether `viewer` (an admin or not) sees who placed `bidder`'s bid on `seller`'s auction.
    pub fn reveals(
        self,
        viewer: Option<UserId>,
        viewer_is_admin: bool,
        seller: UserId,
        bidder: UserId,
    ) -> bool {
        match self {
            Self::Public => true,
            Self::Masked => viewer_is_admin || viewer == Some(seller) || viewer == Some(bidder),
        }
    }

    /// The name a viewer sees for a bidder (`reveal` from [`Self::reveals`]).
    pub fn name_shown(reveal: bool, username: &str) -> String {
        if reveal {
            username.to_owned()
        } else {
            masked(username)
        }
    }

    /// The name every watcher of a broadcast sees (no one viewer is known).
    pub fn broadcast_name(self, username: &str) -> String {
        Self::name_shown(self == Self::Public, username)
    }
}

/// Hides a bidder's username from other viewers: first and last character only.
pub fn masked(username: &str) -> String {
    let chars: Vec<char> = username.chars().collect();
    match chars.as_slice() {
        [] => String::new(),
        [only] => format!("{only}***"),
        [first, .., last] => format!("{first}***{last}"),
    }
}
