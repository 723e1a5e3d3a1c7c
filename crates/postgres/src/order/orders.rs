//! Orders. Placing one is a single transaction: the buyer's checkouts are serialised by an
//! advisory lock (idempotency), the listings are locked in id order (no deadlock between two
//! carts), the domain prices the locked rows, and the units move from "held" to "taken". A page
//! of orders is read in a fixed number of statements (orders, lines, shares, people, images,
//! addresses).

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::catalog::listing::{Discount, ListingStatus};
use madeinpk_domain::ids::{ListingId, OrderId, OrderItemId, ProductId, UserId};
use madeinpk_domain::order::checkout::{
    OrderSource, Party, PaymentReceipt, PaymentRecorded, PlaceOrder, Placed, StatusChange,
    StockLine, StockRelease,
};
use madeinpk_domain::order::commission::SellerShare;
use madeinpk_domain::order::model::{
    Order, OrderError, OrderItem, OrderQuery, OrderRole, OrderSort, OrderStatus, OrderType,
};
use madeinpk_domain::order::payment::PaymentSession;
use madeinpk_domain::order::payment_service::{returned_job, returned_outbox};
use madeinpk_domain::order::ports::{OrderOutbox, OrderRepository};
use madeinpk_domain::order::violation::{Violation, violation_outbox};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;
use rand::Rng;

use crate::account::addresses::{addresses_by_ids, then_order};
use crate::db::Db;
use crate::error::store;
use crate::job::queue::insert_job;
use crate::money::{pkr, to_numeric};
use crate::order::carts::{lock_cart, lock_or_create_cart};
use crate::schema::{
    auctions, cart_items, listings, order_items, order_sellers, orders, payment_events,
    payment_violations, payments, product_images, products, users,
};

type OrderHead = (
    i64,
    String,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i32,
    Option<BigDecimal>,
    BigDecimal,
    BigDecimal,
    BigDecimal,
);
type OrderTail = (
    Option<i64>,
    String,
    String,
    String,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);
type ItemRow = (
    i64,
    i64,
    i64,
    Option<i64>,
    i64,
    String,
    i32,
    BigDecimal,
    BigDecimal,
    bool,
    Option<DateTime<Utc>>,
    Option<String>,
    DateTime<Utc>,
);

macro_rules! order_columns {
    () => {
        (
            (
                orders::id,
                orders::order_number,
                orders::buyer_id,
                orders::order_type,
                orders::seller_id,
                orders::product_id,
                orders::auction_id,
                orders::quantity,
                orders::unit_price,
                orders::total_amount,
                orders::platform_fee,
                orders::seller_amount,
            ),
            (
                orders::shipping_address_id,
                orders::status,
                orders::payment_reference,
                orders::payment_url,
                orders::payment_deadline,
                orders::created_at,
                orders::paid_at,
                orders::shipped_at,
                orders::delivered_at,
            ),
        )
    };
}

