//! `listings/`: fixed-price listings. Browse for everyone; owners (and admins) edit.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use madeinpk_domain::catalog::listing::{
    LISTING_ORDERING, ListingInput, ListingQuery, ListingStatus,
};
use madeinpk_domain::ids::{ListingId, ProductId};
use madeinpk_domain::money::{Currency, Money};
use madeinpk_domain::page::parse_ordering;
use madeinpk_domain::validation::FieldErrors;

use crate::auth::{ActiveUser, Authenticated, MaybeUser};
use crate::body::{Body, Fields, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::catalog::product_params::product_filters;
use crate::routes::catalog::wire::ListingDto;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{Media, MoneyInput, Page, PageParams};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/listings/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/listings/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(resource("/listings/{id}/toggle_status/", "POST").route(web::post().to(toggle_status)))
    .service(resource("/listings/{id}/purchase/", "POST").route(web::post().to(purchase)));
}

/// A fixed-price listing status.
#[derive(Clone, Copy, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
enum ListingStatusParam {
    Active,
    Inactive,
    OutOfStock,
}

impl ListingStatusParam {
    /// `?status=`: none when absent or empty; an unknown value is a 400 naming the parameter.
    fn parse(q: &QueryMap) -> Result<Option<Self>, ApiError> {
        q.choice("status", |v| ListingStatus::parse(v).map(Self::from))
    }

    /// The `status` field of a body, optional.
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        f.choice("status", Need::Optional, |v| {
            ListingStatus::parse(v).map(Self::from)
        })
    }
}

impl From<ListingStatus> for ListingStatusParam {
    fn from(s: ListingStatus) -> Self {
        match s {
            ListingStatus::Active => Self::Active,
            ListingStatus::Inactive => Self::Inactive,
            ListingStatus::OutOfStock => Self::OutOfStock,
        }
    }
}

impl From<ListingStatusParam> for ListingStatus {
    fn from(s: ListingStatusParam) -> Self {
        match s {
            ListingStatusParam::Active => Self::Active,
            ListingStatusParam::Inactive => Self::Inactive,
            ListingStatusParam::OutOfStock => Self::OutOfStock,
        }
    }
}

/// A discount percentage in basis points (12.50 → 1250); zero or below is 0.
fn percentage_bps(m: Money) -> u32 {
    u32::try_from(m.minor().max(0)).unwrap_or(u32::MAX)
}

/// `discount_percentage`: absent, null (clears the discount), or a percentage.
fn read_discount_percentage(body: &Body, f: &mut Fields<'_>) -> Option<Option<Money>> {
    match body.fields.get("discount_percentage") {
        None => None,
        Some(serde_json::Value::Null) => Some(None),
        Some(_) => f.money("discount_percentage", Need::Optional).map(Some),
    }
}

/// Refuses a percentage of 0 (or less), once every field read.
fn check_discount(percentage: Option<Option<Money>>) -> Result<(), ApiError> {
    if let Some(Some(m)) = percentage
        && percentage_bps(m) == 0
    {
        return Err(FieldErrors::single(
            "discount_percentage",
            "Ensure this value is greater than or equal to 0.01.",
        )
        .into());
    }
    Ok(())
}

/// The body of `POST listings/`.
#[derive(utoipa::ToSchema)]
struct ListingCreateBody {
    /// One of the caller's products without a listing or auction.
    #[schema(examples(1))]
    product_id: i64,
    /// At least 0.01.
    #[schema(value_type = MoneyInput)]
    price: Money,
    #[schema(minimum = 1)]
    #[schema(examples(3))]
    quantity: i64,
    /// False by default.
    #[schema(nullable = false)]
    featured: Option<bool>,
    /// 0.01 to 99.99, or null; a discount needs all three discount fields.
    #[schema(value_type = Option<MoneyInput>)]
    discount_percentage: Option<Option<Money>>,
    /// Not in the past.
    discount_start_date: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// After the start.
    discount_end_date: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

impl ListingCreateBody {
    /// Reads a new listing: `product_id`, `price` and `quantity` required.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let product_id = f.pk("product_id", Need::Required, false).flatten();
        let price = f.money("price", Need::Required);
        let quantity = f.int("quantity", Need::Required);
        let featured = f.bool("featured", Need::Optional);
        let discount_percentage = read_discount_percentage(body, &mut f);
        let discount_start_date = f.datetime("discount_start_date", Need::Optional);
        let discount_end_date = f.datetime("discount_end_date", Need::Optional);
        f.finish()?;
        check_discount(discount_percentage)?;
        // `finish` refused missing required fields, so the defaults are never used.
        Ok(Self {
            product_id: product_id.unwrap_or_default(),
            price: price.unwrap_or(Money::zero(Currency::Pkr)),
            quantity: quantity.unwrap_or_default(),
            featured,
            discount_percentage,
            discount_start_date,
            discount_end_date,
        })
    }
}

