//! Carts and their stock holds. Every change locks the cart row first (so one buyer's requests
//! run one at a time), and every hold is one conditional `UPDATE` on the listing, so no listing
//! is ever held beyond its stock.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::catalog::listing::ListingStatus;
use madeinpk_domain::ids::{CartItemId, ListingId, UserId};
use madeinpk_domain::order::cart::{Cart, CartLine, HoldOutcome};
use madeinpk_domain::order::ports::CartRepository;
use madeinpk_domain::store::StoreError;

use crate::catalog::listings::load as load_listings;
use crate::db::Db;
use crate::error::store;
use crate::schema::{cart_items, carts, listings};

/// The user's cart id, made on demand; the row stays locked until the transaction ends.
pub(crate) async fn lock_or_create_cart(
    conn: &mut AsyncPgConnection,
    user: i64,
) -> QueryResult<i64> {
    diesel::insert_into(carts::table)
        .values(carts::user_id.eq(user))
        .on_conflict(carts::user_id)
        .do_update()
        .set(carts::updated_at.eq(Utc::now()))
        .returning(carts::id)
        .get_result(conn)
        .await
}

/// The user's cart id, locked, if there is one.
pub(crate) async fn lock_cart(conn: &mut AsyncPgConnection, user: i64) -> QueryResult<Option<i64>> {
    carts::table
        .filter(carts::user_id.eq(user))
        .select(carts::id)
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Holds `n` more units of a listing if that many are free and it is on sale.
async fn take_hold(conn: &mut AsyncPgConnection, listing: i64, n: i32) -> QueryResult<bool> {
    let updated = diesel::update(
        listings::table.filter(
            listings::id
                .eq(listing)
                .and(listings::status.eq(ListingStatus::Active.as_str()))
                .and((listings::quantity - listings::reserved_quantity).ge(n)),
        ),
    )
    .set(listings::reserved_quantity.eq(listings::reserved_quantity + n))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Gives back held units, listing by listing in id order (the order every multi-listing
/// transaction locks in, so none deadlocks).
pub(crate) async fn release_holds(
    conn: &mut AsyncPgConnection,
    mut held: Vec<(i64, i32)>,
) -> QueryResult<()> {
    held.retain(|(_, n)| *n > 0);
    held.sort_unstable();
    let mut merged: Vec<(i64, i32)> = Vec::with_capacity(held.len());
    for (listing, n) in held {
        match merged.last_mut() {
            Some((l, total)) if *l == listing => *total += n,
            _ => merged.push((listing, n)),
        }
    }
    for (listing, n) in merged {
        diesel::update(listings::table.find(listing))
            .set(listings::reserved_quantity.eq(listings::reserved_quantity - n))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Why a hold could not be taken: the listing's state, judged under the cart lock.
async fn refusal(
    conn: &mut AsyncPgConnection,
    listing: i64,
    own_hold: i32,
    existing: bool,
) -> QueryResult<HoldOutcome> {
    let row: Option<(String, i32, i32)> = listings::table
        .find(listing)
        .select((
            listings::status,
            listings::quantity,
            listings::reserved_quantity,
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(match row {
        Some((status, quantity, reserved)) if status == ListingStatus::Active.as_str() => {
            HoldOutcome::Short {
                available: (quantity - reserved + own_hold).max(0),
                existing,
            }
        }
        _ => HoldOutcome::Unavailable,
    })
}

/// Cart activity renews every live hold of the cart.
async fn renew(conn: &mut AsyncPgConnection, cart: i64, until: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(
        cart_items::table.filter(cart_items::cart_id.eq(cart).and(cart_items::held.gt(0))),
    )
    .set(cart_items::held_until.eq(until))
    .execute(conn)
    .await?;
    Ok(())
}

type LineRow = (
    i64,
    i64,
    i32,
    i32,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    DateTime<Utc>,
);

impl CartRepository for Db {
    async fn cart(&self, user: UserId) -> Result<Cart, StoreError> {
        let mut conn = self.conn().await?;
        let (id, created_at, updated_at): (i64, DateTime<Utc>, DateTime<Utc>) = match carts::table
            .filter(carts::user_id.eq(user.get()))
            .select((carts::id, carts::created_at, carts::updated_at))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?
        {
            Some(row) => row,
            None => diesel::insert_into(carts::table)
                .values(carts::user_id.eq(user.get()))
                .on_conflict(carts::user_id)
                .do_update()
                .set(carts::user_id.eq(user.get()))
                .returning((carts::id, carts::created_at, carts::updated_at))
                .get_result(&mut conn)
                .await
                .map_err(store)?,
        };
        let rows: Vec<LineRow> = cart_items::table
            .filter(cart_items::cart_id.eq(id))
            .select((
                cart_items::id,
                cart_items::listing_id,
                cart_items::quantity,
                cart_items::held,
                cart_items::held_until,
                cart_items::added_at,
                cart_items::updated_at,
            ))
            .order((cart_items::added_at.desc(), cart_items::id.desc()))
            .load(&mut conn)
            .await
            .map_err(store)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let listings = load_listings(&mut conn, &ids, Some(user))
            .await
            .map_err(store)?;
        let lines = rows
            .into_iter()
            .filter_map(|r| {
                let l = listings.iter().find(|l| l.id.get() == r.1)?.clone();
                let brand = l
                    .product
                    .seller_profile
                    .as_ref()
                    .map(|p| p.brand_name.clone())
                    .filter(|b| !b.is_empty());
                Some(CartLine {
                    id: CartItemId(r.0),
                    listing: ListingId(r.1),
                    quantity: r.2,
                    held: r.3,
                    held_until: r.4,
                    listing_status: l.status,
                    listing_quantity: l.quantity,
                    listing_reserved: l.reserved_quantity,
                    price: l.price,
                    discount: l.discount,
                    seller_brand_name: brand,
                    added_at: r.5,
                    updated_at: r.6,
                    product: l.product,
                })
            })
            .collect();
        Ok(Cart {
            id,
            lines,
            created_at,
            updated_at,
        })
    }

    async fn hold(
        &self,
        user: UserId,
        listing: ListingId,
        add: i32,
        until: DateTime<Utc>,
    ) -> Result<HoldOutcome, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let cart = lock_or_create_cart(conn, user.get()).await?;
            let line: Option<(i64, i32, i32)> = cart_items::table
                .filter(
                    cart_items::cart_id
                        .eq(cart)
                        .and(cart_items::listing_id.eq(listing.get())),
                )
                .select((cart_items::id, cart_items::quantity, cart_items::held))
                .first(conn)
                .await
                .optional()?;
            let (quantity, held) = line.map_or((0, 0), |l| (l.1, l.2));
            let Some(want) = quantity.checked_add(add) else {
                return refusal(conn, listing.get(), held, line.is_some()).await;
            };
            if !take_hold(conn, listing.get(), want - held).await? {
                return refusal(conn, listing.get(), held, line.is_some()).await;
            }
            let now = Utc::now();
            let id = match line {
                Some((id, _, _)) => {
                    diesel::update(cart_items::table.find(id))
                        .set((
                            cart_items::quantity.eq(want),
                            cart_items::held.eq(want),
                            cart_items::held_until.eq(until),
                            cart_items::updated_at.eq(now),
                        ))
                        .execute(conn)
                        .await?;
                    id
                }
                None => {
                    diesel::insert_into(cart_items::table)
                        .values((
                            cart_items::cart_id.eq(cart),
                            cart_items::listing_id.eq(listing.get()),
                            cart_items::quantity.eq(want),
                            cart_items::held.eq(want),
                            cart_items::held_until.eq(until),
                        ))
                        .returning(cart_items::id)
                        .get_result(conn)
                        .await?
                }
            };
            renew(conn, cart, until).await?;
            Ok(HoldOutcome::Held(CartItemId(id)))
        })
        .await
        .map_err(store)
    }

    async fn set_quantity(
        &self,
        user: UserId,
        item: CartItemId,
        quantity: i32,
        until: DateTime<Utc>,
    ) -> Result<Option<HoldOutcome>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let Some(cart) = lock_cart(conn, user.get()).await? else {
                return Ok(None);
            };
            let line: Option<(i64, i32)> = cart_items::table
                .filter(
                    cart_items::id
                        .eq(item.get())
                        .and(cart_items::cart_id.eq(cart)),
                )
                .select((cart_items::listing_id, cart_items::held))
                .first(conn)
                .await
                .optional()?;
            let Some((listing, held)) = line else {
                return Ok(None);
            };
            let need = quantity - held;
            if need > 0 && !take_hold(conn, listing, need).await? {
                return refusal(conn, listing, held, true).await.map(Some);
            }
            if need < 0 {
                release_holds(conn, vec![(listing, -need)]).await?;
            }
            diesel::update(cart_items::table.find(item.get()))
                .set((
                    cart_items::quantity.eq(quantity),
                    cart_items::held.eq(quantity),
                    cart_items::held_until.eq(until),
                    cart_items::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            diesel::update(carts::table.find(cart))
                .set(carts::updated_at.eq(Utc::now()))
                .execute(conn)
                .await?;
            renew(conn, cart, until).await?;
            Ok(Some(HoldOutcome::Held(item)))
        })
        .await
        .map_err(store)
    }

    async fn remove_line(&self, user: UserId, item: CartItemId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let Some(cart) = lock_cart(conn, user.get()).await? else {
                return Ok(false);
            };
            let removed: Option<(i64, i32)> = diesel::delete(
                cart_items::table.filter(
                    cart_items::id
                        .eq(item.get())
                        .and(cart_items::cart_id.eq(cart)),
                ),
            )
            .returning((cart_items::listing_id, cart_items::held))
            .get_result(conn)
            .await
            .optional()?;
            let Some(removed) = removed else {
                return Ok(false);
            };
            release_holds(conn, vec![removed]).await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }

    async fn clear_cart(&self, user: UserId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let Some(cart) = lock_cart(conn, user.get()).await? else {
                return Ok(false);
            };
            let removed: Vec<(i64, i32)> =
                diesel::delete(cart_items::table.filter(cart_items::cart_id.eq(cart)))
                    .returning((cart_items::listing_id, cart_items::held))
                    .get_results(conn)
                    .await?;
            release_holds(conn, removed).await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }
}
