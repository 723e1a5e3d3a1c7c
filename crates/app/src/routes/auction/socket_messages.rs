//! The live auction socket's messages as types: the socket reads and renders these, and the
//! OpenAPI document's `Ws*` schemas derive from them (`openapi/socket.rs`).

use madeinpk_domain::account::user::User;
use madeinpk_domain::auction::model::{Auction, BidderPrivacy};
use madeinpk_domain::money::{Currency, Money};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::wire::MoneyInput;

/// `2026-11-25T03:01:00.654321+00:00`: the socket renders UTC times, as the original.
pub(super) fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// What a socket shows beyond the auction itself: the configured privacy of bidders and seller.
#[derive(Debug, Clone, Copy)]
pub(super) struct Visibility {
    /// Who sees bidders' names.
    pub(super) bidders: BidderPrivacy,
    /// Whether `auction_status` shows the seller's email.
    pub(super) seller_email: bool,
}

/// Anything the server sends.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum WsServerMessage {
    /// The auction's state.
    AuctionStatus(Box<WsAuctionStatus>),
    /// An unknown auction (then the socket closes).
    AuctionMissing(WsAuctionMissing),
    /// An accepted bid.
    NewBid(WsNewBid),
    /// The end.
    AuctionEnded(WsAuctionEnded),
    /// The sender's own message went wrong.
    Error(WsError),
}

