//! Giving units back to listings, in id order; a listing sold out goes back on sale.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::catalog::listing::ListingStatus;

use crate::schema::{listings, order_items};

/// Gives an order's units back; a listing sold out by it goes back on sale.
pub(crate) async fn return_units(
    conn: &mut AsyncPgConnection,
    order: i64,
) -> QueryResult<Vec<(i64, i32)>> {
    let mut lines: Vec<(i64, i32)> = order_items::table
        .filter(
            order_items::order_id
                .eq(order)
                .and(order_items::listing_id.is_not_null()),
        )
        .select((
            order_items::listing_id.assume_not_null(),
            order_items::quantity,
        ))
        .load(conn)
        .await?;
    give_back(conn, &mut lines).await?;
    Ok(lines)
}

/// Puts units back on sale, listing by listing in id order; a listing sold out goes back on sale.
pub(crate) async fn give_back(
    conn: &mut AsyncPgConnection,
    lines: &mut [(i64, i32)],
) -> QueryResult<()> {
    lines.sort_unstable();
    for &(listing, quantity) in lines.iter() {
        diesel::update(listings::table.find(listing))
            .set((
                listings::quantity.eq(listings::quantity + quantity),
                listings::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        diesel::update(
            listings::table.filter(
                listings::id
                    .eq(listing)
                    .and(listings::status.eq(ListingStatus::OutOfStock.as_str()))
                    .and(listings::quantity.gt(0)),
            ),
        )
        .set(listings::status.eq(ListingStatus::Active.as_str()))
        .execute(conn)
        .await?;
    }
    Ok(())
}
