//! Fixed-price listings. A page is read in a bounded number of queries: the count, the page's
//! ids, the listings, and the products' rows, images and regions.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::catalog::listing::{
    Discount, InactiveListings, Listing, ListingChanges, ListingQuery, ListingSort, ListingState,
    ListingStatus, NewListing,
};
use madeinpk_domain::catalog::ports::ListingRepository;
use madeinpk_domain::ids::{ListingId, UserId};
use madeinpk_domain::money::Money;
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::account::addresses::then_order;
use crate::catalog::products::{
    ProductRow, matching_products, product_columns, product_source, view,
};
use crate::db::Db;
use crate::error::store;
use crate::money::{pkr as money, to_numeric};
use crate::schema::{listings, products};

type ListingRow = (
    i64,
    i64,
    bigdecimal::BigDecimal,
    i32,
    i32,
    String,
    bool,
    Option<bigdecimal::BigDecimal>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    DateTime<Utc>,
);

const LISTING_COLUMNS: (
    listings::id,
    listings::product_id,
    listings::price,
    listings::quantity,
    listings::reserved_quantity,
    listings::status,
    listings::featured,
    listings::discount_percentage,
    listings::discount_start_date,
    listings::discount_end_date,
    listings::created_at,
    listings::updated_at,
) = (
    listings::id,
    listings::product_id,
    listings::price,
    listings::quantity,
    listings::reserved_quantity,
    listings::status,
    listings::featured,
    listings::discount_percentage,
    listings::discount_start_date,
    listings::discount_end_date,
    listings::created_at,
    listings::updated_at,
);

fn bps(n: Option<&bigdecimal::BigDecimal>) -> Option<u32> {
    n.map(|n| u32::try_from(money(n).minor()).unwrap_or(0))
}

fn status(s: &str) -> ListingStatus {
    // The CHECK constraint admits only the three statuses.
    ListingStatus::parse(s).unwrap_or(ListingStatus::Inactive)
}

fn discount(r: &ListingRow) -> Discount {
    Discount {
        percentage_bps: bps(r.7.as_ref()),
        start: r.8,
        end: r.9,
    }
}

/// Listings by id with their products, in the order of `ids`.
pub(crate) async fn load(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
    viewer: Option<UserId>,
) -> QueryResult<Vec<Listing>> {
    // The listings and their products in one statement.
    let rows: Vec<(ListingRow, ProductRow)> = listings::table
        .inner_join(product_source!())
        .filter(listings::id.eq_any(ids))
        .select((LISTING_COLUMNS, product_columns!(viewer)))
        .load(conn)
        .await?;
    let mut out: Vec<Listing> = rows
        .into_iter()
        .map(|(r, p)| {
            let product = view(p);
            Listing {
                id: ListingId(r.0),
                product,
                price: money(&r.2),
                quantity: r.3,
                reserved_quantity: r.4,
                status: status(&r.5),
                featured: r.6,
                discount: discount(&r),
                created_at: r.10,
                updated_at: r.11,
            }
        })
        .collect();
    // Keep the page's order.
    out.sort_by_key(|l| ids.iter().position(|i| *i == l.id.get()));
    Ok(out)
}

