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
use serde_json::json;

use crate::auth::{ActiveUser, Authenticated, MaybeUser};
use crate::body::{Body, Need};
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
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum ListingStatusParam {
    Active,
    Inactive,
    OutOfStock,
}

/// `POST listings/` (documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ListingCreateBody {
    /// One of the caller's products without a listing or auction.
    #[schema(examples(1))]
    product_id: i64,
    /// At least 0.01.
    price: MoneyInput,
    #[schema(minimum = 1)]
    #[schema(examples(3))]
    quantity: i64,
    /// False by default.
    #[schema(nullable = false)]
    featured: Option<bool>,
    /// 0.01 to 99.99, or null; a discount needs all three discount fields.
    discount_percentage: Option<MoneyInput>,
    /// Not in the past.
    discount_start_date: Option<chrono::DateTime<chrono::Utc>>,
    /// After the start.
    discount_end_date: Option<chrono::DateTime<chrono::Utc>>,
}

/// `PUT listings/{id}/` (documentation). Missing discount fields keep their stored values;
/// all three null clears the discount.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ListingReplaceBody {
    price: MoneyInput,
    #[schema(minimum = 1)]
    #[schema(examples(3))]
    quantity: i64,
    #[schema(nullable = false)]
    status: Option<ListingStatusParam>,
    #[schema(nullable = false)]
    featured: Option<bool>,
    discount_percentage: Option<MoneyInput>,
    discount_start_date: Option<chrono::DateTime<chrono::Utc>>,
    discount_end_date: Option<chrono::DateTime<chrono::Utc>>,
}

/// `PATCH listings/{id}/` (documentation): any subset.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ListingPatchBody {
    #[schema(nullable = false)]
    price: Option<MoneyInput>,
    /// Restocking an out-of-stock listing reactivates it.
    #[schema(nullable = false, minimum = 1)]
    quantity: Option<i64>,
    #[schema(nullable = false)]
    status: Option<ListingStatusParam>,
    #[schema(nullable = false)]
    featured: Option<bool>,
    discount_percentage: Option<MoneyInput>,
    discount_start_date: Option<chrono::DateTime<chrono::Utc>>,
    discount_end_date: Option<chrono::DateTime<chrono::Utc>>,
}

/// `POST listings/{id}/purchase/` (documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct PurchaseBody {
    /// Units to buy, 1 by default.
    #[schema(nullable = false, minimum = 1)]
    #[schema(examples(1))]
    quantity: Option<i64>,
    /// One of the caller's addresses.
    shipping_address: i64,
    /// The total the buyer agreed to. When given and the order would charge another total (the
    /// price changed), nothing is placed: 400 `non_field_errors` "Prices changed: …". Absent:
    /// the current price is charged.
    #[schema(nullable = false)]
    expected_total: Option<MoneyInput>,
}

/// `toggle_status` (documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ToggledDto {
    /// `Listing activated successfully` or `Listing deactivated successfully`.
    message: String,
    /// The new status: `active` or `inactive`.
    status: String,
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
    let status = q.choice("status", ListingStatus::parse)?;
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

fn listing_input(body: &Body, create: bool, full: bool) -> Result<ListingInput, ApiError> {
    let need = if full { Need::Required } else { Need::Optional };
    let mut f = body.read();
    let input = ListingInput {
        product_id: if create {
            f.pk("product_id", Need::Required, false)
                .flatten()
                .map(ProductId)
        } else {
            None
        },
        price: f.money("price", need),
        quantity: f.int("quantity", need),
        status: if create {
            None
        } else {
            f.choice("status", Need::Optional, ListingStatus::parse)
        },
        featured: f.bool("featured", Need::Optional),
        discount_percentage: match body.fields.get("discount_percentage") {
            None => None,
            Some(serde_json::Value::Null) => Some(None),
            Some(_) => f
                .money("discount_percentage", Need::Optional)
                .map(|m| Some(u32::try_from(m.minor().max(0)).unwrap_or(u32::MAX))),
        },
        discount_start_date: f.datetime("discount_start_date", Need::Optional),
        discount_end_date: f.datetime("discount_end_date", Need::Optional),
    };
    f.finish()?;
    if let Some(Some(0)) = input.discount_percentage {
        return Err(FieldErrors::single(
            "discount_percentage",
            "Ensure this value is greater than or equal to 0.01.",
        )
        .into());
    }
    Ok(input)
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
    let input = listing_input(&body, true, true)?;
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
    let listing = state
        .listings
        .update(&auth.user, id, listing_input(body, false, full)?, full)
        .await?;
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
    let message = if status == ListingStatus::Active {
        "Listing activated successfully"
    } else {
        "Listing deactivated successfully"
    };
    Ok(HttpResponse::Ok().json(json!({ "message": message, "status": status.as_str() })))
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
    let mut f = body.read();
    let quantity = f.int("quantity", Need::Optional);
    let address = f.int("shipping_address", Need::Optional);
    let expected_total = f.money("expected_total", Need::Optional);
    f.finish()?;
    let order = state
        .checkout
        .purchase(
            &auth.user,
            id,
            quantity.unwrap_or(1),
            address.map(madeinpk_domain::ids::AddressId),
            key,
            expected_total,
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
