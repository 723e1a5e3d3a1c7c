//! Products and images. A page of product views is one statement: the products joined with
//! seller, category and profile, with images, review figures, region and wishlist flag from
//! correlated subqueries (see [`extras`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::catalog::ports::ProductRepository;
use madeinpk_domain::catalog::product::{
    Condition, ImageRemoval, ListingType, NewProduct, ProductChanges, ProductImage,
    ProductOwnership, ProductQuery, ProductRemoval, ProductSort, ProductView, SellerSummary,
};
use madeinpk_domain::ids::{CategoryId, ProductId, ProductImageId, UserId};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::account::addresses::then_order;
use crate::db::Db;
use crate::error::{is_foreign_key_violation, store};
use crate::money::hundredths;
use crate::schema::{categories, product_images, products};

/// The product columns every catalogue query selects, in [`ProductRow`] order: the product,
/// its seller, category and profile, and (from correlated subqueries, so one statement serves a
/// whole page) its images, review figures, region and the viewer's wishlist flag.
pub type ProductRow = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<(String, String, bool, bigdecimal::BigDecimal, i32)>,
    DateTime<Utc>,
    DateTime<Utc>,
    (
        serde_json::Value,
        Option<f64>,
        i64,
        Option<i64>,
        Option<String>,
        bool,
    ),
    String,
);

/// Products joined with their seller, category and seller profile; filter and order it, then
/// select [`product_columns!`].
macro_rules! product_source {
    () => {
        crate::schema::products::table
            .inner_join(crate::schema::users::table)
            .left_join(crate::schema::categories::table)
            .left_join(
                crate::schema::seller_profiles::table
                    .on(crate::schema::seller_profiles::user_id
                        .eq(crate::schema::products::seller_id)),
            )
    };
}

pub(crate) use product_source;

/// The columns of a [`ProductRow`] for a viewer.
macro_rules! product_columns {
    ($viewer:expr) => {
        (
            crate::schema::products::id,
            crate::schema::products::seller_id,
            crate::schema::users::username,
            crate::schema::products::category_id,
            crate::schema::categories::name.nullable(),
            crate::schema::products::name,
            crate::schema::products::description,
            crate::schema::products::condition,
            crate::schema::products::listing_type,
            (
                crate::schema::seller_profiles::brand_name,
                crate::schema::seller_profiles::biography,
                crate::schema::seller_profiles::is_verified,
                crate::schema::seller_profiles::average_rating,
                crate::schema::seller_profiles::total_feedbacks,
            )
                .nullable(),
            crate::schema::products::created_at,
            crate::schema::products::updated_at,
            crate::catalog::products::extras($viewer),
            crate::schema::users::email,
        )
    };
}

pub(crate) use product_columns;

type Extras = (
    diesel::expression::SqlLiteral<diesel::sql_types::Json>,
    diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Double>>,
    diesel::expression::SqlLiteral<BigInt>,
    diesel::expression::SqlLiteral<diesel::sql_types::Nullable<BigInt>>,
    diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Text>>,
    diesel::expression::SqlLiteral<diesel::sql_types::Bool>,
);

/// Correlated subqueries on `products`: images, review average and count, the seller's region
/// (default address, else any), and whether `viewer` saved the product.
pub fn extras(viewer: Option<UserId>) -> Extras {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Double, Json, Nullable, Text};
    const REGION: &str = "FROM addresses a JOIN cities c ON c.id = a.city_id JOIN provinces pr ON pr.id = c.province_id
        WHERE a.user_id = products.seller_id ORDER BY a.is_default DESC, a.id LIMIT 1";
    (
        sql::<Json>(
            "coalesce((SELECT json_agg(json_build_object('id', i.id, 'path', i.path, 'is_primary', i.is_primary,
                'order', i.position) ORDER BY i.position, i.id) FROM product_images i WHERE i.product_id = products.id), '[]'::json)",
        ),
        sql::<Nullable<Double>>("(SELECT round(avg(r.rating), 2)::float8 FROM product_reviews r WHERE r.product_id = products.id)"),
        sql::<BigInt>("(SELECT count(*) FROM product_reviews r WHERE r.product_id = products.id)"),
        sql::<Nullable<BigInt>>(&format!("(SELECT pr.id {REGION})")),
        sql::<Nullable<Text>>(&format!("(SELECT pr.name {REGION})")),
        // An integer, formatted in: nothing from the client reaches this SQL text.
        sql::<Bool>(&format!(
            "EXISTS (SELECT 1 FROM wishlist_items w WHERE w.product_id = products.id AND w.user_id = {})",
            viewer.map_or(0, UserId::get)
        )),
    )
}

