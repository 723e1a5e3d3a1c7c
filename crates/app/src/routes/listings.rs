//! `listings/`: fixed-price listings. Browse for everyone; owners (and admins) edit.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use madeinpk_domain::ids::{ListingId, ProductId};
use madeinpk_domain::listing::{LISTING_ORDERING, ListingInput, ListingQuery, ListingStatus};
use madeinpk_domain::money::{Currency, Money};
use madeinpk_domain::page::parse_ordering;
use madeinpk_domain::validation::FieldErrors;
use serde_json::json;

use super::products::product_filters;
use super::resource;
use crate::auth::{ActiveUser, Authenticated, MaybeUser};
use crate::body::{Body, Need};
use crate::dto::{ListingDto, Media};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::state::AppState;

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

/// Listings; filters `status`, `my_listings`, `seller`, `category`, `province`, `min_price`, `max_price`, `featured`; `search`; `ordering` by `price`, `created_at`.
#[utoipa::path(get, path = "/api/listings/", tag = "listings",
    params(("page" = Option<u32>, Query), ("search" = Option<String>, Query), ("ordering" = Option<String>, Query), ("status" = Option<String>, Query),
           ("my_listings" = Option<bool>, Query), ("seller" = Option<i64>, Query), ("category" = Option<i64>, Query), ("province" = Option<i64>, Query),
           ("min_price" = Option<String>, Query), ("max_price" = Option<String>, Query), ("featured" = Option<bool>, Query)),
    responses((status = 200, description = "Paginated listings"), (status = 400, description = "Bad filter")))]
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

/// One listing.
#[utoipa::path(get, path = "/api/listings/{id}/", tag = "listings", responses((status = 200, body = ListingDto), (status = 404, description = "No such listing")))]
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
#[utoipa::path(post, path = "/api/listings/", tag = "listings",
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
#[utoipa::path(put, path = "/api/listings/{id}/", tag = "listings", responses((status = 200, body = ListingDto), (status = 403, description = "Not the owner")))]
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
#[utoipa::path(patch, path = "/api/listings/{id}/", tag = "listings", responses((status = 200, body = ListingDto), (status = 403, description = "Not the owner")))]
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
    responses((status = 200, description = "New status"), (status = 400, description = "Out of stock"), (status = 403, description = "Not the owner")))]
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
#[utoipa::path(post, path = "/api/listings/{id}/purchase/", tag = "listings",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the same order")),
    responses((status = 201, body = crate::order_dto::OrderDto), (status = 400, description = "Inactive, own listing, not enough stock, bad address or quantity"),
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
    let key = super::cart::idempotency_key(&req)?;
    let mut f = body.read();
    let quantity = f.int("quantity", Need::Optional);
    let address = f.int("shipping_address", Need::Optional);
    f.finish()?;
    let order = state
        .checkout
        .purchase(
            &auth.user,
            id,
            quantity.unwrap_or(1),
            address.map(madeinpk_domain::ids::AddressId),
            key,
        )
        .await?;
    Ok(
        HttpResponse::Created().json(crate::order_dto::OrderDto::new(
            &order,
            auth.user.id,
            auth.user.is_admin(),
            &media,
        )),
    )
}
