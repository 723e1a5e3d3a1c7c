//! The live-auction WebSocket in the OpenAPI document: an operation on `/ws/auction/{id}/`
//! whose description is the protocol (both directions, examples, every error text), and one
//! schema per message, so a client developer finds it beside the REST API.

use serde_json::json;
use utoipa::{Modify, PartialSchema};

use crate::routes::auction::socket_messages::{
    WsAuctionEnded, WsAuctionMissing, WsAuctionStatus, WsError, WsNewBid, WsPlaceBid,
    WsServerMessage,
};
use utoipa::openapi::path::PathItem;

/// The protocol, as the operation's description (CommonMark).
const PROTOCOL: &str = r#"Live bidding. Open a WebSocket (HTTP/1.1 `Upgrade: websocket`) on
`ws://<host>/ws/auction/<auction id>/?token=<token key>`. The token is optional: without it, or
with an unknown one, the socket watches but cannot bid. A browser's `Origin` must be one of the
allowed origins (`WS_ALLOWED_ORIGINS`, by default the CORS origins, the front end and this
site), else the handshake is refused with 403. Every message is a JSON text frame. Times are
ISO-8601 in UTC (`+00:00`), unlike REST. The server pings every 20 s and drops a client silent
for a minute, and drops a client too slow to read its queue (`WS_QUEUE` messages; close code
1008 "too slow"). A Close frame from the client is answered at once.

**Server → client, on connect** (to that client only): `auction_status` (schema
`WsAuctionStatus`):

```json
{"type": "auction_status", "data": {
  "auction_id": 12,
  "product": {"id": 40, "name": "Brass lamp", "description": "…", "condition": "new",
              "category": "Pottery",
              "images": [{"url": "/media/products/a.jpg", "is_primary": true, "order": 0}]},
  "seller": {"id": 7, "username": "potter", "email": "potter@example.pk", "brand_name": "…",
             "biography": "…", "is_verified": false, "average_rating": "0.00",
             "total_feedbacks": 0},
  "starting_price": "1000.00", "current_price": "1200.00",
  "start_time": "2026-11-24T10:00:00.000000+00:00", "end_time": "2026-11-30T10:00:00.000000+00:00",
  "status": "active", "is_active": true, "winner": null,
  "latest_bids": [{"bidder": "buyer_api_01", "amount": "1200.00",
                   "time": "2026-11-25T03:00:00.123456+00:00"}],
  "total_bids": 1}}
```

`seller` carries the profile keys only when the seller has a profile; `winner` is
`{"id", "username"}` once set; `latest_bids` holds the 5 newest. For an auction that does not
exist: `{"type": "auction_status", "data": {"error": "Auction not found"}}`, then the server
closes the socket (close code 1008).

**Client → server**: a bid (schema `WsPlaceBid`), amount as a string or a number with at most
2 decimals (with `PROXY_BIDDING` on, an optional `max_amount` too):

```json
{"type": "place_bid", "amount": "1500.00"}
```

Other types are ignored.

**Server → every watcher, on each accepted bid** (REST and socket bids alike, on every
instance; the bidder gets it too, as its confirmation): `new_bid` (schema `WsNewBid`):

```json
{"type": "new_bid", "data": {"bidder": "buyer_api_02", "amount": "1500.00",
  "time": "2026-11-25T03:01:00.654321+00:00", "current_price": "1500.00",
  "end_time": "2026-11-30T10:00:00.000000+00:00"}}
```

**Server → the bidder only, on a refused bid or a bad message**: `error` (schema `WsError`),
`{"type": "error", "message": "<text>"}`, with one of these texts:

| text | when |
|---|---|
| `You must be authenticated to place a bid` | no token, or an unknown one |
| `Auction not found` | the auction does not exist |
| `Auction is not active` | not active, or outside its time window |
| `Your account is blocked` | the bidder is blocked |
| `You cannot bid on your own auction` | the bidder is the seller |
| `Bid must be higher than current price` | the amount is not above the current price |
| `Bid must be at least {amount}` | below the minimum step (`BID_INCREMENTS` set) |
| `Invalid bid amount` | the amount is missing, not a number, not positive or too large |
| `Invalid JSON` | the frame is not JSON (the socket stays open) |
| `The bid could not be placed; please try again` | the database could not take it |

A token or client address that already holds its share of open sockets (`WS_MAX_PER_TOKEN`,
`WS_MAX_PER_IP`) is refused at the handshake with 429 `{"detail": "Too many sockets"}`.

**Server → every watcher, when the auction ends**: `auction_ended` (schema `WsAuctionEnded`):

```json
{"type": "auction_ended", "data": {"auction_id": 12, "status": "ended",
  "winner": "buyer_api_02", "final_price": "1500.00", "product_name": "Brass lamp",
  "message": "Auction ended! Winner: buyer_api_02"}}
```

With no bids: `"winner": null`, `final_price` = the current price, `"message": "Auction ended
with no bids"`; with bids but the reserve not met: `"message": "Auction ended without a sale
(reserve not met)"`.

With `BIDDER_PRIVACY=masked` (off by default), `bidder` and `winner` read `b***2` for everyone
but the bidder, the seller and admins; with `WS_SELLER_EMAIL=hidden`, `seller.email` is left out."#;

/// Adds the socket operation and its message schemas.
pub struct LiveAuctionSocket;

impl Modify for LiveAuctionSocket {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let item: PathItem = serde_json::from_value(json!({
            "get": {
                "tags": ["auctions"],
                "summary": "Live auction WebSocket (bids in, every accepted bid and the ending out)",
                "description": PROTOCOL,
                "operationId": "auctions_live_socket",
                "security": [{}],
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "description": "The auction's id",
                     "schema": {"type": "integer", "format": "int64"}},
                    {"name": "token", "in": "query", "required": false,
                     "description": "A token key from login or register; without it the socket only watches",
                     "schema": {"type": "string"}}
                ],
                "responses": {
                    "101": {"description": "Switching protocols: the socket is open; the server sends `auction_status` (schema `WsAuctionStatus`) first",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WsServerMessage"}}}},
                    "400": {"description": "Not a WebSocket handshake",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}},
                    "403": {"description": "The browser's Origin is not allowed",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}},
                    "404": {"description": "The id is not a number",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}},
                    "429": {"description": "Too many sockets from this token or address",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}}
                }
            }
        }))
        .expect("the socket operation is a valid path item");
        openapi
            .paths
            .paths
            .insert("/ws/auction/{id}/".to_owned(), item);
        let components = openapi.components.get_or_insert_with(Default::default);
        // The messages the socket really reads and renders derive their schemas.
        let derived = [
            ("WsPlaceBid", WsPlaceBid::schema()),
            ("WsAuctionStatus", WsAuctionStatus::schema()),
            ("WsAuctionMissing", WsAuctionMissing::schema()),
            ("WsNewBid", WsNewBid::schema()),
            ("WsAuctionEnded", WsAuctionEnded::schema()),
            ("WsError", WsError::schema()),
            ("WsServerMessage", WsServerMessage::schema()),
        ];
        for (name, schema) in derived {
            components.schemas.insert(name.to_owned(), schema);
        }
    }
}
