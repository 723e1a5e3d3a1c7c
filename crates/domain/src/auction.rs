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
    fn statuses_round_trip() {
        for s in AuctionStatus::ALL {
            assert_eq!(AuctionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(AuctionStatus::parse("open"), None);
    }
}