impl From<ListingCreateBody> for ListingInput {
    fn from(b: ListingCreateBody) -> Self {
        Self {
            product_id: Some(ProductId(b.product_id)),
            price: Some(b.price),
            quantity: Some(b.quantity),
            status: None,
            featured: b.featured,
            discount_percentage: b.discount_percentage.map(|p| p.map(percentage_bps)),
            discount_start_date: b.discount_start_date,
            discount_end_date: b.discount_end_date,
        }
    }
}

/// The body of `PUT listings/{id}/`. Missing discount fields keep their stored values;
/// all three null clears the discount.
#[derive(utoipa::ToSchema)]
struct ListingReplaceBody {
    #[schema(value_type = MoneyInput)]
    price: Money,
    #[schema(minimum = 1)]
    #[schema(examples(3))]
    quantity: i64,
    #[schema(nullable = false)]
    status: Option<ListingStatusParam>,
    #[schema(nullable = false)]
    featured: Option<bool>,
    #[schema(value_type = Option<MoneyInput>)]
    discount_percentage: Option<Option<Money>>,
    discount_start_date: Option<Option<chrono::DateTime<chrono::Utc>>>,
    discount_end_date: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

impl ListingReplaceBody {
    /// Reads a full update: `price` and `quantity` required.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let patch = ListingPatchBody::read(body, Need::Required)?;
        // `read` refused missing required fields, so the defaults are never used.
        Ok(Self {
            price: patch.price.unwrap_or(Money::zero(Currency::Pkr)),
            quantity: patch.quantity.unwrap_or_default(),
            status: patch.status,
            featured: patch.featured,
            discount_percentage: patch.discount_percentage,
            discount_start_date: patch.discount_start_date,
            discount_end_date: patch.discount_end_date,
        })
    }
}

impl From<ListingReplaceBody> for ListingInput {
    fn from(b: ListingReplaceBody) -> Self {
        ListingPatchBody {
            price: Some(b.price),
            quantity: Some(b.quantity),
            status: b.status,
            featured: b.featured,
            discount_percentage: b.discount_percentage,
            discount_start_date: b.discount_start_date,
            discount_end_date: b.discount_end_date,
        }
        .into()
    }
}

/// The body of `PATCH listings/{id}/`: any subset.
#[derive(utoipa::ToSchema)]
struct ListingPatchBody {
    #[schema(value_type = Option<MoneyInput>, nullable = false)]
    price: Option<Money>,
    /// Restocking an out-of-stock listing reactivates it.
    #[schema(nullable = false, minimum = 1)]
    quantity: Option<i64>,
    #[schema(nullable = false)]
    status: Option<ListingStatusParam>,
    #[schema(nullable = false)]
    featured: Option<bool>,
    #[schema(value_type = Option<MoneyInput>)]
    discount_percentage: Option<Option<Money>>,
    discount_start_date: Option<Option<chrono::DateTime<chrono::Utc>>>,
    discount_end_date: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

impl ListingPatchBody {
    /// Reads the fields, `price` and `quantity` as `need` says.
    fn read(body: &Body, need: Need) -> Result<Self, ApiError> {
        let mut f = body.read();
        let patch = Self {
            price: f.money("price", need),
            quantity: f.int("quantity", need),
            status: ListingStatusParam::read(&mut f),
            featured: f.bool("featured", Need::Optional),
            discount_percentage: read_discount_percentage(body, &mut f),
            discount_start_date: f.datetime("discount_start_date", Need::Optional),
            discount_end_date: f.datetime("discount_end_date", Need::Optional),
        };
        f.finish()?;
        check_discount(patch.discount_percentage)?;
        Ok(patch)
    }
}

impl From<ListingPatchBody> for ListingInput {
    fn from(b: ListingPatchBody) -> Self {
        Self {
            product_id: None,
            price: b.price,
            quantity: b.quantity,
            status: b.status.map(ListingStatus::from),
            featured: b.featured,
            discount_percentage: b.discount_percentage.map(|p| p.map(percentage_bps)),
            discount_start_date: b.discount_start_date,
            discount_end_date: b.discount_end_date,
        }
    }
}

/// The body of `POST listings/{id}/purchase/`.
#[derive(utoipa::ToSchema)]
struct PurchaseBody {
    /// Units to buy, 1 by default.
    #[schema(nullable = false, minimum = 1)]
    #[schema(examples(1))]
    quantity: Option<i64>,
    /// One of the caller's addresses.
    // Read as optional: the service refuses a missing one ("Invalid shipping address").
    #[schema(value_type = i64)]
    shipping_address: Option<i64>,
    /// The total the buyer agreed to. When given and the order would charge another total (the
    /// price changed), nothing is placed: 400 `non_field_errors` "Prices changed: …". Absent:
    /// the current price is charged.
    #[schema(value_type = Option<MoneyInput>, nullable = false)]
    expected_total: Option<Money>,
}

impl PurchaseBody {
    /// Reads the body; every field optional here.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let purchase = Self {
            quantity: f.int("quantity", Need::Optional),
            shipping_address: f.int("shipping_address", Need::Optional),
            expected_total: f.money("expected_total", Need::Optional),
        };
        f.finish()?;
        Ok(purchase)
    }
}

