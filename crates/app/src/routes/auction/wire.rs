//! Wire types of auctions: the auction, its bids, and who is looking.

use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::catalog::wire::ProductDto;
use crate::time::render;
use crate::wire::Media;

/// The Bid object; with `BIDDER_PRIVACY=masked`, other viewers see neither the bidder's id nor
/// their full username.
#[derive(Debug, Serialize, ToSchema)]
pub struct BidDto {
    id: i64,
    bidder: Option<i64>,
    bidder_username: String,
    amount: String,
    bid_time: String,
    is_winning: bool,
}

impl BidDto {
    /// Renders a bid for a viewer who may (`reveal`) or may not see who placed it.
    pub fn new(b: &madeinpk_domain::auction::model::Bid, reveal: bool) -> Self {
        Self {
            id: b.id.get(),
            bidder: reveal.then(|| b.bidder.get()),
            bidder_username: madeinpk_domain::auction::model::BidderPrivacy::name_shown(
                reveal,
                &b.bidder_username,
            ),
            amount: b.amount.to_string(),
            bid_time: render(b.bid_time),
            is_winning: b.is_winning,
        }
    }
}

/// Who is looking at an auction.
#[derive(Debug, Clone, Copy)]
pub struct AuctionViewer {
    /// The viewer's id, if signed in.
    pub id: Option<madeinpk_domain::ids::UserId>,
    /// Admins see everything.
    pub is_admin: bool,
    /// Who sees bidders (`BIDDER_PRIVACY`).
    pub privacy: madeinpk_domain::auction::model::BidderPrivacy,
}

impl AuctionViewer {
    /// From an optional user, under the configured bidder privacy.
    pub fn of(
        user: Option<&madeinpk_domain::account::user::User>,
        privacy: madeinpk_domain::auction::model::BidderPrivacy,
    ) -> Self {
        Self {
            id: user.map(|u| u.id),
            is_admin: user.is_some_and(madeinpk_domain::account::user::User::is_admin),
            privacy,
        }
    }

    /// Whether this viewer sees who placed `bid` on an auction of `seller`.
    pub fn sees_bidder(
        &self,
        seller: madeinpk_domain::ids::UserId,
        bid: &madeinpk_domain::auction::model::Bid,
    ) -> bool {
        self.privacy
            .reveals(self.id, self.is_admin, seller, bid.bidder)
    }
}

/// The Auction object.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuctionDto {
    id: i64,
    product: ProductDto,
    starting_price: String,
    current_price: String,
    /// Shown to the seller (and admins) only.
    reserve_price: Option<String>,
    start_time: String,
    end_time: String,
    status: &'static str,
    winner: Option<i64>,
    /// Omitted when there is no winner, as in the original.
    #[serde(skip_serializing_if = "Option::is_none")]
    winner_username: Option<String>,
    winner_email: Option<String>,
    latest_bids: Vec<BidDto>,
    total_bids: i64,
    /// Seconds (float) while open, else the integer 0.
    #[schema(value_type = f64)]
    time_remaining: serde_json::Value,
    winning_bid_amount: Option<String>,
    #[schema(value_type = Option<Object>)]
    order_info: Option<serde_json::Value>,
    created_at: String,
}

impl AuctionDto {
    /// Renders an auction for a viewer as of `now`.
    pub fn new(
        a: &madeinpk_domain::auction::model::Auction,
        viewer: AuctionViewer,
        media: &Media,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let is_seller = viewer.id == Some(a.product.seller);
        let privileged = is_seller || viewer.is_admin;
        Self {
            id: a.id.get(),
            product: ProductDto::new(&a.product, media),
            starting_price: a.starting_price.to_string(),
            current_price: a.current_price.to_string(),
            reserve_price: if privileged {
                a.reserve_price.map(|m| m.to_string())
            } else {
                None
            },
            start_time: render(a.start_time),
            end_time: render(a.end_time),
            status: a.status.as_str(),
            winner: a.winner.as_ref().map(|w| w.id.get()),
            winner_username: a.winner.as_ref().map(|w| w.username.clone()),
            winner_email: if is_seller {
                a.winner.as_ref().map(|w| w.email.clone())
            } else {
                None
            },
            latest_bids: a
                .latest_bids
                .iter()
                .map(|b| BidDto::new(b, viewer.sees_bidder(a.product.seller, b)))
                .collect(),
            total_bids: a.total_bids,
            time_remaining: a
                .time_remaining(now)
                .map_or(serde_json::json!(0), |s| serde_json::json!(s)),
            winning_bid_amount: a.winning_bid_amount.map(|m| m.to_string()),
            // Orders arrive with the orders work; until then no auction has one.
            order_info: None,
            created_at: render(a.created_at),
        }
    }
}
