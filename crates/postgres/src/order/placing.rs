//! Placing an order in one transaction: the buyer's checkouts are serialised by an advisory lock
//! (idempotency), the listings are locked in id order (no deadlock between two carts), the domain
//! prices the locked rows, and the units move from "held" to "taken".

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::catalog::listing::{Discount, ListingStatus};
use madeinpk_domain::ids::{ListingId, OrderId, ProductId, UserId};
use madeinpk_domain::order::checkout::{OrderSource, PlaceOrder, Placed, StockLine};
use madeinpk_domain::order::model::{OrderError, OrderStatus, OrderType};
use madeinpk_domain::store::StoreError;
use rand::Rng;

use crate::db::Db;
use crate::error::store;
use crate::money::{pkr, to_numeric};
use crate::order::carts::lock_cart;
use crate::schema::{cart_items, listings, order_items, order_sellers, orders, products};

type StockRow = (
    i64,
    String,
    i32,
    i32,
    BigDecimal,
    Option<BigDecimal>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    i64,
    String,
    i64,
);

/// Locks the listings (in id order) and reads their stock rows.
pub(crate) async fn lock_stock(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<Vec<StockRow>> {
    let _: Vec<i64> = listings::table
        .filter(listings::id.eq_any(ids))
        .select(listings::id)
        .order(listings::id)
        .for_update()
        .load(conn)
        .await?;
    listings::table
        .inner_join(products::table)
        .filter(listings::id.eq_any(ids))
        .select((
            listings::id,
            listings::status,
            listings::quantity,
            listings::reserved_quantity,
            listings::price,
            listings::discount_percentage,
            listings::discount_start_date,
            listings::discount_end_date,
            products::id,
            products::name,
            products::seller_id,
        ))
        .order(listings::id)
        .load(conn)
        .await
}

/// How many of the buyer's open unpaid fixed-price and cart orders hold each of the listings
/// (absent: none). Read under the buyer's checkout lock, so no placement of theirs races it.
async fn unpaid_orders(
    conn: &mut AsyncPgConnection,
    buyer: i64,
    ids: &[i64],
) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = order_items::table
        .inner_join(orders::table)
        .filter(
            orders::buyer_id
                .eq(buyer)
                .and(orders::status.eq(OrderStatus::PendingPayment.as_str()))
                .and(orders::order_type.ne(OrderType::Auction.as_str()))
                .and(order_items::listing_id.assume_not_null().eq_any(ids)),
        )
        .select((
            order_items::listing_id.assume_not_null(),
            order_items::order_id,
        ))
        .distinct()
        .load(conn)
        .await?;
    let mut counts = HashMap::new();
    for (listing, _) in rows {
        *counts.entry(listing).or_insert(0) += 1;
    }
    Ok(counts)
}

fn stock_line(r: StockRow, quantity: i32, held: i32, unpaid_orders: i64) -> StockLine {
    StockLine {
        listing: ListingId(r.0),
        product: ProductId(r.8),
        product_name: r.9,
        seller: UserId(r.10),
        quantity,
        held,
        status: ListingStatus::parse(&r.1).unwrap_or(ListingStatus::Inactive),
        listing_quantity: r.2,
        listing_reserved: r.3,
        price: pkr(&r.4),
        discount: Discount {
            percentage_bps: r
                .5
                .as_ref()
                .and_then(|p| u32::try_from(pkr(p).minor()).ok()),
            start: r.6,
            end: r.7,
        },
        unpaid_orders,
    }
}

/// Errors inside a transaction that asks the domain: storage, or the domain's refusal (rolls
/// back).
pub(crate) enum PlaceError {
    /// Storage.
    Db(diesel::result::Error),
    /// The domain said no.
    Refused(OrderError),
}

impl From<diesel::result::Error> for PlaceError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e)
    }
}

