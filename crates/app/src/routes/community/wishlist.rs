//! `wishlist/`: the caller's saved products.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::ids::{ProductId, WishlistItemId};

use crate::auth::{ActiveUser, Authenticated, CurrentUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::community::wire::WishlistDto;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{Media, MessageDto, Page, PageParams};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/wishlist/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(add)),
    )
    .service(
        resource("/wishlist/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(
        resource("/wishlist/{id}/remove_from_wishlist/", "POST").route(web::post().to(remove)),
    );
}

fn item_id(raw: &str) -> Result<WishlistItemId, ApiError> {
    path_id(raw).map(WishlistItemId)
}

/// A new or replaced entry (`POST`, `PUT`).
#[derive(utoipa::ToSchema)]
struct WishlistBody {
    /// A Product id not yet in the caller's list.
    #[schema(examples(1))]
    product: i64,
    /// `""` by default.
    #[schema(nullable = false)]
    #[schema(examples("gift"))]
    notes: Option<String>,
}

impl WishlistBody {
    /// `POST`: a missing or null note is empty.
    fn parse_new(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let product = f.pk("product", Need::Required, false).flatten();
        let notes = f.text_or_empty("notes");
        f.finish()?;
        // `finish` refused a missing product, so the default is never used.
        Ok(Self {
            product: product.unwrap_or_default(),
            notes: Some(notes),
        })
    }

    /// `PUT`: the product is required, the note kept when absent.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let patch = WishlistPatchBody::read(body, Need::Required)?;
        Ok(Self {
            product: patch.product.unwrap_or_default(),
            notes: patch.notes,
        })
    }
}

/// Changes to an entry (`PATCH`).
#[derive(utoipa::ToSchema)]
struct WishlistPatchBody {
    #[schema(nullable = false)]
    product: Option<i64>,
    #[schema(nullable = false)]
    notes: Option<String>,
}

impl WishlistPatchBody {
    /// Reads the fields, `product` as `need` says.
    fn read(body: &Body, need: Need) -> Result<Self, ApiError> {
        let mut f = body.read();
        let patch = Self {
            product: f.pk("product", need, false).flatten(),
            notes: f.string("notes", Need::Optional),
        };
        f.finish()?;
        Ok(patch)
    }
}

/// The caller's saved products, newest first (`?ordering=created_at` for oldest first).
#[utoipa::path(get, path = "/api/wishlist/", tag = "wishlist",
    params(PageParams, ("ordering" = Option<String>, Query, description = "`created_at` for oldest first; newest first otherwise")),
    responses((status = 200, body = Page<WishlistDto>), (status = 401, description = "Not signed in"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let newest_first = q.get("ordering") != Some("created_at");
    let page = paginate(&req, &q, |p| {
        let (state, user, media) = (state.clone(), auth.user.clone(), media.clone());
        async move {
            Ok(state
                .wishlist
                .list(&user, newest_first, p)
                .await?
                .map(|w| WishlistDto::new(&w, &media)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One of the caller's entries.
#[utoipa::path(get, path = "/api/wishlist/{id}/", tag = "wishlist", responses((status = 200, body = WishlistDto), (status = 404, description = "Not the caller's")))]
pub async fn get(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let item = state.wishlist.get(&auth.user, item_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(WishlistDto::new(&item, &media)))
}

/// Saves a product, once.
#[utoipa::path(post, path = "/api/wishlist/", tag = "wishlist", request_body = WishlistBody,
    responses((status = 201, body = WishlistDto), (status = 400, description = "Already saved or unknown product")))]
pub async fn add(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let new = WishlistBody::parse_new(&body)?;
    let item = state
        .wishlist
        .add(
            &auth.user,
            ProductId(new.product),
            new.notes.unwrap_or_default(),
        )
        .await?;
    Ok(HttpResponse::Created().json(WishlistDto::new(&item, &media)))
}

async fn update(
    state: &AppState,
    auth: &Authenticated,
    media: &Media,
    id: &str,
    body: &Body,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let id = item_id(id)?;
    let (product, notes) = if full {
        let b = WishlistBody::parse(body)?;
        (Some(b.product), b.notes)
    } else {
        let b = WishlistPatchBody::read(body, Need::Optional)?;
        (b.product, b.notes)
    };
    let item = state
        .wishlist
        .update(&auth.user, id, product.map(ProductId), notes)
        .await?;
    Ok(HttpResponse::Ok().json(WishlistDto::new(&item, media)))
}

/// Replaces an entry's product and note.
#[utoipa::path(put, path = "/api/wishlist/{id}/", tag = "wishlist", request_body = WishlistBody,
    responses((status = 200, body = WishlistDto), (status = 400, description = "Already saved")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &media, &id, &body, true).await
}

/// Changes an entry's product or note.
#[utoipa::path(patch, path = "/api/wishlist/{id}/", tag = "wishlist", request_body = Option<WishlistPatchBody>,
    responses((status = 200, body = WishlistDto), (status = 400, description = "Already saved")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &media, &id, &body, false).await
}

/// Removes an entry.
#[utoipa::path(delete, path = "/api/wishlist/{id}/", tag = "wishlist", responses((status = 204), (status = 404, description = "Not the caller's")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.wishlist.remove(&auth.user, item_id(&id)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes an entry (by entry id, not product id).
#[utoipa::path(post, path = "/api/wishlist/{id}/remove_from_wishlist/", tag = "wishlist", responses((status = 200, body = MessageDto), (status = 404, description = "Not the caller's")))]
pub async fn remove(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.wishlist.remove(&auth.user, item_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Product removed from wishlist",
    }))
}
