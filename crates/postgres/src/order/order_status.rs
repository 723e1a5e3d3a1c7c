//! Moving an order between statuses: stock returned or back in the cart, an unpaid auction win
//! recorded against its winner (who may be blocked), shipping, and the outbox each change writes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::account::user::Role;
use madeinpk_domain::ids::{OrderId, UserId};
use madeinpk_domain::order::checkout::{StatusChange, StockRelease};
use madeinpk_domain::order::model::{Order, OrderStatus, OrderType};
use madeinpk_domain::order::ports::OrderOutbox;
use madeinpk_domain::order::violation::{self, Standing, Violation, violation_outbox};
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::order::carts::lock_or_create_cart;
use crate::order::order_rows::{parties, write_outbox};
use crate::order::payment_record::first_delivery;
use crate::order::stock::return_units;
use crate::schema::{auctions, cart_items, order_items, orders, payment_violations, users};

/// For an auction win just voided: the auction is cancelled, one violation is recorded
/// against the winner (once per order), their count grows, and at `block_after` they are
/// blocked. `None` for other orders, or when this order's violation was recorded before.
async fn record_violation(
    conn: &mut AsyncPgConnection,
    order: i64,
    block_after: i32,
    now: DateTime<Utc>,
) -> QueryResult<Option<Violation>> {
    let row: (String, i64, Option<i64>, Option<DateTime<Utc>>) = orders::table
        .find(order)
        .select((
            orders::order_type,
            orders::buyer_id,
            orders::auction_id,
            orders::payment_deadline,
        ))
        .first(conn)
        .await?;
    let (kind, buyer, auction, deadline) = row;
    if !OrderType::parse(&kind).is_some_and(violation::counts_against_buyer) {
        return Ok(None);
    }
    if let Some(auction) = auction {
        diesel::update(
            auctions::table.filter(auctions::id.eq(auction).and(auctions::status.eq("ended"))),
        )
        .set((
            auctions::status.eq("cancelled"),
            auctions::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    }
    let inserted = diesel::insert_into(payment_violations::table)
        .values((
            payment_violations::user_id.eq(buyer),
            payment_violations::auction_id.eq(auction),
            payment_violations::order_id.eq(order),
            payment_violations::violation_date.eq(now),
            payment_violations::payment_deadline.eq(deadline),
            payment_violations::notes.eq("Auction order not paid by its deadline"),
        ))
        .on_conflict(payment_violations::order_id)
        .do_nothing()
        .execute(conn)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    let (was_blocked, role): (bool, String) = users::table
        .find(buyer)
        .select((users::is_blocked, users::role))
        // FOR NO KEY UPDATE: a bid of this user holds its auction while its insert takes FOR KEY
        // SHARE on this row, and blocking locks the auctions to withdraw bids.
        .for_no_key_update()
        .first(conn)
        .await?;
    let count: i32 = diesel::update(users::table.find(buyer))
        .set(users::failed_payment_count.eq(users::failed_payment_count + 1))
        .returning(users::failed_payment_count)
        .get_result(conn)
        .await?;
    let recorded = violation::record(
        Standing {
            count,
            blocked: was_blocked,
            role: Role::parse(&role).unwrap_or(Role::Buyer),
        },
        block_after,
    );
    if recorded.blocked_now {
        diesel::update(users::table.find(buyer))
            .set(users::is_blocked.eq(true))
            .execute(conn)
            .await?;
        // A blocked account cannot win: its standing bids are withdrawn.
        crate::auction::bid_withdrawal::withdraw_standing_bids(
            conn,
            buyer,
            "bidder blocked for unpaid auction wins",
        )
        .await?;
    }
    Ok(Some(recorded))
}

pub(super) async fn change_status(
    db: &Db,
    change: StatusChange,
    outbox: OrderOutbox,
) -> Result<Option<Order>, StoreError> {
    let StatusChange {
        order,
        from,
        to,
        release,
        event,
        now,
        violation,
    } = change;
    let mut conn = db.conn().await?;
    conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
        if !first_delivery(conn, event.as_deref(), order.get()).await? {
            return Ok(None);
        }
        let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        let moved: Option<(i64, i64)> = diesel::update(
            orders::table.filter(orders::id.eq(order.get()).and(orders::status.eq_any(from))),
        )
        .set((orders::status.eq(to.as_str()), orders::updated_at.eq(now)))
        .returning((orders::id, orders::buyer_id))
        .get_result(conn)
        .await
        .optional()?;
        let Some((id, buyer)) = moved else {
            return Ok(None);
        };
        match to {
            OrderStatus::Cancelled | OrderStatus::PaymentFailed => {
                diesel::update(orders::table.find(id))
                    .set(orders::cancelled_at.eq(now))
                    .execute(conn)
                    .await?;
            }
            OrderStatus::Delivered => {
                diesel::update(orders::table.find(id))
                    .set(orders::delivered_at.eq(now))
                    .execute(conn)
                    .await?;
            }
            _ => {}
        }
        if release != StockRelease::Keep {
            let returned = return_units(conn, id).await?;
            if release == StockRelease::ReturnToCart {
                let cart = lock_or_create_cart(conn, buyer).await?;
                for (listing, quantity) in returned {
                    diesel::insert_into(cart_items::table)
                        .values((
                            cart_items::cart_id.eq(cart),
                            cart_items::listing_id.eq(listing),
                            cart_items::quantity.eq(quantity),
                        ))
                        .on_conflict((cart_items::cart_id, cart_items::listing_id))
                        .do_nothing()
                        .execute(conn)
                        .await?;
                }
            }
        }
        let recorded = match violation {
            Some(block_after) => record_violation(conn, id, block_after, now).await?,
            None => None,
        };
        let changed = write_outbox(conn, id, outbox).await?;
        if let (Some(v), Some(order)) = (recorded, &changed) {
            let (buyer, _) = parties(conn, order).await?;
            crate::outbox::write(
                conn,
                violation_outbox(order, &buyer, v, violation::limit(violation)),
            )
            .await?;
        }
        Ok(changed)
    })
    .await
    .map_err(store)
}

pub(super) async fn ship_items(
    db: &Db,
    order: OrderId,
    seller: UserId,
    tracking_number: Option<String>,
    now: DateTime<Utc>,
    outbox: OrderOutbox,
) -> Result<Option<Order>, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
        let status: Option<String> = orders::table
            .find(order.get())
            .select(orders::status)
            .for_update()
            .first(conn)
            .await
            .optional()?;
        if status.as_deref() != Some(OrderStatus::Paid.as_str()) {
            return Ok(None);
        }
        let shipped = diesel::update(
            order_items::table.filter(
                order_items::order_id
                    .eq(order.get())
                    .and(order_items::seller_id.eq(seller.get()))
                    .and(order_items::is_shipped.eq(false)),
            ),
        )
        .set((
            order_items::is_shipped.eq(true),
            order_items::shipped_at.eq(now),
            order_items::tracking_number.eq(&tracking_number),
        ))
        .execute(conn)
        .await?;
        if shipped == 0 {
            return Ok(None);
        }
        let unshipped: i64 = order_items::table
            .filter(
                order_items::order_id
                    .eq(order.get())
                    .and(order_items::is_shipped.eq(false)),
            )
            .count()
            .get_result(conn)
            .await?;
        if unshipped == 0 {
            diesel::update(orders::table.find(order.get()))
                .set((
                    orders::status.eq(OrderStatus::Shipped.as_str()),
                    orders::shipped_at.eq(now),
                    orders::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
        }
        write_outbox(conn, order.get(), outbox).await
    })
    .await
    .map_err(store)
}