fn listing_type(s: Option<&str>) -> Option<ListingType> {
    match s {
        Some("fixed_price") => Some(ListingType::FixedPrice),
        Some("auction") => Some(ListingType::Auction),
        _ => None,
    }
}

#[derive(serde::Deserialize)]
struct ImageJson {
    id: i64,
    path: String,
    is_primary: bool,
    order: i32,
}

/// Turns a product row into its view (no further queries).
pub fn view(r: ProductRow) -> ProductView {
    let (images, average, reviews, province_id, province_name, saved) = r.12;
    let images: Vec<ImageJson> = serde_json::from_value(images).unwrap_or_default();
    let fixed_price = r.8.as_deref() == Some("fixed_price");
    ProductView {
        id: ProductId(r.0),
        seller: UserId(r.1),
        seller_username: r.2,
        seller_email: r.13,
        category: r.3.map(CategoryId),
        category_name: r.4,
        name: r.5,
        description: r.6,
        // The CHECK constraint admits only the four conditions.
        condition: Condition::parse(&r.7).unwrap_or(Condition::New),
        images: images
            .into_iter()
            .map(|i| ProductImage {
                id: ProductImageId(i.id),
                path: i.path,
                is_primary: i.is_primary,
                order: i.order,
            })
            .collect(),
        listing_type: listing_type(r.8.as_deref()),
        // Review figures show on fixed-price products only, as in the original.
        average_rating: average.filter(|_| fixed_price),
        total_reviews: if fixed_price { reviews } else { 0 },
        seller_profile: r.9.map(
            |(brand_name, biography, is_verified, rating, total_feedbacks)| SellerSummary {
                brand_name,
                biography,
                is_verified,
                average_rating_centi: hundredths(&rating),
                total_feedbacks,
            },
        ),
        region: province_id.zip(province_name),
        is_in_wishlist: saved,
        created_at: r.10,
        updated_at: r.11,
    }
}

/// One product view on a connection.
pub async fn product_view(
    conn: &mut AsyncPgConnection,
    id: i64,
    viewer: Option<UserId>,
) -> QueryResult<Option<ProductView>> {
    let row: Option<ProductRow> = product_source!()
        .filter(products::id.eq(id))
        .select(product_columns!(viewer))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(view))
}

/// SQL `ILIKE` pattern matching `term` anywhere, with wildcards in the term escaped.
pub fn contains_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// SQL for "the seller's business address or default address is in province `$n`".
pub const IN_PROVINCE: &str = "EXISTS (SELECT 1 FROM addresses a JOIN cities c ON c.id = a.city_id
    WHERE c.province_id = {p} AND a.user_id = products.seller_id
      AND (a.is_default OR a.id = (SELECT business_address_id FROM seller_profiles sp WHERE sp.user_id = products.seller_id)))";

/// The ids of products matching the product-level filters, as a subquery; `None` when no such
/// filter applies, so listing and auction pages need not touch `products` at all to count and
/// order their rows.
pub fn matching_products(
    p: &ProductQuery,
    seller: Option<UserId>,
) -> Option<products::BoxedQuery<'static, diesel::pg::Pg, BigInt>> {
    let filtered = p.seller.is_some()
        || seller.is_some()
        || p.category.is_some()
        || p.province.is_some()
        || !p.search.is_empty();
    if !filtered {
        return None;
    }
    let mut q = products::table.select(products::id).into_boxed();
    for s in [p.seller, seller].into_iter().flatten() {
        q = q.filter(products::seller_id.eq(s.get()));
    }
    if let Some(c) = p.category {
        q = q.filter(products::category_id.eq(c.get()));
    }
    if let Some(province) = p.province {
        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            &IN_PROVINCE.replace("{p}", &province.to_string()),
        ));
    }
    for term in &p.search {
        let pattern = contains_pattern(term);
        q = q.filter(
            products::name
                .ilike(pattern.clone())
                .or(products::description.ilike(pattern)),
        );
    }
    Some(q)
}