/// Orders by id with everything a viewer may be shown, in the order of `ids`.
async fn load_orders(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Order>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let heads: Vec<(OrderHead, OrderTail)> = orders::table
        .filter(orders::id.eq_any(ids))
        .select(order_columns!())
        .load(conn)
        .await?;
    let items: Vec<ItemRow> = order_items::table
        .filter(order_items::order_id.eq_any(ids))
        .select((
            order_items::id,
            order_items::order_id,
            order_items::product_id,
            order_items::listing_id,
            order_items::seller_id,
            order_items::product_name,
            order_items::quantity,
            order_items::unit_price,
            order_items::subtotal,
            order_items::is_shipped,
            order_items::shipped_at,
            order_items::tracking_number,
            order_items::created_at,
        ))
        .order(order_items::id)
        .load(conn)
        .await?;
    let shares: Vec<(i64, i64, BigDecimal, BigDecimal, BigDecimal)> = order_sellers::table
        .filter(order_sellers::order_id.eq_any(ids))
        .select((
            order_sellers::order_id,
            order_sellers::seller_id,
            order_sellers::subtotal,
            order_sellers::platform_fee,
            order_sellers::seller_amount,
        ))
        .order(order_sellers::seller_id)
        .load(conn)
        .await?;
    let mut people: Vec<i64> = heads.iter().map(|(h, _)| h.2).collect();
    people.extend(items.iter().map(|i| i.4));
    people.sort_unstable();
    people.dedup();
    let names: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&people))
        .select((users::id, users::username))
        .load::<(i64, String)>(conn)
        .await?
        .into_iter()
        .collect();
    let mut product_ids: Vec<i64> = items.iter().map(|i| i.2).collect();
    product_ids.sort_unstable();
    product_ids.dedup();
    // Primary image first, else the first by position.
    let mut images: HashMap<i64, String> = HashMap::new();
    for (product, path) in product_images::table
        .filter(product_images::product_id.eq_any(&product_ids))
        .select((product_images::product_id, product_images::path))
        .order((
            product_images::product_id,
            product_images::is_primary.desc(),
            product_images::position,
            product_images::id,
        ))
        .load::<(i64, String)>(conn)
        .await?
    {
        images.entry(product).or_insert(path);
    }
    let address_ids: Vec<i64> = heads.iter().filter_map(|(_, t)| t.0).collect();
    let addresses = addresses_by_ids(conn, &address_ids).await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let mut out: Vec<Order> = heads
        .into_iter()
        .map(|(h, t)| {
            let order_type = OrderType::parse(&h.3).unwrap_or(OrderType::Cart);
            let lines: Vec<OrderItem> = items
                .iter()
                .filter(|i| i.1 == h.0)
                .map(|i| OrderItem {
                    id: OrderItemId(i.0),
                    product: ProductId(i.2),
                    product_name: i.5.clone(),
                    product_image: images.get(&i.2).cloned(),
                    listing: i.3.map(ListingId),
                    seller: UserId(i.4),
                    seller_username: name(i.4),
                    quantity: i.6,
                    unit_price: pkr(&i.7),
                    subtotal: pkr(&i.8),
                    is_shipped: i.9,
                    shipped_at: i.10,
                    tracking_number: i.11.clone(),
                    created_at: i.12,
                })
                .collect();
            Order {
                id: OrderId(h.0),
                number: h.1,
                buyer: UserId(h.2),
                buyer_username: name(h.2),
                order_type,
                seller: h.4.map(UserId),
                seller_username: h.4.map(name),
                product: h.5.map(ProductId),
                product_name: <[_]>::first(&lines)
                    .filter(|_| order_type != OrderType::Cart)
                    .map(|l| l.product_name.clone()),
                auction: h.6.map(madeinpk_domain::ids::AuctionId),
                quantity: h.7,
                unit_price: h.8.as_ref().map(pkr),
                total: pkr(&h.9),
                platform_fee: pkr(&h.10),
                seller_amount: pkr(&h.11),
                shipping_address: t
                    .0
                    .and_then(|a| addresses.iter().find(|x| x.id.get() == a).cloned()),
                status: OrderStatus::parse(&t.1).unwrap_or(OrderStatus::PendingPayment),
                payment_reference: t.2,
                payment_url: t.3,
                payment_deadline: t.4,
                items: lines,
                shares: shares
                    .iter()
                    .filter(|s| s.0 == h.0)
                    .map(|s| SellerShare {
                        seller: UserId(s.1),
                        subtotal: pkr(&s.2),
                        fee: pkr(&s.3),
                        seller_amount: pkr(&s.4),
                    })
                    .collect(),
                created_at: t.5,
                paid_at: t.6,
                shipped_at: t.7,
                delivered_at: t.8,
            }
        })
        .collect();
    out.sort_by_key(|o| ids.iter().position(|i| *i == o.id.get()));
    Ok(out)
}

