//! The live-auction WebSocket in the OpenAPI document: an operation on `/ws/auction/{id}/`
//! whose description is the protocol (both directions, examples, every error text), and one
//! schema per message, so a client developer finds it beside the REST API.

use serde_json::json;
use utoipa::Modify;
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
        let time = json!({"type": "string", "format": "date-time", "description": "UTC, `+00:00`"});
        let money = json!({"type": "string", "example": "1500.00"});
        let schemas = json!({
            "WsPlaceBid": {"type": "object", "required": ["type", "amount"], "properties": {
                "type": {"type": "string", "enum": ["place_bid"]},
                "amount": {"oneOf": [{"type": "string"}, {"type": "number"}], "example": "1500.00"},
                "max_amount": {"oneOf": [{"type": "string"}, {"type": "number"}],
                               "description": "With PROXY_BIDDING: the most the system may bid for you"}}},
            "WsAuctionStatus": {"type": "object", "required": ["type", "data"], "properties": {
                "type": {"type": "string", "enum": ["auction_status"]},
                "data": {"type": "object", "properties": {
                    "auction_id": {"type": "integer"},
                    "product": {"type": "object", "properties": {
                        "id": {"type": "integer"}, "name": {"type": "string"},
                        "description": {"type": "string"}, "condition": {"type": "string"},
                        "category": {"type": "string", "nullable": true},
                        "images": {"type": "array", "items": {"type": "object", "properties": {
                            "url": {"type": "string"}, "is_primary": {"type": "boolean"},
                            "order": {"type": "integer"}}}}}},
                    "seller": {"type": "object", "properties": {
                        "id": {"type": "integer"}, "username": {"type": "string"},
                        "email": {"type": "string"}, "brand_name": {"type": "string"},
                        "biography": {"type": "string"}, "is_verified": {"type": "boolean"},
                        "average_rating": money, "total_feedbacks": {"type": "integer"}}},
                    "starting_price": money, "current_price": money,
                    "start_time": time, "end_time": time,
                    "status": {"type": "string", "enum": ["active", "ended", "cancelled", "completed"]},
                    "is_active": {"type": "boolean"},
                    "winner": {"type": "object", "nullable": true, "properties": {
                        "id": {"type": "integer"}, "username": {"type": "string"}}},
                    "latest_bids": {"type": "array", "items": {"type": "object", "properties": {
                        "bidder": {"type": "string"}, "amount": money, "time": time}}},
                    "total_bids": {"type": "integer"},
                    "error": {"type": "string", "description": "Only `Auction not found`, alone"}}}}},
            "WsNewBid": {"type": "object", "required": ["type", "data"], "properties": {
                "type": {"type": "string", "enum": ["new_bid"]},
                "data": {"type": "object", "properties": {
                    "bidder": {"type": "string"}, "amount": money, "time": time,
                    "current_price": money, "end_time": time}}}},
            "WsAuctionEnded": {"type": "object", "required": ["type", "data"], "properties": {
                "type": {"type": "string", "enum": ["auction_ended"]},
                "data": {"type": "object", "properties": {
                    "auction_id": {"type": "integer"},
                    "status": {"type": "string"},
                    "winner": {"type": "string", "nullable": true},
                    "final_price": money, "product_name": {"type": "string"},
                    "message": {"type": "string"}}}}},
            "WsError": {"type": "object", "required": ["type", "message"], "properties": {
                "type": {"type": "string", "enum": ["error"]},
                "message": {"type": "string", "example": "Bid must be higher than current price"}}},
            "WsServerMessage": {"oneOf": [
                {"$ref": "#/components/schemas/WsAuctionStatus"},
                {"$ref": "#/components/schemas/WsNewBid"},
                {"$ref": "#/components/schemas/WsAuctionEnded"},
                {"$ref": "#/components/schemas/WsError"}]},
        });
        for (name, schema) in schemas.as_object().expect("an object") {
            let schema = serde_json::from_value(schema.clone()).expect("a valid schema");
            components.schemas.insert(name.clone(), schema);
        }
    }
}