impl ProductRepository for Db {
    async fn list_products(
        &self,
        query: ProductQuery,
        page: PageRequest,
        viewer: Option<UserId>,
    ) -> Result<Page<ProductView>, StoreError> {
        let mut conn = self.conn().await?;
        let filtered = || {
            let mut q = products::table.into_boxed();
            if let Some(s) = query.seller {
                q = q.filter(products::seller_id.eq(s.get()));
            }
            if let Some(c) = query.category {
                q = q.filter(products::category_id.eq(c.get()));
            }
            if let Some(c) = query.condition {
                q = q.filter(products::condition.eq(c.as_str()));
            }
            if let Some(p) = query.province {
                q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                    &IN_PROVINCE.replace("{p}", &p.to_string()),
                ));
            }
            for term in &query.search {
                let pattern = contains_pattern(term);
                q = q.filter(
                    products::name
                        .ilike(pattern.clone())
                        .or(products::description.ilike(pattern)),
                );
            }
            q
        };
        let ids_query = {
            let mut q = filtered().select(products::id);
            for s in &query.ordering {
                q = match s.field {
                    ProductSort::CreatedAt => then_order!(q, products::created_at, s.descending),
                    ProductSort::Name => then_order!(q, products::name, s.descending),
                };
            }
            q.then_order_by(products::id.asc())
                .offset(page.offset())
                .limit(page.limit())
        };
        let ids: Vec<i64> = ids_query.load(&mut conn).await.map_err(store)?;
        // An index-only count; cheaper than carrying a window count on every row.
        let count: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let rows: Vec<ProductRow> = product_source!()
            .filter(products::id.eq_any(&ids))
            .select(product_columns!(viewer))
            .load(&mut conn)
            .await
            .map_err(store)?;
        let mut views: Vec<ProductView> = rows.into_iter().map(view).collect();
        // Keep the page's order.
        views.sort_by_key(|v| ids.iter().position(|i| *i == v.id.get()));
        Ok(Page {
            count,
            items: views,
        })
    }

    async fn product(
        &self,
        id: ProductId,
        viewer: Option<UserId>,
    ) -> Result<Option<ProductView>, StoreError> {
        let mut conn = self.conn().await?;
        product_view(&mut conn, id.get(), viewer)
            .await
            .map_err(store)
    }

    async fn product_ownership(
        &self,
        id: ProductId,
    ) -> Result<Option<ProductOwnership>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(i64, Option<String>)> = products::table
            .find(id.get())
            .select((products::seller_id, products::listing_type))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|(seller, lt)| ProductOwnership {
            seller: UserId(seller),
            listing_type: listing_type(lt.as_deref()),
        }))
    }

    async fn category_exists(&self, id: CategoryId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n: i64 = categories::table
            .filter(categories::id.eq(id.get()))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        Ok(n > 0)
    }

    async fn create_product(&self, product: NewProduct) -> Result<ProductId, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            insert_product(conn, &product).await
        })
        .await
        .map_err(store)
    }

    async fn update_product(
        &self,
        id: ProductId,
        changes: ProductChanges,
    ) -> Result<(), StoreError> {
        #[derive(AsChangeset)]
        #[diesel(table_name = products)]
        struct Set {
            category_id: Option<Option<i64>>,
            name: Option<String>,
            description: Option<String>,
            condition: Option<&'static str>,
            updated_at: DateTime<Utc>,
        }
        let mut conn = self.conn().await?;
        diesel::update(products::table.find(id.get()))
            .set(&Set {
                category_id: changes.category.map(|c| c.map(CategoryId::get)),
                name: changes.name,
                description: changes.description,
                condition: changes.condition.map(Condition::as_str),
                updated_at: Utc::now(),
            })
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }

    async fn delete_product(&self, id: ProductId) -> Result<ProductRemoval, StoreError> {
        let mut conn = self.conn().await?;
        let result = conn
            .transaction::<_, diesel::result::Error, _>(async move |conn| {
                let paths: Vec<String> = product_images::table
                    .filter(product_images::product_id.eq(id.get()))
                    .select(product_images::path)
                    .load(conn)
                    .await?;
                // An auction with bids is not deleted from under its bidders (as DELETE auctions/ refuses).
                let bids: Option<i32> = crate::schema::auctions::table
                    .filter(crate::schema::auctions::product_id.eq(id.get()))
                    .select(crate::schema::auctions::total_bids)
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                if bids.is_some_and(|b| b > 0) {
                    return Ok(ProductRemoval::HasBids);
                }
                let n = diesel::delete(products::table.find(id.get()))
                    .execute(conn)
                    .await?;
                Ok(if n == 0 {
                    ProductRemoval::NotFound
                } else {
                    ProductRemoval::Deleted(paths)
                })
            })
            .await;
        match result {
            Ok(r) => Ok(r),
            // Orders reference products with ON DELETE RESTRICT.
            Err(e) if is_foreign_key_violation(&e) => Ok(ProductRemoval::InUse),
            Err(e) => Err(store(e)),
        }
    }

    async fn add_image(
        &self,
        product: ProductId,
        path: String,
    ) -> Result<ProductImage, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // Serialise image changes of one product so positions and the primary stay consistent.
            products::table
                .find(product.get())
                .select(products::id)
                .for_update()
                .execute(conn)
                .await?;
            let count: i64 = product_images::table
                .filter(product_images::product_id.eq(product.get()))
                .count()
                .get_result(conn)
                .await?;
            let position = i32::try_from(count).unwrap_or(i32::MAX);
            let (id, is_primary, order): (i64, bool, i32) =
                diesel::insert_into(product_images::table)
                    .values((
                        product_images::product_id.eq(product.get()),
                        product_images::path.eq(&path),
                        product_images::is_primary.eq(count == 0),
                        product_images::position.eq(position),
                    ))
                    .returning((
                        product_images::id,
                        product_images::is_primary,
                        product_images::position,
                    ))
                    .get_result(conn)
                    .await?;
            Ok(ProductImage {
                id: ProductImageId(id),
                path,
                is_primary,
                order,
            })
        })
        .await
        .map_err(store)
    }

    async fn delete_image(
        &self,
        product: ProductId,
        image: ProductImageId,
    ) -> Result<ImageRemoval, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            products::table
                .find(product.get())
                .select(products::id)
                .for_update()
                .execute(conn)
                .await?;
            let images: Vec<(i64, String, bool)> = product_images::table
                .filter(product_images::product_id.eq(product.get()))
                .order((product_images::position, product_images::id))
                .select((
                    product_images::id,
                    product_images::path,
                    product_images::is_primary,
                ))
                .load(conn)
                .await?;
            let Some((_, path, was_primary)) = images.iter().find(|i| i.0 == image.get()).cloned()
            else {
                return Ok(ImageRemoval::NotFound);
            };
            if images.len() <= 1 {
                return Ok(ImageRemoval::LastImage);
            }
            diesel::delete(product_images::table.find(image.get()))
                .execute(conn)
                .await?;
            if was_primary {
                // The lowest-order remaining image becomes primary.
                if let Some((next, _, _)) = images.iter().find(|i| i.0 != image.get()) {
                    diesel::update(product_images::table.find(*next))
                        .set(product_images::is_primary.eq(true))
                        .execute(conn)
                        .await?;
                }
            }
            Ok(ImageRemoval::Deleted(path))
        })
        .await
        .map_err(store)
    }
}

/// Inserts a product and its images on `conn` (inside the caller's transaction).
pub async fn insert_product(
    conn: &mut AsyncPgConnection,
    product: &NewProduct,
) -> QueryResult<ProductId> {
    let id: i64 = diesel::insert_into(products::table)
        .values((
            products::seller_id.eq(product.seller.get()),
            products::category_id.eq(product.category.map(CategoryId::get)),
            products::name.eq(&product.name),
            products::description.eq(&product.description),
            products::condition.eq(product.condition.as_str()),
        ))
        .returning(products::id)
        .get_result(conn)
        .await?;
    let rows: Vec<_> = product
        .images
        .iter()
        .enumerate()
        .map(|(i, path)| {
            (
                product_images::product_id.eq(id),
                product_images::path.eq(path),
                product_images::is_primary.eq(i == 0),
                product_images::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(product_images::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(ProductId(id))
}