pub(crate) async fn load_order(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<Order>> {
    Ok(load_orders(conn, &[id]).await?.pop())
}

/// The buyer and the sellers of an order, with their email addresses.
pub(crate) async fn parties(
    conn: &mut AsyncPgConnection,
    order: &Order,
) -> QueryResult<(Party, Vec<Party>)> {
    let mut ids: Vec<i64> = order.shares.iter().map(|s| s.seller.get()).collect();
    ids.push(order.buyer.get());
    let rows: Vec<(i64, String, String)> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::username, users::email))
        .load(conn)
        .await?;
    let party = |r: &(i64, String, String)| Party {
        id: UserId(r.0),
        username: r.1.clone(),
        email: r.2.clone(),
    };
    let buyer = rows.iter().find(|r| r.0 == order.buyer.get()).map_or_else(
        || Party {
            id: order.buyer,
            username: order.buyer_username.clone(),
            email: String::new(),
        },
        party,
    );
    let sellers = order
        .shares
        .iter()
        .filter_map(|s| rows.iter().find(|r| r.0 == s.seller.get()).map(party))
        .collect();
    Ok((buyer, sellers))
}

/// Loads the order, builds its outbox from its parties, writes it, and returns the order.
fn block_after(violation: Option<i32>) -> i32 {
    violation.unwrap_or(madeinpk_domain::order::violation::BLOCK_AFTER)
}

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
    if kind != OrderType::Auction.as_str() {
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
    // Admins are never blocked (as by moderation); their count is still kept.
    let blocked_now = !was_blocked
        && role != "admin"
        && madeinpk_domain::order::violation::blocks(count, block_after);
    if blocked_now {
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
    Ok(Some(Violation { count, blocked_now }))
}

/// Queues the refund of a payment the order cannot take, and tells the buyer.
async fn return_payment(
    conn: &mut AsyncPgConnection,
    id: i64,
    payment: &PaymentReceipt,
) -> QueryResult<()> {
    // Checkout reports one payment by two events (session completed, intent succeeded):
    // the refund job is unique per order, and the buyer is told only when it is queued.
    if insert_job(conn, &returned_job(OrderId(id), payment)).await? {
        let receipt = payment.clone();
        write_outbox(
            conn,
            id,
            Box::new(move |o, buyer, _| returned_outbox(o, buyer, &receipt)),
        )
        .await?;
    }
    Ok(())
}

async fn write_outbox(
    conn: &mut AsyncPgConnection,
    id: i64,
    outbox: OrderOutbox,
) -> QueryResult<Option<Order>> {
    let Some(order) = load_order(conn, id).await? else {
        return Ok(None);
    };
    let (buyer, sellers) = parties(conn, &order).await?;
    crate::outbox::write(conn, outbox(&order, &buyer, &sellers)).await?;
    Ok(Some(order))
}

/// Records a provider event once; false when it was already recorded.
async fn first_delivery(
    conn: &mut AsyncPgConnection,
    event: Option<&str>,
    order: i64,
) -> QueryResult<bool> {
    let Some(event) = event else {
        return Ok(true);
    };
    let inserted = diesel::insert_into(payment_events::table)
        .values((
            payment_events::id.eq(event),
            payment_events::order_id.eq(order),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

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
async fn lock_stock(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<StockRow>> {
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
async fn take_units(conn: &mut AsyncPgConnection, lines: &[(i64, i32, i32)]) -> QueryResult<bool> {
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

impl OrderRepository for Db {
    async fn place_order(
        &self,
        request: PlaceOrder,
        plan: madeinpk_domain::order::checkout::OrderPlanner,
    ) -> Result<Placed, OrderError> {
        let mut conn = self.conn().await?;
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

    async fn attach_session(
        &self,
        order: OrderId,
        session: PaymentSession,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(
            orders::table.filter(
                orders::id
                    .eq(order.get())
                    .and(orders::status.eq(OrderStatus::PendingPayment.as_str())),
            ),
        )
        .set((
            orders::payment_reference.eq(session.id),
            orders::payment_url.eq(session.url),
            // The provider keeps the session open longer than asked: the order waits as long.
            session
                .expires_at
                .map(|deadline| orders::payment_deadline.eq(deadline)),
            orders::updated_at.eq(Utc::now()),
        ))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(())
    }

    async fn order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        let mut conn = self.conn().await?;
        load_order(&mut conn, id.get()).await.map_err(store)
    }

    async fn order_by_payment_reference(
        &self,
        reference: String,
    ) -> Result<Option<OrderId>, StoreError> {
        if reference.is_empty() {
            return Ok(None);
        }
        let mut conn = self.conn().await?;
        // Session and intent ids (`cs_…`, `pi_…`) never look like order numbers (`CART-…`).
        let id: Option<i64> = orders::table
            .filter(
                // The `<> ''` lets the partial index serve generic plans too.
                orders::payment_reference
                    .eq(&reference)
                    .and(orders::payment_reference.ne(""))
                    .or(orders::order_number.eq(&reference)),
            )
            .select(orders::id)
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(id.map(OrderId))
    }

    async fn list_orders(
        &self,
        query: OrderQuery,
        page: PageRequest,
    ) -> Result<Page<Order>, StoreError> {
        let mut conn = self.conn().await?;
        let viewer = query.viewer.map_or(0, UserId::get);
        let filtered = || {
            let sold = order_items::table
                .filter(order_items::seller_id.eq(viewer))
                .select(order_items::order_id);
            let mut q = orders::table.into_boxed();
            q = match query.role {
                OrderRole::Buyer => q.filter(orders::buyer_id.eq(viewer)),
                OrderRole::Seller => q.filter(orders::id.eq_any(sold)),
                OrderRole::Any => q.filter(orders::buyer_id.eq(viewer).or(orders::id.eq_any(sold))),
            };
            if let Some(status) = query.status {
                q = q.filter(orders::status.eq(status.as_str()));
            }
            q
        };
        let mut q = filtered().select(orders::id);
        for s in &query.ordering {
            q = match s.field {
                OrderSort::CreatedAt => then_order!(q, orders::created_at, s.descending),
                OrderSort::Status => then_order!(q, orders::status, s.descending),
            };
        }
        if query.ordering.is_empty() {
            q = q.then_order_by(orders::created_at.desc());
        }
        let ids: Vec<i64> = q
            .then_order_by(orders::id.desc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        let count: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let items = load_orders(&mut conn, &ids).await.map_err(store)?;
        Ok(Page { count, items })
    }

    async fn change_status(
        &self,
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
        let mut conn = self.conn().await?;
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
                    violation_outbox(order, &buyer, v, block_after(violation)),
                )
                .await?;
            }
            Ok(changed)
        })
        .await
        .map_err(store)
    }

    async fn record_payment(
        &self,
        order: OrderId,
        payment: PaymentReceipt,
        now: DateTime<Utc>,
        outbox: OrderOutbox,
    ) -> Result<PaymentRecorded, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            if !first_delivery(conn, payment.event.as_deref(), order.get()).await? {
                return Ok(PaymentRecorded::AlreadyApplied);
            }
            let status: Option<String> = orders::table
                .find(order.get())
                .select(orders::status)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(status) = status.as_deref().and_then(OrderStatus::parse) else {
                return Ok(PaymentRecorded::AlreadyApplied);
            };
            if status == OrderStatus::Cancelled {
                // The buyer cancelled, then paid through a session still open: the money goes
                // back (queued here, with the event); the order stays cancelled.
                return_payment(conn, order.get(), &payment).await?;
                return Ok(PaymentRecorded::StockGone);
            }
            if !status.can_become(OrderStatus::Paid) {
                return Ok(PaymentRecorded::AlreadyApplied);
            }
            if status != OrderStatus::PendingPayment {
                // Its units went back on sale: take them again if they are still there.
                let lines: Vec<(i64, i32)> = order_items::table
                    .filter(
                        order_items::order_id
                            .eq(order.get())
                            .and(order_items::listing_id.is_not_null()),
                    )
                    .select((
                        order_items::listing_id.assume_not_null(),
                        order_items::quantity,
                    ))
                    .order(order_items::listing_id)
                    .load(conn)
                    .await?;
                let takes: Vec<(i64, i32, i32)> = lines.iter().map(|&(l, q)| (l, q, 0)).collect();
                let ids: Vec<i64> = lines.iter().map(|l| l.0).collect();
                lock_stock(conn, &ids).await?;
                let available: Vec<(i64, i32, i32)> = listings::table
                    .filter(listings::id.eq_any(&ids))
                    .select((
                        listings::id,
                        listings::quantity,
                        listings::reserved_quantity,
                    ))
                    .load(conn)
                    .await?;
                let enough = lines.iter().all(|(l, q)| {
                    available
                        .iter()
                        .any(|(id, quantity, reserved)| id == l && quantity - reserved >= *q)
                });
                if !enough || !take_units(conn, &takes).await? {
                    return_payment(conn, order.get(), &payment).await?;
                    return Ok(PaymentRecorded::StockGone);
                }
            }
            diesel::update(orders::table.find(order.get()))
                .set((
                    orders::status.eq(OrderStatus::Paid.as_str()),
                    orders::paid_at.eq(now),
                    orders::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            if let Some(pi) = &payment.payment_intent {
                diesel::update(orders::table.find(order.get()))
                    .set(orders::payment_reference.eq(pi))
                    .execute(conn)
                    .await?;
            }
            // A won auction is completed once paid; a winner who had no address when it ended
            // ships to the one they have now.
            diesel::sql_query(
                "UPDATE auctions SET status = 'completed', updated_at = $2 FROM orders o \
                 WHERE o.id = $1 AND o.auction_id = auctions.id AND auctions.status = 'ended'",
            )
            .bind::<BigInt, _>(order.get())
            .bind::<diesel::sql_types::Timestamptz, _>(now)
            .execute(conn)
            .await?;
            diesel::sql_query(
                "UPDATE orders SET shipping_address_id = (SELECT a.id FROM addresses a \
                   WHERE a.user_id = orders.buyer_id ORDER BY a.is_default DESC, a.id DESC LIMIT 1) \
                 WHERE id = $1 AND shipping_address_id IS NULL",
            )
            .bind::<BigInt, _>(order.get())
            .execute(conn)
            .await?;
            let payment_id: i64 = diesel::insert_into(payments::table)
                .values((
                    payments::order_id.eq(order.get()),
                    payments::payment_intent_id.eq(&payment.payment_intent),
                    payments::charge_id.eq(&payment.charge),
                    payments::amount.eq(to_numeric(payment.amount)),
                    payments::status.eq("succeeded"),
                    payments::completed_at.eq(now),
                ))
                .on_conflict(payments::order_id)
                .do_update()
                .set((
                    payments::status.eq("succeeded"),
                    payments::completed_at.eq(now),
                    payments::updated_at.eq(now),
                ))
                .returning(payments::id)
                .get_result(conn)
                .await?;
            crate::order::transfers::create_payout_rows(conn, order.get(), payment_id).await?;
            Ok(match write_outbox(conn, order.get(), outbox).await? {
                Some(o) => PaymentRecorded::Paid(Box::new(o)),
                None => PaymentRecorded::AlreadyApplied,
            })
        })
        .await
        .map_err(store)
    }

    async fn ship_items(
        &self,
        order: OrderId,
        seller: UserId,
        tracking_number: Option<String>,
        now: DateTime<Utc>,
        outbox: OrderOutbox,
    ) -> Result<Option<Order>, StoreError> {
        let mut conn = self.conn().await?;
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
}