impl WsServerMessage {
    /// The message as the socket sends it.
    pub(super) fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The `type` of `auction_status`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuctionStatusType {
    /// `auction_status`.
    AuctionStatus,
}

/// `auction_status`: the auction as a watcher first sees it (and anew when bids are withdrawn).
#[derive(Serialize, ToSchema)]
pub struct WsAuctionStatus {
    #[serde(rename = "type")]
    #[schema(rename = "type", inline)]
    kind: AuctionStatusType,
    #[schema(inline)]
    data: AuctionData,
}

/// `auction_status` for an unknown auction: `{"error": "Auction not found"}` alone.
#[derive(Serialize, ToSchema)]
pub struct WsAuctionMissing {
    #[serde(rename = "type")]
    #[schema(rename = "type", inline)]
    kind: AuctionStatusType,
    #[schema(inline)]
    data: Missing,
}

/// Why there is no auction.
#[derive(Serialize, ToSchema)]
struct Missing {
    /// `Auction not found`.
    error: &'static str,
}

/// The auction's state.
#[derive(Serialize, ToSchema)]
struct AuctionData {
    auction_id: i64,
    #[schema(inline)]
    product: Product,
    #[schema(inline)]
    seller: Seller,
    /// `1500.00`.
    starting_price: String,
    /// `1500.00`.
    current_price: String,
    /// UTC, `+00:00`.
    #[schema(format = DateTime)]
    start_time: String,
    /// UTC, `+00:00`.
    #[schema(format = DateTime)]
    end_time: String,
    /// `active`, `ended`, `cancelled` or `completed`.
    status: &'static str,
    is_active: bool,
    #[schema(inline)]
    winner: Option<Winner>,
    #[schema(inline)]
    latest_bids: Vec<Bid>,
    total_bids: i64,
}

/// The auctioned product.
#[derive(Serialize, ToSchema)]
struct Product {
    id: i64,
    name: String,
    description: String,
    condition: &'static str,
    category: Option<String>,
    #[schema(inline)]
    images: Vec<Image>,
}

/// One product image.
#[derive(Serialize, ToSchema)]
struct Image {
    url: String,
    is_primary: bool,
    order: i32,
}

/// The seller; the profile's fields only when there is a profile.
#[derive(Serialize, ToSchema)]
struct Seller {
    id: i64,
    username: String,
    /// Hidden with `WS_SELLER_EMAIL=hidden`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    total_feedbacks: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    brand_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    biography: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    is_verified: Option<bool>,
    /// `4.50`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    average_rating: Option<String>,
}

/// The winner, once the auction ended with one.
#[derive(Serialize, ToSchema)]
struct Winner {
    id: i64,
    username: String,
}

/// One of the latest bids.
#[derive(Serialize, ToSchema)]
struct Bid {
    /// The bidder's username (masked for others with `BIDDER_PRIVACY=masked`).
    bidder: String,
    /// `1500.00`.
    amount: String,
    /// UTC, `+00:00`.
    #[schema(format = DateTime)]
    time: String,
}

impl WsAuctionStatus {
    /// The auction as `viewer` may see it.
    pub(super) fn new(
        a: &Auction,
        viewer: Option<&User>,
        shown: Visibility,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let p = &a.product;
        let profile = p.seller_profile.as_ref();
        let seller = Seller {
            id: p.seller.get(),
            username: p.seller_username.clone(),
            email: shown.seller_email.then(|| p.seller_email.clone()),
            total_feedbacks: profile.map(|s| s.total_feedbacks),
            brand_name: profile.map(|s| s.brand_name.clone()),
            biography: profile.map(|s| s.biography.clone()),
            is_verified: profile.map(|s| s.is_verified),
            average_rating: profile.map(|s| {
                Money::from_minor(i64::from(s.average_rating_centi), Currency::Pkr)
                    .to_decimal_string()
            }),
        };
        let latest_bids = (a.latest_bids.iter())
            .map(|b| {
                let reveal = shown.bidders.reveals(
                    viewer.map(|v| v.id),
                    viewer.is_some_and(User::is_admin),
                    p.seller,
                    b.bidder,
                );
                Bid {
                    bidder: BidderPrivacy::name_shown(reveal, &b.bidder_username),
                    amount: b.amount.to_decimal_string(),
                    time: utc(b.bid_time),
                }
            })
            .collect();
        let data = AuctionData {
            auction_id: a.id.get(),
            product: Product {
                id: p.id.get(),
                name: p.name.clone(),
                description: p.description.clone(),
                condition: p.condition.as_str(),
                category: p.category_name.clone(),
                images: (p.images.iter())
                    .map(|i| Image {
                        url: format!("/media/{}", i.path.trim_start_matches('/')),
                        is_primary: i.is_primary,
                        order: i.order,
                    })
                    .collect(),
            },
            seller,
            starting_price: a.starting_price.to_decimal_string(),
            current_price: a.current_price.to_decimal_string(),
            start_time: utc(a.start_time),
            end_time: utc(a.end_time),
            status: a.status.as_str(),
            is_active: a.is_open(now),
            winner: (a.winner.as_ref()).map(|w| Winner {
                id: w.id.get(),
                username: w.username.clone(),
            }),
            latest_bids,
            total_bids: a.total_bids,
        };
        Self {
            kind: AuctionStatusType::AuctionStatus,
            data,
        }
    }
}

impl WsAuctionMissing {
    /// An unknown auction.
    pub(super) fn new() -> Self {
        Self {
            kind: AuctionStatusType::AuctionStatus,
            data: Missing {
                error: "Auction not found",
            },
        }
    }
}

/// The `type` of `new_bid`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NewBidType {
    /// `new_bid`.
    NewBid,
}

/// `new_bid`: an accepted bid, to every watcher on every instance.
#[derive(Serialize, ToSchema)]
pub struct WsNewBid {
    #[serde(rename = "type")]
    #[schema(rename = "type", inline)]
    kind: NewBidType,
    #[schema(inline)]
    data: NewBidData,
}

/// The accepted bid.
#[derive(Serialize, ToSchema)]
struct NewBidData {
    bidder: String,
    /// `1500.00`.
    amount: String,
    /// UTC, `+00:00`.
    #[schema(format = DateTime)]
    time: String,
    /// The bid's amount.
    current_price: String,
    /// UTC, `+00:00` (moved by soft close).
    #[schema(format = DateTime)]
    end_time: String,
}