/// `toggle_status`'s answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ToggledDto {
    /// `Listing activated successfully` or `Listing deactivated successfully`.
    message: String,
    /// The new status: `active` or `inactive`.
    status: String,
}

impl ToggledDto {
    fn new(status: ListingStatus) -> Self {
        let message = if status == ListingStatus::Active {
            "Listing activated successfully"
        } else {
            "Listing deactivated successfully"
        };
        Self {
            message: message.to_owned(),
            status: status.as_str().to_owned(),
        }
    }
}

fn price_filter(q: &QueryMap, name: &str) -> Result<Option<Money>, ApiError> {
    match q.get(name).map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => Money::parse(v, Currency::Pkr)
            .map(Some)
            .map_err(|_| FieldErrors::single(name, "Enter a number.").into()),
    }
}

fn listing_id(raw: &str) -> Result<ListingId, ApiError> {
    path_id(raw).map(ListingId)
}

/// Listings; filters `status`, `my_listings`, `seller`, `category`, `province`, `min_price`, `max_price`, `featured`; `search`; `ordering` by `price`, `created_at`. An inactive listing appears only to its seller and admins.
#[utoipa::path(get, path = "/api/listings/", tag = "listings",
    params(PageParams,
           ("search" = Option<String>, Query, description = "Terms (split on spaces and commas) each matching the product's name or description"),
           ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `price`, `created_at`"),
           ("status" = inline(Option<ListingStatusParam>), Query), ("my_listings" = Option<bool>, Query, description = "`true`, `1`, `yes` or `on`: only the caller's"),
           ("seller" = Option<i64>, Query, description = "Seller's user id"), ("category" = Option<i64>, Query, description = "Category id"),
           ("province" = Option<i64>, Query, description = "The seller's province"),
           ("min_price" = Option<String>, Query, description = "Inclusive lower bound on the base price, e.g. `100.00`"),
           ("max_price" = Option<String>, Query, description = "Inclusive upper bound on the base price"),
           ("featured" = Option<bool>, Query, description = "`true` or `false`; other values are ignored")),
    responses((status = 200, body = Page<ListingDto>), (status = 400, description = "Bad filter"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    MaybeUser(viewer): MaybeUser,
    media: Media,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer.map(|a| a.user);
    let status = ListingStatusParam::parse(&q)?.map(ListingStatus::from);
    let mine = q.flag("my_listings");
    let query = ListingQuery {
        product: product_filters(&q)?,
        status,
        mine: if mine {
            viewer.as_ref().map(|u| u.id)
        } else {
            None
        },
        min_price: price_filter(&q, "min_price")?,
        max_price: price_filter(&q, "max_price")?,
        featured: match q.get("featured") {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        },
        ordering: parse_ordering(q.get("ordering"), LISTING_ORDERING),
        // Whose inactive listings may appear is the service's decision, from the reader.
        ..ListingQuery::default()
    };
    let now = Utc::now();
    let page = paginate(&req, &q, |p| {
        let (state, query, viewer, media) =
            (state.clone(), query.clone(), viewer.clone(), media.clone());
        async move {
            Ok(state
                .listings
                .list(query, p, viewer.as_ref())
                .await?
                .map(|l| ListingDto::new(&l, &media, now)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One listing; an inactive one only for its seller and admins (404 for anyone else).
#[utoipa::path(get, path = "/api/listings/{id}/", tag = "listings", responses((status = 200, body = ListingDto), (status = 404, description = "No such listing, or someone else's inactive one")))]
pub async fn get(
    state: web::Data<AppState>,
    MaybeUser(viewer): MaybeUser,
    media: Media,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let listing = state
        .listings
        .get(listing_id(&id)?, viewer.map(|a| a.user).as_ref())
        .await?;
    Ok(HttpResponse::Ok().json(ListingDto::new(&listing, &media, Utc::now())))
}

/// Lists one of the caller's products at a fixed price (sellers).
#[utoipa::path(post, path = "/api/listings/", tag = "listings", request_body = ListingCreateBody,
    responses((status = 201, body = ListingDto), (status = 400, description = "Field or discount errors"), (status = 403, description = "Not a seller")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input: ListingInput = ListingCreateBody::parse(&body)?.into();
    let listing = state.listings.create(&auth.user, input, Utc::now()).await?;
    Ok(HttpResponse::Created().json(ListingDto::new(&listing, &media, Utc::now())))
}

async fn update(
    state: &AppState,
    auth: &Authenticated,
    media: &Media,
    id: &str,
    body: &Body,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let id = listing_id(id)?;
    let input: ListingInput = if full {
        ListingReplaceBody::parse(body)?.into()
    } else {
        ListingPatchBody::read(body, Need::Optional)?.into()
    };
    let listing = state.listings.update(&auth.user, id, input, full).await?;
    Ok(HttpResponse::Ok().json(ListingDto::new(&listing, media, Utc::now())))
}

/// Replaces a listing's price, quantity, status and discount (owner or admin).
#[utoipa::path(put, path = "/api/listings/{id}/", tag = "listings", request_body = ListingReplaceBody,
    responses((status = 200, body = ListingDto), (status = 403, description = "Not the owner")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &media, &id, &body, true).await
}

/// Changes some listing fields (owner or admin); restocking reactivates an out-of-stock listing.
#[utoipa::path(patch, path = "/api/listings/{id}/", tag = "listings", request_body = Option<ListingPatchBody>,
    responses((status = 200, body = ListingDto), (status = 403, description = "Not the owner")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &media, &id, &body, false).await
}

/// Deletes a listing (owner or admin); the product stays.
#[utoipa::path(delete, path = "/api/listings/{id}/", tag = "listings", responses((status = 204), (status = 403, description = "Not the owner")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.listings.delete(&auth.user, listing_id(&id)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Switches a listing between active and inactive (owner or admin).
#[utoipa::path(post, path = "/api/listings/{id}/toggle_status/", tag = "listings",
    responses((status = 200, body = ToggledDto), (status = 400, description = "Out of stock"), (status = 403, description = "Not the owner")))]
pub async fn toggle_status(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let status = state
        .listings
        .toggle_status(&auth.user, listing_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(ToggledDto::new(status)))
}

/// Buys units of a listing directly: a `fixed_price` order with its own payment session.
#[utoipa::path(post, path = "/api/listings/{id}/purchase/", tag = "listings", request_body = PurchaseBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the same order")),
    responses((status = 201, body = crate::routes::order::wire::OrderDto), (status = 400, description = "Inactive, own listing, not enough stock, bad address or quantity, a total other than `expected_total`, too many unpaid orders for the listing"),
              (status = 403, description = "Blocked"), (status = 404, description = "No such listing")))]
pub async fn purchase(
    req: HttpRequest,
    state: web::Data<AppState>,
    crate::auth::CurrentUser(auth): crate::auth::CurrentUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = listing_id(&id)?;
    let key = crate::routes::order::cart::idempotency_key(&req)?;
    let body = PurchaseBody::parse(&body)?;
    let order = state
        .checkout
        .purchase(
            &auth.user,
            id,
            body.quantity.unwrap_or(1),
            body.shipping_address.map(madeinpk_domain::ids::AddressId),
            key,
            body.expected_total,
        )
        .await?;
    Ok(
        HttpResponse::Created().json(crate::routes::order::wire::OrderDto::new(
            &order,
            auth.user.id,
            auth.user.is_admin(),
            &media,
        )),
    )
}
