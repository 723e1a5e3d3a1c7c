//! Auction listings: one item, a price that only goes up, a time window. Bidding itself lives
//! with the live-auction work; this holds the listing's rules.

use chrono::{DateTime, Utc};

use crate::catalog::product::ProductView;
use crate::ids::{AuctionId, BidId, UserId};
use crate::money::Money;
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

/// Bounds of an auction's schedule (`AUCTION_SCHEDULE_BOUNDS`, `AUCTION_MAX_DAYS`,
/// `AUCTION_MAX_START_DAYS`). Off by default: the contract lets an auction be created with any
/// window whose end follows its start. On, an auction must end in the future, and a bound of 0
/// is lifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleLimits {
    /// Whether the bounds apply at all.
    pub enforced: bool,
    /// Longest run in days, counted from the later of the start and now.
    pub max_days: u32,
    /// Furthest a start may lie ahead of now, in days.
    pub max_start_days: u32,
}

impl Default for ScheduleLimits {
    fn default() -> Self {
        Self {
            enforced: false,
            max_days: 30,
            max_start_days: 30,
        }
    }
}

impl ScheduleLimits {
    /// Field rules of a new or re-timed window judged at `now` (run after [`check_window`]): it
    /// ends in the future, starts at most `max_start_days` ahead and runs at most `max_days`
    /// from the later of its start and now (a window that already opened counts from now).
    pub fn check(
        self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), FieldErrors> {
        if !self.enforced {
            return Ok(());
        }
        let mut errors = FieldErrors::new();
        if self.max_start_days > 0
            && start - now > chrono::Duration::days(i64::from(self.max_start_days))
        {
            errors.add(
                "start_time",
                format!(
                    "Start time must be at most {} from now.",
                    days(self.max_start_days)
                ),
            );
        }
        if end <= now {
            errors.add("end_time", "End time must be in the future.");
        } else if self.max_days > 0
            && end - start.max(now) > chrono::Duration::days(i64::from(self.max_days))
        {
            errors.add(
                "end_time",
                format!(
                    "End time must be at most {} after the start time (or after now, once the start has passed).",
                    days(self.max_days)
                ),
            );
        }
        errors.into_result()
    }
}

/// `1 day`, `30 days`.
fn days(n: u32) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
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
    fn schedules_end_in_the_future_and_within_the_bounds() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let day = chrono::Duration::days(1);
        assert!(
            ScheduleLimits::default()
                .check(now - day * 2, now - day, now)
                .is_ok(),
            "off by default: the contract's windows"
        );
        let limits = ScheduleLimits {
            enforced: true,
            ..ScheduleLimits::default()
        };
        assert!(limits.check(now - day, now + day * 30, now).is_ok());
        assert!(limits.check(now + day * 30, now + day * 60, now).is_ok());
        let e = limits.check(now - day * 2, now - day, now).unwrap_err();
        assert_eq!(
            e.get("end_time").unwrap(),
            ["End time must be in the future."]
        );
        // A window that already opened is measured from now, not from its start.
        let e = limits
            .check(
                now - day,
                now + day * 30 + chrono::Duration::seconds(1),
                now,
            )
            .unwrap_err();
        assert_eq!(
            e.get("end_time").unwrap(),
            [
                "End time must be at most 30 days after the start time (or after now, once the start has passed)."
            ]
        );
        let e = limits
            .check(now + day * 31, now + day * 32, now)
            .unwrap_err();
        assert_eq!(
            e.get("start_time").unwrap(),
            ["Start time must be at most 30 days from now."]
        );
        assert!(!e.has("end_time"));
        let one = ScheduleLimits {
            enforced: true,
            max_days: 1,
            max_start_days: 0,
        };
        assert!(one.check(now + day * 3650, now + day * 3651, now).is_ok());
        assert_eq!(
            one.check(now, now + day * 2, now)
                .unwrap_err()
                .get("end_time")
                .unwrap(),
            [
                "End time must be at most 1 day after the start time (or after now, once the start has passed)."
            ]
        );
        let none = ScheduleLimits {
            enforced: true,
            max_days: 0,
            max_start_days: 0,
        };
        assert!(none.check(now, now + day * 3650, now).is_ok());
        assert!(none.check(now - day * 2, now, now).is_err());
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
    pub product: crate::catalog::product::ProductQuery,
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
    pub product: crate::catalog::product::ProductInput,
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
        crate::catalog::listing::check_price(&mut errors, "starting_price", self.starting_price);
        if let Some(r) = self.reserve_price {
            crate::catalog::listing::check_price(&mut errors, "reserve_price", r);
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
