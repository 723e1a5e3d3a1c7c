//! Auction helpers shared by the live-auction, freshness and security tests: an auction made
//! through the API on the app's clock, and a raw WebSocket watcher.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::TestApp;

/// A client socket.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The socket URL of an auction on the app at `base`.
pub fn ws_url(base: &str, auction: i64, token: Option<&str>) -> String {
    format!(
        "{}/ws/auction/{auction}/?token={}",
        base.replacen("http://", "ws://", 1),
        token.unwrap_or("")
    )
}

/// Opens an auction's socket (anonymous without a token).
pub async fn socket(base: &str, auction: i64, token: Option<&str>) -> Socket {
    tokio_tungstenite::connect_async(ws_url(base, auction, token))
        .await
        .expect("socket opens")
        .0
}

/// The next text message as JSON (pings skipped), within 10 s.
pub async fn next_json(ws: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a message within 10 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).expect("JSON");
        }
    }
}

impl TestApp {
    /// `seller`'s auction of a new product `name` from `starting_price`, opened a minute ago
    /// (by the app's clock) and ending after `runs`; its id.
    pub async fn auction_of(
        &self,
        seller: &str,
        name: &str,
        starting_price: &str,
        runs: chrono::Duration,
    ) -> i64 {
        use madeinpk_domain::clock::Clock;
        let now = self.clock.now();
        let product = self.product(seller, name).await;
        let r = self
            .post(
                "/api/auctions/",
                Some(seller),
                json!({"product_id": product, "starting_price": starting_price,
                       "start_time": (now - chrono::Duration::minutes(1)).to_rfc3339(),
                       "end_time": (now + runs).to_rfc3339()}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_i64().unwrap()
    }

    /// An order of `buyer` for a new product of `seller` (token, id), of `kind` (`auction` or
    /// `fixed_price`) in `status`, written straight to the database (auction orders otherwise
    /// come only from the ending job); its id.
    pub async fn order_in(&self, seller: (&str, i64), buyer: i64, kind: &str, status: &str) -> i64 {
        let product = self.product(seller.0, "Carpet").await;
        let prefix = if kind == "auction" { "AUC" } else { "FXD" };
        let paid = if status == "pending_payment" {
            "NULL"
        } else {
            "now()"
        };
        let shipped = if matches!(status, "shipped" | "delivered") {
            "now()"
        } else {
            "NULL"
        };
        let seller = seller.1;
        self.db
            .ids(&format!(
                "INSERT INTO orders (order_number, buyer_id, order_type, seller_id, product_id,
                     unit_price, total_amount, platform_fee, seller_amount, status, paid_at, shipped_at)
                 VALUES ('{prefix}-{product:012X}', {buyer}, '{kind}', {seller}, {product},
                     1000.00, 1000.00, 20.00, 980.00, '{status}', {paid}, {shipped})
                 RETURNING id"
            ))
            .await[0]
    }
}
