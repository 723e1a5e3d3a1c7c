//! Wishlists: one query per page, joining each entry's product, seller, category, listing or
//! auction, and primary image.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Int4, Nullable, Numeric, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::catalog::product::ListingType;
use madeinpk_domain::community::ports::WishlistRepository;
use madeinpk_domain::community::wishlist::{
    WishlistItem, WishlistPrice, auction_stock, listing_stock,
};
use madeinpk_domain::ids::{CategoryId, ProductId, UserId, WishlistItemId};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::{store, unique_violation};
use crate::money::pkr as money;
use crate::schema::wishlist_items;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = BigInt)]
    product_id: i64,
    #[diesel(sql_type = Text)]
    product_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    image: Option<String>,
    #[diesel(sql_type = Text)]
    seller_username: String,
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    category_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    category_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    listing_type: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    price: Option<bigdecimal::BigDecimal>,
    #[diesel(sql_type = Nullable<Text>)]
    listing_status: Option<String>,
    #[diesel(sql_type = Nullable<Int4>)]
    quantity: Option<i32>,
    #[diesel(sql_type = Nullable<Numeric>)]
    current_price: Option<bigdecimal::BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    starting_price: Option<bigdecimal::BigDecimal>,
    #[diesel(sql_type = Nullable<Text>)]
    auction_status: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    auction_open: Option<bool>,
    #[diesel(sql_type = Text)]
    notes: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT w.id, w.user_id, w.product_id, p.name AS product_name,
        (SELECT i.path FROM product_images i WHERE i.product_id = p.id
         ORDER BY i.is_primary DESC, i.position, i.id LIMIT 1) AS image,
        u.username AS seller_username, p.seller_id, p.category_id, c.name AS category_name, p.listing_type,
        l.price, l.status AS listing_status, l.quantity,
        a.current_price, a.starting_price, a.status AS auction_status,
        (a.status = 'active' AND a.start_time <= now() AND now() <= a.end_time) AS auction_open,
        w.notes, w.created_at
    FROM wishlist_items w
    JOIN products p ON p.id = w.product_id
    JOIN users u ON u.id = p.seller_id
    LEFT JOIN categories c ON c.id = p.category_id
    LEFT JOIN listings l ON l.product_id = p.id
    LEFT JOIN auctions a ON a.product_id = p.id
    WHERE w.user_id = $1";

fn item(r: Row) -> WishlistItem {
    let (listing_type, price, stock_status) = match r.listing_type.as_deref() {
        Some("fixed_price") => (
            Some(ListingType::FixedPrice),
            r.price.as_ref().map(|p| WishlistPrice::Fixed(money(p))),
            listing_stock(
                r.listing_status.as_deref() == Some("active"),
                r.quantity.unwrap_or(0),
            ),
        ),
        Some("auction") => (
            Some(ListingType::Auction),
            r.current_price
                .as_ref()
                .zip(r.starting_price.as_ref())
                .map(|(c, s)| WishlistPrice::Auction {
                    current: money(c),
                    starting: money(s),
                }),
            auction_stock(
                r.auction_open.unwrap_or(false),
                r.auction_status.as_deref() == Some("completed"),
            ),
        ),
        _ => (None, None, "Not Listed"),
    };
    WishlistItem {
        id: WishlistItemId(r.id),
        user: UserId(r.user_id),
        product: ProductId(r.product_id),
        product_name: r.product_name,
        product_image: r.image,
        seller_username: r.seller_username,
        seller_id: UserId(r.seller_id),
        price,
        category: r
            .category_id
            .zip(r.category_name)
            .map(|(id, name)| (CategoryId(id), name)),
        stock_status,
        listing_type,
        notes: r.notes,
        created_at: r.created_at,
    }
}

impl WishlistRepository for Db {
    async fn saved_among(
        &self,
        owner: UserId,
        products: Vec<ProductId>,
    ) -> Result<Vec<ProductId>, StoreError> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = products.iter().map(|p| p.get()).collect();
        let mut conn = self.conn().await?;
        let saved: Vec<i64> = wishlist_items::table
            .filter(
                wishlist_items::user_id
                    .eq(owner.get())
                    .and(wishlist_items::product_id.eq_any(ids)),
            )
            .select(wishlist_items::product_id)
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(saved.into_iter().map(ProductId).collect())
    }

    async fn list_wishlist(
        &self,
        owner: UserId,
        newest_first: bool,
        page: PageRequest,
    ) -> Result<Page<WishlistItem>, StoreError> {
        let mut conn = self.conn().await?;
        let count: i64 = wishlist_items::table
            .filter(wishlist_items::user_id.eq(owner.get()))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let order = if newest_first {
            "w.created_at DESC, w.id DESC"
        } else {
            "w.created_at, w.id"
        };
        let rows: Vec<Row> =
            diesel::sql_query(format!("{SELECT} ORDER BY {order} LIMIT $2 OFFSET $3"))
                .bind::<BigInt, _>(owner.get())
                .bind::<BigInt, _>(page.limit())
                .bind::<BigInt, _>(page.offset())
                .load(&mut conn)
                .await
                .map_err(store)?;
        Ok(Page {
            count,
            items: rows.into_iter().map(item).collect(),
        })
    }

    async fn wishlist_item(
        &self,
        owner: UserId,
        id: WishlistItemId,
    ) -> Result<Option<WishlistItem>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<Row> = diesel::sql_query(format!("{SELECT} AND w.id = $2"))
            .bind::<BigInt, _>(owner.get())
            .bind::<BigInt, _>(id.get())
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(rows.into_iter().next().map(item))
    }

    async fn add_to_wishlist(
        &self,
        owner: UserId,
        product: ProductId,
        notes: String,
    ) -> Result<Option<WishlistItemId>, StoreError> {
        let mut conn = self.conn().await?;
        let id: Option<i64> = diesel::insert_into(wishlist_items::table)
            .values((
                wishlist_items::user_id.eq(owner.get()),
                wishlist_items::product_id.eq(product.get()),
                wishlist_items::notes.eq(notes),
            ))
            .on_conflict_do_nothing()
            .returning(wishlist_items::id)
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(id.map(WishlistItemId))
    }

    async fn update_wishlist_item(
        &self,
        owner: UserId,
        id: WishlistItemId,
        product: Option<ProductId>,
        notes: Option<String>,
    ) -> Result<bool, StoreError> {
        #[derive(AsChangeset)]
        #[diesel(table_name = wishlist_items)]
        struct Set {
            product_id: Option<i64>,
            notes: Option<String>,
        }
        if product.is_none() && notes.is_none() {
            return Ok(true);
        }
        let mut conn = self.conn().await?;
        let result = conn
            .transaction::<_, diesel::result::Error, _>(async move |conn| {
                diesel::update(
                    wishlist_items::table.filter(
                        wishlist_items::id
                            .eq(id.get())
                            .and(wishlist_items::user_id.eq(owner.get())),
                    ),
                )
                .set(&Set {
                    product_id: product.map(ProductId::get),
                    notes,
                })
                .execute(conn)
                .await
            })
            .await;
        match result {
            Ok(_) => Ok(true),
            // The product is already saved in another entry (the original answered 500).
            Err(e) if unique_violation(&e).is_some() => Ok(false),
            Err(e) => Err(store(e)),
        }
    }

    async fn remove_from_wishlist(
        &self,
        owner: UserId,
        id: WishlistItemId,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(
            wishlist_items::table.filter(
                wishlist_items::id
                    .eq(id.get())
                    .and(wishlist_items::user_id.eq(owner.get())),
            ),
        )
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(n == 1)
    }
}
