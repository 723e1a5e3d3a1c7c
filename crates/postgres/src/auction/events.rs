//! Auction events (bids accepted, auctions ended, auctions changed) published with NOTIFY on one
//! channel and listened to by every app instance.

use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// The NOTIFY channel of auction events (bids and endings), listened to by every app instance.
pub const AUCTION_CHANNEL: &str = "madeinpk_auctions";

/// An auction event published by any app instance (a bid accepted, an auction ended).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuctionEvent {
    /// A bid was accepted.
    Bid {
        /// The auction.
        auction: i64,
        /// The bidder's username.
        bidder: String,
        /// The amount (2-decimal string), now the current price.
        amount: String,
        /// When (ISO-8601, UTC).
        time: String,
        /// The auction's end after the bid (ISO-8601, UTC).
        end_time: String,
    },
    /// An auction ended.
    Ended {
        /// The auction.
        auction: i64,
    },
    /// An auction changed other than by a bid (a blocked bidder's bids were withdrawn).
    Changed {
        /// The auction.
        auction: i64,
    },
}

impl AuctionEvent {
    /// The auction it concerns.
    pub const fn auction(&self) -> i64 {
        match self {
            Self::Bid { auction, .. } | Self::Ended { auction } | Self::Changed { auction } => {
                *auction
            }
        }
    }
}

/// A dedicated connection `LISTEN`ing for auction events.
pub struct AuctionListener {
    conn: AsyncPgConnection,
}

impl AuctionListener {
    /// Opens the connection and subscribes.
    pub async fn connect(url: &str) -> Result<Self, crate::db::DbError> {
        let mut conn = crate::db::connect_once(url).await?;
        diesel::sql_query(format!("LISTEN {AUCTION_CHANNEL}"))
            .execute(&mut conn)
            .await
            .map_err(|e| crate::db::DbError::Setup(e.to_string()))?;
        Ok(Self { conn })
    }

    /// The next event; `None` when the connection broke (reconnect). Unreadable payloads are
    /// skipped.
    pub async fn next(&mut self) -> Option<AuctionEvent> {
        use futures_util::StreamExt;
        let stream = self.conn.notifications_stream();
        futures_util::pin_mut!(stream);
        loop {
            match stream.next().await {
                Some(Ok(n)) => {
                    if let Ok(event) = serde_json::from_str(&n.payload) {
                        return Some(event);
                    }
                    tracing::warn!(payload = %n.payload, "unreadable auction event");
                }
                Some(Err(_)) | None => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bid_statement_notifies_the_channels_the_listeners_use() {
        assert!(
            crate::auction::bid_statement::PLACE_BID
                .contains(&format!("'{}'", crate::job::queue::CHANNEL))
        );
        assert!(
            crate::auction::bid_statement::PLACE_BID
                .contains(&format!("'{}'", super::AUCTION_CHANNEL))
        );
    }
}