/// Takes the units of each line (its hold first), in listing-id order; `false` if any listing
/// no longer has them (the transaction must roll back).
pub(crate) async fn take_units(
    conn: &mut AsyncPgConnection,
    lines: &[(i64, i32, i32)],
) -> QueryResult<bool> {
    for &(listing, quantity, held) in lines {
        let taken = diesel::update(
            listings::table.filter(
                listings::id
                    .eq(listing)
                    .and((listings::quantity - listings::reserved_quantity + held).ge(quantity)),
            ),
        )
        .set((
            listings::quantity.eq(listings::quantity - quantity),
            listings::reserved_quantity.eq(listings::reserved_quantity - held),
            listings::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
        if taken == 0 {
            return Ok(false);
        }
        diesel::update(
            listings::table.filter(
                listings::id
                    .eq(listing)
                    .and(listings::quantity.eq(0))
                    .and(listings::status.eq(ListingStatus::Active.as_str())),
            ),
        )
        .set(listings::status.eq(ListingStatus::OutOfStock.as_str()))
        .execute(conn)
        .await?;
    }
    Ok(true)
}

pub(super) async fn place_order(
    db: &Db,
    request: PlaceOrder,
    plan: madeinpk_domain::order::checkout::OrderPlanner,
) -> Result<Placed, OrderError> {
    let mut conn = db.conn().await?;
    let buyer = request.buyer.get();
    let result = conn
        .transaction::<_, PlaceError, _>(async move |conn| {
            // One checkout per buyer at a time: a double click or a retried request waits
            // for the first and then finds its order (or its emptied cart).
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<Text, _>(format!("checkout:{buyer}"))
                .execute(conn)
                .await?;
            if let Some(key) = &request.idempotency_key {
                let existing: Option<i64> = orders::table
                    .filter(
                        orders::buyer_id
                            .eq(buyer)
                            .and(orders::idempotency_key.eq(key)),
                    )
                    .select(orders::id)
                    .first(conn)
                    .await
                    .optional()?;
                if let Some(id) = existing {
                    return Ok(Placed::Replayed(OrderId(id)));
                }
            }
            let (kind, cart, wanted): (OrderType, Option<i64>, Vec<(i64, i32, i32)>) =
                match request.source {
                    OrderSource::Cart => {
                        let cart = lock_cart(conn, buyer).await?;
                        let lines: Vec<(i64, i32, i32)> = match cart {
                            Some(cart) => {
                                cart_items::table
                                    .filter(cart_items::cart_id.eq(cart))
                                    .select((
                                        cart_items::listing_id,
                                        cart_items::quantity,
                                        cart_items::held,
                                    ))
                                    .load(conn)
                                    .await?
                            }
                            None => Vec::new(),
                        };
                        (OrderType::Cart, cart, lines)
                    }
                    OrderSource::Listing { listing, quantity } => (
                        OrderType::FixedPrice,
                        None,
                        vec![(listing.get(), quantity, 0)],
                    ),
                };
            let ids: Vec<i64> = wanted.iter().map(|w| w.0).collect();
            let rows = lock_stock(conn, &ids).await?;
            if kind == OrderType::FixedPrice && rows.is_empty() {
                return Err(PlaceError::Refused(OrderError::ListingNotFound));
            }
            // The domain bounds a buyer's unpaid orders per listing; it needs their count.
            let unpaid = if request.count_unpaid {
                unpaid_orders(conn, buyer, &ids).await?
            } else {
                HashMap::new()
            };
            let stock: Vec<StockLine> = rows
                .into_iter()
                .filter_map(|r| {
                    let w = wanted.iter().find(|w| w.0 == r.0)?;
                    let open = unpaid.get(&r.0).copied().unwrap_or(0);
                    Some(stock_line(r, w.1, w.2, open))
                })
                .collect();
            let entropy: u64 = rand::rng().random();
            let draft = plan(stock, entropy).map_err(PlaceError::Refused)?;
            let takes: Vec<(i64, i32, i32)> = draft
                .lines
                .iter()
                .map(|l| (l.stock.listing.get(), l.stock.quantity, l.stock.held))
                .collect();
            if !take_units(conn, &takes).await? {
                return Err(PlaceError::Refused(OrderError::Store(
                    StoreError::Conflict("stock changed under lock".into()),
                )));
            }
            let single = (kind != OrderType::Cart)
                .then(|| <[_]>::first(&draft.lines))
                .flatten();
            let id: i64 = diesel::insert_into(orders::table)
                .values((
                    orders::order_number.eq(&draft.number),
                    orders::buyer_id.eq(buyer),
                    orders::order_type.eq(kind.as_str()),
                    orders::seller_id.eq(single.map(|l| l.stock.seller.get())),
                    orders::product_id.eq(single.map(|l| l.stock.product.get())),
                    orders::quantity.eq(single.map_or(1, |l| l.stock.quantity)),
                    orders::unit_price.eq(single.map(|l| to_numeric(l.unit_price))),
                    orders::total_amount.eq(to_numeric(draft.split.total)),
                    orders::platform_fee.eq(to_numeric(draft.split.fee)),
                    orders::seller_amount.eq(to_numeric(draft.split.seller_amount)),
                    orders::shipping_address_id.eq(request.shipping_address.get()),
                    orders::payment_deadline.eq(draft.payment_deadline),
                    orders::idempotency_key.eq(&request.idempotency_key),
                ))
                .returning(orders::id)
                .get_result(conn)
                .await?;
            let items: Vec<_> = draft
                .lines
                .iter()
                .map(|l| {
                    (
                        order_items::order_id.eq(id),
                        order_items::product_id.eq(l.stock.product.get()),
                        order_items::listing_id.eq(Some(l.stock.listing.get())),
                        order_items::seller_id.eq(l.stock.seller.get()),
                        order_items::product_name.eq(l.stock.product_name.clone()),
                        order_items::quantity.eq(l.stock.quantity),
                        order_items::unit_price.eq(to_numeric(l.unit_price)),
                        order_items::subtotal.eq(to_numeric(l.subtotal)),
                    )
                })
                .collect();
            diesel::insert_into(order_items::table)
                .values(items)
                .execute(conn)
                .await?;
            let shares: Vec<_> = draft
                .split
                .sellers
                .iter()
                .map(|s| {
                    (
                        order_sellers::order_id.eq(id),
                        order_sellers::seller_id.eq(s.seller.get()),
                        order_sellers::subtotal.eq(to_numeric(s.subtotal)),
                        order_sellers::platform_fee.eq(to_numeric(s.fee)),
                        order_sellers::seller_amount.eq(to_numeric(s.seller_amount)),
                    )
                })
                .collect();
            diesel::insert_into(order_sellers::table)
                .values(shares)
                .execute(conn)
                .await?;
            if let Some(cart) = cart {
                diesel::delete(cart_items::table.filter(cart_items::cart_id.eq(cart)))
                    .execute(conn)
                    .await?;
            }
            let mut outbox = draft.outbox;
            for notice in &mut outbox.notices {
                notice.notification.order_id.get_or_insert(id);
            }
            crate::outbox::write(conn, outbox).await?;
            Ok(Placed::Created(OrderId(id)))
        })
        .await;
    match result {
        Ok(placed) => Ok(placed),
        Err(PlaceError::Refused(e)) => Err(e),
        Err(PlaceError::Db(e)) => Err(OrderError::Store(store(e))),
    }
}
