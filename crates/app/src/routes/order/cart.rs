//! `cart/`: the caller's cart (holds stock) and its checkout.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::ids::{AddressId, CartItemId, ListingId};
use madeinpk_domain::money::Money;
use madeinpk_domain::order::cart_service::AddToCart;

use crate::auth::{ActiveUser, CurrentUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::path_id;
use crate::routes::order::wire::{CartDto, CartItemDto, OrderDto};
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{Media, MessageDto, MoneyInput};
use madeinpk_domain::clock::Clock;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/cart/", "GET, HEAD").route(web::get().to(view)))
        .service(resource("/cart/add_item/", "POST").route(web::post().to(add_item)))
        .service(
            resource("/cart/items/{id}/", "PUT, PATCH, DELETE")
                .route(web::put().to(update_item))
                .route(web::patch().to(update_item))
                .route(web::delete().to(remove_item)),
        )
        .service(resource("/cart/clear/", "POST").route(web::post().to(clear)))
        .service(resource("/cart/checkout/", "POST").route(web::post().to(checkout)));
}

fn item_id(raw: &str) -> Result<CartItemId, ApiError> {
    path_id(raw).map(CartItemId)
}

/// The `Idempotency-Key` header: a retried checkout with the same key returns the same order.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            ApiError::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters.")
        })?;
    Ok(Some(key.to_owned()))
}

/// `POST cart/add_item/`.
#[derive(utoipa::ToSchema)]
struct AddItemBody {
    /// An active fixed-price listing that is not the caller's.
    // Documented as required, read as optional: the cart service reports missing fields.
    #[schema(value_type = i64)]
    #[schema(examples(1))]
    listing_id: Option<i64>,
    /// Units to add (merged with the listing's line); at least 1.
    // Required, read as optional (as `listing_id`).
    #[schema(value_type = i64)]
    #[schema(minimum = 1)]
    #[schema(examples(1))]
    quantity: Option<i64>,
}

impl AddItemBody {
    /// Reads the fields; the cart service judges missing ones.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let parsed = Self {
            listing_id: f.int("listing_id", Need::Optional),
            quantity: f.int("quantity", Need::Optional),
        };
        f.finish()?;
        Ok(parsed)
    }
}

/// `PUT`/`PATCH cart/items/{id}/`.
#[derive(utoipa::ToSchema)]
struct CartItemBody {
    /// The line's new quantity: 1 up to what is available to it.
    // Documented as required, read as optional: the cart service reports a missing one (after
    // checking the line is the caller's).
    #[schema(value_type = i64)]
    #[schema(minimum = 1)]
    #[schema(examples(1))]
    quantity: Option<i64>,
}

impl CartItemBody {
    /// Reads the field; the cart service judges a missing one.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let quantity = f.int("quantity", Need::Optional);
        f.finish()?;
        Ok(Self { quantity })
    }
}

/// `POST cart/checkout/`.
#[derive(utoipa::ToSchema)]
struct CheckoutBody {
    /// One of the caller's addresses.
    shipping_address_id: i64,
    /// The total the buyer agreed to (as the cart showed it). When given and the order would
    /// charge another total (a price changed), nothing is placed: 400 `non_field_errors`
    /// "Prices changed: …". Absent: the current prices are charged.
    #[schema(value_type = Option<MoneyInput>, nullable = false)]
    expected_total: Option<Money>,
}

impl CheckoutBody {
    /// Reads the fields.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let address = f.int("shipping_address_id", Need::Required);
        let expected_total = f.money("expected_total", Need::Optional);
        f.finish()?;
        // `finish` refused a missing or bad address, so the default is never used.
        Ok(Self {
            shipping_address_id: address.unwrap_or_default(),
            expected_total,
        })
    }
}

/// The caller's cart: lines with their holds, per-seller groups and totals.
#[utoipa::path(get, path = "/api/cart/", tag = "cart", responses((status = 200, body = CartDto), (status = 401, description = "Not signed in")))]
pub async fn view(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
) -> Result<HttpResponse, ApiError> {
    let cart = state.carts.view(&auth.user).await?;
    Ok(HttpResponse::Ok().json(CartDto::new(&cart, &media, state.clock.now())))
}

/// Adds units of a fixed-price listing (merged with its line) and holds them.
#[utoipa::path(post, path = "/api/cart/add_item/", tag = "cart", request_body = AddItemBody,
    responses((status = 201, body = CartItemDto), (status = 400, description = "Unknown or inactive listing, own listing, auction, not enough stock")))]
pub async fn add_item(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let parsed = AddItemBody::parse(&body)?;
    let input = AddToCart {
        listing: parsed.listing_id.map(ListingId),
        quantity: parsed.quantity,
        // An `auction_id` (not part of the body) is refused: auctions are never bought
        // through a cart.
        auction: body.fields.contains_key("auction_id"),
    };
    let line = state.carts.add(&auth.user, input).await?;
    Ok(HttpResponse::Created().json(CartItemDto::new(&line, &media, state.clock.now())))
}

/// Sets a line's quantity (1 up to what is available to it).
#[utoipa::path(method(put, patch), path = "/api/cart/items/{id}/", tag = "cart", request_body = CartItemBody,
    responses((status = 200, body = CartItemDto), (status = 400, description = "Bad quantity"), (status = 404, description = "Not in the caller's cart")))]
pub async fn update_item(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = item_id(&id)?;
    let CartItemBody { quantity } = CartItemBody::parse(&body)?;
    let line = state.carts.update(&auth.user, id, quantity).await?;
    Ok(HttpResponse::Ok().json(CartItemDto::new(&line, &media, state.clock.now())))
}

/// Removes a line and releases its units.
#[utoipa::path(delete, path = "/api/cart/items/{id}/", tag = "cart",
    responses((status = 200, body = MessageDto, description = "Removed"), (status = 404, description = "Not in the caller's cart")))]
pub async fn remove_item(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.carts.remove(&auth.user, item_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Item removed from cart",
    }))
}

/// Empties the cart.
#[utoipa::path(post, path = "/api/cart/clear/", tag = "cart", responses((status = 200, body = MessageDto, description = "Cleared, or already empty")))]
pub async fn clear(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
) -> Result<HttpResponse, ApiError> {
    let message = if state.carts.clear(&auth.user).await? {
        "Cart cleared"
    } else {
        "Cart is already empty"
    };
    Ok(HttpResponse::Ok().json(MessageDto { message }))
}

/// Checks out the whole cart as one order and opens its payment session.
#[utoipa::path(post, path = "/api/cart/checkout/", tag = "cart", request_body = CheckoutBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the same order")),
    responses((status = 201, body = OrderDto), (status = 400, description = "Bad address, empty cart, unavailable items, a total other than `expected_total`, too many unpaid orders for a listing"),
              (status = 403, description = "Blocked"), (status = 502, description = "The payment provider failed")))]
pub async fn checkout(
    req: HttpRequest,
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let parsed = CheckoutBody::parse(&body)?;
    let order = state
        .checkout
        .checkout_cart(
            &auth.user,
            AddressId(parsed.shipping_address_id),
            key,
            parsed.expected_total,
        )
        .await?;
    Ok(HttpResponse::Created().json(OrderDto::new(
        &order,
        auth.user.id,
        auth.user.is_admin(),
        &media,
    )))
}
