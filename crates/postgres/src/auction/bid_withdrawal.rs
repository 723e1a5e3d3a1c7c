//! Withdrawing a blocked bidder's standing bids: on every active auction they bid on, their
//! bids move to `withdrawn_bids`, the auction's price, leader and count are recomputed from the
//! bids that remain, and watchers on every instance are sent the auction's new state.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::auction::events::AUCTION_CHANNEL;
use crate::schema::{auctions, users};

#[derive(diesel::QueryableByName)]
struct AuctionRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Recomputes an auction from its remaining bids (bids only ever rise, so the highest is the
/// latest accepted): price, leader, winning bid, the leader before it, and the count.
const RECOMPUTE: &str = "
WITH top AS (
    SELECT id, bidder_id, amount FROM bids WHERE auction_id = $1 ORDER BY amount DESC, id DESC LIMIT 1
)
UPDATE auctions a SET
    current_price = coalesce((SELECT amount FROM top), a.starting_price),
    leader_id = (SELECT bidder_id FROM top),
    winning_bid_id = (SELECT id FROM top),
    previous_leader_id = (
        SELECT b.bidder_id FROM bids b
        WHERE b.auction_id = $1 AND b.bidder_id <> (SELECT bidder_id FROM top)
        ORDER BY b.amount DESC, b.id DESC LIMIT 1),
    total_bids = (SELECT count(*) FROM bids WHERE auction_id = $1),
    updated_at = now()
WHERE a.id = $1";

/// Withdraws `user`'s bids (and proxy maximums) from every active auction, in the caller's
/// transaction; the auctions changed.
pub async fn withdraw_standing_bids(
    conn: &mut AsyncPgConnection,
    user: i64,
    reason: &str,
) -> diesel::QueryResult<Vec<i64>> {
    // The user's standing bids first, then their auctions: an outbid notice locks a bid and then
    // its auction, and taking them the other way round deadlocked with it.
    diesel::sql_query(
        "SELECT b.id FROM bids b JOIN auctions a ON a.id = b.auction_id
         WHERE b.bidder_id = $1 AND a.status = 'active'
         ORDER BY b.id FOR UPDATE OF b",
    )
    .bind::<BigInt, _>(user)
    .execute(conn)
    .await?;
    // Locked in id order, as bids lock them, so this never deadlocks with a bid.
    let auctions: Vec<AuctionRow> = diesel::sql_query(
        "SELECT a.id FROM auctions a
         WHERE a.status = 'active'
           AND EXISTS (SELECT 1 FROM bids b WHERE b.auction_id = a.id AND b.bidder_id = $1)
         ORDER BY a.id FOR UPDATE",
    )
    .bind::<BigInt, _>(user)
    .load(conn)
    .await?;
    for AuctionRow { id } in &auctions {
        diesel::sql_query(
            "WITH gone AS (DELETE FROM bids WHERE auction_id = $1 AND bidder_id = $2
                           RETURNING id, auction_id, bidder_id, amount, bid_time)
             INSERT INTO withdrawn_bids (id, auction_id, bidder_id, amount, bid_time, reason)
             SELECT id, auction_id, bidder_id, amount, bid_time, $3 FROM gone",
        )
        .bind::<BigInt, _>(*id)
        .bind::<BigInt, _>(user)
        .bind::<Text, _>(reason)
        .execute(conn)
        .await?;
        diesel::sql_query("DELETE FROM proxy_bids WHERE auction_id = $1 AND bidder_id = $2")
            .bind::<BigInt, _>(*id)
            .bind::<BigInt, _>(user)
            .execute(conn)
            .await?;
        diesel::sql_query(RECOMPUTE)
            .bind::<BigInt, _>(*id)
            .execute(conn)
            .await?;
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(AUCTION_CHANNEL)
            .bind::<Text, _>(serde_json::json!({"kind": "changed", "auction": id}).to_string())
            .execute(conn)
            .await?;
    }
    Ok(auctions.into_iter().map(|a| a.id).collect())
}

/// Before an auction ends: a leader blocked before its bids were withdrawn (or by a path that
/// does not withdraw them) loses its bids, and so on for the next, so a blocked account never
/// wins.
pub async fn withdraw_blocked_leaders(
    conn: &mut AsyncPgConnection,
    auction: i64,
) -> diesel::QueryResult<()> {
    while let Some(blocked) = blocked_leader(conn, auction).await? {
        let changed = withdraw_standing_bids(conn, blocked, "bidder blocked").await?;
        // A leader with no bids here (data edited by hand) cannot be withdrawn: end as is.
        if !changed.contains(&auction) {
            break;
        }
    }
    Ok(())
}

/// The leader of an active auction, if that account is blocked.
async fn blocked_leader(conn: &mut AsyncPgConnection, auction: i64) -> QueryResult<Option<i64>> {
    auctions::table
        .inner_join(users::table.on(users::id.nullable().eq(auctions::leader_id)))
        .filter(
            auctions::id
                .eq(auction)
                .and(auctions::status.eq("active"))
                .and(users::is_blocked),
        )
        .select(users::id)
        .first(conn)
        .await
        .optional()
}
