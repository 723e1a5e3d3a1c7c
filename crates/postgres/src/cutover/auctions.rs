//! After bids: each auction's winning bid, as the old service flagged it (`bids.is_winning`),
//! becomes our `winning_bid_id` (what marks a bid winning in our reads) and its bidder the
//! leader.

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use madeinpk_domain::store::StoreError;

use super::Import;
use crate::error::store;

#[derive(QueryableByName)]
struct Winning {
    #[diesel(sql_type = BigInt)]
    auction_id: i64,
    #[diesel(sql_type = BigInt)]
    id: i64,
}

impl Import {
    /// Sets the imported auctions' winning bids (only where none is set, so a re-run or an
    /// auction bid on since changes nothing).
    pub(super) async fn winning_bids(&mut self) -> Result<(), StoreError> {
        let winning: Vec<Winning> = diesel::sql_query(
            "SELECT auction_id, id FROM bids WHERE is_winning ORDER BY auction_id, id",
        )
        .load(&mut self.source)
        .await
        .map_err(store)?;
        for w in winning {
            diesel::sql_query(
                "UPDATE auctions SET winning_bid_id = b.id, leader_id = b.bidder_id
                 FROM bids b
                 WHERE auctions.id = $1 AND b.id = $2 AND b.auction_id = auctions.id
                   AND auctions.winning_bid_id IS NULL",
            )
            .bind::<BigInt, _>(w.auction_id)
            .bind::<BigInt, _>(w.id)
            .execute(&mut self.target)
            .await
            .map_err(store)?;
        }
        Ok(())
    }
}
