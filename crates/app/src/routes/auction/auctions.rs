//! `auctions/`: auction listings. Browse for everyone; sellers create; owners (and admins) edit
//! and delete until the first bid. Bidding arrives with the live-auction work.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use madeinpk_domain::auction::model::{
    AUCTION_ORDERING, AuctionInput, AuctionQuery, AuctionStatus,
};
use madeinpk_domain::auction::service::Schedule;
use madeinpk_domain::clock::Clock;
use madeinpk_domain::ids::AuctionId;
use madeinpk_domain::page::parse_ordering;

use crate::auth::{ActiveUser, Authenticated, CurrentUser, MaybeUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::auction::wire::{AuctionDto, AuctionViewer, BidDto};
use crate::routes::catalog::product_params::product_filters;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{Media, Page, PageParams};

use crate::routes::auction::bodies::{
    AuctionCreateBody, AuctionCreateForm, AuctionPatchBody, AuctionReplaceBody, AuctionStatusParam,
    BidBody,
};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/auctions/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/auctions/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(resource("/auctions/{id}/bids/", "GET, HEAD").route(web::get().to(bids)))
    .service(resource("/auctions/{id}/place_bid/", "POST").route(web::post().to(place_bid)));
}

fn auction_id(raw: &str) -> Result<AuctionId, ApiError> {
    path_id(raw).map(AuctionId)
}

/// Now on the app's clock, under the configured schedule bounds.
fn schedule(state: &AppState) -> Schedule {
    Schedule {
        now: state.clock.now(),
        limits: state.config.auction_limits(),
    }
}