impl ListingRepository for Db {
    async fn list_listings(
        &self,
        query: ListingQuery,
        page: PageRequest,
        viewer: Option<UserId>,
    ) -> Result<Page<Listing>, StoreError> {
        let mut conn = self.conn().await?;
        let filtered = || {
            let mut q = listings::table.into_boxed();
            if let Some(ids) = matching_products(&query.product, query.mine) {
                q = q.filter(listings::product_id.eq_any(ids));
            }
            if let Some(s) = query.status {
                q = q.filter(listings::status.eq(s.as_str()));
            }
            let inactive = ListingStatus::Inactive.as_str();
            match query.inactive {
                InactiveListings::All | InactiveListings::Public => {}
                InactiveListings::Hidden => q = q.filter(listings::status.ne(inactive)),
                InactiveListings::Seller(seller) => {
                    // Everyone's listings that are not inactive, and this seller's own that are.
                    let own: products::BoxedQuery<'static, diesel::pg::Pg, BigInt> =
                        products::table
                            .select(products::id)
                            .filter(products::seller_id.eq(seller.get()))
                            .into_boxed();
                    q = q.filter(
                        listings::status
                            .ne(inactive)
                            .or(listings::product_id.eq_any(own)),
                    );
                }
            }
            if let Some(min) = query.min_price {
                q = q.filter(listings::price.ge(to_numeric(min)));
            }
            if let Some(max) = query.max_price {
                q = q.filter(listings::price.le(to_numeric(max)));
            }
            if let Some(f) = query.featured {
                q = q.filter(listings::featured.eq(f));
            }
            q
        };
        let mut q = filtered().select(listings::id);
        for s in &query.ordering {
            q = match s.field {
                ListingSort::Price => then_order!(q, listings::price, s.descending),
                ListingSort::CreatedAt => then_order!(q, listings::created_at, s.descending),
            };
        }
        let ids: Vec<i64> = q
            .then_order_by(listings::id.asc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        // An index-only count; cheaper than carrying a window count on every row.
        let count: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let items = load(&mut conn, &ids, viewer).await.map_err(store)?;
        Ok(Page { count, items })
    }

    async fn listing(
        &self,
        id: ListingId,
        viewer: Option<UserId>,
    ) -> Result<Option<Listing>, StoreError> {
        let mut conn = self.conn().await?;
        Ok(load(&mut conn, &[id.get()], viewer)
            .await
            .map_err(store)?
            .pop())
    }

    async fn listing_state(&self, id: ListingId) -> Result<Option<ListingState>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(ListingRow, i64)> = listings::table
            .inner_join(products::table)
            .filter(listings::id.eq(id.get()))
            .select((LISTING_COLUMNS, products::seller_id))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|(r, seller)| ListingState {
            seller: UserId(seller),
            status: status(&r.5),
            quantity: r.3,
            reserved_quantity: r.4,
            discount: discount(&r),
        }))
    }

    async fn create_listing(&self, listing: NewListing) -> Result<Option<ListingId>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // Claiming the product's one listing slot makes "listing or auction, never both" race-free.
            let claimed = diesel::update(
                products::table.filter(
                    products::id
                        .eq(listing.product.get())
                        .and(products::listing_type.is_null()),
                ),
            )
            .set((
                products::listing_type.eq("fixed_price"),
                products::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
            if claimed == 0 {
                return Ok(None);
            }
            let id: i64 = diesel::insert_into(listings::table)
                .values((
                    listings::product_id.eq(listing.product.get()),
                    listings::price.eq(to_numeric(listing.price)),
                    listings::quantity.eq(listing.quantity),
                    listings::featured.eq(listing.featured),
                    listings::discount_percentage.eq(listing
                        .discount
                        .percentage_bps
                        .map(|b| to_numeric(Money::pkr(i64::from(b))))),
                    listings::discount_start_date.eq(listing.discount.start),
                    listings::discount_end_date.eq(listing.discount.end),
                ))
                .returning(listings::id)
                .get_result(conn)
                .await?;
            Ok(Some(ListingId(id)))
        })
        .await
        .map_err(store)
    }

    async fn update_listing(
        &self,
        id: ListingId,
        changes: ListingChanges,
    ) -> Result<bool, StoreError> {
        #[derive(AsChangeset)]
        #[diesel(table_name = listings)]
        struct Set {
            price: Option<bigdecimal::BigDecimal>,
            quantity: Option<i32>,
            status: Option<&'static str>,
            featured: Option<bool>,
            discount_percentage: Option<Option<bigdecimal::BigDecimal>>,
            discount_start_date: Option<Option<DateTime<Utc>>>,
            discount_end_date: Option<Option<DateTime<Utc>>>,
            updated_at: DateTime<Utc>,
        }
        let mut conn = self.conn().await?;
        let d = changes.discount;
        let set = Set {
            price: changes.price.map(to_numeric),
            quantity: changes.quantity,
            status: changes.status.map(ListingStatus::as_str),
            featured: changes.featured,
            discount_percentage: d.map(|d| {
                d.percentage_bps
                    .map(|b| to_numeric(Money::pkr(i64::from(b))))
            }),
            discount_start_date: d.map(|d| d.start),
            discount_end_date: d.map(|d| d.end),
            updated_at: Utc::now(),
        };
        // Never below the units held in carts, judged on the row being updated.
        let n = match changes.quantity {
            Some(q) => {
                diesel::update(
                    listings::table.filter(
                        listings::id
                            .eq(id.get())
                            .and(listings::reserved_quantity.le(q)),
                    ),
                )
                .set(&set)
                .execute(&mut conn)
                .await
            }
            None => {
                diesel::update(listings::table.find(id.get()))
                    .set(&set)
                    .execute(&mut conn)
                    .await
            }
        }
        .map_err(store)?;
        Ok(n == 1)
    }

    async fn delete_listing(&self, id: ListingId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let product: Option<i64> = diesel::delete(listings::table.find(id.get()))
                .returning(listings::product_id)
                .get_result(conn)
                .await
                .optional()?;
            let Some(product) = product else {
                return Ok(false);
            };
            diesel::update(products::table.find(product))
                .set(products::listing_type.eq(None::<String>))
                .execute(conn)
                .await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }
}