impl WsNewBid {
    /// The bid as published (`bidder` already as watchers may see it).
    pub(super) fn new(bidder: String, amount: &str, time: &str, end_time: &str) -> Self {
        Self {
            kind: NewBidType::NewBid,
            data: NewBidData {
                bidder,
                amount: amount.to_owned(),
                time: time.to_owned(),
                current_price: amount.to_owned(),
                end_time: end_time.to_owned(),
            },
        }
    }
}

/// The `type` of `auction_ended`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuctionEndedType {
    /// `auction_ended`.
    AuctionEnded,
}

/// `auction_ended`: the outcome, to every watcher.
#[derive(Serialize, ToSchema)]
pub struct WsAuctionEnded {
    #[serde(rename = "type")]
    #[schema(rename = "type", inline)]
    kind: AuctionEndedType,
    #[schema(inline)]
    data: EndedData,
}

/// How the auction ended.
#[derive(Serialize, ToSchema)]
struct EndedData {
    auction_id: i64,
    status: &'static str,
    /// The winner's username, or null.
    winner: Option<String>,
    /// `1500.00`.
    final_price: String,
    product_name: String,
    message: String,
}

impl WsAuctionEnded {
    /// The outcome of `a`, with the winner named as `privacy` allows.
    pub(super) fn new(a: &Auction, privacy: BidderPrivacy) -> Self {
        let winner = (a.winner.as_ref()).map(|w| privacy.broadcast_name(&w.username));
        let message = match &winner {
            Some(w) => format!("Auction ended! Winner: {w}"),
            None if a.total_bids > 0 => "Auction ended without a sale (reserve not met)".into(),
            None => "Auction ended with no bids".into(),
        };
        Self {
            kind: AuctionEndedType::AuctionEnded,
            data: EndedData {
                auction_id: a.id.get(),
                status: a.status.as_str(),
                winner,
                final_price: a.current_price.to_decimal_string(),
                product_name: a.product.name.clone(),
                message,
            },
        }
    }
}

/// The `type` of `error`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    /// `error`.
    Error,
}

/// `error`: what went wrong with the sender's own message (a refused bid, bad JSON).
#[derive(Serialize, ToSchema)]
pub struct WsError {
    #[serde(rename = "type")]
    #[schema(rename = "type", inline)]
    kind: ErrorType,
    /// E.g. `Bid must be higher than current price`.
    message: String,
}

impl WsError {
    /// An error for the sender.
    pub(super) fn new(message: &str) -> Self {
        Self {
            kind: ErrorType::Error,
            message: message.to_owned(),
        }
    }
}

/// The `type` of `place_bid`.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum PlaceBidType {
    /// `place_bid`.
    PlaceBid,
}

/// `place_bid`: a bid from a signed-in watcher (messages of other types are ignored).
#[derive(ToSchema)]
pub struct WsPlaceBid {
    #[schema(rename = "type", inline)]
    pub(super) kind: PlaceBidType,
    /// A decimal string or a number, more than 0.
    #[schema(value_type = MoneyInput)]
    pub(super) amount: Option<Money>,
    /// With `PROXY_BIDDING`: the most the system may bid for you.
    #[schema(value_type = Option<MoneyInput>, nullable = false)]
    pub(super) max_amount: Option<Money>,
}

impl WsPlaceBid {
    /// A `place_bid` message (`None`: another type, ignored); unreadable amounts are `None`.
    pub(super) fn parse(v: &Value) -> Option<Self> {
        let kind = match v.get("type").and_then(Value::as_str) {
            Some("place_bid") => PlaceBidType::PlaceBid,
            _ => return None,
        };
        Some(Self {
            kind,
            amount: money_field(v, "amount"),
            max_amount: money_field(v, "max_amount"),
        })
    }
}

fn money_field(v: &Value, key: &str) -> Option<Money> {
    match v.get(key) {
        Some(Value::String(s)) => Money::parse(s, Currency::Pkr).ok(),
        Some(Value::Number(n)) => Money::parse(&n.to_string(), Currency::Pkr).ok(),
        _ => None,
    }
}
