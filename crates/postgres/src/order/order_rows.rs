//! Reading orders: a page of orders in a fixed number of statements (orders, lines, shares,
//! people, images, addresses), one order, and an order's parties.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::ids::{ListingId, OrderId, OrderItemId, ProductId, UserId};
use madeinpk_domain::order::checkout::Party;
use madeinpk_domain::order::commission::SellerShare;
use madeinpk_domain::order::model::{
    Order, OrderItem, OrderQuery, OrderRole, OrderSort, OrderStatus, OrderType,
};
use madeinpk_domain::order::ports::OrderOutbox;
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::account::addresses::{addresses_by_ids, then_order};
use crate::db::Db;
use crate::error::store;
use crate::money::pkr;
use crate::schema::{order_items, order_sellers, orders, product_images, users};

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

pub(super) async fn order(db: &Db, id: OrderId) -> Result<Option<Order>, StoreError> {
    let mut conn = db.conn().await?;
    load_order(&mut conn, id.get()).await.map_err(store)
}

pub(super) async fn order_by_payment_reference(
    db: &Db,
    reference: String,
) -> Result<Option<OrderId>, StoreError> {
    if reference.is_empty() {
        return Ok(None);
    }
    let mut conn = db.conn().await?;
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

pub(super) async fn list_orders(
    db: &Db,
    query: OrderQuery,
    page: PageRequest,
) -> Result<Page<Order>, StoreError> {
    let mut conn = db.conn().await?;
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

/// Loads the order, builds its outbox from its parties, writes it, and returns the order.
pub(crate) async fn write_outbox(
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