/// Auctions; filters `status`, `seller`, `category`, `my_auctions`; `search`; `ordering` by `end_time`, `current_price`, `created_at`.
#[utoipa::path(get, path = "/api/auctions/", tag = "auctions",
    params(PageParams,
           ("search" = Option<String>, Query, description = "Terms (split on spaces and commas) each matching the product's name or description"),
           ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `end_time`, `current_price`, `created_at`"),
           ("status" = inline(Option<AuctionStatusParam>), Query), ("seller" = Option<i64>, Query, description = "Seller's user id"),
           ("category" = Option<i64>, Query, description = "Category id"), ("province" = Option<i64>, Query, description = "The seller's province"),
           ("my_auctions" = Option<bool>, Query, description = "`true`, `1`, `yes` or `on`: only the caller's")),
    responses((status = 200, body = Page<AuctionDto>), (status = 400, description = "Bad filter"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    MaybeUser(viewer): MaybeUser,
    media: Media,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer.map(|a| a.user);
    let status = AuctionStatusParam::parse(&q)?.map(AuctionStatus::from);
    let mine = q.flag("my_auctions");
    let query = AuctionQuery {
        product: product_filters(&q)?,
        status,
        mine: if mine {
            viewer.as_ref().map(|u| u.id)
        } else {
            None
        },
        ordering: parse_ordering(q.get("ordering"), AUCTION_ORDERING),
    };
    let now = Utc::now();
    let who = AuctionViewer::of(viewer.as_ref(), state.config.auctions.bidder_privacy);
    let page = paginate(&req, &q, |p| {
        let (state, query, viewer, media) =
            (state.clone(), query.clone(), viewer.clone(), media.clone());
        async move {
            Ok(state
                .auctions
                .list(query, p, viewer.as_ref())
                .await?
                .map(|a| AuctionDto::new(&a, who, &media, now)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One auction.
#[utoipa::path(get, path = "/api/auctions/{id}/", tag = "auctions", responses((status = 200, body = AuctionDto), (status = 404, description = "No such auction")))]
pub async fn get(
    state: web::Data<AppState>,
    MaybeUser(viewer): MaybeUser,
    media: Media,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer.map(|a| a.user);
    let auction = state
        .auctions
        .get(auction_id(&id)?, viewer.as_ref())
        .await?;
    Ok(HttpResponse::Ok().json(AuctionDto::new(
        &auction,
        AuctionViewer::of(viewer.as_ref(), state.config.auctions.bidder_privacy),
        &media,
        Utc::now(),
    )))
}

/// Every bid, newest first (a plain array).
#[utoipa::path(get, path = "/api/auctions/{id}/bids/", tag = "auctions", responses((status = 200, body = [BidDto]), (status = 404, description = "No such auction")))]
pub async fn bids(
    state: web::Data<AppState>,
    MaybeUser(viewer): MaybeUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer.map(|a| a.user);
    let id = auction_id(&id)?;
    let auction = state.auctions.get(id, viewer.as_ref()).await?;
    let who = AuctionViewer::of(viewer.as_ref(), state.config.auctions.bidder_privacy);
    let bids: Vec<BidDto> = state
        .auctions
        .bids(id)
        .await?
        .iter()
        .map(|b| BidDto::new(b, who.sees_bidder(auction.product.seller, b)))
        .collect();
    Ok(HttpResponse::Ok().json(bids))
}

/// Places a bid (`{amount}`); watchers on every instance get it as `new_bid`.
#[utoipa::path(post, path = "/api/auctions/{id}/place_bid/", tag = "auctions", request_body = BidBody,
    responses((status = 201, body = BidDto), (status = 400, description = "Not active, own auction, or amount too low"),
              (status = 401, description = "Not signed in"), (status = 403, description = "Blocked"), (status = 404, description = "No such auction")))]
pub async fn place_bid(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = auction_id(&id)?;
    let (amount, max) = match BidBody::parse(&body, state.bidding.rules().proxy) {
        Ok(bid) => (Ok(bid.amount), bid.max_amount),
        // The service refuses a bid with field errors without reading the maximum.
        Err(errors) => (Err(errors), None),
    };
    let placed = state
        .bidding
        .place_up_to(Some(&auth.user), id, amount, max)
        .await?;
    let bid = madeinpk_domain::auction::model::Bid {
        id: placed.id,
        bidder: placed.bidder,
        bidder_username: auth.user.username.clone(),
        amount: placed.amount,
        bid_time: placed.bid_time,
        is_winning: true,
    };
    Ok(HttpResponse::Created().json(BidDto::new(&bid, true)))
}

/// Creates an auction: for an existing product (`product_id`) or with a new one (name,
/// description, category, condition, multipart `images`). Sellers only.
#[utoipa::path(post, path = "/api/auctions/", tag = "auctions",
    request_body(content((AuctionCreateBody = "application/json"), (AuctionCreateForm = "multipart/form-data"))),
    responses((status = 201, body = AuctionDto), (status = 400, description = "Field errors"), (status = 403, description = "Not a seller")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let (input, images) = AuctionCreateForm::parse(&state, &body).await?.into_parts();
    let auction = state
        .auctions
        .create(&state.products, &auth.user, input, images, schedule(&state))
        .await?;
    Ok(HttpResponse::Created().json(AuctionDto::new(
        &auction,
        AuctionViewer::of(Some(&auth.user), state.config.auctions.bidder_privacy),
        &media,
        Utc::now(),
    )))
}

async fn update(
    state: &AppState,
    auth: &Authenticated,
    media: &Media,
    id: &str,
    body: &Body,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let id = auction_id(id)?;
    let input: AuctionInput = if full {
        AuctionReplaceBody::parse(body)?.into()
    } else {
        AuctionPatchBody::read(body, Need::Optional)?.into()
    };
    let auction = state
        .auctions
        .update(&auth.user, id, input, full, schedule(state))
        .await?;
    Ok(HttpResponse::Ok().json(AuctionDto::new(
        &auction,
        AuctionViewer::of(Some(&auth.user), state.config.auctions.bidder_privacy),
        media,
        Utc::now(),
    )))
}

/// Replaces the price and window (owner or admin) until the first bid.
#[utoipa::path(put, path = "/api/auctions/{id}/", tag = "auctions", request_body = AuctionReplaceBody,
    responses((status = 200, body = AuctionDto), (status = 400, description = "Bids exist, or bad window"), (status = 403, description = "Not the owner")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &media, &id, &body, true).await
}

/// Changes the price or window (owner or admin) until the first bid.
#[utoipa::path(patch, path = "/api/auctions/{id}/", tag = "auctions", request_body = Option<AuctionPatchBody>,
    responses((status = 200, body = AuctionDto), (status = 400, description = "Bids exist, or bad window"), (status = 403, description = "Not the owner")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &media, &id, &body, false).await
}

/// Deletes an auction without bids (owner or admin); the product stays.
#[utoipa::path(delete, path = "/api/auctions/{id}/", tag = "auctions",
    responses((status = 204), (status = 400, description = "Bids exist"), (status = 403, description = "Not the owner")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.auctions.delete(&auth.user, auction_id(&id)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
